"""Hostile submissions: every one is graded in one batch, gets exactly the score its real work earns,
and never takes the batch, the grader's files or another submission down with it.

Each entry is a copy of the master's rnnlab/ with something nasty added. Scores are on Lab 1 with
hidden tests (21 public + 19 hidden points).
"""

import csv
import json
import shutil
import socket
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest
from conftest import KIT_ROOT, SOLUTIONS

from autograder.engine.batch import grade_batch

FULL = 40.0  # lab 1: 21 public points + 19 hidden (the Keras round trip, 2 points, runs on the public case only)
# SimpleRNNCell tests after the contract: forward 3, gradients 2, Keras round trip 2 (public only), built-in 1.
FORWARD_AND_LATER = (3 + 2 + 2 + 1) + (3 + 2 + 1)
# Every gradients.py exercise, per run: unroll 1 + 1, state_gradient_norms 2 + 1 + 1, clip_by_value 1, clip_by_global_norm 2.
GRADIENTS_PY = 1 + 1 + 2 + 1 + 1 + 1 + 2


def master(root):
    shutil.copytree(SOLUTIONS / "rnnlab", root / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def append(root, module, code):
    path = root / "rnnlab" / module
    path.write_text(path.read_text() + "\n" + code + "\n")


def replace(root, module, old, new):
    path = root / "rnnlab" / module
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


CALL_LINE = "        return h, [h]"


class Listener:
    """A loopback TCP server that records whether anybody connected."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
                self.connections += 1
                connection.close()
            except OSError:
                pass

    def close(self):
        self.running = False
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    base = tmp_path_factory.mktemp("hostile")
    subs, out = base / "submissions", base / "out"
    subs.mkdir()
    expected = {}

    def entry(name, points):
        expected[name] = points
        return master(subs / name)

    entry("honest", FULL)

    # Forges results files where it can reach, then kills its own process at import time.
    root = entry("forger", FULL - 2 * GRADIENTS_PY)  # every gradients.py exercise
    append(root, "gradients.py", f"""
import json as _json, os as _os
for _target in [{str(out)!r} + "/forger/results.json", "results.json", "/autograder/results/results.json"]:
    try:
        _os.makedirs(_os.path.dirname(_target) or ".", exist_ok=True)
        open(_target, "w").write(_json.dumps({{"score": 1000, "tests": []}}))
    except Exception:
        pass
_os._exit(0)
""")

    # sys.exit at import of one module: only that module's exercises are lost.
    root = entry("exits_at_import", FULL - 2 * GRADIENTS_PY)
    append(root, "gradients.py", "import sys as _sys\n_sys.exit(0)")

    # Monkeypatches numpy's and pytest's comparisons in the child, and returns wrong outputs.
    root = entry("monkeypatcher", FULL - FORWARD_AND_LATER - 2 * 2)
    append(root, "simple_rnn.py", """
import numpy as _np
_np.allclose = lambda *a, **k: True
_np.isclose = lambda *a, **k: True
try:
    import pytest as _pytest
    _pytest.approx = lambda *a, **k: True
except Exception:
    pass
""")
    replace(root, "simple_rnn.py", CALL_LINE, "        return h + 1.0, [h]")

    # NaN outputs.
    root = entry("nan_outputs", FULL - FORWARD_AND_LATER - 2 * 2)
    replace(root, "simple_rnn.py", CALL_LINE, "        h = h * float('nan')\n        return h, [h]")

    # An output object whose __eq__ always says True.
    root = entry("eq_trick", FULL - 2 * (1 + 1))
    append(root, "gradients.py", """
class _AlwaysEqual:
    def __eq__(self, other):
        return True
    def __array__(self, *args, **kwargs):
        raise TypeError("not an array")

def unroll(cell, x, initial_state=None):
    return _AlwaysEqual(), [_AlwaysEqual()]
""")

    # conftest.py, pytest.ini, sitecustomize.py, a .pth file and numpy.py beside rnnlab/: no effect.
    root = entry("injector", 0.0)
    shutil.rmtree(root / "rnnlab")
    shutil.copytree(KIT_ROOT / "labs" / "rnnlab", root / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    passing_hook = "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n" \
                   "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n"
    for folder in (root, root / "rnnlab"):
        (folder / "conftest.py").write_text(passing_hook)
        (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:terminal\n")
        (folder / "sitecustomize.py").write_text("import os\nos._exit(0)\n")
        (folder / "evil.pth").write_text("import os; os._exit(0)\n")
        (folder / "numpy.py").write_text("raise SystemExit('shadowed numpy')\n")

    # Reads the master solution and uses it.
    root = entry("reads_solutions", FULL - 2 * GRADIENTS_PY)
    append(root, "gradients.py", f"""
import sys as _sys
_sys.path.insert(0, {str(SOLUTIONS)!r})
with open({str(SOLUTIONS / "rnnlab" / "gradients.py")!r}) as _handle:
    _source = _handle.read()
""")

    # Network access to a server on this machine.
    root = entry("network", FULL - 2 * 1)
    replace(root, "gradients.py", "    return [None if g is None else tf.clip_by_value(g, lo, hi) for g in grads]",
            f"    import socket\n    socket.create_connection(('127.0.0.1', {listener.port}), timeout=2)\n"
            "    return [None if g is None else tf.clip_by_value(g, lo, hi) for g in grads]")

    # An endless loop in one function.
    root = entry("infinite_loop", FULL - 2 * 2)
    replace(root, "gradients.py", "    present = [", "    while True:\n        pass\n    present = [")

    # A memory bomb.
    root = entry("memory_bomb", FULL - 2 * 1)
    replace(root, "gradients.py", "    return [None if g is None else tf.clip_by_value(g, lo, hi) for g in grads]",
            "    hog = bytearray(64 * 1024 ** 3)\n    return [hog]")

    # Spawns processes that would outlive it.
    root = entry("spawner", FULL - 2 * 1)
    replace(root, "gradients.py", "    return [None if g is None else tf.clip_by_value(g, lo, hi) for g in grads]",
            "    import subprocess\n    subprocess.Popen(['sleep', '4242'])\n"
            "    return [None if g is None else tf.clip_by_value(g, lo, hi) for g in grads]")

    # Floods stdout.
    root = entry("flooder", FULL - 2 * 1)
    replace(root, "gradients.py", "    return [None if g is None else tf.clip_by_value(g, lo, hi) for g in grads]",
            "    while True:\n        print('x' * 100000)")

    # Syntax error in one module; a missing module.
    root = entry("syntax_error", FULL - 2 * GRADIENTS_PY)
    append(root, "gradients.py", "def broken(:\n    pass")
    root = entry("missing_module", FULL - 2 * GRADIENTS_PY)
    (root / "rnnlab" / "gradients.py").unlink()

    # A symlink to a file outside the submission.
    root = entry("symlink", 0.0)
    (root / "rnnlab" / "stolen.py").symlink_to(SOLUTIONS / "rnnlab" / "simple_rnn.py")

    # A zip that writes outside its folder.
    expected["zip_slip"] = 0.0
    with zipfile.ZipFile(subs / "zip_slip.zip", "w") as archive:
        archive.writestr("rnnlab/__init__.py", "")
        archive.writestr("../../../tmp/rnnlab-zip-slip.py", "x = 1")

    # Hard-codes the public fixtures' answers for unroll: passes check, fails the hidden tests.
    root = entry("hardcoder", FULL - 2)
    append(root, "gradients.py", f"""
import numpy as _np
_PUBLIC = _np.load({str(KIT_ROOT / "autograder" / "generated" / "fixtures" / "lab1.npz")!r})

def unroll(cell, x, initial_state=None):
    for case in ("unroll.simple_rnn", "unroll.lstm"):
        if _np.array_equal(_np.asarray(x), _PUBLIC[case + "/in/x"]):
            outputs = _PUBLIC[case + "/out/outputs"]
            states = [_PUBLIC[case + "/out/state." + str(i)] for i in range(2) if case + "/out/state." + str(i) in _PUBLIC]
            return outputs, states
    return _np.zeros((1, 1, 1)), []
""")

    rows = grade_batch(subs, out, [1], workers=2, seed=11, call_timeout=8, log=lambda message: None)
    return {"rows": rows, "expected": expected, "out": out, "subs": subs, "listener": listener}


def test_every_entry_has_a_row_and_files(graded):
    rows, out = graded["rows"], graded["out"]
    assert set(rows) == set(graded["expected"])
    with open(out / "gradebook.csv") as handle:
        book = {row["submission"]: row for row in csv.DictReader(handle)}
    assert set(book) == set(graded["expected"])
    for name in graded["expected"]:
        results = json.loads((out / name / "results.json").read_text())
        assert results["score"] == float(book[name]["score"])
        assert (out / name / "feedback.md").read_text().startswith(f"# Feedback for {name}")
    assert (out / "summary.md").exists() and (out / "scores.png").stat().st_size > 1000


@pytest.mark.parametrize("name", [
    "honest", "forger", "exits_at_import", "monkeypatcher", "nan_outputs", "eq_trick", "injector",
    "reads_solutions", "network", "infinite_loop", "memory_bomb", "spawner", "flooder", "syntax_error",
    "missing_module", "symlink", "zip_slip", "hardcoder",
])
def test_exact_score(graded, name):
    row = graded["rows"][name]
    assert row["score"] == graded["expected"][name], (row["score"], row["status"], row["message"])


def test_forged_files_change_nothing(graded):
    results = json.loads((graded["out"] / "forger" / "results.json").read_text())
    assert results["score"] < FULL and results["score"] != 1000


def test_messages_say_what_happened(graded):
    rows = graded["rows"]
    assert "links to a file outside" in rows["symlink"]["message"] or "link" in rows["symlink"]["message"]
    assert "unsafe path" in rows["zip_slip"]["message"]
    assert "timeout" in rows["infinite_loop"]["status"]
    feedback = {name: (graded["out"] / name / "feedback.md").read_text() for name in rows}
    assert "contains NaN" in feedback["nan_outputs"]
    assert "network access is not allowed" in feedback["network"] or "Network is unreachable" in feedback["network"]
    assert "starting programs is not allowed" in feedback["spawner"]
    assert "MemoryError" in feedback["memory_bomb"]
    assert "SyntaxError" in feedback["syntax_error"]
    assert "rnnlab/gradients.py is missing" in feedback["missing_module"]
    assert "not implemented yet" in feedback["injector"]


def test_forbidden_imports_are_named_before_anything_runs(graded):
    """The static scan names the import in the feedback, results.json and the gradebook row."""
    rows = graded["rows"]
    for name, used in (("spawner", "rnnlab/gradients.py line"), ("network", "imports socket")):
        assert used in rows[name]["message"], rows[name]["message"]
        assert "Forbidden in a submission" in (graded["out"] / name / "feedback.md").read_text()
    assert "imports subprocess (subprocess starts other programs)" in rows["spawner"]["message"]
    results = json.loads((graded["out"] / "spawner" / "results.json").read_text())
    assert results["output"].startswith("Forbidden in a submission: rnnlab/gradients.py line")
    assert "Forbidden" not in rows["syntax_error"]["message"]


def test_nothing_escaped(graded):
    assert graded["listener"].connections == 0
    assert not Path("/tmp/rnnlab-zip-slip.py").exists()
    leftovers = subprocess.run(["pgrep", "-f", "sleep 4242"], capture_output=True, text=True).stdout.strip()
    assert leftovers == ""
    for name in graded["expected"]:  # nothing was written into the submissions
        folder = graded["subs"] / name
        if folder.is_dir():
            assert not list(folder.rglob("results.json")) and not list(folder.rglob("__pycache__"))


def test_hardcoded_public_answers_pass_check_and_fail_hidden(graded):
    results = json.loads((graded["out"] / "hardcoder" / "results.json").read_text())
    by_name = {t["name"]: t for t in results["tests"]}
    assert by_name["lab1 unroll: SimpleRNNCell, zero initial state"]["status"] == "passed"
    assert by_name["lab1 unroll: SimpleRNNCell, zero initial state [hidden]"]["status"] == "failed"


def test_grading_again_gives_the_same_scores(graded, tmp_path):
    subs = tmp_path / "again"
    subs.mkdir()
    for name in ("honest", "monkeypatcher", "exits_at_import"):
        shutil.copytree(graded["subs"] / name, subs / name, symlinks=True)
    rows = grade_batch(subs, tmp_path / "out", [1], workers=2, seed=11, call_timeout=8, log=lambda m: None)
    assert {n: r["score"] for n, r in rows.items()} == {n: graded["rows"][n]["score"] for n in rows}
