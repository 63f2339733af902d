"""The autograder on Lab 4: full marks for the master (public and hidden cases), zero for the
release, and broken copies of the master losing exactly the right points with the right named
mistake. The four exercises are independent, so each broken copy carries up to one edit per
exercise."""

import numpy as np
import pytest
from conftest import LABS, SOLUTIONS
from graderkit import assert_broken_copy, exercised_mistakes, grade_folder, lost, make_submission

from autograder.engine.cases import fixture_path, load_fixture
from autograder.engine.compare import close
from autograder.labs.lab4 import mistakes as m

LAB4_POINTS = 14
MODULE = "training.py"

SKILL_MSE, SKILL_ACC = "test_skill_error_metric", "test_skill_accuracy"
STEP, CLIPPED, LOOSE, COMPILED = "test_train_step", "test_train_step_clipping", "test_train_step_loose_clip", \
    "test_train_step_compiled"
TBPTT, TBPTT_LSTM = "test_truncated_bptt", "test_truncated_bptt_lstm"
CHRONO_LSTM, CHRONO_GRU = "test_chrono_bias_lstm", "test_chrono_bias_gru"
POINTS = {SKILL_MSE: 1, SKILL_ACC: 1, STEP: 2, CLIPPED: 2, LOOSE: 1, COMPILED: 1, CHRONO_LSTM: 1, CHRONO_GRU: 1,
          TBPTT: 3, TBPTT_LSTM: 1}
BOTH_CHRONO = {CHRONO_LSTM: 1, CHRONO_GRU: 1}
ALL_TBPTT = {TBPTT: 3, TBPTT_LSTM: 1}

# Lines of the master's solution blocks that the broken copies edit.
SKILL = "result = (metric - baseline) / (perfect - baseline)"
CLIP = "grads, _ = tf.clip_by_global_norm(grads, clip_norm, use_norm=global_norm)"
NORM = "global_norm = tf.linalg.global_norm(grads)"
RETURN = "return loss, global_norm"
KEEP = "keep = np.log(u)"
BLOCKS = 'blocks = [-keep, keep, zeros, zeros] if kind == "lstm" else [keep, zeros, zeros]'
CARRY = "states = [tf.stop_gradient(s) for s in states]  # carry the value, cut the gradient"
LOOP = "for start in range(0, x.shape[1], k):"
DRAW = "u = np.random.default_rng(seed).uniform(1, t_max - 1, size=units)"
VARIABLES = "variables = cell.trainable_variables + readout.trainable_variables"
TBPTT_RETURN = "    return losses, states\n"
TBPTT_BODY = """\
    losses = []
    for start in range(0, x.shape[1], k):
        states = [tf.stop_gradient(s) for s in states]  # carry the value, cut the gradient
        with tf.GradientTape() as tape:
            outputs, states = run_cell(cell, x[:, start:start + k], states)
            loss = loss_fn(y[:, start:start + k], readout(outputs))
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        losses.append(loss)
"""
FULL_BPTT_BODY = """\
    losses = []
    with tf.GradientTape() as tape:
        for start in range(0, x.shape[1], k):
            outputs, states = run_cell(cell, x[:, start:start + k], states)
            losses.append(loss_fn(y[:, start:start + k], readout(outputs)))
        total = tf.add_n(losses) / len(losses)
    optimizer.apply_gradients(zip(tape.gradient(total, variables), variables))
"""
ACCUMULATED_BODY = """\
    losses, summed = [], None
    for start in range(0, x.shape[1], k):
        states = [tf.stop_gradient(s) for s in states]
        with tf.GradientTape() as tape:
            outputs, states = run_cell(cell, x[:, start:start + k], states)
            loss = loss_fn(y[:, start:start + k], readout(outputs))
        grads = tape.gradient(loss, variables)
        summed = grads if summed is None else [a + b for a, b in zip(summed, grads)]
        losses.append(loss)
    optimizer.apply_gradients(zip([g / len(losses) for g in summed], variables))
"""
ACROSS_BODY = """\
    losses = []
    with tf.GradientTape(persistent=True) as tape:
        for start in range(0, x.shape[1], k):
            outputs, states = run_cell(cell, x[:, start:start + k], states)
            loss = loss_fn(y[:, start:start + k], readout(outputs))
            grads = tape.gradient(loss, variables)
            optimizer.apply_gradients(zip(grads, variables))
            losses.append(loss)
"""


def test_master_scores_full_marks():
    results = grade_folder(SOLUTIONS, [4])
    assert lost(results) == {}, {n: r.output for n, r in results.items() if r.status != "passed"}
    assert sum(r.max_score for r in results.values()) == LAB4_POINTS
    assert set(results) == set(POINTS)


def test_master_passes_hidden_cases():
    """Hidden cases draw other sizes, baselines and chunk lengths; expected values come live from solutions/."""
    from autograder.engine import grading
    from autograder.engine.hidden import hidden_cases

    public = load_fixture(fixture_path(4))
    hidden = hidden_cases([4], seed=11)
    assert hidden[4].keys() == public.keys()
    assert {c.inputs["x"].shape for c in hidden[4].values() if "x" in c.inputs} != \
        {c.inputs["x"].shape for c in public.values() if "x" in c.inputs}
    report = grading.grade(SOLUTIONS, {4: public}, [4], call_timeout=60, hidden_cases_by_lab=hidden)
    # The Keras round trips (tf.function, save/load, Bidirectional) run on the public cases only.
    assert report.score == report.max_score == 2 * LAB4_POINTS - 1, \
        [(r.name, r.output) for r in report.results if r.status != "passed"]
    hidden_tests = {r.test for r in report.results if r.hidden}
    assert hidden_tests == {r.test for r in report.results if not r.hidden} - {
        "test_train_step_compiled"}


def test_untouched_release_scores_zero_with_not_implemented_messages():
    results = grade_folder(LABS, [4])
    assert sum(r.score for r in results.values()) == 0
    for name, result in results.items():
        assert result.status in ("not_implemented", "blocked"), (name, result.status, result.output)
        assert "Traceback" not in result.output
    for test, exercise in ((SKILL_MSE, "skill"), (STEP, "train_step"), (CHRONO_LSTM, "chrono_bias"),
                           (TBPTT, "truncated_bptt_step")):
        assert results[test].output.startswith(f"not implemented yet: {exercise} (rnnlab/training.py"), \
            results[test].output


# (edits, {test: the Mistake it names, or a fragment of its message}, {test: points lost}).
VARIANTS = {
    "skill as a ratio + clipping result discarded + state not carried": (
        [(SKILL, "result = metric / baseline"),
         (CLIP, "tf.clip_by_global_norm(grads, clip_norm, use_norm=global_norm)"),
         (KEEP, "keep = -np.log(u)"),
         (CARRY, "states = [tf.stop_gradient(s) for s in (zero_states(cell, x.shape[0]) if initial_state is None "
                 "else _state_list(initial_state))]")],
        {SKILL_MSE: m.SKILL_RATIO, SKILL_ACC: m.SKILL_RATIO, CLIPPED: m.CLIP_IGNORED, CHRONO_LSTM: m.CHRONO_SIGN,
         CHRONO_GRU: m.CHRONO_SIGN, TBPTT: m.STATE_NOT_CARRIED, TBPTT_LSTM: "must pass"},
        {SKILL_MSE: 1, SKILL_ACC: 1, CLIPPED: 2, COMPILED: 1, **BOTH_CHRONO, **ALL_TBPTT},
    ),
    "sign flipped + per-tensor clipping + last chunk dropped": (
        [(SKILL, "result = (baseline - metric) / (perfect - baseline)"),
         (CLIP, "grads = [tf.clip_by_norm(g, clip_norm) for g in grads]"),
         (BLOCKS, 'blocks = [keep, keep, zeros, zeros] if kind == "lstm" else [keep, zeros, zeros]'),
         (LOOP, "for start in range(0, x.shape[1] - k + 1, k):")],
        {SKILL_MSE: m.SKILL_SIGN, SKILL_ACC: m.SKILL_SIGN, CLIPPED: m.PER_TENSOR_CLIP,
         CHRONO_LSTM: m.CHRONO_INPUT_NOT_NEGATED, TBPTT: m.LAST_CHUNK_DROPPED},
        {SKILL_MSE: 1, SKILL_ACC: 1, CLIPPED: 2, COMPILED: 1, CHRONO_LSTM: 1, **ALL_TBPTT},
    ),
    "perfect taken as 1 + clipped by value + one full-BPTT update": (
        [(SKILL, "result = (metric - baseline) / (1.0 - baseline)"),
         (CLIP, "grads = [tf.clip_by_value(g, -clip_norm, clip_norm) for g in grads]"),
         (KEEP, "keep = u"),
         (TBPTT_BODY, FULL_BPTT_BODY)],
        {SKILL_MSE: m.SKILL_IGNORES_PERFECT, CLIPPED: m.CLIP_BY_VALUE, CHRONO_LSTM: m.CHRONO_NO_LOG,
         CHRONO_GRU: m.CHRONO_NO_LOG, TBPTT: m.ONE_UPDATE_FULL},
        {SKILL_MSE: 1, CLIPPED: 2, COMPILED: 1, **BOTH_CHRONO, **ALL_TBPTT},
    ),
    "MSE formula for accuracy too + always rescaled + chunk gradients accumulated": (
        [(SKILL, "result = 1.0 - metric / baseline"),
         (CLIP, "grads = [g * clip_norm / global_norm for g in grads]"),
         (BLOCKS, 'blocks = [keep, -keep, zeros, zeros] if kind == "lstm" else [zeros, keep, zeros]'),
         (TBPTT_BODY, ACCUMULATED_BODY)],
        # For the LSTM, b_i and b_f swapped are the sign flip (the same numbers), and named so.
        {SKILL_ACC: m.SKILL_MSE_ONLY, LOOSE: m.ALWAYS_RESCALE, CHRONO_LSTM: m.CHRONO_SIGN,
         CHRONO_GRU: m.CHRONO_BLOCKS, TBPTT: m.ONE_UPDATE_TRUNCATED},
        {SKILL_ACC: 1, LOOSE: 1, **BOTH_CHRONO, **ALL_TBPTT},  # a clip_norm below the norm hides it: the clipped cases pass
    ),
    "relative change + norm after clipping + gradient across chunks": (
        [(SKILL, "result = (metric - baseline) / baseline"),
         (RETURN, "return loss, tf.linalg.global_norm(grads)"),
         (TBPTT_BODY, ACROSS_BODY)],
        # For an error metric (perfect = 0) the relative change *is* the sign flip, and is named so.
        {SKILL_MSE: m.SKILL_SIGN, SKILL_ACC: m.SKILL_RELATIVE_CHANGE, CLIPPED: m.NORM_AFTER_CLIP,
         TBPTT: m.GRADIENT_ACROSS_CHUNKS},
        {SKILL_MSE: 1, SKILL_ACC: 1, CLIPPED: 2, COMPILED: 1, **ALL_TBPTT},
    ),
    "scalars only + loss after the update": (
        [("metric = np.asarray(metric, dtype=np.float64)", "metric = np.float64(float(metric))"),
         (RETURN, "return loss_fn(y, model(x)), global_norm")],
        {SKILL_MSE: "your code raised TypeError", STEP: m.LOSS_AFTER_UPDATE},
        {SKILL_MSE: 1, SKILL_ACC: 1, STEP: 2, CLIPPED: 2, LOOSE: 1, COMPILED: 1},
    ),
    "sum of norms": (
        [(NORM, "global_norm = tf.add_n([tf.norm(g) for g in grads])")],
        {STEP: m.SUM_OF_NORMS},
        {STEP: 2, CLIPPED: 2, LOOSE: 1, COMPILED: 1},
    ),
    "squared norm": (
        [(NORM, "global_norm = tf.reduce_sum([tf.reduce_sum(tf.square(g)) for g in grads])")],
        {STEP: m.SQUARED_NORM},
        {STEP: 2, CLIPPED: 2, LOOSE: 1, COMPILED: 1},
    ),
    "skill terms mixed up + results swapped + u from Uniform(1, t_max) + readout never updated": (
        [(SKILL, "result = (metric + baseline) / (perfect - baseline)"),
         (RETURN, "return global_norm, loss"),
         (DRAW, "u = np.random.default_rng(seed).uniform(1, t_max, size=units)"),
         (VARIABLES, "variables = cell.trainable_variables")],
        {SKILL_MSE: m.SKILL_FORMULA, SKILL_ACC: m.SKILL_FORMULA, STEP: m.RETURNS_SWAPPED,
         CHRONO_LSTM: m.CHRONO_RANGE, CHRONO_GRU: m.CHRONO_RANGE, TBPTT: m.NOT_UPDATED},
        {SKILL_MSE: 1, SKILL_ACC: 1, STEP: 2, CLIPPED: 2, LOOSE: 1, COMPILED: 1, **BOTH_CHRONO, **ALL_TBPTT},
    ),
    "negated loss + an LSTM's bias of 3 blocks + chunks over the feature axis": (
        [(RETURN, "return -loss, global_norm"),
         (BLOCKS, 'blocks = [-keep, keep, zeros, zeros] if kind != "lstm" else [keep, zeros, zeros]'),
         (LOOP, "for start in range(0, x.shape[2], k):")],
        {STEP: m.NEGATED_LOSS, CHRONO_LSTM: m.CHRONO_BLOCK_COUNT, CHRONO_GRU: m.CHRONO_BLOCK_COUNT,
         TBPTT: m.CHUNK_COUNT},
        {STEP: 2, CLIPPED: 2, LOOSE: 1, COMPILED: 1, **BOTH_CHRONO, **ALL_TBPTT},
    ),
    "loss arguments swapped in truncated BPTT": (
        [("loss = loss_fn(y[:, start:start + k], readout(outputs))",
          "loss = loss_fn(readout(outputs), y[:, start:start + k])")],
        {TBPTT_LSTM: m.LOSS_ARGUMENTS_SWAPPED},
        {TBPTT_LSTM: 1},
    ),
    "negated norm + float64 bias + only the first state returned": (
        [(RETURN, "return loss, -global_norm"), (TBPTT_RETURN, "    return losses, states[:1]\n"),
         ("return np.concatenate(blocks).astype(np.float32)", "return np.concatenate(blocks)")],
        {STEP: m.NEGATED_NORM, TBPTT_LSTM: m.STATE_COUNT, CHRONO_LSTM: m.CHRONO_NOT_FLOAT32,
         CHRONO_GRU: m.CHRONO_NOT_FLOAT32},
        {STEP: 2, CLIPPED: 2, LOOSE: 1, COMPILED: 1, TBPTT_LSTM: 1, **BOTH_CHRONO},
    ),
    # (float(loss) would not do: AutoGraph turns float() on a tensor into a cast.)
    ".numpy() in the step: fails only under tf.function": (
        [(RETURN, "return loss.numpy(), global_norm")],
        # The error's own last line and the student's line, not TensorFlow's "in user code:" header
        {COMPILED: "your code raised AttributeError: 'SymbolicTensor' object has no attribute 'numpy' "
                   "(rnnlab/training.py, line 84 in train_step). `.numpy` needs a tensor's value, and this code "
                   "ran compiled (under tf.function)"},
        {COMPILED: 1},
    ),
    "NumPy on a tensor in the step: fails only under tf.function": (
        [(RETURN, "return loss, tf.constant(np.sqrt(np.square(global_norm)))")],
        # TensorFlow raises NotImplementedError here: a bug to explain, not the release's "not implemented yet"
        {COMPILED: "your code raised NotImplementedError: Cannot convert a symbolic tf.Tensor"},
        {COMPILED: 1},
    ),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_copy_loses_the_right_points(tmp_path, name):
    assert_broken_copy(tmp_path, MODULE, *VARIANTS[name], lab=4)


def test_every_catalogued_mistake_has_a_broken_copy():
    exercised = exercised_mistakes(VARIANTS)
    assert exercised == set(m.CATALOGUE), set(m.CATALOGUE) - exercised


# -- the parent-side references ------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab4():
    return load_fixture(fixture_path(4))


@pytest.mark.parametrize("case_id", ["train_step.plain", "train_step.clipped", "train_step.loose_clip",
                                     "train_step.compiled"])
def test_sgd_closed_form_reproduces_the_master(lab4, case_id):
    """w_after = w - lr * clip(g): the closed form behind the clipping mistakes gives the master's weights."""
    case = lab4[case_id]
    want = case.expected_arrays
    keys = sorted(k for k in want if k.startswith("after."))
    grads = [want[f"grad.{k[6:]}"].astype(np.float64) for k in keys]
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    assert close(norm, want["norm"], rtol=1e-4)
    clip = case.params["clip_norm"]
    scale = 1.0 if clip is None else clip / max(norm, clip)
    for key, g in zip(keys, grads):
        assert close(case.inputs[key[6:]] - case.params["learning_rate"] * scale * g, want[key], rtol=1e-4, atol=1e-6)
    # and no mistake variant coincides with the right answer where it is meant to be caught
    for mistake, applied in m.clipped_gradient_variants(grads, clip).items():
        if clip is None and mistake is m.CLIP_IGNORED:
            continue  # no clipping asked for: ignoring it is right
        if clip is not None and clip > norm and mistake is not m.ALWAYS_RESCALE:
            continue  # a loose clip_norm: only always rescaling shows
        if clip is not None and clip < norm and mistake is m.ALWAYS_RESCALE:
            continue  # a tight one: rescaling to clip_norm is right
        moved = [case.inputs[k[6:]] - case.params["learning_rate"] * a for k, a in zip(keys, applied)]
        assert not all(close(w, want[k]) for w, k in zip(moved, keys)), (case_id, mistake.name)


@pytest.mark.parametrize("case_id", ["tbptt.simple_rnn", "tbptt.lstm"])
def test_no_tbptt_variant_equals_the_right_answer(lab4, case_id):
    want = lab4[case_id].expected_arrays
    variants = m.tbptt_variants(want)
    # Swapped loss arguments are only computed for a loss that is not symmetric (the LSTM case's).
    symmetric = lab4[case_id].params.get("loss", "mse") == "mse"
    assert {mistake for mistake, _ in variants} == set(m.TBPTT_VARIANTS.values()) - (
        {m.LOSS_ARGUMENTS_SWAPPED} if symmetric else set())
    for mistake, arrays in variants:
        assert not all(close(arrays[n], want[n], rtol=1e-3, atol=1e-5) for n in arrays if n in want), mistake.name


@pytest.mark.parametrize("case_id", ["skill.mse", "skill.accuracy"])
def test_skill_variants_differ_from_the_right_answer(lab4, case_id):
    case = lab4[case_id]
    right = case.expected_arrays["array"]
    assert close(right[:2], [0.0, 1.0])  # the metrics start with the baseline and a perfect score
    for mistake, variant in m.skill_variants(case.inputs["metric"], case.params["baseline"], case.params["perfect"]):
        if mistake is m.SKILL_IGNORES_PERFECT and case.params["perfect"] == 1.0:
            continue  # the same formula when perfect is 1
        if mistake is m.SKILL_MSE_ONLY and case.params["perfect"] == 0.0:
            continue  # the same formula when perfect is 0
        assert not close(variant, right), (case_id, mistake.name)


@pytest.mark.parametrize("case_id", ["chrono.lstm", "chrono.gru"])
def test_chrono_bias_reference_and_its_variants(lab4, case_id):
    """The reference is chrono as Tallec and Ollivier define it, from the seeded draw; no variant equals it."""
    case = lab4[case_id]
    p, right = case.params, case.expected_arrays["bias"]
    log_u = np.log(np.random.default_rng(p["seed"]).uniform(1, p["t_max"] - 1, size=p["units"]))
    zeros = np.zeros(p["units"])
    want = np.concatenate([-log_u, log_u, zeros, zeros] if p["kind"] == "lstm" else [log_u, zeros, zeros])
    assert np.allclose(right, want, atol=1e-6)
    assert np.all(1 / (1 - 1 / (1 + np.exp(-log_u))) == pytest.approx(1 + np.exp(log_u)))  # memory of 1 + u steps
    for mistake, variant in m.chrono_variants(right, p["kind"]):
        assert not close(variant, right), (case_id, mistake.name)


def test_weak_spots_found_by_the_mutation_tester(tmp_path):
    """Two mutants that kept full marks before (``python -m autograder mutants``): chrono_bias
    returning float64, and truncated_bptt_step calling loss_fn(y_pred, y_true) (the LSTM case's loss
    is not symmetric in its arguments, so the swap shows)."""
    results = grade_folder(make_submission(tmp_path, [
        (MODULE, "return np.concatenate(blocks).astype(np.float32)", "return np.concatenate(blocks)"),
        (MODULE, "loss = loss_fn(y[:, start:start + k], readout(outputs))",
         "loss = loss_fn(readout(outputs), y[:, start:start + k])"),
    ]), [4])
    assert lost(results) == {**BOTH_CHRONO, TBPTT_LSTM: 1}
    assert "return a float32 array" in results[CHRONO_LSTM].output
