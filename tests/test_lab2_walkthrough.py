"""Tests of the Lab 2 walkthrough, ``solutions/lab2_lstm.py``.

The lab runs as a student would run it and the tests read its stdout: once in fast mode
(``RNNLAB_FAST=1``) from the kit's root, once in default mode from inside ``solutions/``. Every
number a student could check is compared with a value computed here independently of the lab
(formulas, NumPy, or Keras's built-in cells with a plain tape), never with a copied number. The
untouched student release must run section 1 and then stop at the first exercise.
"""

import math
import time
from pathlib import Path

import numpy as np
import pytest
from walkthroughkit import assert_ran, numbers, run_lab

KIT_ROOT = Path(__file__).resolve().parents[1]
LAB = KIT_ROOT / "solutions" / "lab2_lstm.py"
OUT_DIR = KIT_ROOT / "out" / "lab2"
FIGURES = ["lstm_cell.png", "forget_gate.png", "constant_error_carousel.png", "gradient_profiles.png"]


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


def profile_ratio(cell, x):
    """||dL/dh_1|| / ||dL/dh_T|| for L = sum(h_T), with one tape.gradient per step (no state_gradient_norms)."""
    import tensorflow as tf

    x = tf.constant(x)
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    with tf.GradientTape(persistent=True) as tape:
        states = [tf.zeros((x.shape[0], size)) for size in sizes]
        hidden = []
        for t in range(x.shape[1]):
            h, states = cell(x[:, t, :], states)
            hidden.append(h)
        loss = tf.reduce_sum(hidden[-1])
    first, last = (float(tf.norm(tape.gradient(loss, hidden[i]))) for i in (0, -1))
    return first / last


def seeded_keras(cell_class, units, **kwargs):
    import keras

    return cell_class(units, kernel_initializer=keras.initializers.GlorotUniform(seed=1),
                      recurrent_initializer=keras.initializers.Orthogonal(seed=2), **kwargs)


def set_bias_block(cell, input_dim, block, count, value):
    """Build ``cell`` and set block ``block`` (of ``count``) of its bias's last axis to ``value``."""
    cell.build((None, input_dim))
    values = cell.bias.numpy()
    width = values.shape[-1] // count
    values[..., block * width:(block + 1) * width] = value
    cell.bias.assign(values)
    return cell


@pytest.fixture(scope="module")
def lab_run():
    started = time.time()
    result = run_lab(KIT_ROOT, LAB.relative_to(KIT_ROOT), fast=True)
    assert_ran(result)
    return result, started


@pytest.fixture(scope="module")
def stdout(lab_run):
    return lab_run[0].stdout


@pytest.fixture(scope="module")
def default_stdout(lab_run):
    """Default mode, started from inside solutions/ (after the fast run: one lab at a time)."""
    result = run_lab(KIT_ROOT / "solutions", LAB.name, fast=False)
    assert_ran(result)
    return result.stdout


# ---- the run, the figures, the notebook ------------------------------------------------------
def test_lab_runs_in_fast_mode_and_writes_every_figure(lab_run):
    result, started = lab_run
    assert result.stdout.startswith("lab2: fast smoke run (RNNLAB_FAST=1)")
    for name in FIGURES:
        path = OUT_DIR / name
        assert path.is_file() and path.stat().st_mtime >= started - 1, f"{path} was not written by this run"
        assert path.stat().st_size > 5000, f"{path} looks empty"
        assert f"figure saved: out/lab2/{name}" in result.stdout


def test_the_file_is_a_percent_notebook_that_starts_the_lab():
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(LAB)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0] == 'from rnnlab import labtools\n\nlab = labtools.start("lab2")'
    assert sum(cell.cell_type == "markdown" for cell in notebook.cells) >= 10
    # The student's copy is the same notebook (the lab file has no solution blocks).
    assert (KIT_ROOT / "labs" / LAB.name).read_text() == LAB.read_text()


def test_the_untouched_release_runs_section_1_then_stops_at_the_exercise():
    result = run_lab(KIT_ROOT, Path("labs") / LAB.name, fast=True)
    assert result.returncode != 0
    assert "i = 1, f = 0 (overwrite): c_t = 0.5000" in result.stdout  # section 1 needs no exercise
    assert "NotImplementedError" in result.stderr and "LSTMCell.call: fill in this TODO in rnnlab/lstm.py" in result.stderr


def test_default_mode_from_inside_solutions(stdout, default_stdout):
    assert default_stdout.startswith("lab2: default mode")
    # Sections 1 and 2 have the same sizes in both modes.
    same = stdout[stdout.index("\n"):stdout.index("f = 1, i = 0")]
    assert same in default_stdout
    forward, = numbers(default_stdout, "f = 0.5, T = 10: forward (change in c_T) / (change in c_0) = {}")
    assert forward == pytest.approx(0.5 ** 10, abs=1e-6)
    ratios = {name: numbers(default_stdout, f"{name}: ||dL/dh_1|| / ||dL/dh_T|| = {{}} (T = 100)")[0]
              for name in ("simple RNN", "LSTM, forget bias 0", "LSTM, forget bias 1", "LSTM, forget bias 3")}
    # What the text says: bias 0 loses the gradient far sooner than the simple RNN, bias 1 is level
    # with it (within a factor of 100), bias 3 keeps a good part over a hundred steps.
    assert ratios["LSTM, forget bias 0"] < 1e-6 * ratios["simple RNN"]
    # ... and still a positive number: state_gradient_norms sums in float64 (in float32 the early
    # squares, ~1e-46, underflow and this ratio prints 0).
    assert 0 < ratios["LSTM, forget bias 0"] < 1e-15
    assert 1e-2 < ratios["LSTM, forget bias 1"] / ratios["simple RNN"] < 1e2
    assert ratios["LSTM, forget bias 3"] > 0.1


# ---- section 1: gates as soft switches -------------------------------------------------------
def test_forget_gate_worked_example_with_the_corrected_value(stdout):
    a = [2.9, 0.5, 0.7]
    w = [[1.0, 0.4, 0.7], [-0.6, -0.5, -0.2]]
    logits = [sum(wi * ai for wi, ai in zip(row, a)) for row in w]
    assert logits == pytest.approx([3.59, -2.13])
    assert numbers(stdout, "W_f a + b_f = [ {} {}]") == pytest.approx(logits, abs=5e-3)
    gates = [sigmoid(v) for v in logits]
    assert f"{gates[0]:.4f}" == "0.9731" and f"{gates[1]:.4f}" == "0.1062"  # the notes print 0.7941
    for template in ("f = sigmoid(W_f a + b_f) = [{} {}]", "keras.ops.sigmoid agrees: [{} {}]",
                     "f * c_prev with c_prev = [1, 1]: [{} {}]"):
        assert numbers(stdout, template) == pytest.approx(gates, abs=5e-5)


@pytest.mark.parametrize("name, i, f", [("remember", 0, 1), ("add", 1, 1), ("erase", 0, 0), ("overwrite", 1, 0)])
def test_gate_truth_table(stdout, name, i, f):
    c = f * 2.0 + i * 0.5  # c_t = f c_{t-1} + i g with c_{t-1} = 2, g = 0.5
    c_printed, h_printed = numbers(stdout, f"i = {i}, f = {f} ({name}): c_t = {{}}, h_t = o * tanh(c_t) = {{}}")
    assert c_printed == pytest.approx(c, abs=5e-5) and h_printed == pytest.approx(math.tanh(c), abs=5e-5)
    ours, theirs = numbers(stdout, f"forced {name}: your c_t = {{}}, keras c_t = {{}}")
    assert ours == theirs == pytest.approx(c, abs=5e-5)


# ---- section 2: the exercise -----------------------------------------------------------------
def test_lstm_cell_contract_and_keras_equivalence(stdout):
    assert "state_size = [5, 5], output_size = 5" in stdout
    assert "weights: kernel (3, 20), recurrent_kernel (5, 20), bias (20,)" in stdout
    assert "one step: h_1 (4, 5), c_1 (4, 5)" in stdout
    difference, = numbers(stdout, "LSTMCell vs keras.layers.LSTMCell over 12 steps: max abs difference = {}")
    assert difference < 1e-6


def test_get_config_registration_and_bidirectional(stdout):
    assert "get_config: units=7, activation='relu', unit_forget_bias=False" in stdout
    assert "from_config: units=7, activation='relu', unit_forget_bias=False" in stdout
    assert "registered as 'rnnlab>LSTMCell'" in stdout
    assert "Bidirectional(RNN(UnregisteredLSTMCell)) fails with TypeError:" in stdout
    assert "Could not locate class 'UnregisteredLSTMCell'" in stdout
    assert "Bidirectional(RNN(LSTMCell(5))): outputs (4, 12, 10) = (batch, T, 2 * 5)" in stdout
    difference, = numbers(stdout, "after .keras save and load: max abs difference = {}")
    assert difference < 1e-6


# ---- section 3: the constant error carousel --------------------------------------------------
def test_forget_one_passes_the_gradient_unmodified(stdout):
    # L = sum(v c_T) over a batch of 3, so dL/dc_T is v in every row: ||dL/dc_T|| = sqrt(3) ||v||.
    v = np.random.default_rng(6).normal(size=4).astype("float32").astype(np.float64)
    expected = math.sqrt(3) * np.linalg.norm(v)
    first, last = numbers(stdout, "f = 1, i = 0, T = 12: ||dL/dc_0|| = {}, ||dL/dc_T|| = {}")
    assert first == pytest.approx(expected, abs=2e-6) and last == pytest.approx(expected, abs=2e-6)
    gradient_gap, memory_gap = numbers(stdout, "f = 1, i = 0: max |dL/dc_0 - dL/dc_T| = {}, max |c_T - c_0| = {}")
    assert gradient_gap < 1e-6 and memory_gap < 1e-6


def test_forget_half_shrinks_influence_and_gradient_alike(stdout):
    expected = 0.5 ** 6
    forward, = numbers(stdout, "f = 0.5, T = 6: forward (change in c_T) / (change in c_0) = {}")
    backward, = numbers(stdout, "f = 0.5, T = 6: backward (dL/dc_0) / (dL/dc_T) = {}")
    power, = numbers(stdout, "0.5^6 = {}")
    assert forward == pytest.approx(expected, abs=1e-6)
    assert backward == pytest.approx(expected, abs=1e-6)
    assert power == pytest.approx(expected, abs=1e-6)


# ---- section 4: gradient profiles ------------------------------------------------------------
def test_profiles_match_keras_cells_and_a_plain_tape(stdout):
    import keras

    units, features = 8, 4
    x = np.random.default_rng(7).normal(size=(4, 20, features)).astype("float32")
    cells = {
        "simple RNN": seeded_keras(keras.layers.SimpleRNNCell, units),
        "LSTM, forget bias 0": seeded_keras(keras.layers.LSTMCell, units, unit_forget_bias=False),
        "LSTM, forget bias 1": seeded_keras(keras.layers.LSTMCell, units, unit_forget_bias=True),
        "LSTM, forget bias 3": set_bias_block(seeded_keras(keras.layers.LSTMCell, units), features, 1, 4, 3.0),
    }
    for name, cell in cells.items():
        printed, = numbers(stdout, f"{name}: ||dL/dh_1|| / ||dL/dh_T|| = {{}} (T = 20)")
        assert printed == pytest.approx(profile_ratio(cell, x), rel=2e-3), name


# ---- section 5: the bonus --------------------------------------------------------------------
def test_peephole_cell(stdout):
    assert ("PeepholeLSTMCell weights: kernel (3, 20), recurrent_kernel (5, 20), bias (20,), "
            "peephole_i (5,), peephole_f (5,), peephole_o (5,)") in stdout
    d, h = 3, 5
    assert f"parameters: {4 * h * (d + h + 1) + 3 * h} = 4H(D + H + 1) + 3H with D = 3, H = 5" in stdout
    difference, = numbers(stdout, "peepholes at zero vs LSTMCell: max abs difference = {}")
    assert difference < 1e-6
