"""Known mistakes in Lab 6's exercises (``rnnlab/charmodel.py``), and what each one outputs.

Everything here runs in the grader process with NumPy only. Two sources:

- ``pixel_classifier`` and ``bits_per_char``: computed here, from the case's inputs (the NumPy
  reference cell of ``labs/shared/reference.py`` for the classifier's read-outs).
- ``sample``: the draws depend on the model, which lives in the child, so the reference run
  executes the kit's own wrong samplers (``labs/lab6/probes.py``'s ``WRONG_SAMPLERS``) and stores
  their tokens as ``variant.<name>.<temperature index>``. Only names and messages live here.
- ``char_model``: its mistakes show as a wrong shape or as padding that changes the results; the
  grading test names them from those facts.
"""

import numpy as np

from autograder.engine.mistakes import Mistake, catalogue
from autograder.labs.shared.reference import simple_rnn

CATALOGUE, _mistake = catalogue()


# -- pixel_classifier ------------------------------------------------------------------------------
EVERY_STEP = _mistake(
    "classifier_reads_every_step",
    "the model returns logits at every step, shape (batch, T, classes): keep keras.layers.RNN(cell)'s default "
    "return_sequences=False, so the Dense layer reads h_T alone and the output is (batch, classes)",
)
FIRST_STEP = _mistake(
    "classifier_reads_first_step",
    "the logits come from h_1, the state after the first pixel: read the last state h_T, which has seen the "
    "whole image (keras.layers.RNN(cell) returns it)",
)
MEAN_OVER_STEPS = _mistake(
    "classifier_mean_over_steps",
    "the logits come from the average of h_t over the steps; this exercise reads h_T, the last state "
    "(keras.layers.RNN(cell), return_sequences=False)",
)
BACKWARDS = _mistake(
    "classifier_reads_backwards",
    "the pixels were read last to first (go_backwards=True): read them in order, t = 1..T",
)
SOFTMAX_OUTPUT = _mistake(
    "classifier_softmax_output",
    "the model outputs probabilities (a softmax); it should output logits: Dense(num_classes) with no "
    "activation, and the loss takes from_logits=True",
)


def _softmax(z):
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def classifier_variants(inputs):
    """Logits of the wrong read-outs on the case's inputs and weights."""
    x = inputs["x"]
    weights = (inputs["cell.kernel"], inputs["cell.recurrent_kernel"], inputs["cell.bias"])
    kernel, bias = inputs["readout.kernel"].astype(np.float64), inputs["readout.bias"].astype(np.float64)
    states = simple_rnn(x, *weights)
    backwards = simple_rnn(x[:, ::-1], *weights)
    right = states[:, -1] @ kernel + bias
    return [
        (FIRST_STEP, states[:, 0] @ kernel + bias),
        (MEAN_OVER_STEPS, states.mean(axis=1) @ kernel + bias),
        (BACKWARDS, backwards[:, -1] @ kernel + bias),
        (SOFTMAX_OUTPUT, _softmax(right)),
    ]


# -- both wiring functions -------------------------------------------------------------------------
LAYERS_OUT_OF_ORDER = _mistake(
    "layers_out_of_order",
    "the layers are in the wrong order: a Sequential model runs them top to bottom, so list them as the data "
    "flows, keras.layers.RNN(cell) before the Dense read-out (and in char_model the Embedding before both)",
)


# -- char_model ------------------------------------------------------------------------------------
LAST_STEP_ONLY = _mistake(
    "char_model_last_step_only",
    "the model returns one prediction per name, shape (batch, V): a language model predicts the next "
    "character at every step, so use keras.layers.RNN(cell, return_sequences=True); the output is (batch, L, V)",
)
NO_MASK = _mistake(
    "char_model_padding_not_masked",
    "padding changes the results: a name padded on the left ends in another state than the same name alone. "
    "Give the Embedding mask_zero=True (token 0 is padding): keras.layers.RNN then carries the state across "
    "padded steps unchanged",
)


# -- bits_per_char ---------------------------------------------------------------------------------
NATURAL_LOG = _mistake(
    "bpc_natural_log",
    "this is the cross-entropy in nats (natural log); bits per character use log base 2: divide by ln 2 "
    "(-log2 p = -ln p / ln 2)",
)
PADDING_COUNTED = _mistake(
    "bpc_padding_counted",
    "the padded steps were counted: multiply each step's cross-entropy by the mask and divide by the number of "
    "real steps, sum(mask), not by batch * L",
)
PER_ROW_MEAN = _mistake(
    "bpc_mean_of_row_means",
    "this is the mean over names of each name's mean: every *character* counts once, so sum the masked "
    "cross-entropies of the whole batch and divide by sum(mask) once",
)


BPC_FORMULA = _mistake(  # every other mix-up of its pieces; each variant says how it reads
    "bpc_wrong_formula",
    "bits per character = sum(nats * mask) / sum(mask) / ln 2: the masked cross-entropies summed, divided by the "
    "number of real steps, and turned from nats into bits",
)


def cross_entropy_nats(logits, targets):
    z = np.asarray(logits, np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(log_p, np.asarray(targets)[..., None].astype(np.int64), axis=-1)[..., 0]


def bits_per_char_variants(inputs):
    nats = cross_entropy_nats(inputs["logits"], inputs["targets"])
    mask = np.asarray(inputs["mask"], np.float64)
    bits = nats / np.log(2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_row = (bits * mask).sum(axis=1) / mask.sum(axis=1)
    yield from [
        (NATURAL_LOG, np.float64((nats * mask).sum() / mask.sum())),
        (PADDING_COUNTED, np.float64(bits.mean())),
        (PER_ROW_MEAN, np.float64(np.nanmean(per_row))),
    ]
    yield from _bpc_formulas(nats, mask)


def _bpc_formulas(nats, mask):
    """(Mistake, value) for every other mix-up of the sum, the count and the change of base, as code reads it."""
    totals = {"sum(nats * mask)": (nats * mask).sum(), "sum(nats)": nats.sum(), "sum(nats + mask)": (nats + mask).sum(),
              "mean(nats * mask)": (nats * mask).mean(), "sum(mask)": mask.sum()}
    counts = {"sum(mask)": mask.sum(), "mean(mask)": mask.mean(), "batch * L": float(mask.size),
              "batch": float(mask.shape[0]), "1": 1.0}
    bases = {"/ ln 2": 1 / np.log(2.0), "* ln 2": np.log(2.0), "/ 2": 0.5, "/ ln 10": 1 / np.log(10.0), "": 1.0}
    right = (nats * mask).sum() / mask.sum() / np.log(2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for operator in ("/", "*"):
            for top, total in totals.items():
                for bottom, count in counts.items():
                    for base, factor in bases.items():
                        value = (total / count if operator == "/" else total * count) * factor
                        if np.isclose(value, right, rtol=1e-9, atol=0):  # the right value, another way written
                            continue
                        written = f"{top} {operator} {bottom} {base}".strip()
                        yield Mistake(BPC_FORMULA.name, f"your value equals {written} here; {BPC_FORMULA.message}"), \
                            np.float64(value)


# -- sample ----------------------------------------------------------------------------------------
ARGMAX = _mistake(
    "sample_argmax",
    "every token is the likeliest one (argmax): that is greedy decoding, the same text every time. Draw from "
    "p = softmax(z / T) with the seeded rng, as the docstring spells out",
)
TEMPERATURE_AFTER_SOFTMAX = _mistake(
    "sample_temperature_after_softmax",
    "the temperature was applied after the softmax (softmax(z) / T, or softmax(z) ** ...): divide the logits, "
    "p = softmax(z / T), so that T < 1 sharpens and T > 1 flattens the distribution",
)
OFF_BY_ONE = _mistake(
    "sample_off_by_one",
    "each token was drawn from the prediction one position behind (logits[:, -2], or a sequence without the "
    "newest token): after appending a token, feed the whole longer sequence and read logits[:, -1]",
)

PICK_INVERTED = _mistake(
    "sample_pick_inverted",
    "the inverse-CDF pick counts the wrong side of u: the token is the number of cumulative probabilities "
    "*below* u, (np.cumsum(p, axis=-1) < u).sum(axis=-1)",
)
PREPENDED = _mistake(
    "sample_token_prepended",
    "each new token was put in front of the sequence: append it at the end, "
    "np.concatenate([tokens, token[:, None]], axis=1), so the model reads the text in order",
)

SAMPLE_VARIANTS = {
    "argmax": ARGMAX,
    "temperature_after_softmax": TEMPERATURE_AFTER_SOFTMAX,
    "temperature_after_softmax_unnormalised": TEMPERATURE_AFTER_SOFTMAX,
    "off_by_one": OFF_BY_ONE,
    "pick_inverted": PICK_INVERTED,
    "prepended": PREPENDED,
}


def sample_variants(expected_arrays, index):
    """[(Mistake, tokens)] for the draw at temperature ``index``, from the reference run."""
    return [(mistake, expected_arrays[f"variant.{key}.{index}"]) for key, mistake in SAMPLE_VARIANTS.items()
            if f"variant.{key}.{index}" in expected_arrays]
