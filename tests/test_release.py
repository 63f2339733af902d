"""The release: solution blocks become TODOs, markers fail closed, labs/ and fixtures stay in sync."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
from conftest import KIT_ROOT, LABS, SOLUTIONS

from autograder.engine import manifest, release
from autograder.engine.cases import fixture_path, load_fixture
from autograder.engine.compare import EPS32, rounding_scale, same_up_to_rounding
from autograder.engine.release import fixtures_differ, MarkerError, strip_solutions

MASTER = '''\
class Cell:
    def call(self, x):
        """Docstring stays."""
        y = 1
        # BEGIN SOLUTION
        y = x * 2
        return y
        # END SOLUTION


def helper():
    # BEGIN SOLUTION
    return 3
    # END SOLUTION
'''


def test_blocks_become_todo_and_not_implemented_naming_the_exercise():
    stripped = strip_solutions(MASTER, "rnnlab/demo.py")
    assert "x * 2" not in stripped and "return 3" not in stripped
    assert "SOLUTION" not in stripped
    assert '        # TODO (Cell.call): your code here.' in stripped
    assert '        raise NotImplementedError("Cell.call: fill in this TODO in rnnlab/demo.py")' in stripped
    assert '    raise NotImplementedError("helper: fill in this TODO in rnnlab/demo.py")' in stripped
    # Everything outside the blocks is verbatim.
    assert '"""Docstring stays."""\n        y = 1\n' in stripped and stripped.endswith("\n")
    namespace = {}
    exec(compile(stripped, "demo", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="Cell.call"):
        namespace["Cell"]().call(1)


@pytest.mark.parametrize("text, complaint", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "never closed"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", "nested"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "without a matching"),
    ("def f():\n    ## BEGIN SOLUTIONS here\n    return 1\n", "malformed marker"),
    ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "inside a function"),
    ("def f():\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\n    return x\n", "would never run"),
])
def test_broken_markers_fail_closed_with_file_and_line(text, complaint):
    with pytest.raises(MarkerError, match=complaint) as error:
        strip_solutions(text, "rnnlab/bad.py")
    assert "rnnlab/bad.py:" in str(error.value)


def test_a_broken_marker_writes_nothing(tmp_path):
    solutions = tmp_path / "solutions"
    (solutions / "rnnlab").mkdir(parents=True)
    (solutions / "rnnlab" / "good.py").write_text("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n")
    (solutions / "rnnlab" / "bad.py").write_text("def g():\n    # BEGIN SOLUTION\n    return 2\n")
    labs = tmp_path / "labs"
    with pytest.raises(MarkerError):
        release.write_release(labs_dir=labs, solutions_dir=solutions)
    assert not labs.exists()


def test_write_release_mirrors_and_detects_staleness(tmp_path):
    solutions = tmp_path / "solutions"
    (solutions / "rnnlab").mkdir(parents=True)
    (solutions / "rnnlab" / "mod.py").write_text("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n")
    labs = tmp_path / "labs"
    release.write_release(labs_dir=labs, solutions_dir=solutions)
    assert release.stale_release_files(labs, solutions) == []
    (labs / "rnnlab" / "mod.py").write_text("edited by hand\n")
    (labs / "rnnlab" / "extra.py").write_text("x = 1\n")
    stale = release.stale_release_files(labs, solutions)
    assert "rnnlab/mod.py" in stale and "rnnlab/extra.py (not in solutions/)" in stale
    release.write_release(labs_dir=labs, solutions_dir=solutions)
    assert release.stale_release_files(labs, solutions) == [] and not (labs / "rnnlab" / "extra.py").exists()


def test_committed_release_has_no_solution_code():
    for path in LABS.rglob("*.py"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path
    # Each master block is really gone: the solution line that defines IRNN is not in the release.
    assert 'recurrent_initializer="identity")' in (SOLUTIONS / "rnnlab" / "simple_rnn.py").read_text()
    assert 'recurrent_initializer="identity")' not in (LABS / "rnnlab" / "simple_rnn.py").read_text()


def test_manifest_is_what_the_grading_tests_declare():
    assert manifest.load_manifest() == manifest.build_manifest()


def test_public_only_marks_exactly_the_keras_machinery_stages():
    """The rule in engine/grading.py's docstring, in one place: tf.function, save/load and Bidirectional
    stages run on the public cases only; every other test runs again on the hidden cases."""
    declared = manifest.load_manifest()
    for lab, tests in declared.items():
        for name, spec in tests.items():
            machinery = "tf.function" in spec["stage"] or "Bidirectional" in spec["stage"]
            assert spec["public_only"] == machinery, (lab, name, spec["stage"])
    labs = [int(lab[3:]) for lab in declared]
    public = sum(spec["points"] for tests in declared.values() for spec in tests.values())
    # PeepholeLSTMCell's 6 points (5 of them hidden too) are extra credit, above the maximum.
    assert public == 92 and manifest.max_points(labs, with_hidden=False) == 86
    assert manifest.bonus_points(labs, with_hidden=False) == 6
    assert manifest.max_points(labs, with_hidden=True) == 86 + (86 - 13)  # 13 public-only points
    assert manifest.bonus_points(labs, with_hidden=True) == 6 + 5
    assert manifest.max_points([1], with_hidden=True) == 21 + 19


def test_bonus_marks_exactly_the_bonus_exercise():
    """Only PeepholeLSTMCell is extra credit, and every one of its tests is."""
    declared = manifest.load_manifest()
    bonus = {(lab, spec["exercise"]) for lab, tests in declared.items() for spec in tests.values() if spec["bonus"]}
    assert bonus == {("lab2", "PeepholeLSTMCell (bonus)")}
    for tests in declared.values():
        for spec in tests.values():
            assert spec["bonus"] == ("(bonus)" in spec["exercise"]), spec


def test_release_check_passes_on_the_committed_tree():
    """labs/, fixtures and manifest are up to date with solutions/ (recomputes the fixtures)."""
    result = subprocess.run([sys.executable, "-m", "autograder", "release", "--check"], cwd=KIT_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Release is up to date" in result.stderr


# -- "same fixture": float32 rounding is not a change, a real change is ------------------------------
def _perturbed(cases, change):
    """A copy of the fixture ``cases`` with ``change(name, array) -> array`` applied to every output."""
    copies = {}
    for case_id, case in cases.items():
        copy = dataclasses.replace(case, inputs=dict(case.inputs), expected_arrays=dict(case.expected_arrays))
        copy.expected_arrays = {name: change(f"{case_id}/{name}", a) for name, a in case.expected_arrays.items()}
        copies[case_id] = copy
    return copies


@pytest.mark.parametrize("lab", [1, 3, 4])
def test_a_fixture_that_differs_by_float32_rounding_is_up_to_date(lab):
    """What another CPU does to the same sums: every entry moved by a few eps32 of the array's
    scale (4 measured across CPUs and kernels; 8 here), entries near zero included."""
    committed = load_fixture(fixture_path(lab))
    rng = np.random.default_rng(lab)

    def rounding_noise(name, a):
        noise = rng.uniform(-8, 8, size=a.shape) * EPS32 * rounding_scale(a)
        return (a + noise).astype(a.dtype)

    noisy = _perturbed(committed, rounding_noise)
    assert any(not np.array_equal(noisy[c].expected_arrays[n], a)
               for c, case in committed.items() for n, a in case.expected_arrays.items())
    assert fixtures_differ(committed, noisy) == []


def test_the_difference_another_cpu_made_is_up_to_date():
    """The report: Lab 3's GRU kernel gradient off by 1.9e-6 (largest entry 3.9) on another CPU,
    which the old element-wise rule (rtol 1e-5, atol 1e-6) called a change."""
    committed = load_fixture(fixture_path(3))
    target = "gru.gradients/grad.kernel"

    def other_cpu(name, a):
        if name != target:
            return a
        a = a.copy()
        a[np.unravel_index(np.argmin(np.abs(a)), a.shape)] += np.float32(1.9e-6)
        return a

    recomputed = _perturbed(committed, other_cpu)
    old, new = committed["gru.gradients"].expected_arrays["grad.kernel"], recomputed["gru.gradients"].expected_arrays["grad.kernel"]
    assert not np.allclose(new, old, rtol=1e-5, atol=1e-6)
    assert fixtures_differ(committed, recomputed) == []


@pytest.mark.parametrize("where", ["largest", "smallest"])
def test_a_fixture_changed_in_one_element_by_a_real_amount_is_stale(where):
    committed = load_fixture(fixture_path(3))
    target = "gru.gradients/grad.kernel"
    pick = np.argmax if where == "largest" else np.argmin

    def change_one_element(name, a):
        if name != target:
            return a
        a = a.copy()
        index = np.unravel_index(pick(np.abs(a)), a.shape)
        a[index] += 1e-4 * rounding_scale(a)  # ~840 eps32 of the array's scale: a real change
        return a

    assert fixtures_differ(committed, _perturbed(committed, change_one_element)) == \
        ["case gru.gradients: output grad.kernel changed"]


def test_same_up_to_rounding_scales_with_the_array_and_floors_at_one():
    big = np.array([1000.0, -3.0, 1e-6], dtype=np.float32)
    assert same_up_to_rounding(big, big + np.float32(1000 * 30 * EPS32))   # 30 eps32 of 1000
    assert not same_up_to_rounding(big, big + np.float32(1000 * 100 * EPS32))
    small = np.array([0.0032], dtype=np.float32)  # a result of cancellation among O(1) terms
    assert same_up_to_rounding(small, small + np.float32(2.6e-8))
    assert not same_up_to_rounding(small, small + np.float32(1e-4))
    assert not same_up_to_rounding(big, big[:2]) and same_up_to_rounding(np.zeros(0), np.zeros(0))
    assert not same_up_to_rounding(np.array([np.nan]), np.array([0.0]))
