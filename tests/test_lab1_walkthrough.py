"""Tests of the Lab 1 walkthrough, ``solutions/lab1_vanishing_gradients.py``.

The lab runs as a student would run it, and the tests read its stdout:

- once in fast mode (``RNNLAB_FAST=1``, a few seconds plus the TensorFlow import) from the kit's
  root. Every number a student could check is compared with a value computed here, independently
  of the lab (formulas, NumPy), never with a number copied from a previous run;
- once in default mode from inside ``solutions/`` (``cd solutions && python lab1_...py``, about
  15 s): it must work from there too, print the same numbers where the size does not matter
  (seeded), and show what the lab's text claims (clipping trains below the baseline, truncated
  BPTT fails for k < lag, ...). Its wall time is a budget for ``bench/``, not a test.
"""

import math
import re
import time
from pathlib import Path

import numpy as np
import pytest
from walkthroughkit import FLOAT, assert_ran, numbers, run_lab

KIT_ROOT = Path(__file__).resolve().parents[1]
LAB = KIT_ROOT / "solutions" / "lab1_vanishing_gradients.py"
OUT_DIR = KIT_ROOT / "out" / "lab1"
FIGURES = [
    "scalar_recurrence.png",
    "unrolled_rnn.png",
    "tanh_factors.png",
    "cobweb.png",
    "phase_plot.png",
    "map_gradients.png",
    "tanh_unit_cliff.png",
    "gradient_profiles.png",
    "clipping.png",
    "truncated_bptt.png",
    "irnn_vs_tanh.png",
]


@pytest.fixture(scope="module")
def lab_run():
    started = time.time()
    result = run_lab(KIT_ROOT, LAB.relative_to(KIT_ROOT), fast=True)
    assert_ran(result)
    return result, started


@pytest.fixture(scope="module")
def default_stdout(lab_run):
    """Default mode, started from inside solutions/ (after the fast run: one lab at a time)."""
    result = run_lab(KIT_ROOT / "solutions", LAB.name, fast=False)
    assert_ran(result)
    return result.stdout


@pytest.fixture(scope="module")
def stdout(lab_run):
    return lab_run[0].stdout




# ---- the run itself -------------------------------------------------------------------------


def test_lab_runs_in_fast_mode(stdout):
    assert stdout.startswith("lab1: fast smoke run (RNNLAB_FAST=1)")


def test_every_figure_is_written(lab_run):
    _, started = lab_run
    for name in FIGURES:
        path = OUT_DIR / name
        assert path.is_file(), f"missing figure {path}"
        assert path.stat().st_mtime >= started - 1, f"{path} was not rewritten by this run"
        assert path.stat().st_size > 5000, f"{path} looks empty"
        assert f"figure saved: out/lab1/{name}" in lab_run[0].stdout


def test_default_mode_from_inside_solutions_prints_the_same_size_independent_numbers(
    stdout, default_stdout
):
    assert default_stdout.startswith("lab1: default mode")
    # Sections 1 to 4 and the clipping example use the same sizes in both modes.
    first_lines = stdout[stdout.index("\n"):stdout.index("U = 1.1 * Q")]
    assert first_lines in default_stdout
    clipping_example = stdout[stdout.index("gradients: "):stdout.index("without clipping")]
    assert clipping_example in default_stdout


def test_default_mode_shows_what_the_text_claims(default_stdout):
    for rho in (0.5, 0.9, 1.0, 1.1, 1.5):
        linear, tanh = numbers(default_stdout, f"rho = {rho}: per-step factor linear {{}}, tanh {{}}")
        assert f"{linear:.4f}" == f"{rho:.4f}" and tanh <= rho + 1e-4
    # "rho = 1 already vanishes" with tanh.
    (_, tanh_at_one) = numbers(default_stdout, "rho = 1.0: per-step factor linear {}, tanh {}")
    assert tanh_at_one < 0.95
    # Unclipped SGD diverges; the clipped run ends below the 1/6 baseline.
    loss, _ = numbers(default_stdout, "without clipping: diverged, loss = {} at step {}")
    assert not math.isfinite(loss)
    _, test_mse, _ = numbers(default_stdout, "with clipping: test MSE after {} steps = {} (baseline 1/6 = {})")
    assert test_mse < 1 / 6
    # Truncated BPTT learns the lag-5 echo with k = 10, not with k = 4.
    (short,) = numbers(default_stdout, "truncated BPTT, k = 4 (< lag 5): echo test MSE = {} (predicting 0 scores 1.000)")
    (long,) = numbers(default_stdout, "truncated BPTT, k = 10 (> lag 5): echo test MSE = {} (predicting 0 scores 1.000)")
    assert short > 0.5 and long < 0.1
    # Nor with k = 5, the lag itself: a lag of d needs k >= d + 1.
    (equal,) = numbers(default_stdout, "truncated BPTT, k = 5 (= lag 5): echo test MSE = {} (predicting 0 scores 1.000)")
    assert equal > 0.5
    # The IRNN keeps its gradient; the tanh cell loses it.
    irnn, tanh = numbers(default_stdout, "per-step factor: IRNN {}, tanh SimpleRNNCell {}")
    assert irnn > 0.9 and tanh < 0.9


# ---- section 1: h_t = w h_{t-1} -------------------------------------------------------------


@pytest.mark.parametrize("w", [0.9, 1.0, 1.1])
def test_scalar_recurrence_gradient_is_w_to_the_50(stdout, w):
    expected = f"{w**50:.5f}"
    assert f"w = {w}: dh_50/dh_0 from the tape = {expected}, {w}^50 = {expected}" in stdout


def test_scalar_values_match_the_corrected_notes(stdout):
    assert "0.9^50 = 0.00515" in stdout
    assert "1.1^50 = 117.39" in stdout
    assert "1.0^50 = 1.00000" in stdout


# ---- section 2: tanh factors and the quadratic map --------------------------------------------


def test_tanh_product_of_factors_equals_the_tape(stdout):
    (measured,) = numbers(stdout, "dh_20/dh_0 from the tape = {}")
    (product,) = numbers(stdout, "product of w * (1 - h_t^2)   = {}")
    assert measured == pytest.approx(product, rel=1e-6)
    # tanh only shrinks: the product is far below the linear 1.5^20.
    assert 0 < measured < 1.5**20
    assert f"1.5^20 = {1.5**20:.2f}" in stdout
    (max_state,) = numbers(stdout, "forward: max |h_t| = {} (tanh keeps every state in (-1, 1))")
    assert 0 < max_state < 1


def test_fixed_points_of_the_quadratic_map(stdout):
    # x^2 - x + 0.15 = 0 by the quadratic formula; f'(x) = 2x.
    a, b, c = 1.0, -1.0, 0.15
    discriminant = math.sqrt(b * b - 4 * a * c)
    roots = [(-b - discriminant) / (2 * a), (-b + discriminant) / (2 * a)]
    described = []
    for root in roots:
        slope = abs(2 * root)
        described.append(f"{root:.4f} ({'sink' if slope < 1 else 'source'}, |f'| = {slope:.4f})")
    assert "fixed points: " + ", ".join(described) in stdout
    assert "fixed points: 0.1838 (sink, |f'| = 0.3675), 0.8162 (source, |f'| = 1.6325)" in stdout


@pytest.mark.parametrize("x0", [0.1, 0.5, 0.8, 0.81, 0.816, 0.8162])
def test_map_gradient_matches_the_chain_rule(stdout, x0):
    # dx_T/dx_0 = prod_t f'(x_t) = prod_t 2 x_t, iterated here in float64.
    x, derivative = x0, 1.0
    for _ in range(20):
        derivative *= 2 * x
        x = x * x + 0.15
    (printed,) = numbers(stdout, f"x0 = {x0:.4f}: |dx_20/dx_0| = {{}}")
    assert printed == pytest.approx(abs(derivative), rel=1e-3)


def test_map_gradient_vanishes_inside_and_explodes_near_the_boundary(stdout):
    line = rf"^x0 = \S+: \|dx_20/dx_0\| = ({FLOAT})$"
    values = [float(v) for v in re.findall(line, stdout, re.M)]
    assert len(values) == 6
    assert values == sorted(values)
    assert values[0] < 1e-6 and values[-1] > 1e3


# ---- section 2: the one-unit tanh RNN, its fixed points and the cliff -----------------------


def _fixed_points_by_iteration(w, b):
    """The fixed points of h -> tanh(w h + b), found another way than the lab's bisection: the
    sinks by iterating the map from -1 and +1, the source by iterating its inverse
    h -> (artanh(h) - b) / w, for which a source of the map is a sink."""
    points = []
    for start in (-1.0, 1.0):
        h = start
        for _ in range(5000):
            h = math.tanh(w * h + b)
        points.append(h)
    if w > 1 and abs(points[0] - points[1]) > 1e-6:  # two sinks: a source lies between them
        h = (points[0] + points[1]) / 2
        for _ in range(5000):
            h = (math.atanh(h) - b) / w
        points.append(h)
    return sorted({round(p, 9) for p in points})


@pytest.mark.parametrize("w, b", [(0.5, 0.0), (2.0, 0.0), (2.0, -0.3), (2.0, -1.0)])
def test_tanh_unit_fixed_points(stdout, w, b):
    described = []
    for point in _fixed_points_by_iteration(w, b):
        slope = abs(w * (1 - point**2))
        described.append(f"{point + 0.0:.4f} ({'sink' if slope < 1 else 'source'}, |f'| = {slope:.4f})")
    assert f"tanh unit, w = {w}, b = {b}: fixed points " + ", ".join(described) in stdout


def _tanh_unit_run(w, b, steps=50, start=0.5):
    """h_50 and dh_50/db by forward-mode differentiation: dh_t/db = (1 - h_t^2) (w dh_(t-1)/db + 1)."""
    h, dh_db = np.full(np.broadcast(w, b).shape, start), np.zeros(np.broadcast(w, b).shape)
    for _ in range(steps):
        h = np.tanh(w * h + b)
        dh_db = (1 - h**2) * (w * dh_db + 1)
    return h, dh_db


def test_tanh_unit_cliff(stdout):
    (cliff,) = numbers(stdout, "the cliff at w = 2.0 is at b = artanh(0.5) - 0.5 w = {}")
    assert f"{cliff:.4f}" == f"{math.atanh(0.5) - 1.0:.4f}"
    losses = []
    for b in (cliff - 0.01, cliff + 0.01):
        (loss,) = numbers(stdout, f"w = 2.0, b = {b:.4f}: L = {{}}")
        h, _ = _tanh_unit_run(2.0, b)
        assert loss == pytest.approx(float((h + 0.5) ** 2), abs=1e-4)
        losses.append(loss)
    # The two sides of the cliff end at different sinks: a jump of more than 1 in the loss.
    assert losses[0] < 0.5 < 1.5 < losses[1]
    # The gradient on the lab's grid (301 x 251 points), by forward mode here, a tape in the lab.
    w, b = np.meshgrid(np.linspace(0.0, 3.0, 301), np.linspace(-1.5, 1.0, 251))
    h, dh_db = _tanh_unit_run(w, b)
    loss_db = np.abs(2 * (h + 0.5) * dh_db)
    worst = np.unravel_index(np.argmax(loss_db), loss_db.shape)
    largest, at_w, at_b, median = numbers(
        stdout, "largest |dL/db| on the grid: {} at w = {}, b = {}; median |dL/db|: {}")
    assert largest == pytest.approx(loss_db[worst], rel=1e-3)
    assert (at_w, at_b) == (round(w[worst], 2), round(b[worst], 2))
    assert median == pytest.approx(np.median(loss_db), rel=1e-3)
    assert largest > 100 * median  # the wall


# ---- sections 3 and 4: the exercises ---------------------------------------------------------


def test_simple_rnn_cell_contract_and_keras_equivalence(stdout):
    assert "state_size = 8, output_size = 8" in stdout
    assert "weights: kernel (3, 8), recurrent_kernel (8, 8), bias (8,)" in stdout
    assert "one step: x_1 (4, 3) and h_0 (4, 8) -> h_1 (4, 8), new states: a list of 1" in stdout
    assert "registered as rnnlab>SimpleRNNCell" in stdout
    (difference,) = numbers(stdout, "SimpleRNNCell vs keras.layers.SimpleRNNCell: max abs difference = {}")
    assert difference < 1e-5


def test_unroll_matches_keras_rnn(stdout):
    outputs, final = numbers(
        stdout, "unroll vs keras.layers.RNN: max abs difference = {} (outputs), {} (final state)"
    )
    assert outputs < 1e-5 and final < 1e-5
    assert "unroll: outputs (4, 10, 8), 1 final state(s)" in stdout


def test_state_gradient_norms_matches_the_naive_computation(stdout):
    (difference,) = numbers(
        stdout, "state_gradient_norms vs one tape.gradient per step: max abs difference = {}"
    )
    assert difference < 1e-4
    last, formula = numbers(stdout, "||dL/dh_T|| = {}, sqrt(batch) * ||r|| = {}")
    # L = sum(h_T * r) over a batch of 4, with r drawn as in the lab: dL/dh_T is r in every row.
    readout = np.random.default_rng(2).normal(size=8).astype(np.float32)
    assert formula == pytest.approx(2 * np.linalg.norm(readout), abs=1e-4)
    assert last == pytest.approx(formula, abs=2e-4)


# ---- section 5: profiles for U = rho Q --------------------------------------------------------


def test_scaled_orthogonal_kernel_has_rho_as_every_singular_value(stdout):
    assert "U = 1.1 * Q: singular values from 1.1000 to 1.1000, spectral radius 1.1000" in stdout


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.0, 1.1, 1.5])
def test_linear_profile_falls_by_exactly_rho_and_tanh_no_slower(stdout, rho):
    linear, tanh = numbers(stdout, f"rho = {rho}: per-step factor linear {{}}, tanh {{}}")
    assert f"{linear:.4f}" == f"{rho:.4f}"
    # |tanh'| <= 1, so every step back multiplies by at most rho (Pascanu et al. 2013).
    assert 0 < tanh <= rho + 1e-4


# ---- section 6: clipping and truncated BPTT ---------------------------------------------------


def test_clipping_examples(stdout):
    gradients = [np.array([3.0, -4.0]), None, np.array([[12.0]])]
    flat = np.concatenate([np.ravel(g) for g in gradients if g is not None])
    global_norm = float(np.sqrt(np.sum(flat**2)))
    by_value = [None if g is None else np.clip(g, -1, 1).tolist() for g in gradients]
    by_norm = [None if g is None else (g * 6.5 / global_norm).tolist() for g in gradients]
    assert f"clip_by_value to [-1, 1]: {by_value}" in stdout
    assert f"clip_by_global_norm to 6.5: {by_norm}, global norm = {global_norm:.4f}" in stdout
    difference, tf_norm = numbers(
        stdout, "clip_by_global_norm vs tf.clip_by_global_norm: max abs difference = {}, tf global norm = {}"
    )
    assert difference < 1e-6
    assert f"{tf_norm:.4f}" == f"{global_norm:.4f}"

    def cosine(a, b):
        return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))

    clipped_flat = np.clip(flat, -1, 1)
    assert (f"cosine with the original: clip_by_value {cosine(flat, clipped_flat):.4f}, "
            f"clip_by_global_norm {cosine(flat, flat * 6.5 / global_norm):.4f}") in stdout


def test_unclipped_training_diverges_and_clipped_stays_finite(stdout):
    loss, step = numbers(stdout, "without clipping: diverged, loss = {} at step {}")
    assert not math.isfinite(loss) and 1 <= step <= 40
    steps, test_mse, baseline = numbers(stdout, "with clipping: test MSE after {} steps = {} (baseline 1/6 = {})")
    assert steps == 40  # fast mode
    assert math.isfinite(test_mse)
    assert f"{baseline:.4f}" == f"{1 / 6:.4f}"
    (largest,) = numbers(stdout, "with clipping (max norm 1.0): largest gradient norm before clipping = {}")
    assert largest > 1.0  # the clip was needed


@pytest.mark.parametrize("k", [4, 5, 10])
def test_truncated_bptt_runs_for_every_chunk_length(stdout, k):
    relation = "<" if k < 5 else "=" if k == 5 else ">"
    template = f"truncated BPTT, k = {k} ({relation} lag 5): echo test MSE = {{}} (predicting 0 scores 1.000)"
    (mse,) = numbers(stdout, template)
    assert math.isfinite(mse) and mse >= 0


# ---- section 7: IRNN ----------------------------------------------------------------------------


def test_irnn_keeps_its_gradient_better_than_tanh(stdout):
    irnn, tanh = numbers(stdout, "per-step factor: IRNN {}, tanh SimpleRNNCell {}")
    # ReLU with U = I: every step back multiplies by a 0/1 diagonal, so at most 1.
    assert tanh < irnn <= 1.0 + 1e-4
    irnn_ratio, tanh_ratio = numbers(stdout, "||dL/dh_1|| / ||dL/dh_T||: IRNN {}, tanh SimpleRNNCell {}")
    assert tanh_ratio < irnn_ratio <= 1.0 + 1e-4


# ---- the notebook format -----------------------------------------------------------------------


def test_lab_is_a_percent_format_notebook():
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(LAB)
    assert notebook.metadata["jupytext"]["text_representation"]["format_name"] == "percent"
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds.count("markdown") >= 10 and kinds.count("code") >= 10
    assert kinds[0] == "markdown"
    first_code = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "from rnnlab import labtools" in first_code
    assert 'labtools.start("lab1")' in first_code
    intro = notebook.cells[0].source
    assert "python -m autograder check" in intro and "NotImplementedError" in intro


def test_lab_calls_the_exercises_instead_of_solving_them():
    """The lab is copied verbatim next to the student package: it must hold no solution code."""
    source = LAB.read_text()
    assert "BEGIN SOLUTION" not in source
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    assert "add_weight" not in code  # SimpleRNNCell.build is the student's
    for exercise in ("SimpleRNNCell", "irnn_cell", "unroll", "state_gradient_norms",
                     "clip_by_value", "clip_by_global_norm"):
        assert f"def {exercise}(" not in code and f"class {exercise}(" not in code
