"""Helpers for the kit's tests of the autograder: broken copies of the master, graded for real.

    results = grade_variant(tmp_path, "simple_rnn.py", "+ self.bias", "", labs=[1])
    assert results["test_simple_rnn_forward"].status == "failed"

``grade_variant`` copies ``solutions/rnnlab`` into a temporary submission, applies one text edit to
one module (the edit must match exactly once, so a test cannot silently stop testing anything),
and grades it with the public fixtures through the real sandbox.
"""

import shutil
from pathlib import Path

from conftest import SOLUTIONS

from autograder.engine import grading
from autograder.engine.cases import load_public_fixtures
from autograder.engine.mistakes import Mistake


def make_submission(tmp_path, edits=()):
    """A copy of the master's rnnlab/ under tmp_path, with ``(module, old, new)`` edits applied."""
    root = Path(tmp_path) / "submission"
    shutil.copytree(SOLUTIONS / "rnnlab", root / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    for module, old, new in edits:
        path = root / "rnnlab" / module
        text = path.read_text()
        count = text.count(old)
        assert count == 1, f"edit {old!r} matches {count} times in {module}; make it unique"
        path.write_text(text.replace(old, new))
    return root


def grade_folder(root, labs):
    report = grading.grade(root, load_public_fixtures(labs), labs, call_timeout=60)
    return {result.test: result for result in report.results}


def grade_variant(tmp_path, module, old, new, labs):
    return grade_folder(make_submission(tmp_path, [(module, old, new)]), labs)


def lost(results):
    """{test name: points lost} for every test that did not pass."""
    return {name: r.max_score - r.score for name, r in results.items() if r.score < r.max_score}


def assert_broken_copy(tmp_path, module, edits, messages, points_lost, lab):
    """Grade the master with ``edits`` (``(old, new)`` pairs) applied to ``module``, on ``lab``'s
    public tests: exactly ``points_lost`` ({test: points}) are lost, each test in ``messages`` says
    its message (a ``Mistake``: named, and its advice given), and no test ends in a grader error."""
    results = grade_folder(make_submission(tmp_path, [(module, old, new) for old, new in edits]), [lab])
    assert lost(results) == points_lost, {n: (r.score, r.output) for n, r in results.items()}
    for test, expected in messages.items():
        output = results[test].output
        if isinstance(expected, Mistake):  # a catalogued mistake: named, and its advice given
            assert results[test].mistake == expected.name and expected.message in output, (test, output)
        else:
            assert expected in output, (test, output)
    assert not [r for r in results.values() if r.status in ("grader_error", "not_run")], \
        [(n, r.output) for n, r in results.items() if r.status in ("grader_error", "not_run")]


def exercised_mistakes(variants):
    """Names of the catalogued mistakes that a ``{name: (edits, messages, points_lost)}`` table expects."""
    return {expected.name for _, messages, _ in variants.values() for expected in messages.values()
            if isinstance(expected, Mistake)}
