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

from autograder.engine.mistakes import catalogue

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


def skill_variants(metric, baseline, perfect):
    metric = np.asarray(metric, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return [
            (SKILL_RATIO, metric / baseline),
            (SKILL_SIGN, (baseline - metric) / (perfect - baseline)),
            (SKILL_IGNORES_PERFECT, (metric - baseline) / (1.0 - baseline)),
            (SKILL_MSE_ONLY, 1.0 - metric / baseline),
            (SKILL_RELATIVE_CHANGE, (metric - baseline) / baseline),
        ]


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


def chrono_variants(bias, kind):
    """Wrong biases from the right one (the same draw u): a sign, the input gate, the log, the blocks."""
    bias = np.asarray(bias, dtype=np.float64)
    gates = 4 if kind == "lstm" else 3
    blocks = np.split(bias, gates)
    keep = blocks[1] if kind == "lstm" else blocks[0]
    zeros = np.zeros_like(keep)
    if kind == "lstm":
        return [
            (CHRONO_SIGN, -bias),
            (CHRONO_INPUT_NOT_NEGATED, np.concatenate([keep, keep, zeros, zeros])),
            (CHRONO_NO_LOG, np.concatenate([-np.exp(keep), np.exp(keep), zeros, zeros])),
            # b_i and b_f swapped is exactly -bias: CHRONO_SIGN's message names both.
        ]
    return [
        (CHRONO_SIGN, -bias),
        (CHRONO_NO_LOG, np.concatenate([np.exp(keep), zeros, zeros])),
        (CHRONO_BLOCKS, np.concatenate([zeros, keep, zeros])),
    ]


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
    return variants


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

TBPTT_VARIANTS = {
    "state_not_carried": STATE_NOT_CARRIED,
    "last_chunk_dropped": LAST_CHUNK_DROPPED,
    "gradient_across_chunks": GRADIENT_ACROSS_CHUNKS,
    "one_update_full_bptt": ONE_UPDATE_FULL,
    "one_update_truncated": ONE_UPDATE_TRUNCATED,
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
