"""The autograder on Lab 2: full marks for the master (public and hidden cases), zero for the
release, broken copies of the master losing exactly the right points with the right message, a
Keras wrapper scoring nothing, and the NumPy references behind the mistakes agreeing with the
master and with Keras."""

import numpy as np
import pytest
from conftest import LABS, SOLUTIONS
from graderkit import grade_folder, lost, make_submission

from autograder.engine.cases import fixture_path, load_fixture
from autograder.engine.compare import close
from autograder.engine.mistakes import Mistake
from autograder.labs.lab2 import mistakes as m
from autograder.labs.shared import mistakes as plumbing
from autograder.sandbox import static_scan

LAB2_POINTS = 19
BONUS_POINTS = 6  # PeepholeLSTMCell's public points, extra credit above the maximum
MODULE = "lstm.py"

OWN, CONTRACT, FORWARD, GRADS, CONFIG, KERAS, BIDI, BUILTIN = (
    "test_lstm_no_builtin_wrapping", "test_lstm_contract", "test_lstm_forward", "test_lstm_gradients",
    "test_lstm_get_config", "test_lstm_in_keras", "test_lstm_bidirectional", "test_lstm_matches_builtin")
P_OWN, P_CONTRACT, P_FORWARD, P_GRADS, P_KERAS = (
    "test_peephole_no_builtin_wrapping", "test_peephole_contract", "test_peephole_forward",
    "test_peephole_gradients", "test_peephole_in_keras")
POINTS = {OWN: 1, CONTRACT: 2, FORWARD: 3, GRADS: 2, CONFIG: 1, KERAS: 2, BIDI: 1, BUILTIN: 1,
          P_OWN: 1, P_CONTRACT: 1, P_FORWARD: 2, P_GRADS: 1, P_KERAS: 1}
LSTM_TESTS = [OWN, CONTRACT, FORWARD, GRADS, CONFIG, KERAS, BIDI, BUILTIN]
PEEPHOLE_TESTS = [P_OWN, P_CONTRACT, P_FORWARD, P_GRADS, P_KERAS]
# A wrong forward pass loses the forward stage and the four that require it.
LSTM_FORWARD_STAGE = {t: POINTS[t] for t in (FORWARD, GRADS, KERAS, BIDI, BUILTIN)}
PEEPHOLE_FORWARD_STAGE = {t: POINTS[t] for t in (P_FORWARD, P_GRADS, P_KERAS)}

# Lines of the master's solution blocks that the broken copies edit (LSTMCell.call, then
# PeepholeLSTMCell.call, then LSTMCell.get_config).
SPLIT = "z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)\n        i = self.recurrent_activation(z_i)\n"
GATES = ("        i = self.recurrent_activation(z_i)\n        f = self.recurrent_activation(z_f)\n"
         "        g = self.activation(z_g)\n        o = self.recurrent_activation(z_o)\n")
CELL = "c = f * c_prev + i * g\n        h = o * self.activation(c)\n"
RETURN = "        return h, [h, c]\n        # END SOLUTION\n\n    def get_config"
BIAS = "ops.matmul(h_prev, self.recurrent_kernel) + self.bias\n        z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)\n        i = self.recurrent_activation(z_i)\n"
PEEP_I, PEEP_F, PEEP_O = "z_i + self.peephole_i * c_prev", "z_f + self.peephole_f * c_prev", "z_o + self.peephole_o * c)"
DECORATOR = '@keras.saving.register_keras_serializable(package="rnnlab")\nclass LSTMCell('


def test_master_scores_full_marks_public_and_hidden():
    """Hidden cases draw other sizes; their expected values come live from solutions/ and Keras."""
    from autograder.engine import grading
    from autograder.engine.hidden import hidden_cases

    hidden = hidden_cases([2], seed=11)
    assert {case.inputs["x"].shape for case in hidden[2].values() if "x" in case.inputs} != \
        {case.inputs["x"].shape for case in load_fixture(fixture_path(2)).values() if "x" in case.inputs}
    report = grading.grade(SOLUTIONS, {2: load_fixture(fixture_path(2))}, [2], call_timeout=60,
                           hidden_cases_by_lab=hidden)
    # The Keras round trips (tf.function, save/load, Bidirectional) run on the public cases only.
    assert report.score == 2 * LAB2_POINTS - (2 + 1 + 1), \
        [(r.name, r.output) for r in report.results if r.status != "passed"]
    # PeepholeLSTMCell is extra credit: in the score, above the maximum.
    assert {r.test for r in report.results if r.bonus} == set(PEEPHOLE_TESTS)
    assert report.bonus == report.bonus_max == 2 * BONUS_POINTS - 1
    assert report.max_score == report.score - report.bonus == 2 * (LAB2_POINTS - BONUS_POINTS) - (2 + 1)
    assert {r.test for r in report.results} == set(POINTS)
    assert {r.test: r.max_score for r in report.results} == POINTS
    hidden_tests = {r.test for r in report.results if r.hidden}
    assert hidden_tests == {r.test for r in report.results if not r.hidden} - {
        "test_lstm_in_keras", "test_lstm_bidirectional", "test_peephole_in_keras"}


def test_untouched_release_scores_zero_with_not_implemented_messages():
    results = grade_folder(LABS, [2])
    assert sum(r.score for r in results.values()) == 0
    for name, result in results.items():
        assert result.status in ("not_implemented", "blocked"), (name, result.status, result.output)
        assert "Traceback" not in result.output and "Exception encountered" not in result.output
    # Each exercise says which method to fill in, and where.
    for test in (OWN, CONTRACT):
        assert results[test].output.startswith("not implemented yet: LSTMCell.call (rnnlab/lstm.py, line")
    assert results[CONFIG].output.startswith("not implemented yet: LSTMCell.get_config (rnnlab/lstm.py")
    assert results[P_CONTRACT].output.startswith("not implemented yet: PeepholeLSTMCell.call (rnnlab/lstm.py")
    assert results[FORWARD].output == "not checked yet: LSTMCell must pass 'contract' first"
    assert results[KERAS].status == results[BIDI].status == results[P_KERAS].status == "blocked"


# Each broken copy: (edits to lstm.py, {test: the Mistake it names, or a fragment of its message},
# {test: points lost}). LSTMCell.call and PeepholeLSTMCell.call are separate methods, so a copy can
# break one of each.
VARIANTS = {
    "input/forget swapped + no peepholes": (
        [(SPLIT, SPLIT.replace("z_i, z_f, z_g", "z_f, z_i, z_g")),
         (PEEP_I, "z_i"), (PEEP_F, "z_f"), (PEEP_O, "z_o)")],
        {FORWARD: m.LSTM_INPUT_FORGET_SWAPPED, P_FORWARD: m.PEEPHOLE_MISSING,
         GRADS: "must pass 'forward values' first"},
        {**LSTM_FORWARD_STAGE, **PEEPHOLE_FORWARD_STAGE},
    ),
    "gate order i, f, o, c + output gate peeks at the old memory": (
        [(SPLIT, SPLIT.replace("z_i, z_f, z_g, z_o", "z_i, z_f, z_o, z_g")), (PEEP_O, "z_o + self.peephole_o * c_prev)")],
        {FORWARD: (m.LSTM_GATE_ORDER, "as if it split z as `z_i, z_f, z_o, z_g = ops.split(z, 4, axis=-1)`"),
         P_FORWARD: m.PEEPHOLE_OUTPUT_OLD_CELL},
        {**LSTM_FORWARD_STAGE, **PEEPHOLE_FORWARD_STAGE},
    ),
    "sigmoid on the candidate + peepholes i and f swapped": (
        [(GATES, GATES.replace("g = self.activation(z_g)", "g = self.recurrent_activation(z_g)")),
         (PEEP_I, "z_i + self.peephole_f * c_prev"), (PEEP_F, "z_f + self.peephole_i * c_prev")],
        {FORWARD: m.LSTM_SIGMOID_CANDIDATE, P_FORWARD: m.PEEPHOLE_SWAPPED},
        {**LSTM_FORWARD_STAGE, **PEEPHOLE_FORWARD_STAGE},
    ),
    "h = o * c + get_config hard-codes unit_forget_bias": (
        [(CELL, "c = f * c_prev + i * g\n        h = o * c\n"),
         ('"unit_forget_bias": self.unit_forget_bias,', '"unit_forget_bias": True,')],
        {FORWARD: m.LSTM_NO_OUTPUT_TANH, CONFIG: (plumbing.INCOMPLETE_CONFIG, "unit_forget_bias is True, not False")},
        {**LSTM_FORWARD_STAGE, CONFIG: 1},
    ),
    "forget gate on h + not registered": (
        [(CELL, "c = f * h_prev + i * g\n        h = o * self.activation(c)\n"), (DECORATOR, "class LSTMCell(")],
        {FORWARD: m.LSTM_FORGET_ON_HIDDEN, CONFIG: plumbing.NOT_REGISTERED},
        {**LSTM_FORWARD_STAGE, CONFIG: 1},
    ),
    "output uses c_{t-1} + get_config with a key __init__ does not take": (
        [(CELL, "c = f * c_prev + i * g\n        h = o * self.activation(c_prev)\n"),
         ('"unit_forget_bias": self.unit_forget_bias,', '"unit_forget_bias": self.unit_forget_bias, "forget_bias": 1.0,')],
        {FORWARD: m.LSTM_OUTPUT_OLD_CELL,
         CONFIG: (plumbing.INCOMPLETE_CONFIG, "LSTMCell.from_config(cell.get_config()) fails: TypeError: Unrecognized keyword"),
         P_KERAS: (plumbing.INCOMPLETE_CONFIG, "PeepholeLSTMCell could not be rebuilt from its config")},
        {**LSTM_FORWARD_STAGE, CONFIG: 1, P_KERAS: 1},  # the peephole cell inherits get_config
    ),
    "states swapped + get_config without units": (
        [(RETURN, RETURN.replace("[h, c]", "[c, h]")), ('                "units": self.units,\n', "")],
        {FORWARD: m.LSTM_STATES_SWAPPED, CONFIG: (plumbing.INCOMPLETE_CONFIG, "get_config leaves out ['units']"),
         P_KERAS: (plumbing.INCOMPLETE_CONFIG, "PeepholeLSTMCell could not be rebuilt from its config")},
        {**LSTM_FORWARD_STAGE, CONFIG: 1, P_KERAS: 1},
    ),
    "output is the cell state": (
        [(RETURN, RETURN.replace("return h, [h, c]", "return c, [h, c]"))],
        {FORWARD: m.LSTM_OUTPUT_IS_CELL},
        LSTM_FORWARD_STAGE,
    ),
    "missing bias": (
        [(BIAS, BIAS.replace(" + self.bias\n", "\n"))],
        {FORWARD: m.LSTM_MISSING_BIAS},
        LSTM_FORWARD_STAGE,
    ),
    "states not carried": (
        [(RETURN, RETURN.replace("[h, c]", "[h_prev, c_prev]"))],
        {FORWARD: m.LSTM_STATE_NOT_CARRIED},
        LSTM_FORWARD_STAGE,
    ),
    "hard-coded sigmoid and tanh": (
        [(GATES, GATES.replace("self.recurrent_activation(", "ops.sigmoid(").replace("self.activation(", "ops.tanh(")),
         (CELL, CELL.replace("self.activation(c)", "ops.tanh(c)"))],
        {BUILTIN: m.LSTM_HARDCODED_ACTIVATIONS},
        {BUILTIN: 1},
    ),
    # Found by the mutation tester (python -m autograder mutants): caught, but not named before.
    "input term missing": (
        [("z = ops.matmul(inputs, self.kernel) + " + BIAS, "z = " + BIAS)],
        {FORWARD: m.LSTM_NO_INPUT_TERM}, LSTM_FORWARD_STAGE,
    ),
    "recurrent term missing": (
        [(BIAS, BIAS.replace("ops.matmul(h_prev, self.recurrent_kernel) + ", ""))],
        {FORWARD: m.LSTM_NO_RECURRENT_TERM}, LSTM_FORWARD_STAGE,
    ),
}

# One edited equation in each cell (issue 17: the mutation tester's caught-but-unnamed mutants). The
# two cells are separate methods: each copy breaks one equation of LSTMCell.call and one of
# PeepholeLSTMCell.call, and each test names its own family, with the message for that instance.
Z_LINE = "z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias\n"
LSTM_Z = Z_LINE + "        z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)\n        i = self.recurrent_activation(z_i)\n"
P_CELL = "c = f * c_prev + i * self.activation(z_g)"
P_OUT = "o = self.recurrent_activation(z_o + self.peephole_o * c)\n        h = o * self.activation(c)\n        return h, [h, c]"
BOTH = {**LSTM_FORWARD_STAGE, **PEEPHOLE_FORWARD_STAGE}


def _z(new):
    return (LSTM_Z, LSTM_Z.replace(Z_LINE, f"z = {new}\n"))


EQUATION_EDITS = {
    "input gate through tanh + input gate without its peephole": (
        [(GATES, GATES.replace("i = self.recurrent_activation(z_i)", "i = self.activation(z_i)")), (PEEP_I, "z_i")],
        {FORWARD: (m.LSTM_GATE_TANH, "the input gate i goes through self.activation (tanh by default)"),
         P_FORWARD: (m.PEEPHOLE_TERM_MISSING, "the input gate i has no peephole: i = sigmoid(z_i + p_i * c_{t-1})")},
    ),
    "forget gate without sigmoid + forget gate without its block": (
        [(GATES, GATES.replace("f = self.recurrent_activation(z_f)", "f = z_f")), (PEEP_F, "self.peephole_f * c_prev")],
        {FORWARD: (m.LSTM_GATE_NO_SIGMOID, "the forget gate f has no sigmoid: f = sigmoid(z_f)"),
         P_FORWARD: (m.PEEPHOLE_WITHOUT_BLOCK, "the forget gate f sees only its peephole")},
    ),
    "candidate without tanh + output peephole multiplied": (
        [(GATES, GATES.replace("g = self.activation(z_g)", "g = z_g")), (PEEP_O, "z_o * self.peephole_o * c)")],
        {FORWARD: m.LSTM_CANDIDATE_NO_TANH,
         P_FORWARD: (m.PEEPHOLE_TERM_MULTIPLIED, "the output gate o multiplies z_o by its peephole term")},
    ),
    "sigmoid of the cell state in h + input peephole subtracted": (
        [(CELL, CELL.replace("self.activation(c)", "self.recurrent_activation(c)")),
         (PEEP_I, "z_i - self.peephole_i * c_prev")],
        {FORWARD: m.LSTM_OUTPUT_SIGMOID, P_FORWARD: (m.PEEPHOLE_TERM_SUBTRACTED, "the input gate i subtracts")},
    ),
    "output gate reads z_g + forget peephole without its weight": (
        [(GATES, GATES.replace("o = self.recurrent_activation(z_o)", "o = self.recurrent_activation(z_g)")),
         (PEEP_F, "z_f + c_prev")],
        {FORWARD: (m.LSTM_GATE_WRONG_BLOCK, "the output gate o reads z_g, the block of the candidate g"),
         P_FORWARD: (m.PEEPHOLE_WITHOUT_WEIGHT, "the forget gate f adds c_{t-1} without its weight")},
    ),
    "recurrent term subtracted + output peephole without the state": (
        [_z("ops.matmul(inputs, self.kernel) - ops.matmul(h_prev, self.recurrent_kernel) + self.bias"),
         (PEEP_O, "z_o + self.peephole_o)")],
        {FORWARD: m.LSTM_RECURRENT_SUBTRACTED,
         P_FORWARD: (m.PEEPHOLE_WITHOUT_STATE, "the output gate o adds the weight p_o without the cell state")},
    ),
    "bias subtracted + weight and state added": (
        [_z("ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) - self.bias"),
         (PEEP_I, "z_i + self.peephole_i + c_prev")],
        {FORWARD: m.LSTM_BIAS_SUBTRACTED,
         P_FORWARD: (m.PEEPHOLE_ADDED_NOT_MULTIPLIED, "the input gate i adds p_i and c_{t-1}")},
    ),
    "matmuls multiplied + forget peephole on h": (
        [_z("ops.matmul(inputs, self.kernel) * ops.matmul(h_prev, self.recurrent_kernel) + self.bias"),
         (PEEP_F, "z_f + self.peephole_f * h_prev")],
        {FORWARD: (m.LSTM_TERMS_MULTIPLIED, "x_t K and h_{t-1} U are multiplied"),
         P_FORWARD: (m.PEEPHOLE_ON_HIDDEN, "the forget gate f's peephole looks at the hidden state h_{t-1}")},
    ),
    "z is the bias alone + output gate with peephole_i": (
        [_z("self.bias"), (PEEP_O, "z_o + self.peephole_i * c)")],
        {FORWARD: m.LSTM_ONLY_BIAS,
         P_FORWARD: (m.PEEPHOLE_WRONG_WEIGHT, "the output gate o uses self.peephole_i")},
    ),
    "recurrent matmul on c + memory update without the input gate": (
        [_z("ops.matmul(inputs, self.kernel) + ops.matmul(c_prev, self.recurrent_kernel) + self.bias"),
         (P_CELL, "c = f * c_prev + self.activation(z_g)")],
        {FORWARD: m.LSTM_RECURRENT_ON_CELL,
         P_FORWARD: (m.LSTM_CELL_UPDATE, "the input gate is missing, the candidate g is written whole")},
    ),
    "memory update without i * g + output gate missing": (
        [(CELL, CELL.replace("c = f * c_prev + i * g", "c = f * c_prev")),
         (P_OUT, P_OUT.replace("h = o * self.activation(c)", "h = self.activation(c)"))],
        {FORWARD: (m.LSTM_CELL_UPDATE, "the memory update leaves out what is written, i * g"),
         P_FORWARD: (m.LSTM_OUTPUT_WRONG, "the output gate is missing: h_t = o * tanh(c_t)")},
    ),
    "output negated + cell state negated": (
        [(RETURN, RETURN.replace("return h, [h, c]", "return -h, [h, c]")),
         (P_OUT, P_OUT.replace("return h, [h, c]", "return h, [h, -c]"))],
        {FORWARD: (m.LSTM_SIGN, "the output is negated"), P_FORWARD: (m.LSTM_SIGN, "the cell state is negated")},
    ),
}
VARIANTS.update({name: (edits, messages, BOTH) for name, (edits, messages) in EQUATION_EDITS.items()})


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_copy_loses_the_right_points(tmp_path, name):
    edits, messages, points_lost = VARIANTS[name]
    results = grade_folder(make_submission(tmp_path, [(MODULE, old, new) for old, new in edits]), [2])
    assert lost(results) == points_lost, {n: (r.score, r.output) for n, r in results.items() if r.score < r.max_score}
    for test, expected in messages.items():
        check_message(results[test], expected)
    assert not [r for r in results.values() if r.status in ("grader_error", "not_run")], \
        [(n, r.output) for n, r in results.items() if r.status in ("grader_error", "not_run")]


def check_message(result, expected):
    """``expected``: a catalogued Mistake (named, with its advice), (Mistake, fragment), or a fragment."""
    mistake, fragment = expected if isinstance(expected, tuple) else (
        (expected, expected.message) if isinstance(expected, Mistake) else (None, expected))
    if mistake is not None:
        assert result.mistake == mistake.name, (result.test, result.mistake, result.output)
    assert fragment in result.output, (result.test, result.output)


def exercised_mistakes(variants):
    names = set()
    for _, messages, _ in variants.values():
        for expected in messages.values():
            mistake = expected[0] if isinstance(expected, tuple) else expected
            if isinstance(mistake, Mistake):
                names.add(mistake.name)
    return names


# -- wrapping a Keras built-in earns nothing for that exercise -------------------------------------
def test_subclassing_the_keras_cell_scores_zero_on_both_exercises(tmp_path):
    """Correct values, but LSTMCell is keras.layers.LSTMCell underneath (and the peephole cell builds
    on it): the static scan names the line, the runtime probe the subclass. Every test that runs says
    so; the later stages wait for the contract."""
    root = make_submission(tmp_path, [
        (MODULE, "class LSTMCell(keras.layers.Layer):", "class LSTMCell(keras.layers.LSTMCell):"),
        (MODULE, "super().__init__(**kwargs)", "super().__init__(units, **kwargs)")])
    results = grade_folder(root, [2])
    assert sum(r.score for r in results.values()) == 0
    for test in LSTM_TESTS + PEEPHOLE_TESTS:
        result = results[test]
        assert result.status == "blocked" or result.mistake == plumbing.WRAPS_KERAS_BUILTIN.name, (test, result.output)
    for test in (OWN, CONTRACT, CONFIG, P_OWN, P_CONTRACT):
        assert results[test].mistake == plumbing.WRAPS_KERAS_BUILTIN.name and "earns no points for it" in results[test].output
    assert results[OWN].output.startswith("LSTMCell uses Keras's built-in keras.layers.LSTMCell (line ")
    assert "LSTMCell subclasses keras.layers.LSTMCell" in results[OWN].output
    assert results[P_OWN].output.startswith("PeepholeLSTMCell uses Keras's built-in keras.layers.LSTMCell (line ")


def test_a_wrapper_the_static_scan_cannot_see_is_caught_at_run_time(tmp_path):
    """A Keras cell fetched with getattr and a computed name, built in build() and called in call():
    invisible to ast, seen by the probe (the peephole cell inherits build, so it holds one too)."""
    root = make_submission(tmp_path, [
        (MODULE, "        self.built = True\n",
         "        self.inner = getattr(keras.layers, \"LSTM\" + \"Cell\")(self.units)\n"
         "        self.inner.build(input_shape)\n        self.built = True\n"),
        (MODULE, RETURN, RETURN.replace("return h, [h, c]", "h, (h, c) = self.inner(inputs, [h_prev, c_prev])\n"
                                                          "        return h, [h, c]"))])
    assert static_scan.scan_class(root / "rnnlab", "lstm", "LSTMCell") == []
    results = grade_folder(root, [2])
    assert sum(r.score for r in results.values()) == 0
    assert results[OWN].output.startswith("LSTMCell holds a keras.layers.LSTMCell: this exercise asks you")
    assert results[P_OWN].output.startswith("PeepholeLSTMCell holds a keras.layers.LSTMCell")
    for test in (OWN, CONTRACT, CONFIG, P_OWN, P_CONTRACT):
        assert results[test].mistake == plumbing.WRAPS_KERAS_BUILTIN.name, (test, results[test].output)


WRAPPERS = {
    "attribute": ("import keras\nclass LSTMCell(keras.layers.Layer):\n    def build(self, s):\n"
                  "        self.inner = keras.layers.LSTMCell(4)\n", ["keras.layers.LSTMCell"]),
    "imported name": ("from keras.layers import LSTM as L\nclass LSTMCell:\n    def call(self, x):\n        return L(3)(x)\n",
                      ["L = keras.layers.LSTM"]),
    "tf.keras base class": ("import tensorflow as tf\nclass LSTMCell(tf.keras.layers.LSTMCell):\n    pass\n",
                            ["tf.keras.layers.LSTMCell = tensorflow.keras.layers.LSTMCell"]),
    "module-level alias": ("import keras\nBase = keras.layers.GRUCell\nclass LSTMCell(Base):\n    pass\n",
                           ["keras.layers.GRUCell"]),
    "helper function": ("from keras import layers\ndef make(n):\n    return layers.SimpleRNNCell(n)\n"
                        "class LSTMCell:\n    def build(self, s):\n        self.c = make(3)\n",
                        ["layers.SimpleRNNCell = keras.layers.SimpleRNNCell"]),
    "backend function": ("from keras.src.backend.tensorflow import rnn\nclass LSTMCell:\n"
                         "    def call(self, x):\n        return rnn.lstm(x)\n", ["rnn.lstm = keras.src.backend.tensorflow.rnn.lstm"]),
}


@pytest.mark.parametrize("name", list(WRAPPERS))
def test_static_scan_finds_builtins_through_aliases(tmp_path, name):
    source, names = WRAPPERS[name]
    (tmp_path / "lstm.py").write_text(source)
    assert [finding.name for finding in static_scan.scan_class(tmp_path, "lstm", "LSTMCell")] == names


def test_static_scan_follows_imports_from_other_rnnlab_modules(tmp_path):
    (tmp_path / "gru.py").write_text("import keras\nclass Helper(keras.layers.GRUCell):\n    pass\n")
    (tmp_path / "lstm.py").write_text("from .gru import Helper\nclass LSTMCell(Helper):\n    pass\n")
    findings = static_scan.scan_class(tmp_path, "lstm", "LSTMCell")
    assert [(f.name, f.via) for f in findings] == [("keras.layers.GRUCell", "class Helper in rnnlab/gru.py")]


def test_static_scan_is_quiet_on_own_code_and_unparsable_files(tmp_path):
    for root in (SOLUTIONS, LABS):
        for module, cls in (("lstm", "LSTMCell"), ("lstm", "PeepholeLSTMCell"), ("gru", "GRUCell"),
                            ("simple_rnn", "SimpleRNNCell")):
            assert static_scan.scan_class(root / "rnnlab", module, cls) == [], (root, cls)
    # Names in strings and docstrings, and a student's own class called LSTM, are not built-ins.
    (tmp_path / "lstm.py").write_text('"""keras.layers.LSTMCell"""\nclass LSTM:\n    pass\n'
                                      'class LSTMCell(LSTM):\n    kind = "keras.layers.LSTM"\n')
    assert static_scan.scan_class(tmp_path, "lstm", "LSTMCell") == []
    (tmp_path / "gru.py").write_text("class GRUCell(:\n")
    assert static_scan.scan_class(tmp_path, "gru", "GRUCell") == []
    assert static_scan.scan_class(tmp_path, "missing", "GRUCell") == []


# -- the parent-side NumPy references (no TensorFlow) ----------------------------------------------
@pytest.fixture(scope="module")
def lab2():
    return load_fixture(fixture_path(2))


def test_numpy_references_match_the_master_and_keras(lab2):
    forward = lab2["lstm.forward"]
    outputs, (h, c) = m.lstm(*m._lstm_inputs(forward.inputs))
    assert close(outputs, forward.expected_arrays["outputs"])
    assert close(h, forward.expected_arrays["state.0"]) and close(c, forward.expected_arrays["state.1"])
    builtin = lab2["lstm.builtin"]  # expected values from keras.layers.LSTMCell
    assert close(m.lstm(*m._lstm_inputs(builtin.inputs), activation="relu", recurrent_activation="hard_sigmoid")[0],
                 builtin.expected_arrays["outputs"])
    peephole = lab2["peephole.forward"]
    assert close(m.peephole_lstm(peephole.inputs)[0], peephole.expected_arrays["outputs"])


@pytest.mark.parametrize("case_id", ["lstm.forward", "lstm.builtin", "peephole.forward"])
def test_no_mistake_variant_equals_the_right_answer(lab2, case_id):
    case = lab2[case_id]
    if case_id.startswith("peephole"):
        found = list(m.peephole_variants(case.inputs))
    else:
        found = list(m.lstm_variants(case.inputs, **{k: v for k, v in case.params.get("kwargs", {}).items()}))
    expected = case.expected_arrays["outputs"]
    assert len(found) >= 8
    for mistake, variant in found:
        assert not close(variant, expected), (mistake.name, case_id)
    # Told apart from each other too, so the message names the right one.
    for index, (first, a) in enumerate(found):
        for second, b in found[index + 1:]:
            assert not close(a, b), (first.message, second.message)


def test_forget_bias_starts_at_one(lab2):
    units = lab2["lstm.contract"].params["units"]
    bias = lab2["lstm.contract"].expected_arrays["init.bias"]
    assert np.array_equal(bias, np.concatenate([np.zeros(units), np.ones(units), np.zeros(2 * units)]))


def test_master_peephole_cell_matches_numpy_on_fresh_shapes():
    """The bonus cell has no Keras twin: the master is cross-checked against NumPy here."""
    import tensorflow as tf
    from rnnlab.lstm import PeepholeLSTMCell

    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 9, 3)).astype("float32")
    cell = PeepholeLSTMCell(6)
    outputs = tf.keras.layers.RNN(cell, return_sequences=True)(x)
    weights = {f"w.{w.name}": w.numpy() for w in cell.weights}
    assert sorted(weights) == ["w.bias", "w.kernel", "w.peephole_f", "w.peephole_i", "w.peephole_o", "w.recurrent_kernel"]
    reference, _ = m.peephole_lstm({"x": x, **weights})
    assert np.allclose(outputs.numpy(), reference, rtol=1e-5, atol=1e-6)


def test_every_gated_lstm_mistake_has_a_broken_copy():
    """Each catalogued LSTM, peephole and get_config mistake is named by a broken copy above (the
    GRU's, and the registration message of Bidirectional, in test_grader_lab3.py)."""
    exercised = exercised_mistakes(VARIANTS) | {plumbing.WRAPS_KERAS_BUILTIN.name}  # the wrapper tests above
    ours = {value.name for value in vars(m).values() if isinstance(value, Mistake)
            and value.name.startswith(("lstm_", "peephole_"))} | {plumbing.NOT_REGISTERED.name, plumbing.INCOMPLETE_CONFIG.name}
    assert ours <= exercised, ours - exercised

