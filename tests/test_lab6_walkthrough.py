"""Lab 6's walkthrough runs end to end (fast mode), saves its figures, and prints numbers that the
tests below recompute on their own; its results.json and results.md are well formed."""

import json
import math
import re
import time

import numpy as np
import pytest
from conftest import KIT_ROOT, SOLUTIONS
from walkthroughkit import FLOAT, assert_ran, numbers, run_lab

LAB = SOLUTIONS / "lab6_real_data.py"
FIGURES = ["digits_as_sequences.png", "digits_gradient_norms.png", "names_units_and_gates.png"]
MODELS = ["SimpleRNN (tanh)", "IRNN", "LSTM", "GRU"]
FAST_PROFILE_IMAGES, FAST_TEST_IMAGES, FAST_SAMPLES = 8, 100, 16


@pytest.fixture(scope="module")
def run():
    started = time.time()
    return run_lab(KIT_ROOT, LAB, True, "--full"), started  # --full is ignored in fast mode


@pytest.fixture(scope="module")
def stdout(run):
    result, _ = run
    assert_ran(result)
    return result.stdout


def test_runs_and_saves_its_figures(run, stdout):
    _, started = run
    assert stdout.startswith("lab6: fast smoke run (RNNLAB_FAST=1)") and "grid: small" in stdout
    for name in FIGURES:
        path = KIT_ROOT / "out" / "lab6" / name
        assert path.exists() and path.stat().st_mtime >= started - 1, name
        assert f"figure saved: out/lab6/{name}" in stdout


def test_digits_summary_and_chance(stdout):
    import seqtasks

    train, test, steps, features, chance = numbers(
        stdout, "digits: {} train and {} test sequences of T = {} steps, {} feature; classes 0..9, chance accuracy {}")
    assert (train, test, steps, features, chance) == (1297, 500, 64, 1, 0.1)
    _, _, _, y_test = seqtasks.load_sequential_digits()
    [frequent] = numbers(stdout, "most frequent test class: {} of the test set")
    assert frequent == pytest.approx(np.bincount(y_test).max() / len(y_test), abs=1e-3)
    assert "pixel_classifier: (5, 64, 1) -> (5, 10) logits" in stdout


RUN_LINE = re.compile(rf"^digits (in order|permuted)\s+(SimpleRNN \(tanh\)|IRNN|LSTM|GRU)\s+seed (\d+): test accuracy "
                      rf"({FLOAT}) \(chance ({FLOAT})\); \|\|dL/dh_1\|\| / \|\|dL/dh_64\|\| ({FLOAT}) before, ({FLOAT}) "
                      r"after training \[", re.MULTILINE)


def test_digits_runs_and_the_comparison_table(stdout):
    lines = RUN_LINE.findall(stdout)
    assert [(reading, model) for reading, model, *_ in lines] == [("in order", m) for m in MODELS]
    for _, model, _, accuracy, chance, before, after in lines:
        assert float(chance) == 0.1 and 0 <= float(accuracy) <= 1
        assert float(accuracy) * FAST_TEST_IMAGES == pytest.approx(round(float(accuracy) * FAST_TEST_IMAGES), abs=0.01)
        assert float(before) > 0 and float(after) > 0
    # the table beside Le et al.'s: their numbers, and this run's accuracies
    le_et_al = {"SimpleRNN (tanh)": "0.35", "IRNN": "0.97", "LSTM": "0.65", "GRU": "-"}
    for _, model, _, accuracy, *_ in lines:
        assert f"| {model} | {le_et_al[model]} | {float(accuracy):.3f} |" in stdout


def test_tanh_gradient_ratio_at_initialisation(stdout):
    """||dL/dh_1|| / ||dL/dh_64|| before training, recomputed from the same seeded model."""
    import keras
    import seqtasks
    import tensorflow as tf

    from rnnlab.charmodel import pixel_classifier
    from rnnlab.gradients import state_gradient_norms
    from rnnlab.simple_rnn import SimpleRNNCell

    printed = float(RUN_LINE.findall(stdout)[0][5])
    _, _, x_test, y_test = seqtasks.load_sequential_digits()
    x, y = x_test[:FAST_PROFILE_IMAGES], y_test[:FAST_PROFILE_IMAGES]
    keras.utils.set_random_seed(0)
    cell = SimpleRNNCell(32)
    readout = pixel_classifier(cell, 10).layers[-1]
    norms = state_gradient_norms(cell, x, lambda h: tf.reduce_mean(
        keras.losses.sparse_categorical_crossentropy(y, readout(h), from_logits=True)))
    assert printed == pytest.approx(norms[0] / norms[-1], rel=2e-2)


def test_name_baselines_are_recomputed(stdout):
    import seqtasks

    train, test = seqtasks.split_names()
    uniform, unigram, bigram = numbers(
        stdout, "baselines on the test names: uniform {}, unigram {}, bigram {} bits per char")
    assert uniform == pytest.approx(math.log2(27), abs=1e-3)
    assert unigram == pytest.approx(seqtasks.ngram_bits_per_char(train, test, 1), abs=1e-3)
    assert bigram == pytest.approx(seqtasks.ngram_bits_per_char(train, test, 2), abs=1e-3)
    equal, log2 = numbers(stdout, "bits_per_char of equal logits over 27 tokens: {} (log2 27 = {})")
    assert equal == pytest.approx(math.log2(27), abs=1e-4) and log2 == pytest.approx(math.log2(27), abs=1e-4)
    right, left = numbers(stdout, "char_model: 'emma' alone vs padded on the right: max gap {}; on the left: {}")
    assert right < 1e-5 and left < 1e-5
    bpc, bigram_again, unigram_again = numbers(
        stdout, "names LSTM: {} bits per char on the test names (bigram {}, unigram {}) [" + "{} s]")[:3]
    assert (bigram_again, unigram_again) == (bigram, unigram) and 0 < bpc < 2 * uniform


SAMPLE_LINE = re.compile(rf"^T = ({FLOAT}): ({FLOAT}) of (\d+) sampled names are real names \(({FLOAT}) from the "
                         r"training list\); e\.g\. (.*)$", re.MULTILINE)


def test_sampled_names_and_their_shares(stdout):
    lines = SAMPLE_LINE.findall(stdout)
    assert [float(t) for t, *_ in lines] == [0.5, 1.0, 1.5]
    for _, real, count, seen, examples in lines:
        count = int(count)
        assert 0 < count <= FAST_SAMPLES and float(seen) <= float(real) <= 1
        assert float(real) * count == pytest.approx(round(float(real) * count), abs=0.01 * count)
        assert all(re.fullmatch("[a-z]{1,12}", name) for name in examples.split(", "))


def test_results_json_rows_and_markdown(run, stdout):
    _, started = run
    path = KIT_ROOT / "out" / "lab6" / "results.json"
    assert path.stat().st_mtime >= started - 1
    rows = json.loads(path.read_text())
    assert "results written: out/lab6/results.json" in stdout and f"({len(rows)} rows)" in stdout
    keys = {"section", "task", "T", "distance", "attractor", "model", "seed", "init", "steps", "metric",
            "metric_name", "baseline", "skill"}  # Lab 4's rows
    for row in rows:
        assert set(row) == keys, row
        perfect = 0.0 if row["metric_name"] == "bits per char" else 1.0
        assert row["skill"] == pytest.approx((row["metric"] - row["baseline"]) / (perfect - row["baseline"]))
    assert [r["section"] for r in rows] == ["digits"] * 4 + ["names"] + ["sampling"] * 3
    # the smoke run's training: one batch of 32 images per cell, one epoch of 256 names in batches of 64
    assert [r["steps"] for r in rows[:5]] == [1] * 4 + [256 // 64]
    printed = [float(a) for _, _, _, a, *_ in RUN_LINE.findall(stdout)]
    assert [r["metric"] for r in rows[:4]] == pytest.approx(printed, abs=1e-3)
    assert [r["metric"] for r in rows[5:]] == pytest.approx([float(r) for _, r, *_ in SAMPLE_LINE.findall(stdout)],
                                                           abs=1e-2)
    markdown = (KIT_ROOT / "out" / "lab6" / "results.md").read_text()
    assert markdown.startswith("# Lab 6: results (default run)")
    assert "| digits, in order | 64 | accuracy (0.1000) |" in markdown


def test_opens_as_a_notebook():
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(LAB)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert 'lab = labtools.start("lab6")' in code[0]
    assert markdown[0].startswith("# Lab 6")
