"""The manifest: every grading test's points, exercise and stage, fixed before any test runs.

Grading tests declare themselves with ``@points(...)``; ``release`` reads the decorators (without
importing the tests) into ``autograder/generated/manifest.json``. A submission's score is the
points of the tests it passed over the manifest's points, so a test that never ran counts as zero.

Bonus tests (``bonus=True``) are extra credit: their points count in the score but not in the
maximum, so a submission that skips them can still reach full marks and one that does them scores
above it (Gradescope accepts score > max_score). ``score_totals`` is the one place that adds up.
"""

import ast
import json

import pytest

from autograder import MANIFEST_PATH
from autograder.engine.labs import LABS, grading_test_file


def points(value, exercise, stage, requires=(), public_only=False, bonus=False):
    """Mark a grading test with its points, the exercise it belongs to, and the stages it needs.

    ``public_only=True``: run on the public cases only, not again on the hidden ones (why: ``engine.grading``).
    ``bonus=True``: extra credit, counted above the maximum (see the module docstring).
    ``build_manifest`` reads both from the source into the manifest, which decides what each run grades.
    """
    return pytest.mark.grading(points=value, exercise=exercise, stage=stage, requires=tuple(requires),
                               bonus=bool(bonus))


def build_manifest():
    """The manifest as the ``@points`` decorators in ``labs/labN/test_labN.py`` declare it (read with
    ast, without importing the tests), in file order. ``release`` writes it; ``release --check`` compares."""
    manifest = {}
    for lab in LABS:
        tests = {}
        for node in ast.parse(grading_test_file(lab).read_text()).body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "points":
                    keywords = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords}
                    tests[node.name] = {"points": ast.literal_eval(decorator.args[0]),
                                        "exercise": keywords["exercise"], "stage": keywords["stage"],
                                        "public_only": bool(keywords.get("public_only", False)),
                                        "bonus": bool(keywords.get("bonus", False))}
        manifest[f"lab{lab}"] = tests
    return manifest


def load_manifest():
    """{"lab1": {"test_name": {"points": p, "exercise": e, "stage": s, "public_only": b, "bonus": b}, ...}, ...}
    in grading order."""
    return json.loads(MANIFEST_PATH.read_text())


def manifest_tests(labs, hidden=False):
    """[(lab, test name, spec)] that a public (or hidden) run of ``labs`` grades, in manifest order."""
    manifest = load_manifest()
    return [(lab, test, spec) for lab in labs for test, spec in manifest[f"lab{lab}"].items()
            if not (hidden and spec.get("public_only"))]


def _points(labs, with_hidden, bonus):
    runs = [False, True] if with_hidden else [False]
    return float(sum(spec["points"] for hidden in runs for _, _, spec in manifest_tests(labs, hidden=hidden)
                     if bool(spec.get("bonus")) == bonus))


def max_points(labs, with_hidden):
    """Full marks on ``labs``: the public tests, plus the hidden run's if graded; bonus tests excluded."""
    return _points(labs, with_hidden, bonus=False)


def bonus_points(labs, with_hidden):
    """The extra credit on offer on ``labs``, above ``max_points``."""
    return _points(labs, with_hidden, bonus=True)


def score_totals(results):
    """``{"score", "max_score", "bonus", "bonus_max"}`` of test results (anything with ``score``,
    ``max_score`` and ``bonus``): the score counts every point passed, bonus included; the maximum
    leaves the bonus tests out; ``bonus`` is the part of the score that is extra credit."""
    results = list(results)
    bonus = [r for r in results if getattr(r, "bonus", False)]
    return {"score": float(sum(r.score for r in results)),
            "max_score": float(sum(r.max_score for r in results if not getattr(r, "bonus", False))),
            "bonus": float(sum(r.score for r in bonus)), "bonus_max": float(sum(r.max_score for r in bonus))}
