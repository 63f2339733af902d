"""The autograder on Lab 5: full marks for the master (public and hidden cases), zero for the
release, broken copies of the master losing exactly the right points with the right message, and
the NumPy references behind the mistake catalogue agreeing with Keras's numbers."""

import pytest
from conftest import LABS, SOLUTIONS
from graderkit import assert_broken_copy, exercised_mistakes, grade_folder, lost

from autograder.engine.cases import fixture_path, load_fixture
from autograder.engine.compare import close
from autograder.labs.lab5 import mistakes as m

LAB5_POINTS = 16
MODULE = "bidirectional.py"

# Points per test, to spell out what each broken copy loses.
BI_SEQ, BI_LAST, BI_GRAD, BI_KERAS = "test_bidirectional_sequences", "test_bidirectional_last_step", \
    "test_bidirectional_gradients", "test_bidirectional_in_keras"
DEEP_SEQ, DEEP_LAST, DEEP_GRAD, DEEP_KERAS = "test_deep_sequences", "test_deep_last_step", "test_deep_gradients", \
    "test_deep_in_keras"
POINTS = {BI_SEQ: 3, BI_LAST: 2, BI_GRAD: 1, BI_KERAS: 2, DEEP_SEQ: 3, DEEP_LAST: 2, DEEP_GRAD: 1, DEEP_KERAS: 2}
BI_SEQ_STAGE = {BI_SEQ: 3, BI_GRAD: 1, BI_KERAS: 2}  # the sequences stage and the two that require it
DEEP_SEQ_STAGE = {DEEP_SEQ: 3, DEEP_GRAD: 1, DEEP_KERAS: 2}

# Lines of the master's solution blocks that the broken copies edit.
FLIP_INPUTS = "self.backward_rnn(ops.flip(inputs, axis=1), training=training)"
REALIGN = "backward = ops.flip(backward_in_reading_order, axis=1)  # row t is now <-h_t"
CONCAT = "return ops.concatenate([forward, backward], axis=-1)"
LAST = "return ops.concatenate([forward[:, -1, :], backward_in_reading_order[:, -1, :]], axis=-1)"
STACK = "sequence = rnn(sequence, training=training)"
DEEP_LAST_LINE = "return sequence[:, -1, :]"


def test_master_scores_full_marks():
    results = grade_folder(SOLUTIONS, [5])
    assert lost(results) == {}, {n: r.output for n, r in results.items() if r.status != "passed"}
    assert sum(r.max_score for r in results.values()) == LAB5_POINTS
    assert set(results) == set(POINTS)


def test_master_passes_hidden_cases():
    """Hidden cases draw other sizes; their expected values come live from Keras through solutions/."""
    from autograder.engine import grading
    from autograder.engine.hidden import hidden_cases

    public = load_fixture(fixture_path(5))
    hidden = hidden_cases([5], seed=7)
    assert hidden[5].keys() == public.keys()
    assert {c.inputs["x"].shape for c in hidden[5].values()} != {c.inputs["x"].shape for c in public.values()}
    report = grading.grade(SOLUTIONS, {5: public}, [5], call_timeout=60, hidden_cases_by_lab=hidden)
    # The Keras round trips (tf.function, save/load, Bidirectional) run on the public cases only.
    assert report.score == report.max_score == 2 * LAB5_POINTS - (2 + 2), \
        [(r.name, r.output) for r in report.results if r.status != "passed"]
    hidden_tests = {r.test for r in report.results if r.hidden}
    assert hidden_tests == {r.test for r in report.results if not r.hidden} - {
        "test_bidirectional_in_keras", "test_deep_in_keras"}


def test_untouched_release_scores_zero_with_not_implemented_messages():
    results = grade_folder(LABS, [5])
    assert sum(r.score for r in results.values()) == 0
    for name, result in results.items():
        assert result.status in ("not_implemented", "blocked"), (name, result.status, result.output)
        assert "Traceback" not in result.output and "Exception encountered" not in result.output
    # Keras's "Exception encountered when calling ..." wrapper is removed: the message names the exercise.
    assert results[BI_SEQ].output.startswith("not implemented yet: BidirectionalRNN.call (rnnlab/bidirectional.py")
    assert results[BI_LAST].status == "not_implemented"
    assert results[DEEP_SEQ].output.startswith("not implemented yet: DeepRNN.call (rnnlab/bidirectional.py")
    assert results[BI_GRAD].status == results[DEEP_KERAS].status == "blocked"


# Each broken copy pairs one BidirectionalRNN edit with one DeepRNN edit (independent exercises):
# (edits, {test: the Mistake it names, or a fragment of its message}, {test: points lost}).
VARIANTS = {
    "one direction twice": (
        [(CONCAT, "return ops.concatenate([forward, forward], axis=-1)"),
         (LAST, "return ops.concatenate([backward_in_reading_order[:, -1, :], backward_in_reading_order[:, -1, :]], "
                "axis=-1)")],
        {BI_SEQ: m.ONE_DIRECTION_TWICE, BI_LAST: m.ONE_DIRECTION_TWICE},
        {**BI_SEQ_STAGE, BI_LAST: 2},
    ),
    "the forward half runs the backward cell": (
        [("forward = self.forward_rnn(inputs, training=training)",
          "forward = self.backward_rnn(inputs, training=training)")],
        {BI_SEQ: m.BACKWARD_CELL_FORWARD, BI_LAST: m.BACKWARD_CELL_FORWARD},
        {**BI_SEQ_STAGE, BI_LAST: 2},
    ),
    "a half negated": (
        [(CONCAT, "return ops.concatenate([forward, -backward], axis=-1)"),
         (LAST, "return ops.concatenate([-forward[:, -1, :], backward_in_reading_order[:, -1, :]], axis=-1)")],
        {BI_SEQ: m.HALF_NEGATED, BI_LAST: m.HALF_NEGATED},
        {**BI_SEQ_STAGE, BI_LAST: 2},
    ),
    "backward not realigned + every layer reads the inputs": (
        [(REALIGN, "backward = backward_in_reading_order"),
         (STACK, "sequence = rnn(inputs, training=training)")],
        {BI_SEQ: m.NOT_REALIGNED, DEEP_SEQ: m.EVERY_LAYER_READS_INPUTS, DEEP_LAST: m.EVERY_LAYER_READS_INPUTS},
        {**BI_SEQ_STAGE, **DEEP_SEQ_STAGE, DEEP_LAST: 2},
    ),
    "directions swapped + top layer left out": (
        [(CONCAT, "return ops.concatenate([backward, forward], axis=-1)"),
         (LAST, "return ops.concatenate([backward_in_reading_order[:, -1, :], forward[:, -1, :]], axis=-1)"),
         ("for rnn in self.rnns:\n            # Step t", "for rnn in self.rnns[:-1]:\n            # Step t")],
        {BI_SEQ: m.SWAPPED_DIRECTIONS, BI_LAST: m.SWAPPED_DIRECTIONS, DEEP_SEQ: m.WRONG_LAYER_OUTPUT,
         DEEP_LAST: m.WRONG_LAYER_OUTPUT},
        {**POINTS},
    ),
    "flipped on the batch axis + only the last step fed upwards": (
        [(FLIP_INPUTS, "self.backward_rnn(ops.flip(inputs, axis=0), training=training)"),
         (STACK, "sequence = rnn(sequence, training=training)[:, -1:, :]")],
        {BI_SEQ: m.INPUT_NOT_REVERSED, BI_LAST: m.INPUT_NOT_REVERSED, DEEP_SEQ: m.ONLY_LAST_STEP_FED,
         DEEP_LAST: m.ONLY_LAST_STEP_FED},
        {**POINTS},
    ),
    "flipped on the feature axis + first step instead of last": (
        [(FLIP_INPUTS, "self.backward_rnn(ops.flip(inputs, axis=-1), training=training)"),
         (REALIGN, "backward = ops.flip(backward_in_reading_order, axis=-1)"),
         (DEEP_LAST_LINE, "return sequence[:, 0, :]")],
        {BI_SEQ: m.FLIPPED_FEATURES, BI_LAST: m.FLIPPED_FEATURES, DEEP_LAST: m.DEEP_LAST_WRONG_END},
        {**BI_SEQ_STAGE, BI_LAST: 2, DEEP_LAST: 2},
    ),
    "backward last step from the wrong end + one step for return_sequences=True": (
        [(LAST, "return ops.concatenate([forward[:, -1, :], ops.flip(backward_in_reading_order, axis=1)[:, -1, :]], "
                "axis=-1)"),
         ("        if self.return_sequences:\n            return sequence\n", "")],
        {BI_LAST: m.BACKWARD_LAST_WRONG_END, DEEP_SEQ: m.ONE_STEP_RETURNED},
        {BI_LAST: 2, **DEEP_SEQ_STAGE},
    ),
    # The two branches of BidirectionalRNN.call (return_sequences True / False) are independent too.
    "forward last step from the wrong end + directions summed": (
        [(LAST, "return ops.concatenate([forward[:, 0, :], ops.flip(backward_in_reading_order, axis=1)[:, 0, :]], "
                "axis=-1)"),
         (CONCAT, "return forward + backward")],
        {BI_LAST: m.FORWARD_LAST_WRONG_END, BI_SEQ: m.ONE_DIRECTION_ONLY},
        {BI_LAST: 2, **BI_SEQ_STAGE},
    ),
    "concatenated on the time axis": (
        [(CONCAT, "return ops.concatenate([forward, backward], axis=1)")],
        {BI_SEQ: m.CONCATENATED_ON_TIME},
        {**BI_SEQ_STAGE},
    ),
    "concatenated on the batch axis": (
        [(CONCAT, "return ops.concatenate([forward, backward], axis=0)")],
        {BI_SEQ: m.CONCATENATED_ON_BATCH},
        {**BI_SEQ_STAGE},
    ),
    "backward direction runs the forward cell": (
        [(FLIP_INPUTS, "self.forward_rnn(ops.flip(inputs, axis=1), training=training)")],
        {BI_SEQ: m.FORWARD_CELL_BOTH_WAYS, BI_LAST: m.FORWARD_CELL_BOTH_WAYS},
        {**BI_SEQ_STAGE, BI_LAST: 2},
    ),
    # Handing the exercise to Keras: found by reading the source, every test of the exercise lost.
    "Keras's Bidirectional + Keras's StackedRNNCells": (
        [(CONCAT, "return keras.layers.Bidirectional(self.forward_rnn, backward_layer=self.backward_rnn)(inputs)"),
         (STACK, "sequence = keras.layers.RNN(keras.layers.StackedRNNCells(self.cells), return_sequences=True)"
                 "(inputs)\n            break")],
        {BI_SEQ: m.WRAPS_KERAS_WRAPPER, BI_LAST: m.WRAPS_KERAS_WRAPPER, DEEP_SEQ: m.WRAPS_KERAS_WRAPPER,
         DEEP_LAST: m.WRAPS_KERAS_WRAPPER},
        {**POINTS},
    ),
    # The grader sets the weights of the cells it hands over, so a wrapper must run those very cells.
    "backward direction on a copy of the cell it was given": (
        [('self.backward_rnn = keras.layers.RNN(backward_cell, return_sequences=True, name="backward")',
          'self.backward_rnn = keras.layers.RNN(type(backward_cell).from_config(backward_cell.get_config()), '
          'return_sequences=True, name="backward")')],
        {BI_SEQ: "never called backward_cell", BI_LAST: "never called backward_cell"},
        {**BI_SEQ_STAGE, BI_LAST: 2},
    ),
    # Not a catalogued mistake: the message still narrows it down to the backward half.
    "an unknown bug in the backward half": (
        [(FLIP_INPUTS, "self.backward_rnn(ops.flip(inputs, axis=1) * 0.5, training=training)")],
        {BI_SEQ: "The forward half (units 0..3) is right; the backward half is not",
         BI_LAST: "The forward half (units 0..3) is right; the backward half is not"},
        {**BI_SEQ_STAGE, BI_LAST: 2},
    ),
    "inputs through NumPy (no gradient, no tf.function) + DeepRNN not registered": (
        [(FLIP_INPUTS, "self.backward_rnn(np.asarray(inputs)[:, ::-1], training=training)"),
         ("import keras\n", "import keras\nimport numpy as np\n"),
         ('@keras.saving.register_keras_serializable(package="rnnlab")\nclass DeepRNN',
          "class DeepRNN")],
        {BI_GRAD: "dL/dx", BI_KERAS: "fails inside tf.function", DEEP_KERAS: "register_keras_serializable"},
        {BI_GRAD: 1, BI_KERAS: 2, DEEP_KERAS: 2},
    ),
    "all steps for return_sequences=False + BidirectionalRNN without get_config": (
        [("        if not self.return_sequences:\n            return ops.concatenate(", "        if False:\n"
          "            return ops.concatenate("),
         ('    def get_config(self):\n        """The two cells\' configs', '    def _no_config(self):\n        """')],
        {BI_LAST: m.ALL_STEPS_RETURNED, BI_KERAS: "could not be rebuilt from its config"},
        {BI_LAST: 2, BI_KERAS: 2},
    ),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_copy_loses_the_right_points(tmp_path, name):
    assert_broken_copy(tmp_path, MODULE, *VARIANTS[name], lab=5)


def test_every_catalogued_mistake_has_a_broken_copy():
    exercised = exercised_mistakes(VARIANTS)
    assert exercised == set(m.CATALOGUE), set(m.CATALOGUE) - exercised


# -- the parent-side NumPy references (no TensorFlow) ----------------------------------------------
@pytest.fixture(scope="module")
def lab5():
    return load_fixture(fixture_path(5))


@pytest.mark.parametrize("case_id, reference", [
    ("bidirectional.sequences", m.bidirectional), ("bidirectional.last", m.bidirectional),
    ("deep.sequences", m.deep), ("deep.last", m.deep)])
def test_numpy_reference_matches_keras(lab5, case_id, reference):
    case = lab5[case_id]
    assert close(reference(case.inputs, case.params["return_sequences"]), case.expected_arrays["outputs"])


@pytest.mark.parametrize("case_id", ["bidirectional.sequences", "bidirectional.last", "deep.sequences", "deep.last"])
def test_no_mistake_variant_equals_the_right_answer(lab5, case_id):
    case = lab5[case_id]
    variants = m.bidirectional_variants if case_id.startswith("bi") else m.deep_variants
    found = variants(case.inputs, case.params["return_sequences"])
    assert found
    for mistake, variant in found:
        assert not close(variant, case.expected_arrays["outputs"]), (mistake.name, case_id)


def test_shape_mistakes():
    shape = m.shape_mistake
    assert shape((3, 6, 8), (3, 8), "bidirectional") is m.ALL_STEPS_RETURNED
    assert shape((3, 4), (3, 6, 4), "deep") is m.ONE_STEP_RETURNED
    assert shape((3, 1, 4), (3, 6, 4), "deep") is m.ONLY_LAST_STEP_FED
    assert shape((3, 6, 4), (3, 6, 8), "bidirectional") is m.ONE_DIRECTION_ONLY
    assert shape((3, 12, 4), (3, 6, 8), "bidirectional") is m.CONCATENATED_ON_TIME
    assert shape((6, 6, 4), (3, 6, 8), "bidirectional") is m.CONCATENATED_ON_BATCH
    assert shape((3, 6, 5), (3, 6, 8), "bidirectional") is None
