"""Lab 4's walkthrough runs end to end (fast mode), saves its figures, and prints numbers that the
tests below recompute on their own; its results.json and results.md are well formed."""

import math
import re
import time

import numpy as np
import pytest
from conftest import KIT_ROOT, SOLUTIONS
from walkthroughkit import assert_ran, run_lab

LAB = SOLUTIONS / "lab4_long_range.py"
FIGURES = ["agreement_by_distance.png", "agreement_training_curves.png", "initialisation_curves.png",
           "gates_and_gradients.png", "success_vs_length.png", "clipping_irnn.png", "truncated_bptt_horizon.png"]
MODELS = ["SimpleRNN (tanh)", "IRNN", "LSTM", "GRU"]
FAST_LENGTHS = {"adding": 8, "temporal order": 10}
FAST_AGREEMENT_L = 3  # clauses of 1..3 tokens in fast mode
FAST_TEST_CLAUSES = [1, 3, 6]
ECHO_LENGTH, ECHO_LAG = 12, 5  # fast mode


@pytest.fixture(scope="module")
def run():
    started = time.time()
    # --full is ignored in fast mode: the smoke run stays a smoke run.
    return run_lab(KIT_ROOT, LAB, True, "--full"), started


@pytest.fixture(scope="module")
def stdout(run):
    result, _ = run
    assert_ran(result)
    return result.stdout


def test_runs_and_saves_its_figures(run, stdout):
    _, started = run
    assert "lab4: fast smoke run" in stdout and "grid: small" in stdout
    for name in FIGURES:
        path = KIT_ROOT / "out" / "lab4" / name
        assert path.exists() and path.stat().st_mtime >= started - 1, name
        assert f"figure saved: out/lab4/{name}" in stdout
    assert "grid: small" in stdout  # --full is ignored in fast mode


def test_skill_examples(stdout):
    found = re.search(r"MSE 0.05 -> skill (\S+); MSE 1/12 -> skill (\S+)", stdout)
    assert float(found.group(1)) == pytest.approx(1 - 0.05 * 6, abs=1e-3)
    assert float(found.group(2)) == pytest.approx(0.5, abs=1e-3)  # short-term memory alone
    found = re.search(r"accuracy 0.75 -> skill (\S+); accuracies \[0.5, 1.0, 0.4\] -> skills \[(.+?)\]", stdout)
    assert float(found.group(1)) == pytest.approx(0.5, abs=1e-3)
    assert np.allclose(np.array(found.group(2).split(), dtype=float), [0.0, 1.0, -0.2])


def test_short_term_memory_scores_half_the_baseline():
    """The 0.5 line: knowing the second marked number and guessing 1/2 for the first gives MSE 1/12."""
    import seqtasks

    x, y = seqtasks.make_adding_problem(200_000, 20, seed=3)
    second = np.array([row[np.flatnonzero(marks)[1]] for row, marks in zip(x[:, :, 0], x[:, :, 1])])
    assert np.mean((second + 0.5 - y[:, 0]) ** 2) == pytest.approx(1 / 12, rel=0.02)
    assert seqtasks.adding_baseline_mse(y) == pytest.approx(1 / 6, rel=0.02)


def test_train_step_matches_keras_global_clipnorm(stdout):
    found = re.search(r"train_step: loss (\S+), global norm before clipping (\S+) \(clipped to 0.1\); .* = (\S+)",
                      stdout)
    loss, norm, gap = (float(v) for v in found.groups())
    assert gap < 1e-6 and norm > 0.1  # the check clips for real
    # Recompute the loss and the norm with Keras alone, from the same seeded model.
    import keras
    import seqtasks
    import tensorflow as tf

    from rnnlab.simple_rnn import SimpleRNNCell

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((12, 2)), keras.layers.RNN(SimpleRNNCell(8)), keras.layers.Dense(1)])
    x, y = seqtasks.make_adding_problem(16, 12, seed=1)
    with tf.GradientTape() as tape:
        expected_loss = tf.reduce_mean(tf.square(model(x) - y))
    expected_norm = tf.linalg.global_norm(tape.gradient(expected_loss, model.trainable_variables))
    assert loss == pytest.approx(float(expected_loss), abs=1e-4)
    assert norm == pytest.approx(float(expected_norm), rel=1e-3)


RUN_LINE = re.compile(r"^(agreement, clauses (\d+)\.\.(\d+) \(T <= (\d+)\)|adding T=(\d+)|temporal order T=(\d+))\s+"
                      r"(SimpleRNN \(tanh\)|IRNN|LSTM|GRU)\s+(default|chrono|forget bias \d|update bias \d)\s+"
                      r"seed (\d+): test (MSE|accuracy) (\S+) \(chance (\S+)\), skill (\S+) \[", re.MULTILINE)


def run_lines(stdout):
    return [m.groups() for m in RUN_LINE.finditer(stdout)]


def test_every_run_line_recomputes_its_skill(stdout):
    lines = run_lines(stdout)
    # fast mode: the agreement grid, one other initialisation, adding, temporal order, the reversed run
    assert [(line[0].split(" T=")[0].split(",")[0], line[6], line[7]) for line in lines] == (
        [("agreement", m, "default" if m in MODELS[:2] else "chrono") for m in MODELS]
        + [("agreement", "SimpleRNN (tanh)", "default")]  # the curriculum run: clauses 1..L
        + [("agreement", "LSTM", "forget bias 1")]
        + [("adding", m, "default" if m in MODELS[:2] else "chrono") for m in MODELS]
        + [("temporal order", m, "default" if m in MODELS[:2] else "chrono") for m in MODELS]
        + [("agreement", "SimpleRNN (tanh)", "default")])
    for line in lines:
        task, metric_name, metric, chance, printed_skill = line[0], line[9], float(line[10]), float(line[11]), float(line[12])
        if task.startswith("adding"):
            baseline, perfect = 1 / 6, 0.0
            assert int(line[4]) == FAST_LENGTHS["adding"] and metric_name == "MSE"
        elif task.startswith("temporal order"):
            baseline, perfect = 0.25, 1.0  # four classes, balanced
            assert int(line[5]) == FAST_LENGTHS["temporal order"] and metric_name == "accuracy"
        else:
            baseline, perfect = 0.5, 1.0
            low, high, steps = int(line[1]), int(line[2]), int(line[3])
            assert (low, high) == (max(1, FAST_AGREEMENT_L // 2), FAST_AGREEMENT_L) and steps == high + 5
        assert chance == pytest.approx(baseline, abs=1e-4)
        if metric_name == "accuracy":  # an accuracy on 64 test sequences in fast mode
            assert metric * 64 == pytest.approx(round(metric * 64), abs=1e-2)
        assert printed_skill == pytest.approx((metric - baseline) / (perfect - baseline), abs=6e-3)  # both rounded


def test_masking_leaves_the_state_of_a_padded_sentence_unchanged(stdout):
    gaps = re.findall(r"^(SimpleRNN \(tanh\)|LSTM): max \|h_T\(padded, masked\) - h_T\(unpadded\)\| = (\S+)$",
                      stdout, re.MULTILINE)
    assert [name for name, _ in gaps] == ["SimpleRNN (tanh)", "LSTM"]
    assert all(float(gap) <= 1e-5 for _, gap in gaps)


def test_closest_noun_rule_and_distances(stdout):
    import seqtasks

    found = re.search(r"closest-noun rule: accuracy (\S+) on random attractors, (\S+) on opposite ones; chance 0.5",
                      stdout)
    x, y = seqtasks.make_agreement(64, clause_len=FAST_TEST_CLAUSES[-1], seed=2 * 10**6 + FAST_TEST_CLAUSES[-1])
    assert float(found.group(1)) == pytest.approx(seqtasks.agreement_closest_noun_accuracy(x, y), abs=0.005)
    assert float(found.group(2)) == 0.0  # opposite attractors: the closest noun is always wrong
    by_distance = re.findall(r"^(\S+(?: \(tanh\))?)\s+accuracy by distance, opposite attractors \(seed 0\): (.+)$",
                             stdout, re.MULTILINE)
    assert [name for name, _ in by_distance] == MODELS
    for _, line in by_distance:
        pairs = [item.split(":") for item in line.split()]
        assert [int(d) for d, _ in pairs] == [c + 3 for c in FAST_TEST_CLAUSES]  # distance = clause + 3
        assert all(0.0 <= float(a) <= 1.0 for _, a in pairs)


def test_gate_memory_numbers(stdout):
    lines = re.findall(r"gate bias (\S+): sigmoid = (\S+), memory of about (\S+) steps", stdout)
    assert [float(b) for b, _, _ in lines] == pytest.approx([0.0, 1.0, math.log(39)], abs=1e-3)
    for bias, printed_sigmoid, memory in lines:
        g = 1 / (1 + math.exp(-float(bias)))
        assert float(printed_sigmoid) == pytest.approx(g, abs=1e-4)
        assert float(memory) == pytest.approx(1 / (1 - g), abs=0.05)
    assert [s for _, s, _ in lines] == ["0.5000", "0.7311", "0.9750"]  # the text quotes 2, 3.7 and 40 steps
    # chrono_bias's example: b_i = -b_f = -log u with u ~ U(1, 39) from seed 0; memories 1 + u
    found = re.search(r"chrono_bias\('lstm', 4, t_max=40\): b_i = \[(.+?)\], b_f = \[(.+?)\], memories \[(.+?)\] steps",
                      stdout)
    u = np.random.default_rng(0).uniform(1, 39, size=4)
    assert np.allclose(np.array(found.group(2).split(), float), np.log(u), atol=1e-3)
    assert np.allclose(np.array(found.group(1).split(), float), -np.log(u), atol=1e-3)
    assert np.allclose(np.array(found.group(3).split(), float), 1 + u, atol=0.06)


def test_printed_gradient_ratios(stdout):
    lines = re.findall(r"^(.+?)\s+agreement, clause (\d+): \|\|dL/dh_1\|\| / \|\|dL/dh_T\|\| = (\S+) at initialisation, "
                       r"(\S+) after", stdout, re.MULTILINE)
    assert [name for name, *_ in lines] == MODELS
    for _, clause, initial, trained in lines:
        assert int(clause) == FAST_AGREEMENT_L and float(initial) > 0 and float(trained) > 0
    # The tanh model's ratio at initialisation, rebuilt here from the same seed and the same batch.
    import keras
    import seqtasks
    import tensorflow as tf

    from rnnlab.gradients import state_gradient_norms
    from rnnlab.simple_rnn import SimpleRNNCell

    keras.utils.set_random_seed(0)
    cell = SimpleRNNCell(32)
    model = keras.Sequential([keras.Input((None, 21)), keras.layers.Masking(0.0), keras.layers.RNN(cell),
                              keras.layers.Dense(2)])
    x, y, _ = seqtasks.make_agreement_varied(64, FAST_AGREEMENT_L, FAST_AGREEMENT_L, seed=7)  # clauses of exactly L
    sign = np.where(y == 1, 1.0, -1.0).astype("float32")
    readout = model.layers[-1]
    norms = state_gradient_norms(cell, x, lambda h: tf.reduce_mean(sign * (readout(h)[:, 1] - readout(h)[:, 0])))
    assert float(lines[0][2]) == pytest.approx(norms[0] / norms[-1], rel=1e-3)


def test_clipping_and_reversal_lines(stdout):
    clipping = re.findall(r"IRNN, adding T=(\d+), Adam (\S+), (no clipping|clip_norm = 1): largest gradient norm "
                          r"(\S+), (\d+) steps run, test MSE (\S+) \(skill (\S+)\)", stdout)
    assert [c[2] for c in clipping] == ["no clipping", "clip_norm = 1"]
    for _, _, _, _, _, metric, printed_skill in clipping:
        if math.isfinite(float(metric)):
            assert float(printed_skill) == pytest.approx(1 - float(metric) * 6, abs=0.02)
    found = re.search(r"tanh RNN, agreement: test accuracy (\S+) in order, (\S+) reversed", stdout)
    tanh_runs = [line for line in run_lines(stdout) if line[6] == "SimpleRNN (tanh)" and line[0].startswith("agreement")]
    assert float(found.group(1)) == float(tanh_runs[0][10]) and float(found.group(2)) == float(tanh_runs[-1][10])


def test_reversed_agreement_puts_the_subject_one_step_before_the_answer():
    import seqtasks

    x, y, clause_len = seqtasks.make_agreement_varied(50, 20, 40, seed=0)
    reversed_x = x[:, ::-1]
    plural = np.array([seqtasks.AGREEMENT_VOCAB.index(w) for w in ("guys", "students", "friends", "teachers")])
    the = seqtasks.AGREEMENT_VOCAB.index("the")
    for row, label, length in zip(reversed_x, y, clause_len):
        ids = row[row.any(-1)].argmax(-1)  # the real tokens, padding (now at the end) left out
        assert len(ids) == length + 5
        # Reversed, the sentence ends "subject the": the subject is one step before the answer.
        assert ids[-1] == the and int(np.isin(ids[-2], plural)) == label


def test_truncated_bptt_lines(stdout):
    lines = re.findall(r"truncated BPTT, k =\s*(\d+) \((\d+) chunks of a (\d+)-step sequence, (k <= d|k > d )\): "
                       r"echo test MSE (\S+) \(predicting 0: (\S+)\)", stdout)
    assert [int(k) for k, *_ in lines] == [2, 6]
    for k, chunks, length, relation, mse, zero in lines:
        k, length = int(k), int(length)
        assert length == ECHO_LENGTH and int(chunks) == math.ceil(length / k)
        assert relation.strip() == ("k <= d" if k <= ECHO_LAG else "k > d")
        assert float(zero) == 1.0 and float(mse) >= 0
    # Predicting 0 for a ±1 echo scores exactly 1 after the lag.
    rng = np.random.default_rng(0)
    x = rng.choice([-1.0, 1.0], size=(4, ECHO_LENGTH))
    assert np.mean(x[:, :-ECHO_LAG] ** 2) == 1.0


def test_results_json_rows_and_markdown(run, stdout):
    _, started = run
    import json

    path = KIT_ROOT / "out" / "lab4" / "results.json"
    assert path.stat().st_mtime >= started - 1
    rows = json.loads(path.read_text())
    assert "results written: out/lab4/results.json" in stdout and f"({len(rows)} rows)" in stdout
    keys = {"task", "T", "distance", "model", "seed", "init", "metric", "metric_name", "baseline", "skill"}
    for row in rows:
        assert keys <= set(row), row
        if row["metric"] == row["metric"]:  # not nan
            perfect = 0.0 if row["metric_name"] == "MSE" else 1.0
            assert row["skill"] == pytest.approx((row["metric"] - row["baseline"]) / (perfect - row["baseline"]))
    sections = {row["section"] for row in rows}
    assert {"agreement", "agreement by distance", "curriculum", "initialisation", "adding", "temporal order",
            "reversed input", "truncated BPTT"} <= sections
    curriculum = re.search(r"tanh RNN trained on clauses 1\.\.(\d+), accuracy by distance, opposite attractors: (.+)$",
                           stdout, re.MULTILINE)
    assert int(curriculum.group(1)) == FAST_AGREEMENT_L
    assert [int(item.split(":")[0]) for item in curriculum.group(2).split()] == [c + 3 for c in FAST_TEST_CLAUSES]
    distance_rows = [r for r in rows if r["section"] == "agreement by distance"]
    assert len(distance_rows) == len(MODELS) * len(FAST_TEST_CLAUSES) * 2  # x random and opposite attractors
    markdown = (KIT_ROOT / "out" / "lab4" / "results.md").read_text()
    assert "| task | T | metric (chance) |" in markdown and "| task | distance | metric (chance) |" in markdown


def test_results_table_from_a_tiny_grid():
    from rnnlab.training import results_markdown

    rows = []
    for task, steps, baseline, metric_name in (("adding", 50, 1 / 6, "MSE"), ("agreement", 15, 0.5, "accuracy")):
        for model in ("A", "B"):
            for seed, metric in enumerate((0.01, 0.03) if task == "adding" else (1.0, 0.6)):
                perfect = 0.0 if task == "adding" else 1.0
                rows.append({"task": task, "T": steps, "model": model, "seed": seed, "metric": metric,
                             "metric_name": metric_name, "baseline": baseline,
                             "skill": (metric - baseline) / (perfect - baseline)})
    rows = [r for r in rows if not (r["task"] == "agreement" and r["model"] == "B")]  # a missing cell
    table = results_markdown(rows, ["A", "B"])
    lines = table.strip().splitlines()
    assert lines[0] == "| task | T | metric (chance) | A | B |"
    assert re.fullmatch(r"\|---\|---:\|---\|(---\|){2}", lines[1])
    assert len(lines) == 4 and all(line.count("|") == 6 for line in lines)
    # adding: mean MSE 0.02, mean skill 1 - 0.02 * 6 = 0.88; both seeds reach 0.8 (0.94 and 0.82)
    assert lines[2] == ("| adding | 50 | MSE (0.1667) | 0.0200 (skill 0.88, 2/2 solved) | "
                        "0.0200 (skill 0.88, 2/2 solved) |")
    # agreement: accuracies 1.0 and 0.6 -> skills 1.0 and 0.2, mean 0.6, one solved; B has no runs
    assert lines[3] == "| agreement | 15 | accuracy (0.5000) | 0.8000 (skill 0.60, 1/2 solved) | - |"


def test_opens_as_a_notebook():
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(LAB)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert 'lab = labtools.start("lab4")' in code[0]
    assert len(code) >= 10 and len(markdown) >= 10
    assert markdown[0].startswith("# Lab 4")
    text = "\n".join(markdown)
    for exercise in ("`skill", "`train_step", "`chrono_bias", "`truncated_bptt_step"):
        assert exercise in text
