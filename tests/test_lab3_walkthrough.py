"""Tests of the Lab 3 walkthrough, ``solutions/lab3_gru.py``.

As for Lab 2: the lab runs in fast mode from the kit's root and in default mode from inside
``solutions/``; every number a student could check is recomputed here independently (formulas,
NumPy, Keras's built-in cells with a plain tape).
"""

import time
from pathlib import Path

import numpy as np
import pytest
from test_lab2_walkthrough import profile_ratio, seeded_keras, set_bias_block
from walkthroughkit import assert_ran, numbers, run_lab

from autograder.labs.shared import reference

KIT_ROOT = Path(__file__).resolve().parents[1]
LAB = KIT_ROOT / "solutions" / "lab3_gru.py"
OUT_DIR = KIT_ROOT / "out" / "lab3"
FIGURES = ["gru_cell.png", "jacobian_share.png", "gradient_profiles.png"]


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
    result = run_lab(KIT_ROOT / "solutions", LAB.name, fast=False)
    assert_ran(result)
    return result.stdout


def test_lab_runs_in_fast_mode_and_writes_every_figure(lab_run):
    result, started = lab_run
    assert result.stdout.startswith("lab3: fast smoke run (RNNLAB_FAST=1)")
    for name in FIGURES:
        path = OUT_DIR / name
        assert path.is_file() and path.stat().st_mtime >= started - 1, f"{path} was not written by this run"
        assert path.stat().st_size > 5000
        assert f"figure saved: out/lab3/{name}" in result.stdout


def test_the_file_is_a_percent_notebook_that_starts_the_lab():
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(LAB)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0] == 'from rnnlab import labtools\n\nlab = labtools.start("lab3")'
    assert (KIT_ROOT / "labs" / LAB.name).read_text() == LAB.read_text()


def test_default_mode_from_inside_solutions(stdout, default_stdout):
    assert default_stdout.startswith("lab3: default mode")
    same = stdout[stdout.index("\n"):stdout.index("simple RNN: ")]
    assert same in default_stdout
    ratios = {name: numbers(default_stdout, f"{name}: ||dL/dh_1|| / ||dL/dh_T|| = {{}} (T = 100)")[0]
              for name in ("simple RNN", "GRU", "GRU, update bias 3", "LSTM (forget bias 1)")}
    # The text: a GRU at z = 0.5 loses the gradient; with z near 1 many orders of magnitude more crosses.
    assert ratios["GRU"] < 1e-6 * ratios["simple RNN"]
    assert ratios["GRU, update bias 3"] > 1e6 * ratios["GRU"]


# ---- section 1: the exercise ---------------------------------------------------------------------
def test_gru_cell_equals_keras_both_conventions(stdout):
    assert "state_size = 5, output_size = 5" in stdout
    assert "weights: kernel (3, 15), recurrent_kernel (5, 15), bias (15,)" in stdout
    assert "reset_after=True weights: kernel (3, 15), recurrent_kernel (5, 15), bias (2, 15)" in stdout
    before, = numbers(stdout, "GRUCell vs keras.layers.GRUCell(reset_after=False): max abs difference = {}")
    after, = numbers(stdout, "GRUCell(reset_after=True) vs keras.layers.GRU(): max abs difference = {}")
    assert before < 1e-6 and after < 1e-6
    saved, = numbers(stdout, "Bidirectional(RNN(GRUCell(5))): outputs (4, 12, 10); after .keras save and load: "
                             "max abs difference = {}")
    assert saved < 1e-6


# ---- section 2: the two conventions --------------------------------------------------------------
def test_notes_convention_is_keras_with_the_update_gate_negated(stdout):
    x = np.random.default_rng(1).normal(size=(4, 12, 3)).astype("float32")
    generator = np.random.default_rng(2)  # the lab's random_weights(cell, seed=2), in weight order
    weights = {name: (0.5 * generator.normal(size=shape)).astype("float32")
               for name, shape in (("w.kernel", (3, 15)), ("w.recurrent_kernel", (5, 15)), ("w.bias", (15,)))}
    keras_outputs, _ = reference.gru(x, weights["w.kernel"], weights["w.recurrent_kernel"], weights["w.bias"])
    notes_outputs, _ = reference.gru(x, weights["w.kernel"], weights["w.recurrent_kernel"], weights["w.bias"],
                                          flipped=True)
    same, = numbers(stdout, "notes' GRU with the same weights vs keras.layers.GRUCell: max abs difference = {}")
    assert same == pytest.approx(np.max(np.abs(notes_outputs - keras_outputs)), rel=0.05)
    assert same > 0.1
    negated, = numbers(stdout, "notes' GRU with z's weights and bias negated vs keras.layers.GRUCell: "
                               "max abs difference = {}")
    assert negated < 1e-5


# ---- section 3: gradients and sizes --------------------------------------------------------------
def test_one_step_jacobian(stdout):
    import keras
    import tensorflow as tf

    x = np.random.default_rng(4).normal(size=(3, 3)).astype("float32")
    h = np.random.default_rng(5).normal(scale=0.5, size=(3, 5)).astype("float32")
    cell = keras.layers.GRUCell(5, reset_after=False, recurrent_initializer=keras.initializers.Orthogonal(seed=6),
                                kernel_initializer=keras.initializers.GlorotUniform(seed=7))
    cell.build((None, 3))
    kernel = cell.kernel.numpy().astype(np.float64)
    recurrent = cell.recurrent_kernel.numpy().astype(np.float64)

    # U = 0: z reads only the input (zero bias), and the Jacobian is diag(z).
    z_input_only = 1.0 / (1.0 + np.exp(-(x @ kernel[:, :5])))
    gap, mean_z = numbers(stdout, "U = 0: max |dh_t/dh_(t-1) - diag(z)| = {}, mean z = {}")
    assert gap < 1e-6 and mean_z == pytest.approx(z_input_only.mean(), abs=5e-5)

    h_tensor = tf.constant(h)
    with tf.GradientTape() as tape:
        tape.watch(h_tensor)
        h_next, _ = cell(tf.constant(x), [h_tensor])
    jacobian = tape.batch_jacobian(h_next, h_tensor).numpy()
    z = 1.0 / (1.0 + np.exp(-(x @ kernel[:, :5] + h @ recurrent[:, :5])))
    share = np.linalg.norm(np.stack([np.diag(row) for row in z])) / np.linalg.norm(jacobian)
    printed_share, printed_z = numbers(stdout, "orthogonal U: ||diag(z)|| / ||dh_t/dh_(t-1)|| = {}, mean z = {}")
    assert printed_share == pytest.approx(share, abs=5e-4) and printed_z == pytest.approx(z.mean(), abs=5e-5)


@pytest.mark.parametrize("name, formula, blocks, extra", [
    ("SimpleRNNCell", "H(D + H + 1)", 1, 0),
    ("GRUCell(reset_after=False)", "3H(D + H + 1)", 3, 0),
    ("GRUCell(reset_after=True)", "3H(D + H + 1) + 3H", 3, 3),
    ("LSTMCell", "4H(D + H + 1)", 4, 0),
])
def test_parameter_counts(stdout, name, formula, blocks, extra):
    d, h = 8, 32
    expected = blocks * h * (d + h + 1) + extra * h
    assert f"  {name}: {expected} ({formula} = {expected})" in stdout
    assert "parameters for D = 8, H = 32:" in stdout


def test_profiles_match_keras_cells_and_a_plain_tape(stdout):
    import keras

    units, features = 8, 4
    x = np.random.default_rng(7).normal(size=(4, 20, features)).astype("float32")
    cells = {
        "simple RNN": seeded_keras(keras.layers.SimpleRNNCell, units),
        "GRU": seeded_keras(keras.layers.GRUCell, units, reset_after=False),
        "GRU, update bias 3": set_bias_block(seeded_keras(keras.layers.GRUCell, units, reset_after=False),
                                             features, 0, 3, 3.0),
        "LSTM (forget bias 1)": seeded_keras(keras.layers.LSTMCell, units),
    }
    for name, cell in cells.items():
        printed, = numbers(stdout, f"{name}: ||dL/dh_1|| / ||dL/dh_T|| = {{}} (T = 20)")
        assert printed == pytest.approx(profile_ratio(cell, x), rel=2e-3), name
