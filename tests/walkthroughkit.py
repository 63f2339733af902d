"""Running a lab walkthrough as a student would, and reading numbers from what it prints.

Shared by ``test_lab*_walkthrough.py``.
"""

import os
import re
import subprocess
import sys

FLOAT = r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|inf|nan)"


def run_lab(cwd, script, fast, *args):
    """``python script args...`` from ``cwd``, in fast (``RNNLAB_FAST=1``) or default mode, never the full grid."""
    env = dict(os.environ, RNNLAB_FAST="1" if fast else "0", TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg")
    env.pop("RNNLAB_FULL", None)
    return subprocess.run([sys.executable, str(script), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def assert_ran(result):
    assert result.returncode == 0, (f"the lab exited with {result.returncode}; stdout (tail):\n"
                                    f"{result.stdout[-3000:]}\nstderr (tail):\n{result.stderr[-3000:]}")


def numbers(stdout, template):
    """The numbers at the ``{}``s of the one output line that reads ``template`` (the rest literal)."""
    pattern = "^" + f"({FLOAT})".join(re.escape(part) for part in template.split("{}")) + "$"
    matches = re.findall(pattern, stdout, flags=re.MULTILINE)
    assert matches, f"no line reads {template!r} in the lab's output:\n{stdout}"
    assert len(matches) == 1, f"{len(matches)} lines read {template!r}"
    groups = matches[0] if isinstance(matches[0], tuple) else (matches[0],)
    return [float(g) for g in groups]
