"""grade (resume, malformed entries, outputs), the Gradescope zip, and the student bundle."""

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import KIT_ROOT, LABS, SOLUTIONS

from autograder.engine import batch
from autograder.engine.bundle import write_student_bundle
from autograder.engine.release import find_blocks


def run_cli(*args, cwd=KIT_ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    subs = tmp_path_factory.mktemp("class")
    shutil.copytree(SOLUTIONS / "rnnlab", subs / "alice" / "rnnlab")
    shutil.copytree(LABS / "rnnlab", subs / "bob" / "rnnlab")
    shutil.make_archive(str(subs / "carol"), "zip", SOLUTIONS, "rnnlab")
    (subs / "dave.txt").write_text("my homework is in the mail")
    (subs / "erin").mkdir()
    return subs


def test_grade_cli_writes_every_output_and_resumes(small_class, tmp_path):
    out = tmp_path / "out"
    result = run_cli("grade", str(small_class), "--out", str(out), "--lab", "1", "--seed", "5")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "[5/5]" in result.stderr and "ETA" in result.stderr
    with open(out / "gradebook.csv") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert list(next(csv.reader(open(out / "gradebook.csv")))[:5]) == ["submission", "score", "max_score",
                                                                       "public_score", "public_max_score"]
    assert {n: float(r["score"]) for n, r in rows.items()} == {"alice": 40, "bob": 0, "carol": 40, "dave.txt": 0,
                                                               "erin": 0}
    assert rows["dave.txt"]["status"] == "malformed" and "neither a folder nor a .zip" in rows["dave.txt"]["message"]
    assert "no rnnlab/ folder" in rows["erin"]["message"]
    for name in rows:
        results = json.loads((out / name / "results.json").read_text())
        assert {"score", "max_score", "execution_time", "output", "tests"} <= set(results)
        for test in results["tests"]:
            assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
            assert test["status"] in ("passed", "failed")
    alice = json.loads((out / "alice" / "results.json").read_text())
    assert {t["visibility"] for t in alice["tests"]} == {"visible", "after_due_date"}
    assert "public tests" in (out / "bob" / "feedback.md").read_text()
    summary = (out / "summary.md").read_text()
    assert "5 submissions" in summary and "scores.png" in summary

    # A rerun grades nothing; a changed submission is graded again.
    again = run_cli("grade", str(small_class), "--out", str(out), "--lab", "1", "--seed", "5")
    assert "5 already graded and unchanged, 0 to grade" in again.stderr
    (small_class / "bob" / "rnnlab" / "note.py").write_text("# changed\n")
    third = run_cli("grade", str(small_class), "--out", str(out), "--lab", "1", "--seed", "5")
    assert "4 already graded and unchanged, 1 to grade" in third.stderr


def test_rows_for_ungraded_entries_count_the_right_points_and_only_malformed_ones_are_final(tmp_path):
    """A grader error (a worker died, say) is not the student's: the rerun grades the entry again.
    Lab 1 with hidden tests: 21 public points + 19 hidden."""
    stamp = {"seed": 1, "labs": [1], "grader": "v", "hidden": True, "content": "c"}
    died = batch._write_malformed(tmp_path / "a", "a", "the grading worker died while grading this submission",
                                  [1], True, stamp, 0.0, status="grader_error")
    assert (died["score"], died["max_score"], died["public_max_score"]) == (0.0, 40.0, 21.0)
    assert not (tmp_path / "a" / batch.STAMP_NAME).exists()
    assert json.loads((tmp_path / "a" / "results.json").read_text())["max_score"] == 40.0
    malformed = batch._write_malformed(tmp_path / "b", "b", "no rnnlab/ folder", [1], False, stamp, 0.0)
    assert (malformed["max_score"], malformed["public_max_score"]) == (21.0, 21.0)
    assert json.loads((tmp_path / "b" / batch.STAMP_NAME).read_text())["row"] == malformed


def test_a_case_asked_for_twice_in_one_run_runs_once():
    """Grader.run asks the child once per (case, params) in a run; a new run (the hidden one) asks again."""
    from autograder.engine.cases import Case
    from autograder.engine.grading import Grader
    from autograder.sandbox.session import Outcome

    class CountingSession:
        calls = 0

        def call(self, probe, inputs, params):
            CountingSession.calls += 1
            return Outcome("ok", values={"params": params})

    case = Case("demo.forward", "cell_forward", {"units": 3}, {})
    grader = Grader(CountingSession(), {1: {case.id: case}})
    grader.lab = 1
    assert grader.run(case).values == grader.run(case).values == {"params": {"units": 3}}
    assert CountingSession.calls == 1
    assert grader.run(case, {"units": 4}).values == {"params": {"units": 4}} and CountingSession.calls == 2
    Grader(CountingSession(), {1: {case.id: case}}).run(case)
    assert CountingSession.calls == 3


def test_grade_rejects_bad_arguments(tmp_path):
    result = run_cli("grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "is not a folder of submissions" in result.stderr
    (tmp_path / "subs").mkdir()
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "subs" / "out"))
    assert result.returncode == 2 and "must not be inside" in result.stderr


def test_gradescope_zip_runs_on_a_fake_layout(tmp_path):
    archive = tmp_path / "autograder.zip"
    assert run_cli("gradescope", "--out", str(archive), "--seed", "9", "--lab", "1").returncode == 0
    source = tmp_path / "autograder" / "source"
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        assert {"setup.sh", "run_autograder", "requirements.txt", "gradescope_config.json"} <= names
        assert zipped.getinfo("run_autograder").external_attr >> 16 & 0o111
        zipped.extractall(source)
    submission = tmp_path / "autograder" / "submission"
    shutil.copytree(SOLUTIONS / "rnnlab", submission / "rnnlab")
    results = tmp_path / "autograder" / "results" / "results.json"
    env = dict(os.environ, RNNLAB_GS_SUBMISSION=str(submission), RNNLAB_GS_RESULTS=str(results))
    run = subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    data = json.loads(results.read_text())
    assert data["score"] == data["max_score"] == 40  # lab 1: 21 public points + 19 hidden
    # A broken upload still leaves a results.json with a message.
    shutil.rmtree(submission / "rnnlab")
    subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, timeout=600)
    assert "no rnnlab/ folder" in json.loads(results.read_text())["output"]


def test_student_bundle_checks_alone_and_holds_no_solution(tmp_path):
    bundle = tmp_path / "bundle"
    written = write_student_bundle(bundle)
    assert not (bundle / "solutions").exists()
    assert not any(p.startswith(("autograder/engine/hidden", "autograder/engine/batch", "autograder/engine/gradescope"))
                   for p in written)
    assert "autograder/engine/check.py" in written and "autograder/generated/fixtures/lab1.npz" in written
    # No line of any solution block appears anywhere in the bundle, except text the master also
    # hands out outside its blocks: an add_weight call in a build the student gets, a docstring
    # hint that spells out one line.
    solution_lines, given = set(), []
    for path in SOLUTIONS.rglob("*.py"):
        text = path.read_text()
        lines = text.splitlines()
        inside = set()
        for block in find_blocks(text, str(path)):
            inside |= set(range(block.begin, block.end + 1))
            # Statements, not generic loop headers that any code may share.
            solution_lines |= {line.strip() for line in lines[block.begin + 1: block.end]
                               if len(line.strip()) > 20 and not line.strip().startswith(("for ", "while ", "if ", "with "))}
        given += [line for number, line in enumerate(lines) if number not in inside]
    # The public grader ships in the bundle by design; a line it shares with a solution is generic
    # TensorFlow (``grads = tape.gradient(loss, variables)``), not an answer.
    for path in (KIT_ROOT / "autograder").rglob("*.py"):
        given += path.read_text().splitlines()
    given_text = "\n".join(given)
    solution_lines = {line for line in solution_lines if line not in given_text}
    assert len(solution_lines) > 50  # the check still has teeth
    for path in bundle.rglob("*.py"):
        text = path.read_text()
        leaked = [line for line in solution_lines if line in text]
        assert not leaked, (path, leaked[:3])
    result = run_cli("check", "--lab", "1", cwd=bundle)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Score (public tests): 0 / 21" in result.stdout and "not implemented yet" in result.stdout
    refused = run_cli("release", cwd=bundle)
    assert refused.returncode == 2 and "student bundle" in refused.stderr
