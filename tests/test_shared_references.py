"""The NumPy reference cells (``autograder/labs/shared/reference.py``) and the cells' tables of
equations (``equations.py``) agree with the master.

Every named mistake of Labs 2 and 3 is a switch on these references, so a reference in another
convention than the master's would compute every variant wrong, and could tell a correct
submission that it made a mistake. No TensorFlow here: this is the grader's parent-side maths.
"""

import numpy as np
import pytest

from autograder.engine.cases import fixture_path, load_fixture, make_cases
from autograder.engine.compare import check_array, close
from autograder.engine.feedback import Feedback
from autograder.engine.mistakes import Mistake
from autograder.labs.lab1 import mistakes as simple_mistakes
from autograder.labs.lab2 import mistakes as lstm_mistakes
from autograder.labs.lab3 import mistakes as gru_mistakes
from autograder.labs.shared import equations, reference

LSTM_CASES = ["lstm.forward", "lstm.builtin", "peephole.forward"]
GRU_CASES = ["gru.forward", "gru.builtin", "gru.reset_after"]


@pytest.fixture(scope="module")
def fixtures():
    return {**load_fixture(fixture_path(2)), **load_fixture(fixture_path(3))}


def _kwargs(case):
    kwargs = dict(case.params.get("kwargs", {}))
    return {k: kwargs[k] for k in ("activation", "recurrent_activation", "reset_after") if k in kwargs}


def _lstm(case):
    i = case.inputs
    peepholes = tuple(i[f"w.peephole_{g}"] for g in "ifo") if "w.peephole_i" in i else None
    return reference.lstm(i["x"], i["w.kernel"], i["w.recurrent_kernel"], i["w.bias"], i["h0.0"], i["h0.1"],
                          peepholes=peepholes, **_kwargs(case))


def _gru(case):
    i = case.inputs
    return reference.gru(i["x"], i["w.kernel"], i["w.recurrent_kernel"], i["w.bias"], i["h0.0"], **_kwargs(case))


@pytest.mark.parametrize("case_id", LSTM_CASES)
def test_lstm_reference_matches_the_master(fixtures, case_id):
    case = fixtures[case_id]
    outputs, (h, c) = _lstm(case)
    assert close(outputs, case.expected_arrays["outputs"])
    assert close(h, case.expected_arrays["state.0"]) and close(c, case.expected_arrays["state.1"])


@pytest.mark.parametrize("case_id", GRU_CASES)
def test_gru_reference_matches_the_master(fixtures, case_id):
    case = fixtures[case_id]
    outputs, h = _gru(case)
    assert close(outputs, case.expected_arrays["outputs"]) and close(h, case.expected_arrays["state.0"])


@pytest.mark.parametrize("case_id", LSTM_CASES + GRU_CASES)
def test_no_mistake_variant_equals_the_right_answer(fixtures, case_id):
    """A variant that equals the master's output would name a mistake on a correct submission."""
    case = fixtures[case_id]
    kwargs = _kwargs(case)
    if case_id.startswith("peephole"):
        variants = lstm_mistakes.peephole_variants(case.inputs)
    elif case_id.startswith("lstm"):
        variants = lstm_mistakes.lstm_variants(case.inputs, **kwargs)
    else:
        variants = gru_mistakes.gru_variants(case.inputs, **kwargs)
    assert variants
    same = [mistake.name for mistake, variant in variants if close(variant, case.expected_arrays["outputs"])]
    assert same == [], f"{case_id}: these variants equal the right answer: {same}"


# -- the cells as tables of equations (labs/shared/equations.py): what the one-edit mistakes edit --

TABLES = {
    "simple_rnn.forward": (equations.SIMPLE_RNN, equations.SIMPLE_RNN_STATES),
    "simple_rnn.builtin": (equations.SIMPLE_RNN, equations.SIMPLE_RNN_STATES),
    "lstm.forward": (equations.LSTM, equations.LSTM_STATES),
    "lstm.builtin": (equations.LSTM, equations.LSTM_STATES),
    "peephole.forward": (equations.PEEPHOLE_LSTM, equations.LSTM_STATES),
    "gru.forward": (equations.GRU, equations.GRU_STATES),
    "gru.builtin": (equations.GRU, equations.GRU_STATES),
    "gru.reset_after": (equations.GRU_RESET_AFTER, equations.GRU_STATES),
}


@pytest.fixture(scope="module")
def cell_fixtures():
    return {**load_fixture(fixture_path(1)), **load_fixture(fixture_path(2)), **load_fixture(fixture_path(3))}


def _run_table(case_id, inputs, kwargs, edits=None):
    table, states = TABLES[case_id]
    weights = {key[2:]: value for key, value in inputs.items() if key.startswith("w.")}
    initial = [inputs.get(f"h0.{index}") for index in range(len(states))]
    acts = {k: kwargs[k] for k in ("activation", "recurrent_activation") if k in kwargs}
    return equations.run(table, states, inputs["x"], weights, initial, edits=edits, **acts)


@pytest.mark.parametrize("case_id", list(TABLES))
def test_every_equation_table_computes_what_the_master_computes(cell_fixtures, case_id):
    case = cell_fixtures[case_id]
    outputs, states = _run_table(case_id, case.inputs, case.params.get("kwargs", {}))
    assert close(outputs, case.expected_arrays["outputs"])
    for index, state in enumerate(states):
        assert close(state, case.expected_arrays[f"state.{index}"]), (case_id, index)


def test_an_edit_of_an_equation_the_table_lacks_is_an_error(cell_fixtures):
    with pytest.raises(KeyError, match="not in the table"):
        _run_table("lstm.forward", cell_fixtures["lstm.forward"].inputs, {}, edits={"c_new": lambda v: v.c})


def test_an_edit_changes_only_its_equation(cell_fixtures):
    """c = f * c_{t-1} (the input part forgotten), by hand from the same gates, step by step."""
    inputs = cell_fixtures["lstm.forward"].inputs
    edited, (h, c) = _run_table("lstm.forward", inputs, {}, edits={"c": lambda v: v.f * v.c_prev})
    sigmoid = reference.ACTS["sigmoid"]
    h_prev, c_prev = inputs["h0.0"].astype(float), inputs["h0.1"].astype(float)
    for t in range(inputs["x"].shape[1]):
        z = inputs["x"][:, t] @ inputs["w.kernel"] + h_prev @ inputs["w.recurrent_kernel"] + inputs["w.bias"]
        _, f, _, o = np.split(z, 4, axis=-1)
        c_prev = sigmoid(f) * c_prev
        h_prev = sigmoid(o) * np.tanh(c_prev)
        assert close(edited[:, t], h_prev)
    assert close(h, h_prev) and close(c, c_prev)


def _hidden_variants(lab, seed):
    """(case id, right outputs, variants) for the forward cases of a hidden draw (other sizes and
    seeds than the fixtures'), the right outputs from the equation tables (checked above)."""
    found = []
    for case in make_cases(lab, np.random.default_rng(seed), hidden=True):
        if case.id not in TABLES or case.id.endswith("builtin"):
            continue
        kwargs = case.params.get("kwargs", {})
        right, _ = _run_table(case.id, case.inputs, kwargs)
        if case.id.startswith("simple_rnn"):
            variants = simple_mistakes.simple_rnn_variants(case.inputs)
        elif case.id.startswith("peephole"):
            variants = lstm_mistakes.peephole_variants(case.inputs)
        elif case.id.startswith("lstm"):
            variants = lstm_mistakes.lstm_variants(case.inputs)
        else:
            variants = gru_mistakes.gru_variants(case.inputs, reset_after=kwargs.get("reset_after", False))
        found.append((case.id, right, variants))
    return found


@pytest.mark.parametrize("lab, seed", [(1, 3), (2, 3), (2, 4), (3, 3), (3, 4)])
def test_no_variant_equals_the_right_answer_on_hidden_sizes(lab, seed):
    """Hidden cases draw other sizes: a variant that equals the truth there would name a mistake
    on a correct submission."""
    found = _hidden_variants(lab, seed)
    assert found
    for case_id, right, variants in found:
        same = [mistake.message for mistake, variant in variants if close(variant, right)]
        assert same == [], (case_id, same)


def test_every_family_name_is_catalogued():
    """A family's instances carry their own messages under the catalogued family's stable name."""
    for module, tables in ((simple_mistakes, [simple_mistakes.SIMPLE_RNN_EDITS]),
                           (lstm_mistakes, [lstm_mistakes.LSTM_EDITS, lstm_mistakes.PEEPHOLE_EDITS]),
                           (gru_mistakes, [gru_mistakes.gru_edits(False), gru_mistakes.gru_edits(True)])):
        for table in tables:
            for mistake, edits in table:
                assert isinstance(mistake, Mistake) and mistake.name in module.CATALOGUE, mistake
                assert edits, mistake.name


def test_variants_are_computed_only_for_a_wrong_array_and_only_up_to_the_first_match(cell_fixtures):
    case = cell_fixtures["lstm.forward"]
    expected = case.expected_arrays["outputs"]
    computed = []

    def variants():
        for mistake, variant in lstm_mistakes.lstm_variants(case.inputs):
            computed.append(mistake.name)
            yield mistake, variant

    check_array(expected, expected, "outputs", mistakes=variants)  # right: nothing computed
    assert computed == []
    no_sigmoid = _run_table("lstm.forward", case.inputs, {}, edits={"f": lambda v: v.pre_f})[0]
    with pytest.raises(Feedback) as raised:
        check_array(no_sigmoid, expected, "outputs", mistakes=variants)
    assert raised.value.mistake == lstm_mistakes.LSTM_GATE_NO_SIGMOID.name
    assert "the forget gate f has no sigmoid" in raised.value.message
    assert computed[-1] == lstm_mistakes.LSTM_GATE_NO_SIGMOID.name
    assert len(computed) < len(list(lstm_mistakes.lstm_variants(case.inputs)))
