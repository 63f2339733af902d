"""Grading tests for Lab 4: ``skill``, ``train_step``, ``chrono_bias``, ``truncated_bptt_step``
(``rnnlab/training.py``).

The training functions run on models built from Keras's built-in cells with known weights and plain
SGD, so the loss, the gradient norm, the final states and the weights after the update(s) are all
fixed numbers. Known mistakes are recognised from the raw gradients (``train_step``: SGD makes every
clipping variant a closed form) or from the kit's own wrong versions run at reference time
(``truncated_bptt_step``), see ``mistakes.py`` beside this file.
"""

import numpy as np

from autograder.engine.compare import check_array, close
from autograder.engine.feedback import Feedback
from autograder.engine.manifest import points
from autograder.labs.lab4 import mistakes

CELL_NAMES = {"simple_rnn": "SimpleRNNCell", "lstm": "LSTMCell", "gru": "GRUCell"}


def _model(case):
    spec = case.params["cell"]
    return f"RNN(keras.layers.{CELL_NAMES[spec['cell']]}({spec['units']})) -> Dense({case.params['outputs']})"


def _weight_keys(case):
    return sorted(k for k in case.expected_arrays if k.startswith("after."))


def _mistake(what, mistake):
    return Feedback(f"{what}: wrong values that match a known mistake: {mistake.message}", kind="mistake",
                    mistake=mistake.name)


# -- skill -----------------------------------------------------------------------------------------
def check_skill(grader, case_id):
    case = grader.case(case_id)
    outcome = grader.run(case)
    baseline, perfect = case.params["baseline"], case.params["perfect"]
    what = f"skill(metric, baseline={baseline:.4g}, perfect={perfect:g})"
    # A fresh (lazy) generator of variants for each check: computed only on wrong values.
    check_array(outcome.arrays["scalars"], case.expected_arrays["scalars"], f"{what} on single numbers",
                axis_names=["metric"], mistakes=mistakes.skill_variants(case.inputs["metric"], baseline, perfect))
    check_array(outcome.arrays["array"], case.expected_arrays["array"],
                f"{what} on a NumPy array of metrics (it should work elementwise)", axis_names=["metric"],
                mistakes=mistakes.skill_variants(case.inputs["metric"], baseline, perfect))


@points(1, exercise="skill", stage="an error metric (MSE, perfect = 0)")
def test_skill_error_metric(grader):
    check_skill(grader, "skill.mse")


@points(1, exercise="skill", stage="an accuracy (perfect = 1)")
def test_skill_accuracy(grader):
    check_skill(grader, "skill.accuracy")


# -- train_step ------------------------------------------------------------------------------------
def check_train_step(grader, case_id):
    case = grader.case(case_id)
    outcome = grader.run(case)
    got, want = outcome.arrays, case.expected_arrays
    clip_norm, lr = case.params["clip_norm"], case.params["learning_rate"]
    described = f"train_step on {_model(case)}, clip_norm={clip_norm}"
    keys = _weight_keys(case)
    # Gradients in the order of the weight keys: after.cell.kernel <-> grad.cell.kernel.
    grads = [want[f"grad.{k[6:]}"].astype(np.float64) for k in keys]
    start = [case.inputs[k[6:]].astype(np.float64) for k in keys]

    weights_right = all(close(got.get(k, np.zeros(0)), want[k]) for k in keys)
    if not weights_right and all(k in got for k in keys):
        for mistake, applied in mistakes.clipped_gradient_variants(grads, clip_norm).items():
            if mistake is mistakes.CLIP_IGNORED and clip_norm is None:
                continue
            if all(close(got[k], w - lr * g) for k, w, g in zip(keys, start, applied)):
                raise _mistake(f"{described}: the weights after the update", mistake)
    # The loss of the forward pass (before the update).
    check_array(got["loss"], want["loss"], f"{described}: the returned loss", mistakes=mistakes.loss_variants(want))
    check_array(got["norm"], want["norm"], f"{described}: the returned global norm (before clipping)",
                rtol=1e-3, atol=1e-5, mistakes=mistakes.norm_variants(grads, clip_norm))
    for key in keys:
        check_array(got.get(key, np.zeros(0)), want[key], f"{described}: weight {key[6:]} after the update",
                    rtol=1e-3, atol=1e-5)


@points(2, exercise="train_step", stage="loss, global norm and update (no clipping)")
def test_train_step(grader):
    check_train_step(grader, "train_step.plain")


@points(2, exercise="train_step", stage="clipping by global norm",
        requires=["loss, global norm and update (no clipping)"])
def test_train_step_clipping(grader):
    check_train_step(grader, "train_step.clipped")


@points(1, exercise="train_step", stage="a clip_norm above the gradient norm changes nothing",
        requires=["loss, global norm and update (no clipping)"])
def test_train_step_loose_clip(grader):
    check_train_step(grader, "train_step.loose_clip")


@points(1, exercise="train_step", stage="inside tf.function", requires=["clipping by global norm"],
        public_only=True)
def test_train_step_compiled(grader):
    check_train_step(grader, "train_step.compiled")


# -- chrono_bias -----------------------------------------------------------------------------------
def check_chrono(grader, case_id):
    case = grader.case(case_id)
    outcome = grader.run(case)
    p = case.params
    gates = 4 if p["kind"] == "lstm" else 3
    what = f"chrono_bias({p['kind']!r}, units={p['units']}, t_max={p['t_max']}, seed={p['seed']})"
    got, want = outcome.arrays["bias"], case.expected_arrays["bias"]
    if got.shape != want.shape:
        message = (f"{what} returned shape {got.shape}; the whole bias of a {p['kind'].upper()} cell has "
                   f"{gates} blocks of {p['units']}: shape {want.shape}")
        if got.ndim == 1 and got.size % p["units"] == 0:  # whole blocks, but too few or too many
            raise Feedback(f"{message}: {mistakes.CHRONO_BLOCK_COUNT.message}", kind="mistake",
                           mistake=mistakes.CHRONO_BLOCK_COUNT.name)
        raise Feedback(message, kind="contract")
    check_array(got, want, what, axis_names=["bias entry"],
                mistakes=mistakes.chrono_variants(want, p["kind"], got, p["units"], p["t_max"], p["seed"]))
    if outcome.values.get("dtype") != case.expected_values["dtype"]:
        raise Feedback(f"{what} returned {outcome.values.get('dtype')} values; {mistakes.CHRONO_NOT_FLOAT32.message}",
                       kind="mistake", mistake=mistakes.CHRONO_NOT_FLOAT32.name)


@points(1, exercise="chrono_bias", stage="LSTM: b_f = log u, b_i = -b_f")
def test_chrono_bias_lstm(grader):
    check_chrono(grader, "chrono.lstm")


@points(1, exercise="chrono_bias", stage="GRU: b_z = log u (Keras's convention)")
def test_chrono_bias_gru(grader):
    check_chrono(grader, "chrono.gru")


# -- truncated_bptt_step ---------------------------------------------------------------------------
def check_truncated(grader, case_id):
    case = grader.case(case_id)
    outcome = grader.run(case)
    got, want = outcome.arrays, case.expected_arrays
    steps, k = case.inputs["x"].shape[1], case.params["k"]
    chunks = -(-steps // k)
    described = f"truncated_bptt_step on {_model(case)}, T={steps}, k={k}"
    names = ["losses"] + sorted(n for n in want if n.startswith("state.")) + _weight_keys(case)
    if all(close(got.get(n, np.zeros(0)), want[n], rtol=1e-3, atol=1e-5) for n in names) \
            and set(k for k in got if k.startswith("state.")) == set(k for k in names if k.startswith("state.")):
        return
    for mistake, variant in mistakes.tbptt_variants(want):
        if all(close(got.get(n, np.zeros(0)), variant[n], rtol=1e-3, atol=1e-5) for n in names if n in variant):
            raise _mistake(described, mistake)
    frozen = mistakes.frozen_weights_mistake(got, case.inputs, want, described)
    if frozen is not None:
        raise Feedback(frozen.message, kind="mistake", mistake=frozen.name)
    n_states = sum(1 for n in want if n.startswith("state."))
    got_states = sum(1 for n in got if n.startswith("state."))
    if got["losses"].shape != want["losses"].shape:
        raise Feedback(f"{described}: {got['losses'].size} chunk losses returned; T={steps} in chunks of k={k} "
                       f"makes {chunks} (the last one {steps - (chunks - 1) * k} steps long), one loss each: "
                       f"{mistakes.CHUNK_COUNT.message}", kind="mistake", mistake=mistakes.CHUNK_COUNT.name)
    if got_states != n_states:
        raise Feedback(f"{described}: {got_states} final state tensor(s) returned; this cell has {n_states} "
                       f"(return the list the last step produced): {mistakes.STATE_COUNT.message}",
                       kind="mistake", mistake=mistakes.STATE_COUNT.name)
    check_array(got["losses"], want["losses"], f"{described}: the chunk losses", time_axis=0,
                axis_names=["chunk"], rtol=1e-3, atol=1e-5)
    for i in range(n_states):
        check_array(got[f"state.{i}"], want[f"state.{i}"], f"{described}: final state {i}", rtol=1e-3, atol=1e-5)
    for key in _weight_keys(case):
        check_array(got[key], want[key], f"{described}: weight {key[6:]} after the last update",
                    rtol=1e-3, atol=1e-5)


@points(3, exercise="truncated_bptt_step", stage="chunks, carried state, one update per chunk")
def test_truncated_bptt(grader):
    check_truncated(grader, "tbptt.simple_rnn")


@points(1, exercise="truncated_bptt_step", stage="LSTMCell from a given initial state [h, c]",
        requires=["chunks, carried state, one update per chunk"])
def test_truncated_bptt_lstm(grader):
    check_truncated(grader, "tbptt.lstm")
