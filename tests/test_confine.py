"""The confinement layers themselves, in a throwaway process: here the grader usually runs as root
with Python under /root (not readable by ``nobody``), so the drop to ``nobody`` is skipped; on a
Gradescope image (root, Python in /usr) it is taken. Both paths must leave a working, confined child."""

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import KIT_ROOT

PROGRAM = textwrap.dedent("""
    import encodings.idna, json, os, socket, sys  # idna: host names are encoded before the hook sees them
    sys.path.insert(0, {kit!r})
    from autograder.sandbox import confine
    if {force_drop}:
        confine._world_readable = lambda path: True  # as on an image where Python is in /usr
    layers = confine.confine([{hidden!r}], workdir={workdir!r}, needed_paths=[])
    facts = {{"layers": layers, "uid": os.getuid()}}
    try:
        facts["hidden_listing"] = os.listdir({hidden!r})
    except OSError as error:
        facts["hidden_listing"] = type(error).__name__
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1)
        facts["network"] = "connected"
    except OSError as error:
        facts["network"] = type(error).__name__
    print(json.dumps(facts))
""")


@pytest.mark.parametrize("force_drop", [False, True], ids=["as it is here", "dropping to nobody"])
def test_confined_child_works_and_sees_nothing_hidden(tmp_path, force_drop):
    if sys.platform != "linux":
        pytest.skip("the sandbox's namespaces and rlimits are Linux features")
    hidden, workdir = tmp_path / "hidden", tmp_path / "work"
    hidden.mkdir()
    workdir.mkdir()
    (hidden / "answers.npz").write_bytes(b"secret")
    program = PROGRAM.format(kit=str(KIT_ROOT), force_drop=force_drop, hidden=str(hidden), workdir=str(workdir))
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    layers = facts["layers"]
    assert layers[:2] == ["process group", "limits"] and layers[-1] == "audit hooks"
    if force_drop and __import__("os").getuid() == 0:
        assert "unprivileged user" in layers
    assert facts["hidden_listing"] in ([], "PermissionError"), facts  # an empty tmpfs, or refused
    assert facts["network"] != "connected"
    if any(layer == "namespaces" for layer in layers):
        assert facts["hidden_listing"] == []  # covered by the empty mount, not only by the hook
