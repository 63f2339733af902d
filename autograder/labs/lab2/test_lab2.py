"""Grading tests for Lab 2: LSTMCell and the bonus PeepholeLSTMCell (``rnnlab/lstm.py``).

Each exercise is staged: own code (no Keras built-in inside) -> contract -> forward values ->
gradients -> get_config -> keras.layers.RNN, tf.function, .keras save/load -> Bidirectional ->
equals the Keras built-in after weight transplant. Every test first checks that the class is the
student's own code: a class that wraps or subclasses a Keras built-in scores nothing for that
exercise. The checks are the cell labs' shared ones (``labs/shared/checks.py``).
"""

from autograder.engine.manifest import points
from autograder.labs.lab2 import mistakes
from autograder.labs.shared.checks import (
    check_bidirectional,
    check_config,
    check_gradients,
    check_keras_stages,
    check_own_code,
    check_step_contract,
    check_values,
    require_own_code,
)


# -- LSTMCell ------------------------------------------------------------------------------------
def _lstm_variants(case):
    kwargs = case.params.get("kwargs", {})
    return mistakes.lstm_variants(case.inputs, kwargs.get("activation", "tanh"),
                               kwargs.get("recurrent_activation", "sigmoid"))


def _lstm_own_code(grader):
    require_own_code(grader, "lstm.wrapping", "lstm", "LSTMCell")


@points(1, exercise="LSTMCell", stage="own code: no Keras built-in cell inside")
def test_lstm_no_builtin_wrapping(grader):
    check_own_code(grader, "lstm.wrapping", "lstm", "LSTMCell")


@points(2, exercise="LSTMCell", stage="contract")
def test_lstm_contract(grader):
    _lstm_own_code(grader)
    check_step_contract(grader, "lstm.contract", "LSTMCell")


@points(3, exercise="LSTMCell", stage="forward values", requires=["contract"])
def test_lstm_forward(grader):
    _lstm_own_code(grader)
    check_values(grader, "lstm.forward", "LSTMCell", "LSTMCell's outputs h_1..h_T", _lstm_variants, n_states=2)


@points(2, exercise="LSTMCell", stage="gradients", requires=["forward values"])
def test_lstm_gradients(grader):
    _lstm_own_code(grader)
    check_gradients(grader, grader.case("lstm.gradients"), "LSTMCell")


@points(1, exercise="LSTMCell", stage="get_config and registration")
def test_lstm_get_config(grader):
    _lstm_own_code(grader)
    check_config(grader, "lstm.config", "LSTMCell")


@points(2, exercise="LSTMCell", stage="keras.layers.RNN, tf.function, .keras save/load",
        requires=["forward values", "get_config and registration"], public_only=True)
def test_lstm_in_keras(grader):
    _lstm_own_code(grader)
    check_keras_stages(grader, "lstm.keras", "LSTMCell")


@points(1, exercise="LSTMCell", stage="keras.layers.Bidirectional",
        requires=["forward values", "get_config and registration"], public_only=True)
def test_lstm_bidirectional(grader):
    _lstm_own_code(grader)
    check_bidirectional(grader, "lstm.bidirectional", "LSTMCell", "keras.layers.LSTMCell")


@points(1, exercise="LSTMCell", stage="equals keras.layers.LSTMCell", requires=["forward values"])
def test_lstm_matches_builtin(grader):
    _lstm_own_code(grader)
    check_values(grader, "lstm.builtin", "LSTMCell",
                 "LSTMCell(activation='relu', recurrent_activation='hard_sigmoid') compared with "
                 "keras.layers.LSTMCell", _lstm_variants, n_states=2)


# -- PeepholeLSTMCell (bonus) --------------------------------------------------------------------


def _peephole_variants(case):
    return mistakes.peephole_variants(case.inputs)


def _peephole_own_code(grader):
    require_own_code(grader, "peephole.wrapping", "lstm", "PeepholeLSTMCell")


@points(1, exercise="PeepholeLSTMCell (bonus)", stage="own code: no Keras built-in cell inside", bonus=True)
def test_peephole_no_builtin_wrapping(grader):
    check_own_code(grader, "peephole.wrapping", "lstm", "PeepholeLSTMCell")


@points(1, exercise="PeepholeLSTMCell (bonus)", stage="contract", bonus=True)
def test_peephole_contract(grader):
    _peephole_own_code(grader)
    check_step_contract(grader, "peephole.contract", "PeepholeLSTMCell")


@points(2, exercise="PeepholeLSTMCell (bonus)", stage="forward values", bonus=True, requires=["contract"])
def test_peephole_forward(grader):
    _peephole_own_code(grader)
    check_values(grader, "peephole.forward", "PeepholeLSTMCell", "PeepholeLSTMCell's outputs h_1..h_T", _peephole_variants, n_states=2)


@points(1, exercise="PeepholeLSTMCell (bonus)", stage="gradients", bonus=True, requires=["forward values"])
def test_peephole_gradients(grader):
    _peephole_own_code(grader)
    check_gradients(grader, grader.case("peephole.gradients"), "PeepholeLSTMCell")


@points(1, exercise="PeepholeLSTMCell (bonus)", stage="keras.layers.RNN, tf.function, .keras save/load", bonus=True,
        requires=["forward values"], public_only=True)
def test_peephole_in_keras(grader):
    _peephole_own_code(grader)
    check_keras_stages(grader, "peephole.keras", "PeepholeLSTMCell")
