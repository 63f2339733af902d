"""The autograder on Lab 3: full marks for the master (public and hidden cases), zero for the
release, broken copies of the master losing exactly the right points with the right message, a
Keras wrapper scoring nothing, and the NumPy references behind the GRU mistakes agreeing with Keras."""

import pytest
from conftest import LABS, SOLUTIONS
from graderkit import grade_folder, lost, make_submission
from test_grader_lab2 import check_message, exercised_mistakes

from autograder.engine.cases import fixture_path, load_fixture
from autograder.engine.compare import close
from autograder.engine.mistakes import Mistake
from autograder.labs.lab3 import mistakes as m
from autograder.labs.shared import mistakes as plumbing

LAB3_POINTS = 14
MODULE = "gru.py"

OWN, CONTRACT, FORWARD, GRADS, KERAS, BIDI, BUILTIN, AFTER = (
    "test_gru_no_builtin_wrapping", "test_gru_contract", "test_gru_forward", "test_gru_gradients",
    "test_gru_in_keras", "test_gru_bidirectional", "test_gru_matches_builtin", "test_gru_reset_after")
POINTS = {OWN: 1, CONTRACT: 2, FORWARD: 3, GRADS: 2, KERAS: 2, BIDI: 1, BUILTIN: 1, AFTER: 2}
FORWARD_STAGE = {t: POINTS[t] for t in (FORWARD, GRADS, KERAS, BIDI, BUILTIN)}

# Lines of the master's two solution blocks: GRUCell.call (reset_after=False) ...
SPLIT_X = "x_z, x_r, x_h = ops.split(ops.matmul(inputs, self.kernel) + self.bias, 3, axis=-1)"
GATES_REC = "gates_recurrent = ops.matmul(h_prev, self.recurrent_kernel[:, : 2 * units])"
Z_R = ("        z = self.recurrent_activation(x_z + gates_recurrent[:, :units])\n"
       "        r = self.recurrent_activation(x_r + gates_recurrent[:, units:])\n")
CANDIDATE = "candidate = self.activation(x_h + ops.matmul(r * h_prev, self.recurrent_kernel[:, 2 * units :]))"
UPDATE = "h = z * h_prev + (1.0 - z) * candidate"
RETURN = "        return h, [h]\n        # END SOLUTION"
# ... and GRUCell.call_reset_after.
SPLIT_X_AFTER = "ops.matmul(inputs, self.kernel) + self.bias[0], 3, axis=-1)"
SPLIT_H_AFTER = "ops.matmul(h_prev, self.recurrent_kernel) + self.bias[1], 3, axis=-1)"
CANDIDATE_AFTER = "candidate = self.activation(x_h + r * h_h)"
UPDATE_AFTER = "return z * h_prev + (1.0 - z) * candidate"
DECORATOR = '@keras.saving.register_keras_serializable(package="rnnlab")\nclass GRUCell('


def test_master_scores_full_marks_public_and_hidden():
    from autograder.engine import grading
    from autograder.engine.hidden import hidden_cases

    hidden = hidden_cases([3], seed=11)
    report = grading.grade(SOLUTIONS, {3: load_fixture(fixture_path(3))}, [3], call_timeout=60,
                           hidden_cases_by_lab=hidden)
    # The Keras round trips (tf.function, save/load, Bidirectional) run on the public cases only.
    assert report.score == report.max_score == 2 * LAB3_POINTS - (2 + 1), \
        [(r.name, r.output) for r in report.results if r.status != "passed"]
    assert {r.test: r.max_score for r in report.results} == POINTS
    hidden_tests = {r.test for r in report.results if r.hidden}
    assert hidden_tests == {r.test for r in report.results if not r.hidden} - {
        "test_gru_in_keras", "test_gru_bidirectional"}


def test_untouched_release_scores_zero_with_not_implemented_messages():
    results = grade_folder(LABS, [3])
    assert sum(r.score for r in results.values()) == 0
    for name, result in results.items():
        assert result.status in ("not_implemented", "blocked"), (name, result.status, result.output)
        assert "Traceback" not in result.output and "Exception encountered" not in result.output
    assert results[CONTRACT].output.startswith("not implemented yet: GRUCell.call (rnnlab/gru.py, line")
    assert results[AFTER].output.startswith("not implemented yet: GRUCell.call_reset_after (rnnlab/gru.py, line")
    assert results[FORWARD].output == "not checked yet: GRUCell must pass 'contract' first"


# Each broken copy: (edits to gru.py, {test: Mistake, (Mistake, fragment) or fragment}, {test: points
# lost}). call (reset_after=False) and call_reset_after are separate methods: a copy can break one of each.
VARIANTS = {
    "flipped update gate + reset before the matmul with reset_after=True": (
        [(UPDATE, "h = (1.0 - z) * h_prev + z * candidate"),
         (CANDIDATE_AFTER, "candidate = self.activation(x_h + ops.matmul(r * h_prev, self.recurrent_kernel[:, 2 * self.units :])"
                           " + self.bias[1][2 * self.units :])")],
        {FORWARD: m.GRU_FLIPPED_UPDATE, AFTER: m.GRU_RESET_BEFORE_WHEN_AFTER},
        {**FORWARD_STAGE, AFTER: 2},
    ),
    "reset after the matmul with reset_after=False + recurrent bias outside the reset": (
        [(CANDIDATE, "candidate = self.activation(x_h + r * ops.matmul(h_prev, self.recurrent_kernel[:, 2 * units :]))"),
         (SPLIT_X_AFTER, "ops.matmul(inputs, self.kernel) + self.bias[0] + self.bias[1], 3, axis=-1)"),
         (SPLIT_H_AFTER, "ops.matmul(h_prev, self.recurrent_kernel), 3, axis=-1)")],
        {FORWARD: m.GRU_RESET_AFTER_MATMUL, AFTER: m.GRU_RECURRENT_BIAS_OUTSIDE_RESET},
        {**FORWARD_STAGE, AFTER: 2},
    ),
    "update and reset swapped + recurrent bias ignored": (
        [(Z_R, Z_R.replace("        z = ", "        q = ").replace("        r = ", "        z = ").replace("        q = ", "        r = ")),
         (SPLIT_H_AFTER, "ops.matmul(h_prev, self.recurrent_kernel), 3, axis=-1)")],
        {FORWARD: m.GRU_UPDATE_RESET_SWAPPED, AFTER: m.GRU_RECURRENT_BIAS_IGNORED},
        {**FORWARD_STAGE, AFTER: 2},
    ),
    "blocks read as z, h, r + bias rows swapped": (
        [(SPLIT_X, SPLIT_X.replace("x_z, x_r, x_h", "x_z, x_h, x_r")),
         (GATES_REC, "gates_recurrent = ops.matmul(h_prev, ops.concatenate("
                     "[self.recurrent_kernel[:, :units], self.recurrent_kernel[:, 2 * units :]], axis=-1))"),
         (CANDIDATE, CANDIDATE.replace("self.recurrent_kernel[:, 2 * units :]", "self.recurrent_kernel[:, units : 2 * units]")),
         (SPLIT_X_AFTER, SPLIT_X_AFTER.replace("bias[0]", "bias[1]")),
         (SPLIT_H_AFTER, SPLIT_H_AFTER.replace("bias[1]", "bias[0]"))],
        {FORWARD: (m.GRU_GATE_ORDER, "as if it cut the weights as `x_z, x_h, x_r`"),
         AFTER: m.GRU_BIAS_ROWS_SWAPPED},
        {**FORWARD_STAGE, AFTER: 2},
    ),
    "sigmoid on the candidate": (
        [(CANDIDATE, CANDIDATE.replace("self.activation(", "self.recurrent_activation("))],
        {FORWARD: m.GRU_SIGMOID_CANDIDATE, GRADS: "must pass 'forward values' first"},
        FORWARD_STAGE,
    ),
    "no reset gate": (
        [(CANDIDATE, CANDIDATE.replace("r * h_prev", "h_prev"))],
        {FORWARD: m.GRU_NO_RESET},
        FORWARD_STAGE,
    ),
    "missing bias": (
        [(SPLIT_X, SPLIT_X.replace(" + self.bias", ""))],
        {FORWARD: m.GRU_MISSING_BIAS},
        FORWARD_STAGE,
    ),
    "input term missing (found by the mutation tester)": (
        [(SPLIT_X, SPLIT_X.replace("ops.matmul(inputs, self.kernel) + ", ""))],
        {FORWARD: m.GRU_NO_INPUT_TERM},
        FORWARD_STAGE,
    ),
    "state not carried": (
        [(RETURN, RETURN.replace("[h]", "[h_prev]"))],
        {FORWARD: m.GRU_STATE_NOT_CARRIED},
        FORWARD_STAGE,
    ),
    "hard-coded activations + not registered": (
        [(Z_R, Z_R.replace("self.recurrent_activation(", "ops.sigmoid(")),
         (CANDIDATE, CANDIDATE.replace("self.activation(", "ops.tanh(")), (DECORATOR, "class GRUCell(")],
        {BUILTIN: m.GRU_HARDCODED_ACTIVATIONS,
         KERAS: (plumbing.NOT_REGISTERED, "decorate it with @keras.saving.register_keras_serializable"),
         BIDI: (plumbing.NOT_REGISTERED, "keras.layers.Bidirectional could not make the backward copy of your GRUCell")},
        {BUILTIN: 1, KERAS: 2, BIDI: 1},
    ),
    "get_config without units + NaN with reset_after=True": (
        [('                "units": self.units,\n', ""), (UPDATE_AFTER, UPDATE_AFTER + " / 0.0")],
        {KERAS: (plumbing.INCOMPLETE_CONFIG, "GRUCell could not be rebuilt from its config"),
         BIDI: (plumbing.INCOMPLETE_CONFIG, "Rebuilding it from get_config() failed (GRUCell.__init__() missing 1 required "
                                     "positional argument: 'units')"),
         AFTER: "contains NaN or inf"},
        {KERAS: 2, BIDI: 1, AFTER: 2},
    ),
}

# One edited equation in each method (issue 17: the mutation tester's caught-but-unnamed mutants):
# GRUCell.call (reset_after=False) and GRUCell.call_reset_after each name their own family.
Z_AFTER = "z = self.recurrent_activation(x_z + h_z)"
EQUATION_EDITS = {
    "update gate through tanh + no recurrent matmul with reset_after=True": (
        [(Z_R, Z_R.replace("z = self.recurrent_activation(", "z = self.activation(")),
         (SPLIT_H_AFTER, "self.bias[1], 3, axis=-1)")],
        {FORWARD: (m.GRU_GATE_TANH, "the update gate z goes through self.activation (tanh by default)"),
         AFTER: m.GRU_NO_RECURRENT_TERM},
    ),
    "reset gate without sigmoid + update gate reads x_r": (
        [(Z_R, Z_R.replace("r = self.recurrent_activation(x_r + gates_recurrent[:, units:])",
                           "r = x_r + gates_recurrent[:, units:]")),
         (Z_AFTER, "z = self.recurrent_activation(x_r + h_z)")],
        {FORWARD: (m.GRU_GATE_NO_SIGMOID, "the reset gate r has no sigmoid"),
         AFTER: (m.GRU_GATE_WRONG_BLOCK, "the update gate z reads x_r, the input block of the reset gate r")},
    ),
    "update gate subtracts its recurrent part + input bias subtracted": (
        [(Z_R, Z_R.replace("x_z + gates_recurrent", "x_z - gates_recurrent")),
         (SPLIT_X_AFTER, SPLIT_X_AFTER.replace("+ self.bias[0]", "- self.bias[0]"))],
        {FORWARD: (m.GRU_GATE_TERM, "the update gate z subtracts its recurrent part"),
         AFTER: (m.GRU_BIAS_WRONG, "the input bias is subtracted: x_t K + b adds `self.bias[0]`")},
    ),
    "candidate without its recurrent part + reset added, not multiplied": (
        [(CANDIDATE, "candidate = self.activation(x_h)"),
         (CANDIDATE_AFTER, "candidate = self.activation(x_h + r + h_h)")],
        {FORWARD: (m.GRU_CANDIDATE_WRONG, "the candidate has no recurrent part (r * h_{t-1}) U_h"),
         AFTER: (m.GRU_RESET_TERM_WRONG, "r and h_h are added: the reset gate multiplies, r * h_h")},
    ),
    "blend keeps r * h_{t-1} + blend uses z twice": (
        [(UPDATE, "h = r * h_prev + (1.0 - z) * candidate"),
         (UPDATE_AFTER, "return z * h_prev + z * candidate")],
        {FORWARD: (m.GRU_BLEND_WRONG, "the reset gate r takes z's place in the kept part, r * h_{t-1}"),
         AFTER: (m.GRU_BLEND_WRONG, "both parts use z: the candidate's share is 1 - z, not z")},
    ),
}
VARIANTS.update({name: (edits, messages, {**FORWARD_STAGE, AFTER: 2}) for name, (edits, messages) in EQUATION_EDITS.items()})
# call's own `return h, [h]` (reset_after=True returns through another line, outside the solution block).
VARIANTS["state negated"] = ([(RETURN, RETURN.replace("return h, [h]", "return h, [-h]"))],
                             {FORWARD: (m.GRU_SIGN, "the state is negated")}, FORWARD_STAGE)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_copy_loses_the_right_points(tmp_path, name):
    edits, messages, points_lost = VARIANTS[name]
    results = grade_folder(make_submission(tmp_path, [(MODULE, old, new) for old, new in edits]), [3])
    assert lost(results) == points_lost, {n: (r.score, r.output) for n, r in results.items() if r.score < r.max_score}
    for test, expected in messages.items():
        check_message(results[test], expected)
    assert not [r for r in results.values() if r.status in ("grader_error", "not_run")], \
        [(n, r.output) for n, r in results.items() if r.status in ("grader_error", "not_run")]


def test_subclassing_keras_gru_cell_scores_zero(tmp_path):
    """Right values from Keras's own GRUCell underneath: nothing for the exercise, and it says why."""
    root = make_submission(tmp_path, [
        (MODULE, "class GRUCell(keras.layers.Layer):", "class GRUCell(keras.layers.GRUCell):"),
        (MODULE, "super().__init__(**kwargs)", "super().__init__(units, **kwargs)")])
    results = grade_folder(root, [3])
    assert sum(r.score for r in results.values()) == 0
    for test in (OWN, CONTRACT, AFTER):
        assert results[test].mistake == plumbing.WRAPS_KERAS_BUILTIN.name, (test, results[test].output)
        assert results[test].output.startswith("GRUCell uses Keras's built-in keras.layers.GRUCell (line ")
    assert all(r.status == "blocked" or r.mistake == plumbing.WRAPS_KERAS_BUILTIN.name for r in results.values())


def test_every_gru_mistake_has_a_broken_copy():
    ours = {value.name for value in vars(m).values() if isinstance(value, Mistake) and value.name.startswith("gru_")}
    exercised = exercised_mistakes(VARIANTS)
    assert ours <= exercised, ours - exercised


# -- the parent-side NumPy references (no TensorFlow) ----------------------------------------------
@pytest.fixture(scope="module")
def lab3():
    return load_fixture(fixture_path(3))


@pytest.mark.parametrize("case_id, switches", [
    ("gru.forward", {}),  # the master
    ("gru.builtin", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),  # Keras, reset_after=False
    ("gru.reset_after", {"reset_after": True, "reset": "after"}),  # Keras's default GRUCell
])
def test_numpy_reference_matches(lab3, case_id, switches):
    case = lab3[case_id]
    outputs, h_last = m.gru(*m._gru_inputs(case.inputs), **switches)
    assert close(outputs, case.expected_arrays["outputs"])
    assert close(h_last, case.expected_arrays["state.0"])


@pytest.mark.parametrize("case_id", ["gru.forward", "gru.builtin", "gru.reset_after"])
def test_no_mistake_variant_equals_the_right_answer(lab3, case_id):
    case = lab3[case_id]
    found = list(m.gru_variants(case.inputs, **case.params["kwargs"]))
    expected = case.expected_arrays["outputs"]
    assert len(found) >= 9
    for mistake, variant in found:
        assert not close(variant, expected), (mistake.name, case_id)
    for index, (first, a) in enumerate(found):
        for second, b in found[index + 1:]:
            assert not close(a, b), (first.message, second.message)


def test_flipped_convention_is_the_same_model_with_the_update_gate_negated(lab3):
    """The notes' h_t = z h~ + (1 - z) h_{t-1} with z's kernel, recurrent kernel and bias negated is
    exactly Keras's GRU: 1 - sigmoid(a) = sigmoid(-a)."""
    inputs = dict(lab3["gru.forward"].inputs)
    units = inputs["w.recurrent_kernel"].shape[0]
    negated = dict(inputs)
    for name in ("w.kernel", "w.recurrent_kernel", "w.bias"):
        weight = inputs[name].copy()
        weight[..., :units] *= -1
        negated[name] = weight
    flipped, _ = m.gru(*m._gru_inputs(negated), flipped=True)
    assert close(flipped, lab3["gru.forward"].expected_arrays["outputs"])

