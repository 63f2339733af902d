"""Lab 5's walkthrough runs end to end (fast mode), saves its figures, and prints numbers that the
tests below recompute on their own."""

import re
import time

import numpy as np
import pytest
from conftest import KIT_ROOT, SOLUTIONS
from walkthroughkit import assert_ran, run_lab

LAB = SOLUTIONS / "lab5_bidirectional_deep.py"
FIGURES = ["wiring.png", "right_context_training.png", "deep_gradient_heatmap.png"]
VOCAB_SIZE = 13  # seqtasks.RIGHT_CONTEXT_VOCAB


@pytest.fixture(scope="module")
def run():
    started = time.time()
    return run_lab(KIT_ROOT, LAB, True), started


@pytest.fixture(scope="module")
def stdout(run):
    result, _ = run
    assert_ran(result)
    return result.stdout


def test_runs_and_saves_its_figures(run, stdout):
    _, started = run
    assert "lab5: fast smoke run" in stdout
    for name in FIGURES:
        path = KIT_ROOT / "out" / "lab5" / name
        assert path.exists() and path.stat().st_mtime >= started - 1, name
        assert f"figure saved: out/lab5/{name}" in stdout


def test_wrappers_match_keras_for_both_return_sequences(stdout):
    gaps = re.findall(r"return_sequences=(True|False)\s*: output \(([\d, ]+)\), max \|(.+?)\| = (\S+)", stdout)
    assert [(rs, what.split(" - ")[0]) for rs, _, what, _ in gaps] == [
        ("True", "ours"), ("False", "ours"), ("True", "DeepRNN"), ("False", "DeepRNN")]
    assert all(float(gap) < 1e-5 for *_, gap in gaps)
    # Shapes: x is (2, 6, 3); Bidirectional of two 4-unit cells -> 8 wide; the stack's top cell has 5 units.
    assert [shape for _, shape, _, _ in gaps] == ["2, 6, 8", "2, 8", "2, 6, 5", "2, 5"]


def test_who_sees_what(stdout):
    """Changing x at step k moves the forward half from k on and the backward half up to k."""
    k, steps = 2, 6
    assert f"x changed at step {k} only" in stdout
    forward = " ".join("x" if t >= k else "." for t in range(steps))
    backward = " ".join("x" if t <= k else "." for t in range(steps))
    assert f"forward half : {forward}\n" in stdout
    assert f"backward half: {backward}\n" in stdout


def test_printed_examples_follow_the_task(stdout):
    """At the labelled step stands "deep", and T // 2 steps later the word that decides the label."""
    examples = re.findall(r"label at step (\d+) = (\d) \('deep (\w+)'\): (.+)", stdout)
    assert [label for _, label, _, _ in examples] == ["0", "1"]
    for step, label, sense, sentence in examples:
        words = sentence.split()
        step = int(step)
        assert len(words) == 12  # T in fast mode
        assert words[step] == "deep" and words[step + len(words) // 2] == sense
        assert sense == ("learning", "sea")[int(label)]


def test_baseline_and_weight_counts(stdout):
    import seqtasks

    # Chance: labels at the scored steps are balanced, so no causal model beats 1/2.
    _, y, mask = seqtasks.make_right_context(2000, 12, seed=5)
    assert abs(y[mask].mean() - 0.5) < 1e-9
    assert re.search(r"chance \(right_context_baseline\): (\S+)", stdout).group(1) == "0.5"
    # SimpleRNN of H units on D inputs: D*H + H*H + H weights; Dense(2) on W inputs: 2W + 2.
    def rnn(d, h):
        return d * h + h * h + h

    units = 16
    counts = dict(re.findall(r"(left-to-right|bidirectional)\s+\((\d+) weights\)", stdout))
    assert int(counts["left-to-right"]) == rnn(VOCAB_SIZE, 2 * units) + 2 * (2 * units) + 2
    assert int(counts["bidirectional"]) == 2 * rnn(VOCAB_SIZE, units) + 2 * (2 * units) + 2
    for accuracy in re.findall(r"validation accuracy at the 'deep' steps (\S+);", stdout):
        assert 0.0 <= float(accuracy) <= 1.0


def test_gradient_heatmap_numbers(stdout):
    lines = re.findall(r"(SimpleRNNCell \(tanh\)|GRUCell): \|\|dL/dh_T\^\(l\)\|\| for l = 1..3: \[(.+?)\]; "
                       r"\|\|dL/dh_1\^\(l\)\|\|: \[(.+?)\]; average factor per step back in time: \[(.+?)\]", stdout)
    assert [name for name, *_ in lines] == ["SimpleRNNCell (tanh)", "GRUCell"]
    steps = 8  # fast mode
    for _, last, first, factors in lines:
        last, first, factors = (np.array(s.split(), dtype=float) for s in (last, first, factors))
        assert np.all(last > 0) and np.all(first > 0)
        assert np.allclose(factors, (first / last) ** (1 / (steps - 1)), rtol=0.05, atol=0.01)
    # Both stacks end in the same loss on the same top width: the gradient at (layer 3, t=T) is v's norm
    # times sqrt(batch), whatever the cell.
    assert lines[0][1].split()[-1] == lines[1][1].split()[-1]
    found = re.search(r"gradient is nonzero at (\d+) of (\d+) steps; the total derivative dL/dh_t\^\(3\) at (\d+)",
                      stdout)
    assert found.groups() == ("1", str(steps), str(steps))


def test_opens_as_a_notebook():
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(LAB)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert 'lab = labtools.start("lab5")' in code[0]
    assert len(code) >= 8 and len(markdown) >= 6
    assert markdown[0].startswith("# Lab 5")
    # The notes' example is in the text, and both exercises are named.
    text = "\n".join(markdown)
    assert "Deep learning is fun" in text and "Deep sea is dangerous" in text
    assert "BidirectionalRNN.call" in text and "DeepRNN.call" in text
