"""The manifest: every grading test's points, exercise and stage, fixed before any test runs.

Grading tests declare themselves with ``@points(...)``; ``release`` reads the decorators (without
importing the tests) into ``autograder/generated/manifest.json``. A submission's score is the
points of the tests it passed over the manifest's points, so a test that never ran counts as zero.
"""

import ast
import json

import pytest

from autograder import MANIFEST_PATH
from autograder.engine.labs import LABS, grading_test_file


def points(value, exercise, stage, requires=(), public_only=False):
    """Mark a grading test with its points, the exercise it belongs to, and the stages it needs.

    ``public_only=True``: run on the public cases only, not again on the hidden ones (why: ``engine.grading``).
    ``build_manifest`` reads it from the source into the manifest, which decides what each run grades.
    """
    return pytest.mark.grading(points=value, exercise=exercise, stage=stage, requires=tuple(requires))


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
                                        "public_only": bool(keywords.get("public_only", False))}
        manifest[f"lab{lab}"] = tests
    return manifest


def load_manifest():
    """{"lab1": {"test_name": {"points": p, "exercise": e, "stage": s, "public_only": b}, ...}, ...}
    in grading order."""
    return json.loads(MANIFEST_PATH.read_text())


def manifest_tests(labs, hidden=False):
    """[(lab, test name, spec)] that a public (or hidden) run of ``labs`` grades, in manifest order."""
    manifest = load_manifest()
    return [(lab, test, spec) for lab in labs for test, spec in manifest[f"lab{lab}"].items()
            if not (hidden and spec.get("public_only"))]


def max_points(labs, with_hidden):
    """The most a submission can score on ``labs``: the public tests, plus the hidden run's if graded."""
    total = sum(spec["points"] for _, _, spec in manifest_tests(labs))
    if with_hidden:
        total += sum(spec["points"] for _, _, spec in manifest_tests(labs, hidden=True))
    return float(total)
