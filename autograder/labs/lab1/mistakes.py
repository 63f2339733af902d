"""Lab 1's known mistakes: SimpleRNNCell, irnn_cell, state_gradient_norms and clipping.

NumPy only, run in the grader process on a case's inputs, never on student code: the
``*_variants`` functions return ``(Mistake, array)`` pairs for ``compare.check_array``
(``simple_rnn_variants`` yields them one at a time, the last ones from ``SIMPLE_RNN_EDITS``: the
cell's table of equations in ``shared/equations.py`` with one equation edited).
"""

from itertools import permutations

import numpy as np

from autograder.engine.compare import close
from autograder.engine.mistakes import catalogue
from autograder.labs.shared import equations
from autograder.labs.shared.mistakes import edited_variants, specific, sum_edits
from autograder.labs.shared.reference import simple_rnn

CATALOGUE, _mistake = catalogue()


# -- simple RNN cell -------------------------------------------------------------------------------
MISSING_BIAS = _mistake("missing_bias", "the bias is missing: h_t = act(x_t K + h_{t-1} U + b) adds `self.bias`")
HARDCODED_TANH = _mistake(
    "hardcoded_tanh",
    "you always apply tanh: use `self.activation(...)` so the cell honours activation=... (here 'relu')",
)
WRONG_ACTIVATION = _mistake("wrong_activation", "wrong activation: the cell applies `self.activation` (tanh by default)")
NO_ACTIVATION = _mistake("no_activation", "the activation is missing: h_t = act(x_t K + h_{t-1} U + b), not the bare sum")
TRANSPOSED_RECURRENT = _mistake(
    "transposed_recurrent_kernel",
    "the recurrent kernel is transposed: compute h_{t-1} @ recurrent_kernel (shape (batch, H) @ (H, H)), "
    "not recurrent_kernel @ h or h @ recurrent_kernel.T",
)
STATE_NOT_CARRIED = _mistake(
    "state_not_carried",
    "the new state is not passed on: call must return (h_t, [h_t]) so the next step sees h_t, "
    "not the old state",
)
NO_RECURRENCE = _mistake("no_recurrence", "the recurrent term h_{t-1} U is missing")
NO_INPUT_TERM = _mistake("no_input_term", "the input term x_t K is missing: h_t = act(x_t K + h_{t-1} U + b)")
RECURRENT_SUBTRACTED = _mistake(
    "recurrent_term_subtracted",
    "the recurrent term is subtracted: h_t = act(x_t K + h_{t-1} U + b) adds h_{t-1} U",
)
BIAS_SUBTRACTED = _mistake("bias_subtracted", "the bias is subtracted: h_t = act(x_t K + h_{t-1} U + b) adds `self.bias`")
TERMS_MULTIPLIED = _mistake(
    "terms_multiplied",
    "two terms of the sum are multiplied: h_t = act(x_t K + h_{t-1} U + b) adds the two matmuls and the bias",
)
ONLY_BIAS = _mistake(
    "no_matmuls",
    "both matmuls are missing, the activation sees the bias alone: h_t = act(x_t K + h_{t-1} U + b)",
)
RETURNED_NEGATED = _mistake("returned_negated", "call returns a negated tensor: return (h_t, [h_t]) exactly as computed")

# -- identity RNN --------------------------------------------------------------------------------
INITIALIZERS_MIXED_UP = _mistake(
    "initializers_mixed_up",
    "build draws a weight from the wrong initializer: kernel from self.kernel_initializer, recurrent_kernel from "
    "self.recurrent_initializer, bias from self.bias_initializer",
)
IRNN_TANH = _mistake("irnn_tanh", "an IRNN uses ReLU units (activation='relu'), not tanh")

# -- state_gradient_norms ------------------------------------------------------------------------
DIRECT_PATH_ONLY = _mistake(
    "gradient_direct_path_only",
    "only the last step has a gradient: dL/dh_t must be the total derivative through every later state "
    "(h_t -> h_{t+1} -> ... -> h_T), e.g. tape.gradient(loss, [h_1, ..., h_T]) on states computed inside the tape",
)
NORMS_REVERSED = _mistake("norms_reversed", "the norms are in reverse time order: entry t-1 must be ||dL/dh_t||, h_T last")
NORMS_SQUARED = _mistake("norms_squared", "these are squared norms: take the square root (the L2 norm)")
NORMS_OF_INPUTS = _mistake("norms_wrt_inputs", "these are ||dL/dx_t|| (gradients w.r.t. the inputs), not ||dL/dh_t||")
NORMS_SHIFTED = _mistake(
    "norms_off_by_one",
    "off by one step: yours start with ||dL/dh_0|| (the initial state) and miss ||dL/dh_T||; entry t-1 is ||dL/dh_t||",
)
NORMS_PER_EXAMPLE_MEAN = _mistake(
    "norms_per_example_mean",
    "you averaged per-example norms; the norm is over the whole (batch, H) array: sqrt(sum of squares)",
)
FLOAT32_NORMS = _mistake(
    "norms_in_float32",
    "the norms of the vanished gradients are 0 or far off: square and sum in float64 "
    "(grads.numpy().astype(np.float64), or tf.cast(g, tf.float64)); a float32 square of a gradient "
    "below ~1e-19 underflows to 0",
)

# -- clipping ------------------------------------------------------------------------------------
PER_TENSOR_CLIP = _mistake(
    "per_tensor_clipping",
    "each gradient was clipped by its own norm; clip_by_global_norm scales *all* of them by "
    "max_norm / max(global_norm, max_norm), with global_norm = sqrt(sum_i ||g_i||^2)",
)
ALWAYS_RESCALE = _mistake(
    "always_rescale",
    "you rescaled to max_norm even though the global norm was already smaller: only ever scale down "
    "(factor max_norm / max(global_norm, max_norm))",
)
NORM_AFTER_CLIP = _mistake("norm_after_clip", "the returned norm is the one after clipping; return the global norm before clipping")
SUM_OF_NORMS = _mistake("sum_of_norms", "global_norm is sqrt(sum_i ||g_i||^2), not the sum of the individual norms")
NORM_NOT_ROOTED = _mistake("global_norm_not_rooted", "global_norm is sqrt(sum_i ||g_i||^2): you left out the square root")
MEAN_OF_SQUARES = _mistake(
    "global_norm_of_means",
    "global_norm sums the squares of every element (tf.reduce_sum(tf.square(g))), not their mean",
)
BOUNDS_SWAPPED = _mistake(
    "clip_bounds_swapped",
    "every entry came out equal to one bound: lo and hi are swapped (or one is passed twice); "
    "tf.clip_by_value(g, lo, hi) takes the lower bound first",
)
CLIP_RETURNS_SWAPPED = _mistake(
    "clip_returns_swapped",
    "clip_by_global_norm returned (global_norm, clipped_list): the order is (clipped_list, global_norm), as "
    "tf.clip_by_global_norm's",
)
NEGATED_NORM = _mistake("global_norm_negated", "the global norm came out negative: a norm is >= 0, sqrt(sum_i ||g_i||^2)")
SCALE_ADDED = _mistake(
    "clip_scale_added",
    "the factor was added to the gradients; clipping multiplies them: g * max_norm / max(global_norm, max_norm)",
)
SCALE_BY_MINIMUM = _mistake(
    "clip_scale_by_minimum",
    "the factor divides by min(global_norm, max_norm), which scales gradients *up*; it is "
    "max_norm / max(global_norm, max_norm), at most 1",
)
SCALE_MULTIPLIED = _mistake(
    "clip_scale_multiplied",
    "the factor multiplies max_norm by max(global_norm, max_norm); it divides: max_norm / max(global_norm, max_norm)",
)
NORM_NOT_SQUARED = _mistake(
    "global_norm_not_squared",
    "the global norm sums the entries themselves; square them first: sqrt(sum_i sum(g_i ** 2)), "
    "tf.reduce_sum(tf.square(g))",
)
NO_GRADIENT_COUNTED = _mistake(
    "global_norm_counts_no_gradient",
    "the global norm is 0 and nothing was clipped: no gradient went into the sum. Skip only the None entries "
    "(`if g is not None`), keep the others",
)
NOT_SCALED = _mistake(
    "clip_factor_not_applied",
    "the global norm is right but the gradients came back unscaled: multiply each one by the factor, "
    "g * max_norm / max(global_norm, max_norm)",
)
EMPTY_NORM = _mistake(
    "global_norm_of_nothing_not_zero",
    "with no gradient at all (every entry None) the global norm is 0, the norm of an empty sum, as "
    "tf.clip_by_global_norm gives",
)
GRADIENT_DROPPED = _mistake(
    "real_gradient_became_none",
    "a real gradient came back as None: only a None entry stays None; every tensor is returned (clipped). "
    "Check the condition of your `None if ... else ...`",
)
UNROLL_STEP_COUNT = _mistake(
    "unroll_wrong_step_count",
    "unroll made another number of steps than the sequence has: loop over the time axis, "
    "for t in range(x.shape[1]), one output per step",
)
UNROLL_RETURNS_SWAPPED = _mistake(
    "unroll_returns_swapped",
    "unroll returned (final_states, outputs): the order is (outputs, final_states), the stacked outputs first",
)
UNROLL_STACK_AXIS = _mistake(
    "unroll_stacked_on_wrong_axis",
    "the outputs are right but stacked along the wrong axis: tf.stack(outputs, axis=1) gives (batch, time, units)",
)


# One edited equation of h_t = act(x_t K + h_{t-1} U + b) (shared/equations.py's SIMPLE_RNN table).
SIMPLE_RNN_EDITS = [
    *sum_edits("pre", "h_t = act(x_t K + h_{t-1} U + b)", RECURRENT_SUBTRACTED, BIAS_SUBTRACTED, TERMS_MULTIPLIED,
               ONLY_BIAS),
    (specific(RETURNED_NEGATED, "the output is negated: call returns (h_t, [h_t]), yours returns -h_t as the output"),
     {"output": lambda v: -v.h}),
    (specific(RETURNED_NEGATED, "the state is negated: call returns (h_t, [h_t]), yours passes -h_t on as the state"),
     {"states": lambda v: (-v.h,)}),
]

# From a zero initial state (irnn_cell's case), passing -h_t on as the state computes exactly what
# subtracting h_{t-1} U does: the message names both.
SUBTRACTED_OR_NEGATED = specific(RECURRENT_SUBTRACTED, f"{RECURRENT_SUBTRACTED.message} (or call passes -h_t on "
                                                       "as the state: it returns (h_t, [h_t]))")


def simple_rnn_variants(inputs, activation="tanh"):
    """What each known simple-RNN mistake outputs on these case inputs, one at a time."""
    x, h0 = inputs["x"], inputs.get("h0.0")
    k, u, b = inputs["w.kernel"], inputs["w.recurrent_kernel"], inputs["w.bias"]
    if activation != "tanh":
        yield HARDCODED_TANH, simple_rnn(x, k, u, b, h0, "tanh")
    yield MISSING_BIAS, simple_rnn(x, k, u, 0 * b, h0, activation)
    yield TRANSPOSED_RECURRENT, simple_rnn(x, k, u.T, b, h0, activation)
    yield STATE_NOT_CARRIED, simple_rnn(x, k, u, b, h0, activation, carry_state=False)
    yield NO_RECURRENCE, simple_rnn(x, k, u, b, h0, activation, recurrence=False)
    yield NO_INPUT_TERM, simple_rnn(x, 0 * k, u, b, h0, activation)
    yield NO_ACTIVATION, simple_rnn(x, k, u, b, h0, "linear")
    for other in ("tanh", "relu", "sigmoid"):
        if other != activation:
            yield WRONG_ACTIVATION, simple_rnn(x, k, u, b, h0, other)
    weights = {"kernel": k, "recurrent_kernel": u, "bias": b}
    table = SIMPLE_RNN_EDITS if h0 is not None else [
        (SUBTRACTED_OR_NEGATED if mistake is RECURRENT_SUBTRACTED else mistake, edits) for mistake, edits in SIMPLE_RNN_EDITS]
    yield from edited_variants(table, lambda edits: equations.run(
        equations.SIMPLE_RNN, equations.SIMPLE_RNN_STATES, x, weights, [h0], activation=activation, edits=edits)[0])


def simple_rnn_state_gradients(inputs):
    """dL/dh_t (t = 0..T) and dL/dx_t for L = sum(h_T * v) through a tanh simple RNN (zero h_0)."""
    x, v = np.asarray(inputs["x"], np.float64), np.asarray(inputs["v"], np.float64)
    k, u, b = inputs["w.kernel"], inputs["w.recurrent_kernel"], inputs["w.bias"]
    hs = simple_rnn(x, k, u, b)
    batch, steps, _ = x.shape
    grad_h = [None] * (steps + 1)  # grad_h[t] = dL/dh_t, t = 0 (initial state) .. T
    grad_x = [None] * steps
    grad_h[steps] = np.broadcast_to(v, (batch, v.shape[0])).copy()
    for t in range(steps, 0, -1):
        through_tanh = grad_h[t] * (1.0 - hs[:, t - 1] ** 2)
        grad_x[t - 1] = through_tanh @ k.T
        grad_h[t - 1] = through_tanh @ u.T
    return grad_h, grad_x


def state_norm_variants(inputs):
    grad_h, grad_x = simple_rnn_state_gradients(inputs)
    norms = np.array([np.linalg.norm(g) for g in grad_h[1:]])
    direct = np.zeros_like(norms)
    direct[-1] = norms[-1]
    return [
        (DIRECT_PATH_ONLY, direct),
        (NORMS_REVERSED, norms[::-1]),
        (NORMS_SQUARED, norms ** 2),
        (NORMS_OF_INPUTS, np.array([np.linalg.norm(g) for g in grad_x])),
        (NORMS_SHIFTED, np.array([np.linalg.norm(g) for g in grad_h[:-1]])),
        (NORMS_PER_EXAMPLE_MEAN, np.array([np.linalg.norm(g, axis=1).mean() for g in grad_h[1:]])),
    ]


# Where a float32 sum of squares can no longer hold ||g||^2: (1e-15)^2 is 1e-30, a few hundred
# float32 epsilons above float32's smallest normal number 1.2e-38 once spread over B * H entries.
FLOAT32_RANGE = 1e-15


def norms_in_float32(got, expected, rtol=1e-3):
    """True when ``got`` is right wherever a float32 norm is exact and wrong only where it underflows.

    Not a ``*_variants`` array: whether a tiny norm comes out as 0 or as an imprecise denormal
    depends on the student's code and on the CPU's flush-to-zero setting, so the mistake is the
    pattern, not one array.
    """
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    wrong = ~(np.abs(got - expected) <= rtol * np.abs(expected))
    large = expected >= FLOAT32_RANGE
    return bool(np.any(wrong) and not np.any(wrong & large))


def global_norm_variants(grads, max_norm):
    """Clipped lists and norms that the known clipping mistakes produce: {mistake: (list, norm)}."""
    grads = [np.asarray(g, np.float64) for g in grads]
    norms = [np.linalg.norm(g) for g in grads]
    total = float(np.sqrt(sum(n ** 2 for n in norms)))
    correct_scale = max_norm / max(total, max_norm)
    return {
        PER_TENSOR_CLIP: ([g * max_norm / max(n, max_norm) for g, n in zip(grads, norms)], total),
        ALWAYS_RESCALE: ([g * max_norm / total for g in grads], total),
        NORM_AFTER_CLIP: ([g * correct_scale for g in grads], min(total, max_norm)),
        SUM_OF_NORMS: ([g * max_norm / max(sum(norms), max_norm) for g in grads], sum(norms)),
        NORM_NOT_ROOTED: ([g * max_norm / max(total ** 2, max_norm) for g in grads], total ** 2),
        MEAN_OF_SQUARES: _rescaled(grads, max_norm, float(np.sqrt(sum(np.mean(g ** 2) for g in grads)))),
        NEGATED_NORM: ([g * correct_scale for g in grads], -total),
        SCALE_ADDED: ([g + correct_scale for g in grads], total),
        SCALE_BY_MINIMUM: ([g * max_norm / min(total, max_norm) for g in grads], total),
        SCALE_MULTIPLIED: ([g * max_norm * max(total, max_norm) for g in grads], total),
        NORM_NOT_SQUARED: _unsquared(grads, max_norm),
        NO_GRADIENT_COUNTED: (list(grads), 0.0),
        NOT_SCALED: (list(grads), total),
    }


def _unsquared(grads, max_norm):
    with np.errstate(invalid="ignore"):
        norm = float(np.sqrt(sum(np.sum(g) for g in grads)))
    return ([g * max_norm / max(norm, max_norm) for g in grads], norm) if np.isfinite(norm) else ([], norm)


def _rescaled(grads, max_norm, norm):
    return [g * max_norm / max(norm, max_norm) for g in grads], norm


def clip_by_value_variants(grad, lo, hi):
    """What one gradient becomes under the known clip_by_value mistakes: [(Mistake, array)]."""
    # tf.clip_by_value(g, hi, lo) is max(min(g, lo), hi); a hand-written clip may take the other order.
    # Either way every entry becomes one bound, which is also what clip_by_value(g, hi, hi) or (g, lo, lo) give.
    return [(BOUNDS_SWAPPED, np.maximum(np.minimum(grad, lo), hi)), (BOUNDS_SWAPPED, np.minimum(np.maximum(grad, hi), lo))]


def stacked_on_another_axis(got, expected):
    """True when ``got`` is ``expected`` with its axes in another order (the steps stacked along axis 0 or 2)."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.ndim != expected.ndim or got.shape == expected.shape:
        return False
    return any(close(got, np.transpose(expected, order)) for order in permutations(range(expected.ndim))
               if np.transpose(expected, order).shape == got.shape)
