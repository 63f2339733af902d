"""What a rerun changed: ``OUT/changes.md``, every submission whose score moved, and why.

``grade`` on an OUT that holds a previous run regrades what changed (a submission's files, the
grader, a test, the master solution or the seed: see ``batch.grader_version``) and keeps the
rest. Before it starts, ``snapshot`` reads the previous scores (gradebook.csv, and each test's
score from the submission's results.json); afterwards ``write_changes`` compares the two: a
submission that moved is listed with its old and new score, the tests that moved (from what to
what), and what the class policy changed (an override, a late penalty).
"""

import csv
import json
from pathlib import Path

from autograder.engine.files import atomic_write


STAMP_NAME = ".graded.json"  # batch's record of what an entry was graded with
WHY = {"content": "its files changed", "grader": "the grader, a test, a fixture or the master solution changed",
       "seed": "the seed changed", "labs": "other labs", "hidden": "hidden tests switched on or off",
       "visibility": "the visibility rules changed"}


def regrade_reason(out_dir, submission_id, stamp):
    """Why an entry is graded again: the first field of its stamp that differs from the last run's."""
    try:
        previous = json.loads((Path(out_dir) / submission_id / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return "not graded before (or its last grading did not finish)"
    changed = [key for key in stamp if previous.get(key) != stamp[key]]
    return WHY.get(changed[0], f"{changed[0]} changed") if changed else "its results were missing"


def snapshot(out_dir, todo=()):
    """{submission: {"score", "max_score", "raw_score", "override", "penalty", "tests": {name: score},
    "regraded": why or None}} of the run recorded in ``out_dir`` ({} when there is none); ``todo``
    ([(path, id, new stamp)]) are the entries this run grades again."""
    out_dir = Path(out_dir)
    why = {submission_id: regrade_reason(out_dir, submission_id, stamp) for _, submission_id, stamp in todo}
    try:
        with open(out_dir / "gradebook.csv", newline="") as handle:
            book = list(csv.DictReader(handle))
    except OSError:
        return {}
    state = {}
    for row in book:
        def number(name, row=row):
            try:
                return float(row.get(name) or 0)
            except ValueError:
                return 0.0

        tests = {}
        try:
            results = json.loads((out_dir / row["submission"] / "results.json").read_text())
            tests = {test["name"]: float(test["score"]) for test in results.get("tests", [])}
        except (OSError, ValueError, KeyError, TypeError):
            pass
        state[row["submission"]] = {"score": number("score"), "max_score": number("max_score"),
                                    "raw_score": number("raw_score") if row.get("raw_score") else number("score"),
                                    "override": number("override"), "penalty": number("penalty"), "tests": tests,
                                    "status": row.get("status", ""), "regraded": why.get(row["submission"])}
    return state


def describe_changes(before, after):
    """[(submission, old score or None, new score or None, [reasons])] for every submission that moved."""
    moved = []
    for submission in sorted(set(before) | set(after)):
        old, new = before.get(submission), after.get(submission)
        if old is None:
            if before:  # on a first run everybody is new: not a change
                moved.append((submission, None, new["score"], ["new submission"]))
            continue
        if new is None:
            moved.append((submission, old["score"], None, ["no longer in the submissions folder"]))
            continue
        reasons = []
        for name in [n for n in new["tests"] if n in old["tests"] and old["tests"][n] != new["tests"][n]]:
            reasons.append(f"{name}: {old['tests'][name]:g} -> {new['tests'][name]:g}")
        for name in sorted(set(new["tests"]) ^ set(old["tests"])):
            reasons.append(f"{name}: " + ("new test" if name in new["tests"] else "test removed"))
        if old["override"] != new["override"]:
            reasons.append(f"overrides: {old['override']:+g} -> {new['override']:+g} points")
        if old["penalty"] != new["penalty"]:
            reasons.append(f"late penalty: {old['penalty']:g} -> {new['penalty']:g} points")
        if old["status"] != new["status"] and old["status"]:
            reasons.append(f"status: {old['status']} -> {new['status']}")
        if reasons and old.get("regraded"):
            reasons.append(f"regraded: {old['regraded']}")
        if old["score"] != new["score"] or old["max_score"] != new["max_score"] or reasons:
            moved.append((submission, old["score"], new["score"], reasons or ["maximum score changed"]))
    return moved


def write_changes(out_dir, before, after, log=None):
    """Write ``OUT/changes.md``; returns how many submissions' scores moved."""
    moved = describe_changes(before, after)
    lines = ["# Changes since the previous run", ""]
    if not before:
        lines.append("This is the first run into this folder: nothing to compare with yet.")
    else:
        regraded = [entry["regraded"] for entry in before.values() if entry.get("regraded")]
        if regraded:
            counts = {why: regraded.count(why) for why in dict.fromkeys(regraded)}
            lines += [f"Graded again: {len(regraded)} of {len(before)} ("
                      + "; ".join(f"{why}: {n}" for why, n in counts.items()) + ").", ""]
        lines.append(f"No score moved ({len(after)} submissions compared)." if not moved else
                     f"{len(moved)} of {len(after)} submissions moved.")
    if before and moved:
        lines += ["",
                  "| submission | before | after | why |", "|---|---|---|---|"]
        for submission, old, new, reasons in moved:
            show = (lambda v: "-" if v is None else f"{v:g}")
            why = "<br>".join(reason.replace("|", "\\|") for reason in reasons)
            lines.append(f"| {submission} | {show(old)} | {show(new)} | {why} |")
    atomic_write(Path(out_dir) / "changes.md", "\n".join(lines) + "\n")
    if log:
        log(f"Changes since the last run: {len(moved)} submission(s) moved ({Path(out_dir) / 'changes.md'})")
    return len(moved)
