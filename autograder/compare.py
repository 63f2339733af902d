"""Compare a student's arrays with the expected ones and say precisely where they differ.

On a mismatch the message names the first time step that goes wrong, the worst element, and the
max absolute and relative errors; before that, it tries the known-mistakes catalogue and names the
mistake when the student's array matches one of its variants.
"""

import numpy as np

from autograder.feedback import Feedback

# float32 arithmetic done in another order differs by ~1e-7; real mistakes differ by far more.
RTOL = 1e-4
ATOL = 1e-5


def close(got, expected, rtol=RTOL, atol=ATOL):
    got, expected = np.asarray(got), np.asarray(expected)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def _shape_message(what, got, expected, time_axis):
    message = f"{what} has shape {tuple(got.shape)}; expected {tuple(expected.shape)}"
    if got.ndim == expected.ndim == 3 and got.shape == tuple(np.array(expected.shape)[[1, 0, 2]]):
        message += " (batch and time are swapped: stack the steps along axis=1 for (batch, time, units))"
    elif got.size == expected.size:
        message += " (same number of values in another layout)"
    return message


def _index(index, names):
    return ", ".join(f"{n}={i}" for n, i in zip(names, index))


def describe_difference(got, expected, time_axis=None, axis_names=None):
    """A one-paragraph description of where and how much ``got`` differs from ``expected``."""
    error = np.abs(got - expected)
    worst = np.unravel_index(int(np.argmax(error)), error.shape)
    names = axis_names or [f"axis{i}" for i in range(got.ndim)]
    relative = error / np.maximum(np.abs(expected), 1e-3)  # near-zero entries say nothing
    parts = []
    if time_axis is not None and got.ndim > time_axis:
        bad = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
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

    ``mistakes`` is a sequence of ``(Mistake, variant_array)``: what a known mistake would produce.
    """
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise Feedback(_shape_message(what, got, expected, time_axis), kind="contract")
    if not np.all(np.isfinite(got)):
        bad = np.argwhere(~np.isfinite(got))[0]
        where = _index(bad, axis_names or [f"axis{i}" for i in range(got.ndim)])
        raise Feedback(f"{what} contains NaN or inf (first at [{where}]): check for a division by zero, "
                       "an exp that overflows, or an uninitialised weight", kind="mismatch", mistake="non_finite")
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    for mistake, variant in mistakes:
        if variant is not None and np.shape(variant) == got.shape and np.allclose(got, variant, rtol=rtol, atol=atol):
            raise Feedback(f"{what}: wrong values that match a known mistake: {mistake.message}",
                           kind="mistake", mistake=mistake.name)
    raise Feedback(f"{what}: wrong values; {describe_difference(got, expected, time_axis, axis_names)}", kind="mismatch")
