"""A real class through ``grade`` and Gradescope's ``run_autograder``: a copied pair, an independent
correct submission, a late entry, an untouched release, a malformed entry and overrides, graded in
one run to the gradebook a TA expects; then a rerun after an override changed. Lab 1 only (20
public + 18 hidden points)."""

import csv
import json
import os
import shutil
import subprocess
import zipfile

import pytest
from classkit import disguised_copy, independent, master_copy, release_copy
from conftest import SOLUTIONS
from test_grade_and_export import run_cli

FULL = 40.0  # lab 1 with hidden tests: 21 public + 19 hidden points
CLIP = "lab1 clip_by_value: values"  # 1 point


def book(out):
    with open(out / "gradebook.csv") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("course")
    subs, out = base / "submissions", base / "out"
    master_copy(subs / "alice")
    disguised_copy(subs / "alice", subs / "bob")
    independent(subs / "carol")
    master_copy(subs / "dave")  # 2 days late, by Gradescope's metadata
    (subs / "dave" / "submission_metadata.json").write_text(json.dumps({"created_at": "2026-12-03T10:00:00-05:00"}))
    release_copy(subs / "erin")
    (subs / "frank.txt").write_text("see attached")
    (base / "slip.csv").write_text("submission,slip_days\nalice,1\n")
    overrides = base / "overrides.csv"
    overrides.write_text("submission,test,points,comment\n"
                         f"carol,{CLIP},0,\"clip_by_value: by hand, not accepted\"\n"
                         "frank.txt,,5,\"resubmitted by email, graded by hand\"\n"
                         "zed,,1,\n")
    result = run_cli("grade", str(subs), "--out", str(out), "--lab", "1", "--seed", "3", "--due", "2026-12-01T23:59",
                     "--late-penalty", "10%/day", "--late-cap", "50%", "--slip-days", str(base / "slip.csv"),
                     "--overrides", str(overrides))
    assert result.returncode == 0, result.stderr[-3000:]
    return {"subs": subs, "out": out, "overrides": overrides, "first": book(out), "stderr": result.stderr}


def test_one_run_gives_the_gradebook_a_ta_expects(graded_class):
    rows = graded_class["first"]
    got = {name: (float(r["raw_score"]), float(r["override"]), r["late_days"], float(r["penalty"]), float(r["score"]))
           for name, r in rows.items()}
    assert got == {
        "alice": (FULL, 0.0, "", 0.0, FULL),
        "bob": (FULL, 0.0, "", 0.0, FULL),  # renamed and reordered, still correct
        "carol": (FULL, -1.0, "", 0.0, FULL - 1),  # written independently: full marks, less the override
        "dave": (FULL, 0.0, "2", 0.2 * FULL, 0.8 * FULL),  # 15:00 UTC on Dec 3 is 2 days late: 20%
        "erin": (0.0, 0.0, "", 0.0, 0.0),
        "frank.txt": (0.0, 5.0, "", 0.0, 5.0),  # malformed, graded by hand
    }, got
    assert rows["frank.txt"]["status"] == "malformed"
    assert rows["dave"]["submitted_at"] == "2026-12-03T10:00:00-05:00"
    feedback = (graded_class["out"] / "carol" / "feedback.md").read_text()
    assert f"| {CLIP}: 1 -> 0 by your course staff: clip_by_value: by hand, not accepted | -1 |" in feedback
    assert "2 day(s) after the due date" in (graded_class["out"] / "dave" / "feedback.md").read_text()
    summary = (graded_class["out"] / "summary.md").read_text()
    assert "overrides.csv: no submission 'zed' in this folder" in summary
    assert "warning: overrides.csv: no submission 'zed'" in graded_class["stderr"]


def test_the_copied_pair_is_flagged_and_nobody_else(graded_class):
    pairs = list(csv.DictReader(open(graded_class["out"] / "similarity.csv")))
    flagged = [{p["submission_a"], p["submission_b"]} for p in pairs if p["flagged"] == "yes"]
    # dave is a master copy too, so alice, bob and dave are one group of copies.
    assert {"alice", "bob"} in flagged and {"alice", "dave"} in flagged
    assert not [pair for pair in flagged if pair & {"carol", "erin", "frank.txt"}]
    assert "first run" in (graded_class["out"] / "changes.md").read_text()


def test_a_rerun_after_an_override_changed_regrades_nothing_and_says_who_moved(graded_class):
    out = graded_class["out"]
    graded_class["overrides"].write_text("submission,test,points,comment\nalice,,-10,copied (similarity.md)\n")
    result = run_cli("grade", str(graded_class["subs"]), "--out", str(out), "--lab", "1", "--seed", "3")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "6 already graded and unchanged, 0 to grade" in result.stderr
    assert "Applying the policy remembered in" in result.stderr
    rows = book(out)
    assert (rows["alice"]["score"], rows["carol"]["score"], rows["frank.txt"]["score"]) == (
        f"{FULL - 10:g}", f"{FULL:g}", "0")
    assert rows["dave"]["score"] == f"{0.8 * FULL:g}"  # the remembered late policy still applies
    changes = (out / "changes.md").read_text()
    assert "3 of 6 submissions moved" in changes
    assert f"| alice | {FULL:g} | {FULL - 10:g} | overrides: +0 -> -10 points |" in changes
    assert f"| carol | {FULL - 1:g} | {FULL:g} | {CLIP}: 0 -> 1<br>overrides: -1 -> +0 points |" in changes
    assert "| frank.txt | 5 | 0 | overrides: +5 -> +0 points |" in changes
    results = json.loads((out / "alice" / "results.json").read_text())
    assert results["score"] == FULL - 10 and "copied (similarity.md)" in results["output"]
    export = run_cli("export", str(out), "--to", "canvas", "--assignment", "Lab 1 (4711)")
    assert export.returncode == 0, export.stderr
    lines = (out / "canvas.csv").read_text().splitlines()
    assert lines[:3] == ["Student,ID,SIS User ID,SIS Login ID,Section,Lab 1 (4711)", f"Points Possible,,,,,{FULL:g}",
                         f"alice,alice,,,,{FULL - 10:g}"]


def test_gradescope_visibility_late_penalty_and_rate_limit(tmp_path):
    rules = tmp_path / "visibility.csv"
    rules.write_text("tests,visibility\nhidden,after_published\nlab1 clip_by_value,hidden\n")
    archive = tmp_path / "autograder.zip"
    built = run_cli("gradescope", "--out", str(archive), "--seed", "9", "--lab", "1", "--visibility", str(rules),
                    "--max-graded", "1", "--window-hours", "24", "--late-penalty", "10%/day")
    assert built.returncode == 0, built.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(root / "source")
    shutil.copytree(SOLUTIONS / "rnnlab", root / "submission" / "rnnlab")
    metadata = {"created_at": "2026-12-02T12:00:00+00:00", "assignment": {"due_date": "2026-12-01T23:59:00+00:00"},
                "previous_submissions": []}
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
    results_path = root / "results" / "results.json"
    env = dict(os.environ, RNNLAB_GS_SUBMISSION=str(root / "submission"), RNNLAB_GS_RESULTS=str(results_path))
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(results_path.read_text())
    assert results["score"] == pytest.approx(FULL * 0.9) and results["extra_data"]["raw_score"] == FULL
    visibility = {t["name"]: t["visibility"] for t in results["tests"]}
    assert visibility["lab1 SimpleRNNCell: forward values"] == "visible"
    assert visibility["lab1 SimpleRNNCell: forward values [hidden]"] == "after_published"
    assert visibility[CLIP] == visibility[CLIP + " [hidden]"] == "hidden"
    assert "Public tests passed (20 of 20 points)." in results["output"]  # the visible ones: 21 less clip's 1
    assert "shown when your instructor publishes the grades" in results["output"]
    assert "all passed" not in results["output"].lower() and "Late: submitted" in results["output"]
    # A second submission within 24 hours is not graded: the last score stays, with the next allowed time.
    metadata.update(created_at="2026-12-02T13:00:00+00:00",
                    previous_submissions=[{"submission_time": "2026-12-02T12:00:00+00:00", "score": results["score"],
                                           "results": results}])
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    limited = json.loads(results_path.read_text())
    assert limited["score"] == results["score"] and limited["tests"] == results["tests"]
    assert "next graded run is allowed from 2026-12-03T12:00:00+00:00" in limited["output"]


def test_bad_policy_options_stop_before_grading_with_a_message(tmp_path):
    (tmp_path / "subs").mkdir()
    out = tmp_path / "out"
    for args, message in ((["--due", "friday"], "--due 'friday' is not a date and time"),
                          (["--late-penalty", "10%/day"], "--late-penalty needs --due"),
                          (["--due", "2026-12-01", "--late-penalty", "a lot"], "write a percentage")):
        result = run_cli("grade", str(tmp_path / "subs"), "--out", str(out), *args)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (out / "policy.json").exists()  # nothing was remembered
    (tmp_path / "rules.csv").write_text("tests,visibility\npublic,soon\n")
    result = run_cli("gradescope", "--out", str(tmp_path / "a.zip"), "--visibility", str(tmp_path / "rules.csv"))
    assert result.returncode == 2 and "rules.csv line 2: visibility 'soon' is not one of" in result.stderr
