"""Grading tests for Lab 6: ``pixel_classifier``, ``char_model``, ``bits_per_char``, ``sample``
(``rnnlab/charmodel.py``).

The two wiring functions get Keras's built-in cells with known weights, so their outputs are fixed
numbers; ``char_model`` is also run on the same names padded on the right, on the left and alone,
which must all agree (Keras masking). ``sample`` runs on a small character model the grader
builds; its draws are fixed by the seed, and the kit's own wrong samplers, run at reference time,
let the test name a known mistake. See ``mistakes.py`` beside this file.
"""

import numpy as np

from autograder.engine.compare import check_array, close
from autograder.engine.feedback import Feedback
from autograder.engine.manifest import points
from autograder.labs.lab6 import mistakes


def _mistake(what, mistake):
    return Feedback(f"{what}: {mistake.message}", kind="mistake", mistake=mistake.name)


# -- pixel_classifier ------------------------------------------------------------------------------
@points(1, exercise="pixel_classifier", stage="logits from the last step h_T")
def test_pixel_classifier(grader):
    case = grader.case("pixel_classifier.forward")
    outcome = grader.run(case)
    got, want = outcome.arrays["logits"], case.expected_arrays["logits"]
    b, t, _ = case.inputs["x"].shape
    what = f"pixel_classifier(SimpleRNNCell({case.params['units']}), {case.params['classes']}) on x of shape {(b, t, 1)}"
    if got.ndim == 3:
        raise _mistake(f"{what} returned shape {got.shape}", mistakes.EVERY_STEP)
    check_array(got, want, f"{what}: the logits", axis_names=["batch", "class"],
                mistakes=mistakes.classifier_variants(case.inputs))


# -- char_model ------------------------------------------------------------------------------------
@points(2, exercise="char_model", stage="logits at every step; padding masked (left, right, none agree)")
def test_char_model(grader):
    case = grader.case("char_model.masking")
    outcome = grader.run(case)
    got, want = outcome.arrays, case.expected_arrays
    tokens = case.inputs["tokens"]
    p = case.params
    what = f"char_model(GRUCell({p['units']}), vocab_size={p['vocab']}, embedding_dim={p['embedding']})"
    if got["right"].ndim == 2:
        raise _mistake(f"{what} returned shape {got['right'].shape} on tokens of shape {tokens.shape}",
                       mistakes.LAST_STEP_ONLY)
    lengths = (tokens > 0).sum(axis=1)
    real = np.arange(tokens.shape[1])[None, :] < lengths[:, None]
    check_array(got["right"][real], want["right"][real],
                f"{what}: the logits at the real steps of names padded on the right", axis_names=["step", "token"])
    for i, n in enumerate(lengths):
        alone, left = got[f"alone.{i}"][0], got["left"][i, -n:]
        if not (close(alone, left) and close(alone, got["right"][i, :n])):
            raise _mistake(f"{what}: name {i} ({n} tokens) padded on the left gives other logits than alone",
                           mistakes.NO_MASK)


# -- bits_per_char ---------------------------------------------------------------------------------
@points(2, exercise="bits_per_char", stage="masked average, in bits")
def test_bits_per_char(grader):
    case = grader.case("bits_per_char.masked")
    outcome = grader.run(case)
    b, t, v = case.inputs["logits"].shape
    what = f"bits_per_char on logits {(b, t, v)} with {int(case.inputs['mask'].sum())} of {b * t} steps real"
    # A fresh (lazy) generator of variants for each check: computed only on a wrong value.
    check_array(outcome.arrays["bpc"], case.expected_arrays["bpc"], what,
                mistakes=mistakes.bits_per_char_variants(case.inputs))
    check_array(outcome.arrays["bpc_bool_mask"], case.expected_arrays["bpc"],
                f"{what}, the mask given as booleans (cast it: tf.cast(mask, tf.float32))",
                mistakes=mistakes.bits_per_char_variants(case.inputs))


# -- sample ----------------------------------------------------------------------------------------
def check_sample(grader, case_id):
    case = grader.case(case_id)
    outcome = grader.run(case)
    got, want = outcome.arrays, case.expected_arrays
    p = case.params
    start = case.inputs["start"]
    for i, temperature in enumerate(p["temperatures"]):
        what = (f"sample(model, start of shape {start.shape}, length={p['length']}, temperature={temperature}, "
                f"seed={p['seed']})")
        if not np.array_equal(got[f"tokens.{i}"], want[f"tokens.{i}"]):
            for mistake, tokens in mistakes.sample_variants(want, i):
                if np.array_equal(got[f"tokens.{i}"], tokens):
                    raise _mistake(what, mistake)
            rows, steps = np.nonzero(got[f"tokens.{i}"] != want[f"tokens.{i}"])
            raise Feedback(f"{what}: other tokens than the seeded draw, first at row {rows[0]}, new token "
                           f"{steps[0] + 1}: got {got[f'tokens.{i}'][rows[0], steps[0]]}, expected "
                           f"{want[f'tokens.{i}'][rows[0], steps[0]]}. Follow the docstring's draw exactly: "
                           "rng = np.random.default_rng(seed), then one u = rng.random((batch, 1)) per token",
                           kind="mismatch")
    if not np.array_equal(got["again"], got["tokens.0"]):
        raise Feedback("sample gave other tokens on a second call with the same seed: draw from "
                       "np.random.default_rng(seed) only (never np.random.* or tf.random), created inside sample",
                       kind="mismatch")


@points(2, exercise="sample", stage="seeded draws from softmax(z / T) at the last step, T = 1")
def test_sample(grader):
    check_sample(grader, "sample.t1")


@points(1, exercise="sample", stage="temperatures 0.5 and 2",
        requires=["seeded draws from softmax(z / T) at the last step, T = 1"])
def test_sample_temperature(grader):
    check_sample(grader, "sample.temperatures")
