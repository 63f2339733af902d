"""Known mistakes in Lab 4's training functions (``rnnlab/training.py``), and what each one outputs.

Everything here runs in the grader process with NumPy only. Two sources:

- ``skill`` and ``train_step``: computed here. With plain SGD one step is ``w <- w - lr * g``, so
  from the raw gradients g at the starting weights (returned by the *reference* run of the case,
  see ``labs/lab4/probes.py``) every clipping mistake's updated weights follow in closed form.
- ``truncated_bptt_step``: a wrong chunking changes every later gradient, so there is no closed
  form; the reference run executes the kit's own wrong versions (``labs/lab4/probes.py``'s ``WRONG_TBPTT``) and
  stores their outputs as ``variant.<mistake name>.<array>``. Only names and messages live here.
"""

import numpy as np

import itertools

from autograder.engine.mistakes import Mistake, catalogue

CATALOGUE, _mistake = catalogue()


# -- skill -----------------------------------------------------------------------------------------
SKILL_RATIO = _mistake(
    "skill_ratio",
    "this is metric / baseline; the skill is (metric - baseline) / (perfect - baseline), 0 at chance and 1 at "
    "a perfect score",
)
SKILL_SIGN = _mistake(
    "skill_sign_flipped",
    "the sign is flipped: a model at the perfect score must get +1, one worse than chance a negative skill. "
    "skill = (metric - baseline) / (perfect - baseline)",
)
SKILL_IGNORES_PERFECT = _mistake(
    "skill_ignores_perfect",
    "the perfect score is taken to be 1 whatever `perfect` says; for an MSE perfect is 0: divide by "
    "(perfect - baseline)",
)
SKILL_MSE_ONLY = _mistake(
    "skill_mse_formula_everywhere",
    "1 - metric / baseline is the skill of an error (perfect = 0) only; for an accuracy (perfect = 1) use the "
    "general (metric - baseline) / (perfect - baseline)",
)
SKILL_RELATIVE_CHANGE = _mistake(
    "skill_relative_change",
    "this is the change relative to the baseline, (metric - baseline) / baseline; divide by the distance from "
    "the baseline to a perfect score, (perfect - baseline)",
)


SKILL_FORMULA = _mistake(  # every other mix-up of the three terms; each variant says how it reads
    "skill_wrong_formula", "the skill is (metric - baseline) / (perfect - baseline)")

# The pieces a student mixes up in (metric - baseline) / (perfect - baseline), as code reads them.
_NUMERATORS = {
    "metric - baseline": lambda m, b, p: m - b,
    "metric - perfect": lambda m, b, p: m - p,
    "perfect - metric": lambda m, b, p: p - m,
    "metric + baseline": lambda m, b, p: m + b,
    "metric": lambda m, b, p: m,
    "baseline": lambda m, b, p: b + 0 * m,
    "perfect - baseline": lambda m, b, p: p - b + 0 * m,
}
_DENOMINATORS = {
    "perfect - baseline": lambda m, b, p: p - b,
    "baseline - perfect": lambda m, b, p: b - p,
    "perfect + baseline": lambda m, b, p: p + b,
    "metric - baseline": lambda m, b, p: m - b,
    "perfect": lambda m, b, p: p,
    "baseline": lambda m, b, p: b,
    "1": lambda m, b, p: 1.0,
}


def _skill_formulas(metric, baseline, perfect):
    """(written formula, its values) for every numerator / denominator mix-up, and the product in place of
    the quotient; the right formula left out."""
    args = (metric, np.float64(baseline), np.float64(perfect))
    right = (metric - args[1]) / (args[2] - args[1])
    for operator in ("/", "*"):
        for top, numerator in _NUMERATORS.items():
            for bottom, denominator in _DENOMINATORS.items():
                if top == bottom:
                    continue
                if operator == "/":
                    values = numerator(*args) / denominator(*args)
                else:
                    values = numerator(*args) * denominator(*args)
                if not np.allclose(values, right, rtol=1e-9, atol=0):  # not the right value, another way written
                    yield f"({top}) {operator} ({bottom})", values


def skill_variants(metric, baseline, perfect):
    """The named mistakes first, then every other mix-up of the formula's terms, each named by how it reads.

    A generator: the variants are computed only when the student's values are already wrong."""
    metric = np.asarray(metric, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        yield from [
            (SKILL_RATIO, metric / baseline),
            (SKILL_SIGN, (baseline - metric) / (perfect - baseline)),
            (SKILL_IGNORES_PERFECT, (metric - baseline) / (1.0 - baseline)),
            (SKILL_MSE_ONLY, 1.0 - metric / baseline),
            (SKILL_RELATIVE_CHANGE, (metric - baseline) / baseline),
        ]
        for written, values in _skill_formulas(metric, baseline, perfect):
            yield Mistake(SKILL_FORMULA.name, f"your values equal {written} here; {SKILL_FORMULA.message}"), values


# -- chrono_bias -----------------------------------------------------------------------------------
CHRONO_SIGN = _mistake(
    "chrono_sign_flipped",
    "the signs are flipped: the gate that keeps (the LSTM's forget gate f, the GRU's update gate z in Keras's "
    "convention h_t = z * h_(t-1) + (1 - z) * h~_t) needs b = +log(u) to start near 1; -log(u) starts it shut. "
    "(For the LSTM, b_i and b_f in each other's blocks give the same numbers: the order is i, f, c, o.)",
)
CHRONO_INPUT_NOT_NEGATED = _mistake(
    "chrono_input_gate_not_negated",
    "the input gate got +log(u) like the forget gate; chrono sets b_i = -b_f, so a unit that keeps long writes little",
)
CHRONO_NO_LOG = _mistake(
    "chrono_no_log",
    "the bias is u itself; it is log(u), so that sigmoid(b) = u / (1 + u) and the memory is about 1 + u steps",
)
CHRONO_BLOCKS = _mistake(
    "chrono_wrong_blocks",
    "the values are in the wrong gate blocks: Keras's order is i, f, c, o for the LSTM (b_i first, then b_f) and "
    "z, r, h for the GRU (b_z first)",
)


CHRONO_RANGE = _mistake(
    "chrono_wrong_range",
    "chrono draws u ~ Uniform(1, t_max - 1) with rng.uniform(1, t_max - 1, size=units), so that unit j "
    "remembers for about 1 + u_j steps, up to t_max",
)
CHRONO_NOT_FLOAT32 = _mistake(
    "chrono_not_float32",
    "return a float32 array (the bias a Keras cell holds): np.concatenate(blocks).astype(np.float32)",
)
CHRONO_BLOCK_COUNT = _mistake(
    "chrono_wrong_block_count",
    "the bias has the wrong number of gate blocks: an LSTM's bias is 4 blocks of `units` (i, f, c, o), a GRU's "
    "3 (z, r, h); check which branch your code takes for each `kind`",
)


def chrono_blocks(keep, kind):
    """The whole bias from the keep gate's block ``keep`` = log(u): [-keep, keep, 0, 0] or [keep, 0, 0]."""
    zeros = np.zeros_like(keep)
    return [-keep, keep, zeros, zeros] if kind == "lstm" else [keep, zeros, zeros]


def _chrono_range_variant(got, kind, units, t_max, seed):
    """(Mistake, bias) when ``got`` is chrono's bias with u drawn from another Uniform(a, b), else None.

    ``rng.uniform(a, b, size)`` is ``a + (b - a) * rng.random(size)``, so the keep block of such a bias is
    log(a + (b - a) * r) for the draws r of the seed: a straight-line fit of exp(keep) against r finds a, b.
    """
    got = np.asarray(got, dtype=np.float64)
    gates = 4 if kind == "lstm" else 3
    if got.shape != (gates * units,) or not np.all(np.isfinite(got)) or units < 3:
        return None
    keep = np.split(got, gates)[1 if kind == "lstm" else 0]
    with np.errstate(over="ignore"):
        u = np.exp(keep)
    draws = np.random.default_rng(seed).random(units)
    slope, low = np.polyfit(draws, u, 1)
    if not np.allclose(low + slope * draws, u, rtol=1e-4, atol=1e-5):
        return None
    low, high = float(low), float(low + slope)
    if np.isclose(low, 1.0) and np.isclose(high, t_max - 1.0):
        return None
    fitted = np.log(low + slope * draws)
    message = f"u was drawn from Uniform({low:.4g}, {high:.4g}), not Uniform(1, {t_max - 1}): {CHRONO_RANGE.message}"
    return Mistake(CHRONO_RANGE.name, message), np.concatenate(chrono_blocks(fitted, kind))


def chrono_variants(bias, kind, got=None, units=None, t_max=None, seed=None):
    """Wrong biases from the right one (the same draw u): a sign, the input gate, the log, the blocks, and
    (given the student's ``got`` and the case's arguments) u drawn from another range. A generator."""
    bias = np.asarray(bias, dtype=np.float64)
    gates = 4 if kind == "lstm" else 3
    blocks = np.split(bias, gates)
    keep = blocks[1] if kind == "lstm" else blocks[0]
    zeros = np.zeros_like(keep)
    if kind == "lstm":
        yield from [
            (CHRONO_SIGN, -bias),
            (CHRONO_INPUT_NOT_NEGATED, np.concatenate([keep, keep, zeros, zeros])),
            (CHRONO_SIGN, np.concatenate([-keep, -keep, zeros, zeros])),  # the forget gate's sign flipped too
            (CHRONO_NO_LOG, np.concatenate([-np.exp(keep), np.exp(keep), zeros, zeros])),
            # b_i and b_f swapped is exactly -bias: CHRONO_SIGN's message names both.
        ]
    else:
        yield from [(CHRONO_SIGN, -bias), (CHRONO_NO_LOG, np.concatenate([np.exp(keep), zeros, zeros]))]
    if got is not None:
        ranged = _chrono_range_variant(got, kind, units, t_max, seed)
        if ranged is not None:
            yield ranged
    # The right blocks in any other order (-bias, the LSTM's i and f swapped, is CHRONO_SIGN above).
    right = chrono_blocks(keep, kind)
    for order in itertools.permutations(range(gates)):
        shuffled = np.concatenate([right[i] for i in order])
        if not np.array_equal(shuffled, bias) and not np.array_equal(shuffled, -bias):
            yield CHRONO_BLOCKS, shuffled


# -- train_step ------------------------------------------------------------------------------------
CLIP_IGNORED = _mistake(
    "train_step_clip_not_applied",
    "the update used the unclipped gradients: clip *before* optimizer.apply_gradients, and apply the clipped "
    "list (clipping after the update, or discarding tf.clip_by_global_norm's result, changes nothing)",
)
PER_TENSOR_CLIP = _mistake(
    "train_step_per_tensor_clipping",
    "each gradient was clipped by its own norm (tf.clip_by_norm on every tensor); clip them together by their "
    "global norm, tf.clip_by_global_norm(grads, clip_norm), which keeps the direction of the whole gradient",
)
CLIP_BY_VALUE = _mistake(
    "train_step_clipped_by_value",
    "the gradients were clipped element by element into [-clip_norm, clip_norm]; clip_norm is a bound on the "
    "global norm: tf.clip_by_global_norm(grads, clip_norm)",
)
ALWAYS_RESCALE = _mistake(
    "train_step_always_rescaled",
    "the gradients were rescaled to norm clip_norm although their norm was already smaller: only ever scale "
    "down, by clip_norm / max(global_norm, clip_norm) (tf.clip_by_global_norm does)",
)
NORM_AFTER_CLIP = _mistake(
    "train_step_norm_after_clip",
    "the returned norm is the one after clipping (at most clip_norm); return the global norm *before* "
    "clipping, the number that shows an explosion",
)
SQUARED_NORM = _mistake("train_step_squared_norm", "this is the squared global norm: take the square root")
SUM_OF_NORMS = _mistake(
    "train_step_sum_of_norms",
    "this is the sum of the gradients' norms; the global norm is sqrt(sum_i ||g_i||^2), the norm of all "
    "gradients taken as one long vector",
)
LOSS_AFTER_UPDATE = _mistake(
    "train_step_loss_after_update",
    "the returned loss was computed after the update; return the loss of the forward pass the gradients "
    "came from (computed inside the tape, before optimizer.apply_gradients)",
)


RETURNS_SWAPPED = _mistake(
    "train_step_returns_swapped",
    "the two results are swapped: train_step returns (loss, global_norm), the loss first",
)
NEGATED_LOSS = _mistake(
    "train_step_negated_loss",
    "the returned loss has the wrong sign: return the loss itself (a loss is >= 0; gradient descent on -loss "
    "would climb the loss)",
)
NEGATED_NORM = _mistake("train_step_negated_norm", "the returned global norm is negative: a norm is >= 0, "
                        "sqrt(sum_i ||g_i||^2)")


def loss_variants(expected):
    """The returned loss's known mistakes, from the reference's loss, loss after the update and norm."""
    return [(LOSS_AFTER_UPDATE, expected["loss_after"]), (RETURNS_SWAPPED, expected["norm"]),
            (NEGATED_LOSS, -expected["loss"])]


def _global_norm(grads):
    return float(np.sqrt(sum(np.sum(np.square(g.astype(np.float64))) for g in grads)))


def clipped_gradient_variants(grads, clip_norm):
    """{Mistake: the gradients that mistake would apply} (a list of arrays in ``grads``' order)."""
    norm = _global_norm(grads)
    variants = {CLIP_IGNORED: list(grads)}
    if clip_norm is None:
        return variants
    variants[PER_TENSOR_CLIP] = [g * min(1.0, clip_norm / max(float(np.linalg.norm(g)), 1e-12)) for g in grads]
    variants[CLIP_BY_VALUE] = [np.clip(g, -clip_norm, clip_norm) for g in grads]
    variants[ALWAYS_RESCALE] = [g * clip_norm / max(norm, 1e-12) for g in grads]
    return variants


def norm_variants(grads, clip_norm):
    norm = _global_norm(grads)
    variants = [(SQUARED_NORM, np.float64(norm ** 2)),
                (SUM_OF_NORMS, np.float64(sum(float(np.linalg.norm(g)) for g in grads)))]
    if clip_norm is not None:
        variants.append((NORM_AFTER_CLIP, np.float64(min(norm, clip_norm))))
    return variants + [(NEGATED_NORM, np.float64(-norm))]


# -- truncated_bptt_step ---------------------------------------------------------------------------
STATE_NOT_CARRIED = _mistake(
    "tbptt_state_not_carried",
    "every chunk started again from the initial state: carry the state each chunk ends in on to the next "
    "(the value crosses the boundary, only the gradient is cut)",
)
LAST_CHUNK_DROPPED = _mistake(
    "tbptt_last_chunk_dropped",
    "the last, shorter chunk was left out: when k does not divide T the final chunk has T % k steps, and it "
    "needs its own update too (range(0, T, k), slicing x[:, start:start + k])",
)
GRADIENT_ACROSS_CHUNKS = _mistake(
    "tbptt_gradient_across_chunks",
    "each chunk's gradient reached back into earlier chunks: that is not truncated. Start every chunk from "
    "tf.stop_gradient(state) and record it on a fresh GradientTape",
)
ONE_UPDATE_FULL = _mistake(
    "tbptt_one_update_full_bptt",
    "one update for the whole sequence, with the gradient through every step: that is full BPTT. Truncated "
    "BPTT applies one update per chunk, right after that chunk's backward pass",
)
ONE_UPDATE_TRUNCATED = _mistake(
    "tbptt_one_update_per_sequence",
    "the chunk gradients were combined into one update at the end; apply one optimizer update per chunk, so "
    "chunk j + 1 already runs on the weights chunk j updated",
)

CHUNK_COUNT = _mistake(
    "tbptt_wrong_chunk_count",
    "the loop made the wrong number of chunks: for start in range(0, T, k) with T = x.shape[1] (the time axis) "
    "gives ceil(T / k) chunks, one loss each",
)
STATE_COUNT = _mistake(
    "tbptt_wrong_state_count",
    "the final states are not the cell's list of states: return the list the last chunk ended in ([h], or "
    "[h, c] for an LSTM)",
)
NOT_UPDATED = _mistake(
    "tbptt_weights_not_updated",
    "differentiate and update both the cell's and the readout's weights: variables = cell.trainable_variables + "
    "readout.trainable_variables",
)


def frozen_weights_mistake(got, start, expected, described):
    """A Mistake when the cell's or the readout's weights came back unchanged although the reference
    updated them (only one group in the list of variables), else None."""
    for group, whole in (("readout", "readout.trainable_variables"), ("cell", "cell.trainable_variables")):
        keys = [k for k in expected if k.startswith(f"after.{group}.")]
        unchanged = keys and all(k in got and np.array_equal(np.asarray(got[k]), np.asarray(start[k[6:]]))
                                 for k in keys)
        moved = any(not np.array_equal(np.asarray(expected[k]), np.asarray(start[k[6:]])) for k in keys)
        if unchanged and moved:
            return Mistake(NOT_UPDATED.name, f"{described}: the {group}'s weights were never updated (your variables "
                           f"leave out {whole}): {NOT_UPDATED.message}")
    return None


LOSS_ARGUMENTS_SWAPPED = _mistake(
    "tbptt_loss_arguments_swapped",
    "loss_fn's arguments are swapped: Keras losses take (y_true, y_pred), the targets first, "
    "loss_fn(y[:, start:start + k], readout(outputs)) (the same numbers only for a symmetric loss such as the MSE)",
)

TBPTT_VARIANTS = {
    "state_not_carried": STATE_NOT_CARRIED,
    "last_chunk_dropped": LAST_CHUNK_DROPPED,
    "gradient_across_chunks": GRADIENT_ACROSS_CHUNKS,
    "one_update_full_bptt": ONE_UPDATE_FULL,
    "one_update_truncated": ONE_UPDATE_TRUNCATED,
    "loss_arguments_swapped": LOSS_ARGUMENTS_SWAPPED,
}


def tbptt_variants(expected_arrays):
    """[(Mistake, {array name: value})] from the reference run's ``variant.<name>.<array>`` entries."""
    found = []
    for key, mistake in TBPTT_VARIANTS.items():
        prefix = f"variant.{key}."
        arrays = {name[len(prefix):]: value for name, value in expected_arrays.items() if name.startswith(prefix)}
        if arrays:
            found.append((mistake, arrays))
    return found
