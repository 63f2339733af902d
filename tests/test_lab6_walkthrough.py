"""Lab 6's walkthrough runs end to end (fast mode), saves its figure, prints numbers that the
tests below recompute on their own, and opens as a notebook.

TEMPLATE (from ``python -m autograder new-lab``): one test per claim the lab's text makes.
"""

import os
import re
import subprocess
import sys
import time

import pytest
from conftest import KIT_ROOT, SOLUTIONS

LAB = SOLUTIONS / "lab6_real_data.py"
FIGURE = KIT_ROOT / "out" / "lab6" / "impulse_norms.png"


@pytest.fixture(scope="module")
def run():
    started = time.time()
    env = dict(os.environ, RNNLAB_FAST="1", TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, str(LAB)], cwd=KIT_ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout, started


def test_runs_in_fast_mode_and_saves_its_figure(run):
    stdout, started = run
    assert stdout.startswith("lab6: fast smoke run (RNNLAB_FAST=1)")
    assert FIGURE.is_file() and FIGURE.stat().st_mtime >= started - 1
    assert "figure saved: out/lab6/impulse_norms.png" in stdout


def test_exercise_checks_pass(run):
    stdout, _ = run
    assert "h_1 = x_1 (h_0 = 0): True" in stdout and "h_2 = h_1 W + x_2: True" in stdout


def test_impulse_decays_as_rho_to_the_steps(run):
    """With W = rho Q (Q orthogonal), ||h_T|| / ||h_1|| = rho^(T-1) exactly."""
    stdout, _ = run
    found = re.findall(r"rho = (\S+): \|\|h_T\|\| / \|\|h_1\|\| = (\S+) after (\d+) steps", stdout)
    assert [rho for rho, _, _ in found] == ["0.9", "1.0", "1.1"]
    for rho, ratio, steps in found:
        assert float(ratio) == pytest.approx(float(rho) ** int(steps), rel=1e-3)


def test_opens_as_a_notebook():
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(LAB)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert 'lab = labtools.start("lab6")' in code[0]
    assert markdown[0].startswith("# Lab 6")
