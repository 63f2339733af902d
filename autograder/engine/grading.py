"""Running the grading tests (``autograder/labs/labN/test_labN.py``) on one submission.

Grading tests are plain pytest functions marked with their points::

    @points(3, exercise="SimpleRNNCell", stage="forward values", requires=["contract"])
    def test_simple_rnn_forward(grader):
        case = grader.case("simple_rnn.forward")
        outputs = grader.run(case)
        ...

They run in *this* (trusted) process; ``grader.run`` sends the case to the child that holds the
student's code (``sandbox.Session``) and hands back its arrays, or raises ``Feedback`` describing
what went wrong. A test that needs an earlier stage of the same exercise (``requires``) is not run
when that stage failed; it scores 0 with a pointer to the failing stage.

The score is points passed over the points in the fixed manifest (``engine.manifest``), so a test
that never ran counts as zero.

``grade`` runs every test on the public cases, then again on hidden cases (other sizes and values)
to catch answers that only fit the public fixtures. A test marked ``public_only=True`` runs once:
the ones that put the student's class inside Keras's machinery (``keras.layers.RNN``,
``Bidirectional``, ``tf.function``, ``.keras`` save and load). Whether a class survives tracing and
serialisation is a property of its code, not of the numbers, and the hidden value tests already
catch a hard-coded answer; these stages are also the slowest (a trace and a save/load each), so
running them twice would cost a quarter of a class's grading time and tell nobody anything new.
"""

import contextlib
import dataclasses
import io
import json
import os
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.engine import feedback
from autograder.engine.feedback import Feedback
from autograder.engine.labs import LABS_FOLDER, grading_test_file, lab_number
from autograder.engine.manifest import manifest_tests, score_totals

GRADING_PYTEST_INI = Path(__file__).resolve().parent / "grading_pytest.ini"


@dataclass
class TestResult:
    lab: int
    test: str
    exercise: str
    stage: str
    score: float
    max_score: float
    status: str  # passed, failed, not_implemented, blocked, timeout, crash, error, grader_error, not_run
    output: str
    mistake: str = None
    seconds: float = 0.0
    hidden: bool = False
    bonus: bool = False  # extra credit: in the score, not in the maximum (engine.manifest)

    @property
    def name(self):
        return f"lab{self.lab} {self.exercise}: {self.stage}" + (" [hidden]" if self.hidden else "")


def call_key(lab, case, params):
    """What identifies one probe call of a run of the tests: the lab, the case and its params."""
    return (lab, case.id, json.dumps(params, sort_keys=True, default=str))


class Grader:
    """What a grading test sees as its ``grader`` fixture: the cases, a way to run them on the
    student's code, the student's source to read (never run) and a per-run memo."""

    def __init__(self, session, cases_by_lab, prefetch=None):
        self._session = session
        self._prefetch = prefetch  # an engine.prefetch.Prefetch making some of the calls on a second child
        self.cases_by_lab = cases_by_lab
        self.lab = None  # set per test from its module name
        self._outcomes = {}
        self._memo = {}

    @property
    def package_dir(self):
        """The student's ``rnnlab/`` (the grader's private copy): for static reading only."""
        return Path(self._session.submission) / "rnnlab"

    def memo(self, key, compute):
        """``compute()`` once per run of the tests for each ``key`` (a tuple); its value after that."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def case(self, case_id):
        cases = self.cases_by_lab.get(self.lab)
        if cases is None or case_id not in cases:
            raise RuntimeError(f"no case {case_id!r} for lab {self.lab}: run `python -m autograder release`")
        return cases[case_id]

    def run(self, case, params=None):
        """Run ``case`` on the student's code; returns the ``Outcome`` or raises ``Feedback``.

        Within one run of the tests, a case asked for twice with the same params (a contract check
        and a later stage of the same exercise, say) runs once: the child's answer would not change.
        """
        params = params if params is not None else case.params
        key = call_key(self.lab, case, params)
        outcome = self._outcomes.get(key)
        if outcome is None:
            outcome = self._prefetch.claim(key) if self._prefetch is not None else None
            if outcome is None:
                outcome = self._session.call(case.probe, case.inputs, params)
            self._outcomes[key] = outcome
        if not outcome.ok:
            ran = case if params is case.params else dataclasses.replace(case, params=params)
            raise feedback.from_outcome(outcome, case=ran, lab=self.lab)
        return outcome


class GradingPlugin:
    """A pytest plugin that hands tests the ``grader`` fixture and records a result per test."""

    def __init__(self, grader, tests, progress=None, skip=None):
        self._tests = set(tests)  # the names this run grades (the manifest's, less public-only when hidden)
        self._skip = skip or {}
        self._grader = grader
        self.results = {}
        self._progress = progress
        self.interrupted = False  # Ctrl-C or SIGTERM arrived while the tests ran

    @pytest.fixture
    def grader(self, request):
        self._grader.lab = lab_number(request.module.__name__)
        return self._grader

    def _mark(self, item):
        mark = item.get_closest_marker("grading")
        return mark.kwargs if mark else None

    def pytest_keyboard_interrupt(self, excinfo):
        self.interrupted = True

    def pytest_collection_modifyitems(self, items):
        items[:] = [item for item in items if item.name in self._tests]

    def pytest_runtest_setup(self, item):
        mark = self._mark(item)
        if not mark:
            return
        lab = lab_number(item.module.__name__)
        if item.name in self._skip:
            raise self._skip[item.name]
        for stage in mark["requires"]:
            earlier = [r for r in self.results.values()
                       if r.lab == lab and r.exercise == mark["exercise"] and r.stage == stage]
            if earlier and earlier[0].status != "passed":
                raise Feedback(f"not checked yet: {mark['exercise']} must pass '{stage}' first", kind="blocked")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        mark = self._mark(item)
        if not mark or (report.when != "call" and report.passed):
            return
        if report.when == "teardown" and item.name in self.results:
            return
        lab = lab_number(item.module.__name__)
        status, output, mistake = "passed", "", None
        if report.failed:
            error = call.excinfo.value if call.excinfo else None
            if isinstance(error, Feedback):
                status = "failed" if error.kind in ("mismatch", "mistake", "contract") else error.kind
                output, mistake = error.message, error.mistake
            else:
                status = "grader_error"
                output = (f"internal grader error (not your fault, please tell your TA): "
                          f"{type(error).__name__}: {error}")
        self.results[item.name] = TestResult(
            lab=lab, test=item.name, exercise=mark["exercise"], stage=mark["stage"],
            score=float(mark["points"]) if status == "passed" else 0.0, max_score=float(mark["points"]),
            status=status, output=output, mistake=mistake, seconds=round(call.duration, 3),
            bonus=bool(mark.get("bonus", False)),
        )
        if self._progress:
            self._progress(len(self.results), len(self._tests), self.results[item.name])


def run_grading_tests(grader, labs, progress=None, hidden=False, skip=None):
    """Run the grading tests of ``labs`` against ``grader``; returns results in manifest order.

    ``skip`` maps test names to the ``Feedback`` to record instead of running them. pytest's own
    output (and anything a test prints) is swallowed: results are the plugin's records, never text.
    """
    expected = manifest_tests(labs, hidden=hidden)
    plugin = GradingPlugin(grader, [test for _, test, _ in expected], progress, skip)
    files = [str(grading_test_file(lab)) for lab in labs]
    # Plugins that do per-test work the grading tests never need (log and warning capture, fault
    # handler, fd capture, assertion rewriting: the tests raise Feedback, they do not assert) halve
    # pytest's own time per submission.
    unused = ["cacheprovider", "randomly", "benchmark", "logging", "warnings", "faulthandler", "unraisableexception",
              "threadexception", "doctest", "junitxml", "pastebin", "stepwise"]
    args = [
        *files, "-q", *[arg for name in unused for arg in ("-p", f"no:{name}")],
        "--rootdir", str(LABS_FOLDER), "-c", str(GRADING_PYTEST_INI),
        "--tb=no", "--no-header", "--capture=no", "--assert=plain", "-W", "ignore",
    ]
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # a class's machine may have any plugins
    swallowed = io.StringIO()
    with redirect_stdout(swallowed), redirect_stderr(swallowed):
        pytest.main(args, plugins=[plugin])
    if plugin.interrupted:
        # pytest turns Ctrl-C or SIGTERM into a normal return; the grader must stop, not score.
        raise KeyboardInterrupt()
    results = []
    for lab, test, spec in expected:
        result = plugin.results.get(test)
        if result is None:
            result = TestResult(lab, test, spec["exercise"], spec["stage"], 0.0, float(spec["points"]),
                                "not_run", "this test did not run (a grader problem: please tell your TA)")
        result.hidden = hidden
        result.bonus = bool(spec.get("bonus", False))
        results.append(result)
    return results


@dataclass
class Report:
    submission: str
    results: list
    seconds: float
    sandbox: list = None
    warnings: list = field(default_factory=list)  # sentences for the student, e.g. forbidden imports

    @property
    def score(self):
        """Every point passed, bonus included (it can exceed ``max_score``)."""
        return score_totals(self.results)["score"]

    @property
    def max_score(self):
        """Full marks: the points of every test except the bonus ones."""
        return score_totals(self.results)["max_score"]

    @property
    def bonus(self):
        """The part of ``score`` that is extra credit."""
        return score_totals(self.results)["bonus"]

    @property
    def bonus_max(self):
        return score_totals(self.results)["bonus_max"]

    @property
    def public_results(self):
        return [r for r in self.results if not r.hidden]


def grade(submission, cases_by_lab, labs, call_timeout=None, progress=None, hidden_cases_by_lab=None,
          zygote=None, hidden_paths=(), submission_timeout=None, import_timeout=None, prefetch=False):
    """Grade one submission folder (holding ``rnnlab/``): the public cases, then the hidden ones if given.

    Both runs share one child process; a crash or timeout only replaces the child. Every call
    together gets ``submission_timeout`` seconds (default ``SUBMISSION_BUDGET_S``); the tests
    still to run when it is spent score 0 with a message that says so. With ``prefetch``, a second
    child makes the public run's calls from the last lab backwards while the tests work forwards
    (``engine.prefetch``): the same results, on two cores, for one submission graded alone.
    """
    from autograder.sandbox import static_scan
    from autograder.sandbox.session import CALL_TIMEOUT_S, IMPORT_TIMEOUT_S, SUBMISSION_BUDGET_S, Session

    started = time.perf_counter()
    # Read (never run) the source first, so the feedback can name what the sandbox will refuse.
    forbidden = static_scan.scan_imports(Path(submission) / "rnnlab")
    with Session(submission, call_timeout=call_timeout or CALL_TIMEOUT_S, zygote=zygote, hidden=hidden_paths,
                 budget=submission_timeout or SUBMISSION_BUDGET_S,
                 import_timeout=import_timeout or IMPORT_TIMEOUT_S) as session:
        with _prefetching(session, cases_by_lab, labs) if prefetch else contextlib.nullcontext() as helper:
            results = run_grading_tests(Grader(session, cases_by_lab, helper), labs, progress)
        if hidden_cases_by_lab:
            # A test that hung on the public case would hang again: record it instead of waiting twice.
            # (A test the budget stopped before it ran says so again by itself, at once.)
            skip = {r.test: Feedback("not run: this test timed out in the public tests", kind="timeout")
                    for r in results if r.status == "timeout" and not r.output.startswith("not run:")}
            results += run_grading_tests(Grader(session, hidden_cases_by_lab), labs, hidden=True, skip=skip)
        layers = session.sandbox_layers
    warnings = [static_scan.describe_imports(forbidden)] if forbidden else []
    return Report(str(submission), results, time.perf_counter() - started, layers, warnings)


@contextlib.contextmanager
def _prefetching(session, cases_by_lab, labs):
    """A ``Prefetch`` making the public cases' calls of ``labs`` on a sibling of ``session``."""
    from autograder.engine.prefetch import Prefetch

    jobs = [(call_key(lab, case, case.params), case.probe, case.inputs, case.params)
            for lab in labs for case in cases_by_lab.get(lab, {}).values()]
    with session.sibling() as second:
        helper = Prefetch(second, jobs)
        try:
            yield helper
        finally:
            helper.stop()
