"""``check`` makes its calls on two children (``engine.prefetch``): the helper only ever answers
calls the tests would have made, the same way, and steps aside when it cannot."""

import shutil
import threading
import time

import pytest
from conftest import LABS
from graderkit import make_submission

from autograder.engine import grading
from autograder.engine.cases import load_public_fixtures
from autograder.engine.prefetch import Prefetch
from autograder.sandbox.session import Outcome, Zygote


class FakeSession:
    """Answers ``call`` with ``answers[probe]`` (an Outcome status), after ``delay`` seconds."""

    def __init__(self, answers=None, delay=0.0):
        self.answers, self.delay, self.calls = answers or {}, delay, []
        self.interrupted = threading.Event()

    def call(self, probe, inputs, params):
        self.calls.append(probe)
        if self.interrupted.wait(self.delay):
            return Outcome("crashed")
        return Outcome(self.answers.get(probe, "ok"), values={"probe": probe})

    def interrupt(self):
        self.interrupted.set()


def jobs(*names):
    return [((name,), name, {}, {}) for name in names]


def test_the_helper_works_from_the_end_and_skips_what_the_tests_claimed():
    session = FakeSession(delay=0.05)
    helper = Prefetch(session, jobs("a", "b", "c", "d"))
    assert helper.claim(("a",)) is None  # the tests' first call: theirs to make
    answers = {name: helper.claim((name,)) for name in ("b", "c", "d")}
    helper.stop()
    assert "a" not in session.calls and session.calls[0] == "d"
    for name, outcome in answers.items():
        assert outcome is None or (outcome.ok and outcome.values == {"probe": name})
    assert [n for n, o in answers.items() if o is not None] == [n for n in ("b", "c", "d") if n in session.calls]


def test_a_call_on_its_way_is_waited_for():
    session = FakeSession(delay=0.3)
    helper = Prefetch(session, jobs("only"))
    time.sleep(0.05)  # the helper has started the call
    started = time.monotonic()
    outcome = helper.claim(("only",))
    assert outcome is not None and outcome.ok and time.monotonic() - started >= 0.2
    helper.stop()
    assert session.calls == ["only"]


@pytest.mark.parametrize("status", ["timeout", "crashed", "over_budget"])
def test_the_helper_stops_at_an_answer_it_cannot_stand_behind(status):
    session = FakeSession({"c": status})
    helper = Prefetch(session, jobs("a", "b", "c", "d"))
    helper._thread.join(5)
    assert session.calls == ["d", "c"]  # nothing after the failure
    assert helper.claim(("c",)) is None and helper.claim(("b",)) is None  # the tests make these
    assert helper.claim(("d",)).ok
    helper.stop()


def test_an_error_of_the_students_code_is_an_answer():
    session = FakeSession({"b": "error"})
    helper = Prefetch(session, jobs("a", "b"))
    helper._thread.join(5)
    assert helper.claim(("b",)).status == "error" and session.calls == ["b", "a"]
    helper.stop()


def test_stop_ends_the_call_in_flight():
    session = FakeSession(delay=60)
    helper = Prefetch(session, jobs("slow"))
    time.sleep(0.05)
    started = time.monotonic()
    helper.stop()
    assert time.monotonic() - started < 5 and session.interrupted.is_set()


# -- for real: the same results with and without the helper ---------------------------------------
LABS_GRADED = [1, 3]


def _results(report):
    return [(r.test, r.status, r.score, r.output, r.mistake) for r in report.results]


@pytest.fixture(scope="module")
def zygote():
    with Zygote() as warm:
        yield warm


@pytest.mark.parametrize("kind", ["master", "two mistakes", "unfinished"])
def test_grading_with_the_helper_gives_the_same_results(tmp_path, zygote, kind):
    if kind == "unfinished":
        root = tmp_path / "submission"
        shutil.copytree(LABS / "rnnlab", root / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    else:
        edits = [] if kind == "master" else [
            ("simple_rnn.py", "ops.matmul(h_prev, self.recurrent_kernel) + self.bias",
             "ops.matmul(h_prev, self.recurrent_kernel)"),
            ("gru.py", "        h = z * h_prev + (1.0 - z) * candidate\n",
             "        h = (1.0 - z) * h_prev + z * candidate\n")]
        root = make_submission(tmp_path, edits)
    cases = load_public_fixtures(LABS_GRADED)
    alone = grading.grade(root, cases, LABS_GRADED, zygote=zygote, call_timeout=60)
    helped = grading.grade(root, cases, LABS_GRADED, zygote=zygote, call_timeout=60, prefetch=True)
    assert _results(helped) == _results(alone)
    assert (alone.score == alone.max_score) == (kind == "master") and (kind != "unfinished" or alone.score == 0)
