"""The NumPy reference cells (``autograder/labs/shared/reference.py``) agree with the master.

Every named mistake of Labs 2 and 3 is a switch on these references, so a reference in another
convention than the master's would compute every variant wrong, and could tell a correct
submission that it made a mistake. No TensorFlow here: this is the grader's parent-side maths.
"""

import pytest

from autograder.engine.cases import fixture_path, load_fixture
from autograder.engine.compare import close
from autograder.labs.lab2 import mistakes as lstm_mistakes
from autograder.labs.lab3 import mistakes as gru_mistakes
from autograder.labs.shared import reference

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
