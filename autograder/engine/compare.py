"""Compare a student's arrays with the expected ones and say precisely where they differ.

On a mismatch the message names the first time step that goes wrong, the worst element, and the
max absolute and relative errors; before that, it tries the known-mistakes catalogue and names the
mistake when the student's array matches one of its variants.
"""

import numpy as np

from autograder.engine.feedback import Feedback

# Element-wise tolerances for a student's array against the reference: real mistakes differ by
# far more (a missing bias, a swapped gate: 1e-2 and up).
RTOL = 1e-4
ATOL = 1e-5

# float32 rounding. The same float32 computation done in another order (another CPU, another BLAS
# kernel, oneDNN on or off, a student's other matmul order) moves each result by a few units of
# eps32 times the magnitude of the numbers it was summed from. The grader's inputs, weights and
# states are O(1) by construction, so that magnitude is max(1, max|array|): a small result came
# from O(1) terms by cancellation (Lab 4's readout bias after SGD is 0.0032, summed from terms of
# ~0.3, and moves by 2.6e-8 = 0.2 eps32 between kernels: 68 eps32 of itself). Measured with
# bench/bench_rounding.py: at most ~4 eps32 on that scale across kernels and CPUs. 64 gives 16x
# headroom and is still 7.6e-6 of the scale, 100x below the smallest real change a fixture or a
# named mistake makes (1e-3 of the scale and up).
EPS32 = float(np.finfo(np.float32).eps)
ROUNDING_ULPS = 64


def rounding_scale(*arrays):
    """max(1, max|entries|): the magnitude float32 rounding errors in these arrays are relative to."""
    magnitudes = [float(np.max(np.abs(a))) for a in map(np.asarray, arrays) if a.size]
    return max([1.0] + [m for m in magnitudes if np.isfinite(m)])


def rounding_slack(*arrays, ulps=ROUNDING_ULPS):
    """``ulps * eps32 * rounding_scale(arrays)``: how far rounding alone can move any entry."""
    return ulps * EPS32 * rounding_scale(*arrays)


def _agrees(got, expected, rtol, atol):
    """Element-wise: |got - expected| <= atol + rtol * |expected| + rounding_slack(expected)."""
    return np.isclose(got, expected, rtol=rtol, atol=atol + rounding_slack(expected))


def close(got, expected, rtol=RTOL, atol=ATOL):
    """Same shape and every entry within the tolerance of ``_agrees``."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return got.shape == expected.shape and bool(np.all(_agrees(got, expected, rtol, atol)))


def same_up_to_rounding(a, b, ulps=ROUNDING_ULPS):
    """``max|a - b| <= ulps * eps32 * max(1, |a|, |b|)``: two float32 results of the same computation.

    Normwise, the way numerical libraries compare results (LAPACK's test ratios): an entry near
    zero carries the rounding error of the larger terms it was summed from, so an element-wise
    relative test calls that noise a change. Exact for arrays of integers, zeros, NaN or inf.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    if a.size == 0:
        return True
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return bool(np.array_equal(a, b, equal_nan=True))
    return float(np.max(np.abs(a - b))) <= rounding_slack(a, b, ulps=ulps)


def _shape_message(what, got, expected):
    message = f"{what} has shape {tuple(got.shape)}; expected {tuple(expected.shape)}"
    if got.ndim == expected.ndim == 3 and got.shape == tuple(np.array(expected.shape)[[1, 0, 2]]):
        message += " (batch and time are swapped: stack the steps along axis=1 for (batch, time, units))"
    elif got.size == expected.size:
        message += " (same number of values in another layout)"
    return message


def _index(index, names):
    return ", ".join(f"{n}={i}" for n, i in zip(names, index))


def describe_difference(got, expected, time_axis=None, axis_names=None, rtol=RTOL, atol=ATOL):
    """A one-paragraph description of where and how much ``got`` differs from ``expected``."""
    error = np.abs(got - expected)
    worst = np.unravel_index(int(np.argmax(error)), error.shape)
    names = axis_names or [f"axis{i}" for i in range(got.ndim)]
    relative = error / np.maximum(np.abs(expected), 1e-3)  # near-zero entries say nothing
    parts = []
    if time_axis is not None and got.ndim > time_axis:
        bad = ~_agrees(got, expected, rtol, atol)
        steps = np.any(bad, axis=tuple(a for a in range(got.ndim) if a != time_axis))
        first = int(np.argmax(steps))
        # Indices are 0-based everywhere in the message, as in your arrays; the step number is h_t's t.
        parts.append(f"first wrong at time index {first} (step {first + 1} of {got.shape[time_axis]})")
        if first > 0:
            parts.append("the steps before it are right")
    parts.append(
        f"worst element [{_index(worst, names)}]: got {got[worst]:.6g}, expected {expected[worst]:.6g}"
    )
    parts.append(f"max abs error {error.max():.3g}, max rel error {relative[np.unravel_index(int(np.argmax(relative)), relative.shape)]:.3g}")
    return "; ".join(parts)


def check_array(got, expected, what, *, time_axis=None, axis_names=None, mistakes=(), rtol=RTOL, atol=ATOL):
    """Raise ``Feedback`` unless ``got`` matches ``expected``.

    ``mistakes`` is an iterable of ``(Mistake, variant_array)``: what a known mistake would produce,
    or a function that returns one. It is read only when ``got`` is wrong, and only up to the first
    variant ``got`` matches, so a correct submission never pays for the variants: pass a function
    (or a generator) when they cost more than a list of arrays at hand.
    """
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise Feedback(_shape_message(what, got, expected), kind="contract")
    if not np.all(np.isfinite(got)):
        bad = np.argwhere(~np.isfinite(got))[0]
        where = _index(bad, axis_names or [f"axis{i}" for i in range(got.ndim)])
        raise Feedback(f"{what} contains NaN or inf (first at [{where}]): check for a division by zero, "
                       "an exp that overflows, or an uninitialised weight", kind="mismatch", mistake="non_finite")
    if close(got, expected, rtol, atol):
        return
    for mistake, variant in (mistakes() if callable(mistakes) else mistakes):
        if variant is not None and close(got, variant, rtol, atol):
            raise Feedback(f"{what}: wrong values that match a known mistake: {mistake.message}",
                           kind="mistake", mistake=mistake.name)
    raise Feedback(f"{what}: wrong values; {describe_difference(got, expected, time_axis, axis_names, rtol, atol)}", kind="mismatch")
