"""Grading tests for Lab 1: SimpleRNNCell, irnn_cell, unroll, state_gradient_norms, clipping.

Each test runs one case in the child that holds the student's code and judges the arrays here.
Expected values come from the case (public fixtures, or computed live from solutions/ in hidden mode).
"""

import numpy as np

from autograder.engine.compare import check_array, close
from autograder.engine.feedback import Feedback
from autograder.engine.manifest import points
from autograder.labs.lab1 import mistakes
from autograder.labs.shared.checks import SEQ_AXES, check_cell_contract, check_gradients, check_in_keras

# -- SimpleRNNCell -------------------------------------------------------------------------------
@points(2, exercise="SimpleRNNCell", stage="contract")
def test_simple_rnn_contract(grader):
    check_cell_contract(grader, "simple_rnn.contract", "SimpleRNNCell")


@points(3, exercise="SimpleRNNCell", stage="forward values", requires=["contract"])
def test_simple_rnn_forward(grader):
    case = grader.case("simple_rnn.forward")
    outcome = grader.run(case)
    check_array(outcome.arrays["outputs"], case.expected_arrays["outputs"], "SimpleRNNCell's outputs h_1..h_T",
                time_axis=1, axis_names=SEQ_AXES, mistakes=lambda: mistakes.simple_rnn_variants(case.inputs))
    check_array(outcome.arrays["state.0"], case.expected_arrays["state.0"], "SimpleRNNCell's final state")


@points(2, exercise="SimpleRNNCell", stage="gradients", requires=["forward values"])
def test_simple_rnn_gradients(grader):
    check_gradients(grader, grader.case("simple_rnn.gradients"), "SimpleRNNCell")


@points(2, exercise="SimpleRNNCell", stage="keras.layers.RNN, tf.function, .keras save/load",
        requires=["forward values"], public_only=True)
def test_simple_rnn_in_keras(grader):
    check_in_keras(grader, "simple_rnn.keras", "SimpleRNNCell")


@points(1, exercise="SimpleRNNCell", stage="equals keras.layers.SimpleRNNCell", requires=["forward values"])
def test_simple_rnn_matches_builtin(grader):
    case = grader.case("simple_rnn.builtin")
    outcome = grader.run(case)
    check_array(outcome.arrays["outputs"], case.expected_arrays["outputs"],
                "SimpleRNNCell(activation='relu') compared with keras.layers.SimpleRNNCell",
                time_axis=1, axis_names=SEQ_AXES, mistakes=lambda: mistakes.simple_rnn_variants(case.inputs, "relu"))
    # Like the built-in, build draws each weight from its own initializer: built with
    # kernel_initializer=Constant(1), recurrent_initializer=Constant(2), bias_initializer=Constant(3).
    case = grader.case("simple_rnn.initializers")
    drawn = grader.run(case).values
    if drawn != case.expected_values:
        held = ", ".join(f"{name} holds {values}" for name, values in sorted(drawn.items()))
        raise Feedback(f"{mistakes.INITIALIZERS_MIXED_UP.message} (with the initializers Constant(1), Constant(2) "
                       f"and Constant(3) your {held})", kind="mistake", mistake=mistakes.INITIALIZERS_MIXED_UP.name)


# -- irnn_cell -----------------------------------------------------------------------------------
@points(2, exercise="irnn_cell", stage="ReLU with identity recurrent kernel")
def test_irnn_cell(grader):
    case = grader.case("irnn")
    outcome = grader.run(case)
    units = case.params["units"]
    recurrent = outcome.arrays.get("w.recurrent_kernel")
    if recurrent is None:
        raise Feedback("irnn_cell's cell has no weight named recurrent_kernel after build", kind="contract")
    if not close(recurrent, np.eye(units)):
        raise Feedback(f"irnn_cell's recurrent_kernel should start as the identity matrix ({units}x{units}); "
                       "pass recurrent_initializer=\"identity\"", kind="mistake", mistake="irnn_not_identity")
    # The cell it returns runs h_t = relu(x_t K + h_{t-1} I + b): any simple-RNN mistake can show here too.
    as_simple_rnn = dict(case.inputs, **{"w.recurrent_kernel": np.eye(units, dtype=np.float32)})

    def known():  # computed only if the outputs are wrong
        yield mistakes.IRNN_TANH, mistakes.simple_rnn(as_simple_rnn["x"], as_simple_rnn["w.kernel"], np.eye(units),
                                                      as_simple_rnn["w.bias"], activation="tanh")
        yield from ((m, v) for m, v in mistakes.simple_rnn_variants(as_simple_rnn, "relu")
                    if m is not mistakes.WRONG_ACTIVATION)

    check_array(outcome.arrays["outputs"], case.expected_arrays["outputs"], "irnn_cell's outputs",
                time_axis=1, axis_names=SEQ_AXES, mistakes=known)


# -- unroll --------------------------------------------------------------------------------------
def check_unroll(grader, case_id, n_states):
    case = grader.case(case_id)
    outcome = grader.run(case)
    got, want = outcome.arrays["outputs"], case.expected_arrays["outputs"]
    if got.ndim == 3 and got.shape[::2] == want.shape[::2] and got.shape[1] != want.shape[1]:
        raise Feedback(f"unroll's outputs have {got.shape[1]} steps; x has T = {want.shape[1]} (axis 1): "
                       f"{mistakes.UNROLL_STEP_COUNT.message}", kind="mistake", mistake=mistakes.UNROLL_STEP_COUNT.name)
    if mistakes.stacked_on_another_axis(outcome.arrays["outputs"], case.expected_arrays["outputs"]):
        raise Feedback(f"unroll's outputs have shape {outcome.arrays['outputs'].shape}, expected "
                       f"{case.expected_arrays['outputs'].shape}: {mistakes.UNROLL_STACK_AXIS.message}",
                       kind="mistake", mistake=mistakes.UNROLL_STACK_AXIS.name)
    check_array(outcome.arrays["outputs"], case.expected_arrays["outputs"], "unroll's outputs", time_axis=1,
                axis_names=SEQ_AXES)
    if outcome.values["n_states"] != n_states:
        raise Feedback(f"unroll returned {outcome.values['n_states']} final state(s); this cell has {n_states} "
                       "(return the list the cell's last step returned)", kind="contract")
    for i in range(n_states):
        check_array(outcome.arrays[f"state.{i}"], case.expected_arrays[f"state.{i}"], f"unroll's final state {i}")


@points(1, exercise="unroll", stage="SimpleRNNCell, zero initial state")
def test_unroll(grader):
    check_unroll(grader, "unroll.simple_rnn", 1)


@points(1, exercise="unroll", stage="LSTMCell with a given initial state [h, c]")
def test_unroll_two_states(grader):
    check_unroll(grader, "unroll.lstm", 2)


# -- state_gradient_norms ------------------------------------------------------------------------
@points(2, exercise="state_gradient_norms", stage="tanh SimpleRNNCell")
def test_state_gradient_norms(grader):
    case = grader.case("norms.simple_rnn")
    outcome = grader.run(case)
    check_array(outcome.arrays["norms"], case.expected_arrays["norms"], "state_gradient_norms (||dL/dh_t|| per t)",
                time_axis=0, axis_names=["t"], rtol=1e-3, atol=1e-5,
                mistakes=mistakes.state_norm_variants(case.inputs))


@points(1, exercise="state_gradient_norms", stage="LSTMCell (paths through h and c)")
def test_state_gradient_norms_lstm(grader):
    case = grader.case("norms.lstm")
    outcome = grader.run(case)
    check_array(outcome.arrays["norms"], case.expected_arrays["norms"],
                "state_gradient_norms on an LSTMCell", time_axis=0, axis_names=["t"], rtol=1e-3, atol=1e-5)


@points(1, exercise="state_gradient_norms", stage="vanished gradients, down to 1e-32 (norms in float64)",
        requires=["tanh SimpleRNNCell"])
def test_state_gradient_norms_vanished(grader):
    case = grader.case("norms.vanishing")
    outcome = grader.run(case)
    got, expected = outcome.arrays["norms"], case.expected_arrays["norms"]
    what = "state_gradient_norms on a linear RNN with U = 0.2 Q (||dL/dh_t|| = 0.2^(T-t) ||dL/dh_T||)"
    if got.shape == expected.shape and np.all(got > 0):
        # Relative accuracy at every step, from 1e-32 to 1: compare the logarithms.
        check_array(np.log10(got), np.log10(expected), f"log10 of {what}", time_axis=0, axis_names=["t"],
                    rtol=0.0, atol=1e-3)
        return
    if got.shape == expected.shape and mistakes.norms_in_float32(got, expected):
        raise Feedback(f"{what}: wrong values that match a known mistake: {mistakes.FLOAT32_NORMS.message}",
                       kind="mistake", mistake=mistakes.FLOAT32_NORMS.name)
    check_array(got, expected, what, time_axis=0, axis_names=["t"], rtol=1e-3, atol=0.0)
    first = int(np.argmax(got <= 0))
    raise Feedback(f"{what}: ||dL/dh_t|| is {got[first]:.3g} at time index {first}, expected "
                   f"{expected[first]:.3g}: a norm of a nonzero gradient is positive", kind="mismatch")


# -- clipping ------------------------------------------------------------------------------------
@points(1, exercise="clip_by_value", stage="values")
def test_clip_by_value(grader):
    case = grader.case("clip_by_value")
    outcome = grader.run(case)
    for key in sorted(case.expected_arrays):
        variants = mistakes.clip_by_value_variants(case.inputs[f"g.{key[4:]}"], case.params["lo"], case.params["hi"])
        check_array(outcome.arrays[key], case.expected_arrays[key], f"clip_by_value's gradient {key[4:]}",
                    mistakes=variants)


@points(2, exercise="clip_by_global_norm", stage="equals tf.clip_by_global_norm")
def test_clip_by_global_norm(grader):
    # A norm above max_norm and one below: some mistakes agree with each other (or with the right answer)
    # on one of them, so a mistake is named only when it explains both (both where its numbers are defined:
    # the square root of a negative sum is not).
    runs = []
    for case_id in ("clip_by_global_norm.large", "clip_by_global_norm.small"):
        case = grader.case(case_id)
        outcome = grader.run(case)
        grads = [case.inputs[f"g.{i}"] for i in range(len(case.inputs))]
        got = [outcome.arrays[f"out.{i}"] for i in range(len(grads))] + [outcome.arrays["norm"]]
        want = [case.expected_arrays[f"out.{i}"] for i in range(len(grads))] + [case.expected_arrays["norm"]]
        runs.append((case, grads, got, want))
    if not all(close(g, w) for _, _, got, want in runs for g, w in zip(got, want)):
        variants = [mistakes.global_norm_variants(grads, case.params["max_norm"]) for case, grads, _, _ in runs]
        for mistake in variants[0]:
            explained = [[*variant[mistake][0], variant[mistake][1]] for variant in variants]
            defined = [(got, v) for (_, _, got, _), v in zip(runs, explained) if len(v) == len(got)]
            if defined and all(all(close(g, e) for g, e in zip(got, v)) for got, v in defined):
                raise Feedback(f"clip_by_global_norm: wrong values that match a known mistake: {mistake.message}",
                               kind="mistake", mistake=mistake.name)
    for case, _, got, want in runs:
        check_array(got[-1], want[-1], f"clip_by_global_norm's global norm (max_norm={case.params['max_norm']})")
        for i, (g, w) in enumerate(zip(got[:-1], want[:-1])):
            check_array(g, w, f"clip_by_global_norm's gradient {i} (max_norm={case.params['max_norm']})")
    # None entries stay None and count for nothing; no gradient at all: norm 0 (as tf.clip_by_global_norm)
    case = grader.case("clip_by_global_norm.nones")
    outcome = grader.run(case)
    for key in ("out.0", "out.1", "norm"):
        check_array(outcome.arrays[key], case.expected_arrays[key],
                    f"clip_by_global_norm's {'global norm' if key == 'norm' else 'gradient ' + key[4:]} with None "
                    "entries around the gradients (skip them; they stay None)")
    empty = outcome.arrays["norm.empty"]
    if np.isfinite(empty) and empty != 0:
        raise Feedback(f"clip_by_global_norm's global norm of [None, None] is {float(empty):g}: "
                       f"{mistakes.EMPTY_NORM.message}", kind="mistake", mistake=mistakes.EMPTY_NORM.name)
    check_array(empty, case.expected_arrays["norm.empty"],
                "clip_by_global_norm's global norm of [None, None] (no gradients at all: 0, as in "
                "tf.clip_by_global_norm)")
