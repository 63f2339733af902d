"""The worst submission in a class costs seconds, and a killed grader leaves nothing behind.

- A module that never finishes importing is found once and charged to every test that needs it at
  once, with a message naming the module, instead of one per-test timeout per test.
- A submission whose exercise hangs in every call is stopped by its budget: the remaining tests
  score 0 with a message that says so.
- SIGTERM to ``grade`` ends every process it started and keeps every finished row.
"""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import KIT_ROOT
from graderkit import make_submission

from autograder.engine import grading
from autograder.engine.cases import load_public_fixtures

HANG_ON_IMPORT = ("simple_rnn.py", "import keras\n", "import keras\n\nwhile True:  # an endless loop at import time\n    pass\n")


def _grade(root, **limits):
    started = time.perf_counter()
    report = grading.grade(root, load_public_fixtures([1]), [1], **limits)
    return {r.test: r for r in report.results}, time.perf_counter() - started


def test_a_module_that_hangs_on_import_is_charged_once_naming_it(tmp_path):
    root = make_submission(tmp_path, [HANG_ON_IMPORT])
    results, seconds = _grade(root, call_timeout=6, import_timeout=4)
    needs_it = [name for name, r in results.items() if "simple_rnn.py did not finish importing" in r.output]
    # Every SimpleRNNCell and irnn_cell test needs rnnlab/simple_rnn.py: the ones that run say why they
    # fail, the later stages of SimpleRNNCell wait for its contract ("blocked").
    assert {"test_simple_rnn_contract", "test_irnn_cell"} <= set(needs_it), {n: r.output for n, r in results.items()}
    for name in (name for name in results if "simple_rnn" in name or "irnn" in name):
        assert name in needs_it or results[name].status == "blocked", (name, results[name].output)
    assert "within 4 s: look for code that runs when the module is imported" in results["test_irnn_cell"].output
    # One timeout (the first test) and one import check, not one timeout per test.
    assert seconds < 6 + 4 + 20, seconds
    # Tests that never touch simple_rnn.py still pass: unroll and the rest run on Keras's own cells.
    assert all(results[name].status == "passed" for name in ("test_unroll", "test_state_gradient_norms",
                                                             "test_clip_by_value")), results


def test_a_submission_over_its_budget_scores_the_rest_zero_with_a_message(tmp_path):
    root = make_submission(tmp_path, [("simple_rnn.py", "        h_prev = states[0] if",
                                       "        while True:\n            pass\n        h_prev = states[0] if")])
    # The per-call limit leaves the first call of a fresh child (Keras's lazy set-up, seconds on a loaded
    # 2-core machine) room to finish; two hanging calls of 8 s still overrun the 10 s budget.
    results, seconds = _grade(root, call_timeout=8, submission_timeout=10)
    over = [name for name, r in results.items() if "used up its time budget of 10 s" in r.output]
    assert over and all(results[name].score == 0 and results[name].status == "timeout" for name in over)
    assert seconds < 10 + 8, seconds  # the budget, plus the child's start and the parent's own work
    assert results["test_simple_rnn_contract"].status == "passed"  # build runs; only call hangs


def _process_table():
    """{pid: (parent pid, session id)} of every process on the machine."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                table[int(entry.name)] = (int(fields[1]), int(fields[3]))
            except (OSError, IndexError, ValueError):
                pass
    return table


def _descendants(pid):
    table, found, frontier = _process_table(), set(), {pid}
    while frontier:
        frontier = {child for child, (parent, _) in table.items() if parent in frontier} - found
        found |= frontier
    return found, {table[p][1] for p in found if p in table}


def test_sigterm_to_grade_ends_every_child_and_keeps_the_finished_rows(tmp_path):
    submissions = tmp_path / "class"
    submissions.mkdir()
    for name, edits in (("a_done", []), ("b_done", []), ("c_hangs", [HANG_ON_IMPORT])):
        make_submission(tmp_path / name, edits).rename(submissions / name)
    out = tmp_path / "out"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    grade = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
                              "--lab", "1", "--public-only", "--workers", "1", "--timeout", "120"],
                             cwd=KIT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            rows = list(csv.DictReader((out / "gradebook.csv").open())) if (out / "gradebook.csv").exists() else []
            if len(rows) == 2:
                break
            assert grade.poll() is None, grade.stdout.read()
            time.sleep(0.5)
        assert len(rows) == 2, "the two quick submissions were not graded in time"
        time.sleep(3)  # c_hangs is now importing forever in a confined child
        processes, sessions = _descendants(grade.pid)
        sessions.discard(os.getsid(0))  # the workers share this test's session; only new ones count
        assert len(processes) >= 3, processes  # a worker, its zygote, the child on c_hangs
        grade.send_signal(signal.SIGTERM)
        output, _ = grade.communicate(timeout=60)
    finally:
        if grade.poll() is None:
            grade.kill()
    assert grade.returncode != 0
    assert "stopped" in output and "rerun" in output.lower(), output[-2000:]
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert [row["submission"] for row in rows] == ["a_done", "b_done"]
    assert all(row["score"] == row["max_score"] for row in rows)
    survivors = set()
    for _ in range(40):  # the kernel may take a moment to reap them
        table = _process_table()
        survivors = {pid for pid, (_, session) in table.items() if pid in processes or session in sessions}
        survivors.discard(os.getpid())
        if not survivors:
            break
        time.sleep(0.25)
    assert not survivors, {pid: _process_table().get(pid) for pid in survivors}


def test_sigterm_to_check_stops_it_instead_of_scoring_the_rest(tmp_path):
    """pytest turns a KeyboardInterrupt into a normal return; check must stop, not print a score."""
    root = make_submission(tmp_path, [HANG_ON_IMPORT])
    check = subprocess.Popen([sys.executable, "-m", "autograder", "check", str(root), "--lab", "1"], cwd=KIT_ROOT,
                             env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        processes = set()
        while time.monotonic() < deadline and len(processes) < 2:  # its zygote and the child on the hang
            time.sleep(0.5)
            processes, _ = _descendants(check.pid)
        assert len(processes) >= 2, processes
        time.sleep(2)
        check.send_signal(signal.SIGTERM)
        output, _ = check.communicate(timeout=60)
    finally:
        if check.poll() is None:
            check.kill()
    assert check.returncode == 128 + signal.SIGTERM, output[-2000:]
    assert "stopped by SIGTERM" in output and "Score" not in output, output[-2000:]
    survivors = processes
    for _ in range(40):  # the kernel may take a moment to tear down a killed TensorFlow process
        survivors = processes & set(_process_table())
        if not survivors:
            break
        time.sleep(0.25)
    assert not survivors, {pid: _process_table().get(pid) for pid in survivors}
