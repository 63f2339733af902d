"""The autograder on Lab 6: full marks for the master (public and hidden cases), zero for the
release, and broken copies of the master losing exactly the right points with the right named
mistake. The four exercises are independent, so each broken copy carries up to one edit per
exercise."""

import numpy as np
import pytest
from conftest import LABS, SOLUTIONS
from graderkit import assert_broken_copy, exercised_mistakes, grade_folder, lost

from autograder.engine.cases import fixture_path, load_fixture
from autograder.engine.compare import close
from autograder.labs.lab6 import mistakes as m
from autograder.labs.shared.reference import simple_rnn

LAB = 6
MODULE = "charmodel.py"
CLASSIFIER, CHAR, BPC, SAMPLE, SAMPLE_T = ("test_pixel_classifier", "test_char_model", "test_bits_per_char",
                                           "test_sample", "test_sample_temperature")
POINTS = {CLASSIFIER: 1, CHAR: 2, BPC: 2, SAMPLE: 2, SAMPLE_T: 1}
ALL_SAMPLE = {SAMPLE: 2, SAMPLE_T: 1}

# Lines of the master's solution blocks that the broken copies edit.
READ_LAST = "        keras.layers.RNN(cell),\n"
LOGITS = "        keras.layers.Dense(num_classes),\n"
EMBED = "keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True),"
EVERY_STEP = "keras.layers.RNN(cell, return_sequences=True),"
BPC_LINE = "return tf.reduce_sum(nats * mask) / tf.reduce_sum(mask) / np.log(2.0)"
NORMALISE = "p /= p.sum(axis=-1, keepdims=True)"
TOKEN = "token = np.minimum((np.cumsum(p, axis=-1) < u).sum(axis=-1), p.shape[-1] - 1).astype(np.int32)"
LAST_LOGITS = "[:, -1, :] / temperature"
SEEDED = "rng = np.random.default_rng(seed)\n    tokens"


def test_master_scores_full_marks():
    results = grade_folder(SOLUTIONS, [LAB])
    assert lost(results) == {}, {n: r.output for n, r in results.items() if r.status != "passed"}
    assert {name: r.max_score for name, r in results.items()} == POINTS


def test_master_passes_hidden_cases():
    """Hidden cases draw other sizes, vocabularies, temperatures' seeds; expected values come live from solutions/."""
    from autograder.engine import grading
    from autograder.engine.hidden import hidden_cases

    public = load_fixture(fixture_path(LAB))
    hidden = hidden_cases([LAB], seed=7)
    assert hidden[LAB].keys() == public.keys()
    assert hidden[LAB]["bits_per_char.masked"].inputs["logits"].shape != \
        public["bits_per_char.masked"].inputs["logits"].shape
    report = grading.grade(SOLUTIONS, {LAB: public}, [LAB], call_timeout=60, hidden_cases_by_lab=hidden)
    assert report.score == report.max_score == 2 * sum(POINTS.values()), \
        [(r.name, r.output) for r in report.results if r.status != "passed"]


def test_untouched_release_scores_zero_with_not_implemented_messages():
    results = grade_folder(LABS, [LAB])
    assert sum(r.score for r in results.values()) == 0
    for name, result in results.items():
        assert result.status in ("not_implemented", "blocked"), (name, result.status, result.output)
        assert "Traceback" not in result.output
    for test, exercise in ((CLASSIFIER, "pixel_classifier"), (CHAR, "char_model"), (BPC, "bits_per_char"),
                           (SAMPLE, "sample")):
        assert results[test].output.startswith(f"not implemented yet: {exercise} (rnnlab/charmodel.py"), \
            results[test].output


# (edits, {test: the Mistake it names, or a fragment of its message}, {test: points lost}).
VARIANTS = {
    "read-out before the RNN, in both models": (
        [(READ_LAST + LOGITS, LOGITS + READ_LAST),
         ("        keras.layers.RNN(cell, return_sequences=True),\n        keras.layers.Dense(vocab_size),\n",
          "        keras.layers.Dense(vocab_size),\n        keras.layers.RNN(cell, return_sequences=True),\n")],
        {CLASSIFIER: m.LAYERS_OUT_OF_ORDER, CHAR: m.LAYERS_OUT_OF_ORDER},
        {CLASSIFIER: 1, CHAR: 2},
    ),
    "the inverse-CDF pick inverted": (
        [(TOKEN, TOKEN.replace("< u", ">= u"))],
        {SAMPLE: m.PICK_INVERTED, SAMPLE_T: "must pass"},
        ALL_SAMPLE,
    ),
    "each token prepended": (
        [("tokens = np.concatenate([tokens, token[:, None]], axis=1)",
          "tokens = np.concatenate([token[:, None], tokens], axis=1)")],
        {SAMPLE: m.PREPENDED, SAMPLE_T: "must pass"},
        ALL_SAMPLE,
    ),
    "bits per character multiplied by the count": (
        [(BPC_LINE, "return tf.reduce_sum(nats * mask) * tf.reduce_sum(mask) / np.log(2.0)")],
        {BPC: m.BPC_FORMULA},
        {BPC: 2},
    ),
    "every step read + no mask + nats + argmax": (
        [(READ_LAST, "        keras.layers.RNN(cell, return_sequences=True),\n"),
         (EMBED, "keras.layers.Embedding(vocab_size, embedding_dim),"),
         (BPC_LINE, "return tf.reduce_sum(nats * mask) / tf.reduce_sum(mask)"),
         (TOKEN, "token = np.argmax(logits, axis=-1).astype(np.int32)")],
        {CLASSIFIER: m.EVERY_STEP, CHAR: m.NO_MASK, BPC: m.NATURAL_LOG, SAMPLE: m.ARGMAX, SAMPLE_T: "must pass"},
        {CLASSIFIER: 1, CHAR: 2, BPC: 2, **ALL_SAMPLE},
    ),
    "first step read + last step only + padding counted + temperature after softmax": (
        [(EVERY_STEP, "keras.layers.RNN(cell, return_sequences=False),"),
         (READ_LAST, '        keras.layers.RNN(cell, return_sequences=True, name="every_step"),\n'
                     "        keras.layers.Lambda(lambda h: h[:, 0]),\n"),
         (BPC_LINE, "return tf.reduce_mean(nats) / np.log(2.0)"),
         (LAST_LOGITS, "[:, -1, :]"), (NORMALISE, NORMALISE + "\n        p = p / temperature")],
        {CLASSIFIER: m.FIRST_STEP, CHAR: m.LAST_STEP_ONLY, BPC: m.PADDING_COUNTED,
         SAMPLE_T: m.TEMPERATURE_AFTER_SOFTMAX},
        {CLASSIFIER: 1, CHAR: 2, BPC: 2, SAMPLE_T: 1},  # at T = 1 the draws are right
    ),
    "mean over steps + mean of row means + off by one": (
        [(READ_LAST, "        keras.layers.RNN(cell, return_sequences=True),\n"
                     "        keras.layers.GlobalAveragePooling1D(),\n"),
         (BPC_LINE, "return tf.reduce_mean(tf.reduce_sum(nats * mask, axis=1) / tf.reduce_sum(mask, axis=1)) "
                    "/ np.log(2.0)"),
         (LAST_LOGITS, "[:, -2, :] / temperature")],
        {CLASSIFIER: m.MEAN_OVER_STEPS, BPC: m.PER_ROW_MEAN, SAMPLE: m.OFF_BY_ONE},
        {CLASSIFIER: 1, BPC: 2, **ALL_SAMPLE},
    ),
    "read backwards + temperature after softmax, renormalised": (
        [(READ_LAST, "        keras.layers.RNN(cell, go_backwards=True),\n"),
         (LAST_LOGITS, "[:, -1, :]"), (NORMALISE, f"p = p / temperature\n        {NORMALISE}")],
        {CLASSIFIER: m.BACKWARDS, SAMPLE_T: m.TEMPERATURE_AFTER_SOFTMAX},
        {CLASSIFIER: 1, SAMPLE_T: 1},
    ),
    "softmax output + an unseeded generator": (
        [(LOGITS, '        keras.layers.Dense(num_classes, activation="softmax"),\n'),
         (SEEDED, "rng = np.random.default_rng()\n    tokens")],
        {CLASSIFIER: m.SOFTMAX_OUTPUT, SAMPLE: "other tokens than the seeded draw"},
        {CLASSIFIER: 1, **ALL_SAMPLE},
    ),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_copy_loses_the_right_points(tmp_path, name):
    assert_broken_copy(tmp_path, MODULE, *VARIANTS[name], lab=LAB)


def test_every_catalogued_mistake_has_a_broken_copy():
    exercised = exercised_mistakes(VARIANTS)
    assert exercised == set(m.CATALOGUE), set(m.CATALOGUE) - exercised


# -- the parent-side references ------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab6():
    return load_fixture(fixture_path(LAB))


def test_bits_per_char_reference_and_variants(lab6):
    """The master's number is the masked mean of -log2 p, from the parent's own NumPy; no variant equals it."""
    case = lab6["bits_per_char.masked"]
    mask = case.inputs["mask"]
    assert 0 < mask.sum() < mask.size  # some padding: the padded-steps mistake shows
    bits = m.cross_entropy_nats(case.inputs["logits"], case.inputs["targets"]) / np.log(2)
    right = case.expected_arrays["bpc"]
    assert close(right, (bits * mask).sum() / mask.sum(), rtol=1e-5)
    for mistake, variant in m.bits_per_char_variants(case.inputs):
        assert not close(variant, right), mistake.name


def test_uniform_logits_score_log2_of_the_vocabulary():
    """bits_per_char's scale: a model that knows nothing about V tokens scores log2 V bits."""
    targets = np.array([[0, 3, 5]])
    nats = m.cross_entropy_nats(np.zeros((1, 3, 27)), targets)
    assert np.allclose(nats / np.log(2), np.log2(27))


def test_classifier_reference_and_variants(lab6):
    """The master's logits are Dense(h_T) of the NumPy reference cell; no wrong read-out equals them."""
    case = lab6["pixel_classifier.forward"]
    x = case.inputs
    states = simple_rnn(x["x"], x["cell.kernel"], x["cell.recurrent_kernel"], x["cell.bias"])
    right = case.expected_arrays["logits"]
    assert close(right, states[:, -1] @ x["readout.kernel"] + x["readout.bias"], rtol=1e-4, atol=1e-5)
    for mistake, variant in m.classifier_variants(case.inputs):
        assert not close(variant, right), mistake.name


def test_char_model_reference_agrees_padded_and_alone(lab6):
    case = lab6["char_model.masking"]
    want, tokens = case.expected_arrays, case.inputs["tokens"]
    for i, n in enumerate((tokens > 0).sum(axis=1)):
        assert close(want[f"alone.{i}"][0], want["right"][i, :n]) and close(want[f"alone.{i}"][0], want["left"][i, -n:])


@pytest.mark.parametrize("case_id", ["sample.t1", "sample.temperatures"])
def test_sample_variants_differ_from_the_right_draws(lab6, case_id):
    case = lab6[case_id]
    want = case.expected_arrays
    assert np.array_equal(want["again"], want["tokens.0"])  # the master is reproducible
    for i, temperature in enumerate(case.params["temperatures"]):
        variants = m.sample_variants(want, i)
        assert {mistake for mistake, _ in variants} == set(m.SAMPLE_VARIANTS.values())
        for mistake, tokens in variants:
            if mistake is m.TEMPERATURE_AFTER_SOFTMAX and temperature == 1.0:
                continue  # at T = 1 it is the right draw
            assert not np.array_equal(tokens, want[f"tokens.{i}"]), (case_id, temperature, mistake.name)
    if len(case.params["temperatures"]) > 1:  # the two temperatures draw differently
        assert not np.array_equal(want["tokens.0"], want["tokens.1"])
