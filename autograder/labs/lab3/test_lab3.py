"""Grading tests for Lab 3: GRUCell (``rnnlab/gru.py``), reset_after=False and the reset_after=True follow-up.

Staged like Lab 2, with the cell labs' shared checks (``labs/shared/checks.py``): own code -> contract -> forward values ->
gradients -> keras.layers.RNN, tf.function, .keras save/load -> Bidirectional -> equals
``keras.layers.GRUCell(reset_after=False)``; then reset_after=True against Keras's default GRU.
"""

from autograder.engine.manifest import points
from autograder.labs.lab3 import mistakes
from autograder.labs.shared.checks import (
    check_bidirectional,
    check_gradients,
    check_keras_stages,
    check_own_code,
    check_step_contract,
    check_values,
    require_own_code,
)


def _gru_variants(case):
    kwargs = case.params.get("kwargs", {})
    return mistakes.gru_variants(case.inputs, reset_after=kwargs.get("reset_after", False),
                              activation=kwargs.get("activation", "tanh"),
                              recurrent_activation=kwargs.get("recurrent_activation", "sigmoid"))


def _gru_own_code(grader):
    require_own_code(grader, "gru.wrapping", "gru", "GRUCell")


@points(1, exercise="GRUCell", stage="own code: no Keras built-in cell inside")
def test_gru_no_builtin_wrapping(grader):
    check_own_code(grader, "gru.wrapping", "gru", "GRUCell")


@points(2, exercise="GRUCell", stage="contract")
def test_gru_contract(grader):
    _gru_own_code(grader)
    check_step_contract(grader, "gru.contract", "GRUCell")


@points(3, exercise="GRUCell", stage="forward values", requires=["contract"])
def test_gru_forward(grader):
    _gru_own_code(grader)
    check_values(grader, "gru.forward", "GRUCell", "GRUCell(reset_after=False)'s outputs h_1..h_T",
                 _gru_variants, n_states=1)


@points(2, exercise="GRUCell", stage="gradients", requires=["forward values"])
def test_gru_gradients(grader):
    _gru_own_code(grader)
    check_gradients(grader, grader.case("gru.gradients"), "GRUCell")


@points(2, exercise="GRUCell", stage="keras.layers.RNN, tf.function, .keras save/load", requires=["forward values"],
        public_only=True)
def test_gru_in_keras(grader):
    _gru_own_code(grader)
    check_keras_stages(grader, "gru.keras", "GRUCell")


@points(1, exercise="GRUCell", stage="keras.layers.Bidirectional", requires=["forward values"], public_only=True)
def test_gru_bidirectional(grader):
    _gru_own_code(grader)
    check_bidirectional(grader, "gru.bidirectional", "GRUCell", "keras.layers.GRUCell(reset_after=False)")


@points(1, exercise="GRUCell", stage="equals keras.layers.GRUCell(reset_after=False)", requires=["forward values"])
def test_gru_matches_builtin(grader):
    _gru_own_code(grader)
    check_values(grader, "gru.builtin", "GRUCell",
                 "GRUCell(reset_after=False, activation='relu', recurrent_activation='hard_sigmoid') compared "
                 "with keras.layers.GRUCell", _gru_variants, n_states=1)


@points(2, exercise="GRUCell", stage="reset_after=True equals keras.layers.GRUCell()")
def test_gru_reset_after(grader):
    _gru_own_code(grader)
    check_values(grader, "gru.reset_after", "GRUCell",
                 "GRUCell(reset_after=True) compared with keras.layers.GRUCell(reset_after=True)",
                 _gru_variants, n_states=1)
