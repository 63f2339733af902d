"""The autograder on Lab 6: full marks for the master (public and hidden cases), zero for the
untouched release with "not implemented yet", and broken copies of the master losing exactly the
right points with the right message.

TEMPLATE (from ``python -m autograder new-lab``). For every mistake you add to
``autograder/labs/lab6/mistakes.py``, add a broken copy to ``VARIANTS``: the edit to the master
(it must match exactly once), the message or ``Mistake`` each failing test must show, and the
points each test loses. Run with ``python -m pytest tests/test_grader_lab6.py -q``.
"""

import pytest
from conftest import LABS, SOLUTIONS
from graderkit import grade_folder, lost, make_submission

from autograder.labs.lab6 import mistakes as m
from autograder.engine.cases import fixture_path, load_fixture
from autograder.engine.compare import close

LAB = 6
MODULE = "charmodel.py"
FORWARD, ZERO_STATE, GRADIENTS = ("test_linear_recurrence_forward", "test_linear_recurrence_zero_state",
                                  "test_linear_recurrence_gradients")
POINTS = {FORWARD: 2, ZERO_STATE: 1, GRADIENTS: 1}

# The master's solution line that the broken copies edit.
STEP = "state = ops.matmul(state, w) + x[:, step, :]"


def test_master_scores_full_marks():
    results = grade_folder(SOLUTIONS, [LAB])
    assert lost(results) == {}, {n: r.output for n, r in results.items() if r.status != "passed"}
    assert {name: r.max_score for name, r in results.items()} == POINTS


def test_master_passes_hidden_cases():
    """Hidden cases draw other sizes; their expected values come live from solutions/."""
    from autograder.engine import grading
    from autograder.engine.hidden import hidden_cases

    public = load_fixture(fixture_path(LAB))
    hidden = hidden_cases([LAB], seed=7)
    assert hidden[LAB].keys() == public.keys()
    report = grading.grade(SOLUTIONS, {LAB: public}, [LAB], call_timeout=60, hidden_cases_by_lab=hidden)
    assert report.score == report.max_score == 2 * sum(POINTS.values()), \
        [(r.name, r.output) for r in report.results if r.status != "passed"]


def test_untouched_release_scores_zero_with_not_implemented_messages():
    results = grade_folder(LABS, [LAB])
    assert sum(r.score for r in results.values()) == 0
    for name, result in results.items():
        assert result.status == "not_implemented", (name, result.status, result.output)
        assert result.output.startswith("not implemented yet: linear_recurrence (rnnlab/charmodel.py"), result.output


# name: (edits to the master, {test: the Mistake it names, or a fragment of its message}, {test: points lost})
VARIANTS = {
    "W transposed": (
        [(STEP, "state = ops.matmul(state, ops.transpose(w)) + x[:, step, :]")],
        {FORWARD: m.TRANSPOSED_MATRIX, ZERO_STATE: m.TRANSPOSED_MATRIX, GRADIENTS: m.TRANSPOSED_MATRIX},
        dict(POINTS),
    ),
    # Not a catalogued mistake: the message still names the output and says where it first goes wrong.
    "h0 ignored": (
        [("if h0 is None else ops.convert_to_tensor(h0, dtype=x.dtype)", "")],
        {FORWARD: "linear_recurrence's states: wrong values"},
        {FORWARD: 2},
    ),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_copy_loses_the_right_points(tmp_path, name):
    edits, messages, points_lost = VARIANTS[name]
    results = grade_folder(make_submission(tmp_path, [(MODULE, old, new) for old, new in edits]), [LAB])
    assert lost(results) == points_lost, {n: (r.score, r.output) for n, r in results.items()}
    for test, expected in messages.items():
        output = results[test].output
        if isinstance(expected, m.Mistake):  # a catalogued mistake: named, and its advice given
            assert results[test].mistake == expected.name and expected.message in output, (test, output)
        else:
            assert expected in output, (test, output)


def test_every_catalogued_mistake_has_a_broken_copy():
    exercised = {expected.name for _, messages, _ in VARIANTS.values() for expected in messages.values()
                 if isinstance(expected, m.Mistake)}
    assert exercised == set(m.CATALOGUE), set(m.CATALOGUE) - exercised


@pytest.mark.parametrize("case_id", ["linear_recurrence.forward", "linear_recurrence.zero_state"])
def test_numpy_reference_and_mistakes(case_id):
    """The parent's NumPy reference agrees with the master, and no mistake variant equals the answer."""
    case = load_fixture(fixture_path(LAB))[case_id]
    expected = case.expected_arrays["states"]
    assert close(m.linear_recurrence(case.inputs["x"], case.inputs["w"], case.inputs.get("h0")), expected)
    for mistake, variant in m.linear_recurrence_variants(case.inputs):
        assert not close(variant, expected), mistake.name
