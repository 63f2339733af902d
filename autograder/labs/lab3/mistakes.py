"""Lab 3's known mistakes: GRUCell, with reset_after=False and reset_after=True.

NumPy only, run in the grader process on a case's inputs, never on student code: ``gru_variants``
runs the reference GRU (``shared/reference.py``) with one mistake's switch each and returns
``(Mistake, outputs)`` pairs for ``compare.check_array``.
"""

import numpy as np

from autograder.engine.mistakes import catalogue
from autograder.labs.shared.mistakes import gate_order_variants
from autograder.labs.shared.reference import gru

CATALOGUE, _mistake = catalogue()

# -- GRUCell -------------------------------------------------------------------------------------
GRU_FLIPPED_UPDATE = _mistake(
    "gru_flipped_update",
    "the update gate works the other way round: you wrote h_t = (1 - z) * h_{t-1} + z * h~ (the notes' "
    "convention); Keras and Cho et al. write h_t = z * h_{t-1} + (1 - z) * h~. Both are the same model "
    "with z's weights negated, but the weights you are given follow Keras: z keeps the old state",
)
GRU_RESET_AFTER_MATMUL = _mistake(
    "gru_reset_after_matmul",
    "the reset gate is applied after the matmul, r * (h_{t-1} U_h): with reset_after=False it multiplies "
    "h_{t-1} before it, (r * h_{t-1}) U_h (Cho et al. 2014)",
)
GRU_UPDATE_RESET_SWAPPED = _mistake(
    "gru_update_reset_swapped",
    "the update and reset gates are swapped: the first block of the weights is z (update), the second r "
    "(reset), the third the candidate h",
)
GRU_GATE_ORDER = _mistake(
    "gru_gate_order",
    "the three blocks of the weights are read in the wrong order: Keras's order is z (update), r (reset), "
    "h (candidate)",
)
GRU_SIGMOID_CANDIDATE = _mistake(
    "gru_sigmoid_candidate",
    "the candidate goes through the sigmoid: h~ = tanh(...) (self.activation); z and r use the sigmoid",
)
GRU_NO_RESET = _mistake(
    "gru_no_reset",
    "the reset gate is missing from the candidate: h~ = tanh(x_t K_h + (r * h_{t-1}) U_h + b_h)",
)
GRU_NO_INPUT_TERM = _mistake("gru_no_input_term", "the input term is missing: every block adds its part of "
                                                    "`ops.matmul(inputs, self.kernel)`")
GRU_MISSING_BIAS = _mistake("gru_missing_bias", "the bias is missing: each block adds its part of `self.bias`")
GRU_STATE_NOT_CARRIED = _mistake(
    "gru_state_not_carried",
    "the new state is not passed on: call must return (h_t, [h_t]) so the next step sees h_t",
)
GRU_HARDCODED_ACTIVATIONS = _mistake(
    "gru_hardcoded_activations",
    "the activations are hard-coded: use self.recurrent_activation for z and r and self.activation for h~, "
    "so that recurrent_activation=... and activation=... work as in keras.layers.GRUCell "
    "(here 'hard_sigmoid' and 'relu')",
)
GRU_RESET_BEFORE_WHEN_AFTER = _mistake(
    "gru_reset_before_with_reset_after",
    "with reset_after=True the reset gate scales the recurrent term after the matmul: "
    "h~ = tanh(x_t K_h + b^in_h + r * (h_{t-1} U_h + b^rec_h)); you multiplied h_{t-1} by r before it",
)
GRU_RECURRENT_BIAS_OUTSIDE_RESET = _mistake(
    "gru_recurrent_bias_outside_reset",
    "with reset_after=True the recurrent bias b^rec_h sits inside the reset: r * (h_{t-1} U_h + b^rec_h), "
    "not r * (h_{t-1} U_h) + b^rec_h",
)
GRU_RECURRENT_BIAS_IGNORED = _mistake(
    "gru_recurrent_bias_ignored",
    "with reset_after=True the bias has two rows: self.bias[0] is added to x_t K and self.bias[1] to "
    "h_{t-1} U; the second row is missing",
)
GRU_BIAS_ROWS_SWAPPED = _mistake(
    "gru_bias_rows_swapped",
    "the two bias rows are swapped: self.bias[0] goes with the inputs (x_t K + b^in) and self.bias[1] with "
    "the recurrent term (h_{t-1} U + b^rec), inside the reset",
)

def _gru_inputs(inputs):
    return inputs["x"], inputs["w.kernel"], inputs["w.recurrent_kernel"], inputs["w.bias"], inputs.get("h0.0")


def gru_variants(inputs, reset_after=False, activation="tanh", recurrent_activation="sigmoid"):
    """What each known GRUCell mistake outputs on these case inputs: [(Mistake, outputs)]."""
    args = _gru_inputs(inputs)
    right_reset = "after" if reset_after else "before"
    base = {"reset_after": reset_after, "reset": right_reset, "activation": activation,
            "recurrent_activation": recurrent_activation}

    def run(**switches):
        return gru(*args, **{**base, **switches})[0]

    variants = [(GRU_FLIPPED_UPDATE, run(flipped=True)), (GRU_UPDATE_RESET_SWAPPED, run(order=(1, 0, 2)))]
    variants += gate_order_variants(
        GRU_GATE_ORDER, ("x_z", "x_r", "x_h"), run, named=[(1, 0, 2)],
        describe=lambda written: (f"Yours computes as if it cut the weights as `{written}` (for the kernel, the "
                                  "recurrent kernel and the bias alike); the right order is `x_z, x_r, x_h`"))
    variants += [
        (GRU_SIGMOID_CANDIDATE, run(candidate="sigmoid")),
        (GRU_NO_RESET, run(use_reset=False)),
        (GRU_MISSING_BIAS, gru(*args[:3], None, args[4], **base)[0]),
        (GRU_NO_INPUT_TERM, gru(args[0], np.zeros_like(args[1]), *args[2:], **base)[0]),
        (GRU_STATE_NOT_CARRIED, run(carry=False)),
    ]
    if reset_after:
        variants += [
            (GRU_RESET_BEFORE_WHEN_AFTER, run(reset="before")),
            (GRU_RECURRENT_BIAS_OUTSIDE_RESET, run(recurrent_bias="outside")),
            (GRU_RECURRENT_BIAS_IGNORED, run(recurrent_bias="ignored")),
            (GRU_BIAS_ROWS_SWAPPED, run(recurrent_bias="swapped")),
        ]
    else:
        variants.insert(1, (GRU_RESET_AFTER_MATMUL, run(reset="after")))
    if (activation, recurrent_activation) != ("tanh", "sigmoid"):
        variants.insert(0, (GRU_HARDCODED_ACTIVATIONS, gru(*args, reset_after=reset_after, reset=right_reset)[0]))
    return variants
