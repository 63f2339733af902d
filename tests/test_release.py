"""The release: solution blocks become TODOs, markers fail closed, labs/ and fixtures stay in sync."""

import subprocess
import sys

import pytest
from conftest import KIT_ROOT, LABS, SOLUTIONS

from autograder import grading, release
from autograder.release import MarkerError, strip_solutions

MASTER = '''\
class Cell:
    def call(self, x):
        """Docstring stays."""
        y = 1
        # BEGIN SOLUTION
        y = x * 2
        # END SOLUTION
        return y


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
    assert grading.load_manifest() == grading.build_manifest()


def test_public_only_marks_exactly_the_keras_machinery_stages():
    """The rule in grading.py's docstring, in one place: tf.function, save/load and Bidirectional
    stages run on the public cases only; every other test runs again on the hidden cases."""
    manifest = grading.load_manifest()
    for lab, tests in manifest.items():
        for name, spec in tests.items():
            machinery = "tf.function" in spec["stage"] or "Bidirectional" in spec["stage"]
            assert spec["public_only"] == machinery, (lab, name, spec["stage"])
    labs = [int(lab[3:]) for lab in manifest]
    public = sum(spec["points"] for tests in manifest.values() for spec in tests.values())
    assert public == 81 and grading.max_points(labs, with_hidden=False) == 81
    assert grading.max_points(labs, with_hidden=True) == 81 + (81 - 14)  # 14 public-only points
    assert grading.max_points([1], with_hidden=True) == 20 + 18


def test_release_check_passes_on_the_committed_tree():
    """labs/, fixtures and manifest are up to date with solutions/ (recomputes the fixtures)."""
    result = subprocess.run([sys.executable, "-m", "autograder", "release", "--check"], cwd=KIT_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Release is up to date" in result.stderr
