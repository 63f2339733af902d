"""Lab 2's known mistakes: LSTMCell and the bonus PeepholeLSTMCell.

NumPy only, run in the grader process on a case's inputs, never on student code: the
``*_variants`` functions run the reference LSTM (``shared/reference.py``) with one mistake's
switch each and return ``(Mistake, outputs)`` pairs for ``compare.check_array``.

Weights arrive as the probes' arrays ``w.kernel``, ``w.recurrent_kernel``, ``w.bias`` (and
``w.peephole_*``); initial states as ``h0.0`` (h) and ``h0.1`` (c).
"""

import numpy as np

from autograder.engine.mistakes import catalogue
from autograder.labs.shared.mistakes import gate_order_variants
from autograder.labs.shared.reference import lstm

CATALOGUE, _mistake = catalogue()

# -- LSTMCell ------------------------------------------------------------------------------------
LSTM_INPUT_FORGET_SWAPPED = _mistake(
    "lstm_input_forget_swapped",
    "the input and forget gates are swapped: c_t = f * c_{t-1} + i * g, where i is the first block of "
    "z = x_t K + h_{t-1} U + b and f the second (Keras's gate order is i, f, c, o). Either your slices "
    "are read in the order f, i, ... or f multiplies the candidate g and i the old memory",
)
LSTM_GATE_ORDER = _mistake(
    "lstm_gate_order",
    "the four blocks of z = x_t K + h_{t-1} U + b are read in the wrong order: Keras's order is "
    "i, f, c (the candidate g), o",
)
LSTM_SIGMOID_CANDIDATE = _mistake(
    "lstm_sigmoid_candidate",
    "the candidate g goes through the sigmoid: g = tanh(z_g) (self.activation); only the gates i, f, o "
    "use the sigmoid (self.recurrent_activation)",
)
LSTM_NO_OUTPUT_TANH = _mistake(
    "lstm_output_without_tanh",
    "h_t = o * c_t is missing the tanh: the output is h_t = o * tanh(c_t) (self.activation(c))",
)
LSTM_FORGET_ON_HIDDEN = _mistake(
    "lstm_forget_on_hidden_state",
    "the forget gate multiplies the hidden state: c_t = f * c_{t-1} + i * g uses the previous *cell* "
    "state c_{t-1} (states[1]), not h_{t-1}",
)
LSTM_OUTPUT_OLD_CELL = _mistake(
    "lstm_output_uses_old_cell",
    "h_t uses the old memory: h_t = o * tanh(c_t) with the c_t you just computed, not c_{t-1}",
)
LSTM_STATES_SWAPPED = _mistake(
    "lstm_states_swapped",
    "the states come back in the wrong order: call must return (h_t, [h_t, c_t]), h first, "
    "like the [h_{t-1}, c_{t-1}] it receives",
)
LSTM_OUTPUT_IS_CELL = _mistake(
    "lstm_output_is_cell_state",
    "the output is the cell state: call returns (h_t, [h_t, c_t]); the output is h_t = o * tanh(c_t)",
)
LSTM_NO_INPUT_TERM = _mistake("lstm_no_input_term", "the input term is missing: z = x_t K + h_{t-1} U + b starts with "
                                                      "`ops.matmul(inputs, self.kernel)`")
LSTM_NO_RECURRENT_TERM = _mistake("lstm_no_recurrent_term", "the recurrent term is missing: z = x_t K + h_{t-1} U + b "
                                                              "adds `ops.matmul(h_prev, self.recurrent_kernel)`")
LSTM_MISSING_BIAS = _mistake("lstm_missing_bias", "the bias is missing: z = x_t K + h_{t-1} U + b adds `self.bias`")
LSTM_STATE_NOT_CARRIED = _mistake(
    "lstm_state_not_carried",
    "the new states are not passed on: call must return (h_t, [h_t, c_t]) so the next step sees them",
)
LSTM_HARDCODED_ACTIVATIONS = _mistake(
    "lstm_hardcoded_activations",
    "the activations are hard-coded: use self.activation (tanh by default) for g and for tanh(c_t), and "
    "self.recurrent_activation (sigmoid by default) for i, f, o, so activation=... and "
    "recurrent_activation=... work as in keras.layers.LSTMCell (here 'relu' and 'hard_sigmoid')",
)

# -- PeepholeLSTMCell ----------------------------------------------------------------------------
PEEPHOLE_MISSING = _mistake(
    "peephole_missing",
    "these are a plain LSTM's outputs: add the peephole terms p_i * c_{t-1} to z_i, p_f * c_{t-1} to z_f "
    "and p_o * c_t to z_o before the sigmoids",
)
PEEPHOLE_OUTPUT_OLD_CELL = _mistake(
    "peephole_output_sees_old_cell",
    "the output gate peeks at the old memory: o = sigmoid(z_o + p_o * c_t) uses the new cell state c_t "
    "(compute c_t first), while i and f see c_{t-1}",
)
PEEPHOLE_SWAPPED = _mistake(
    "peephole_i_f_swapped",
    "peephole_i and peephole_f are swapped: p_i goes into the input gate, p_f into the forget gate",
)

def _lstm_inputs(inputs):
    return (inputs["x"], inputs["w.kernel"], inputs["w.recurrent_kernel"], inputs["w.bias"],
            inputs.get("h0.0"), inputs.get("h0.1"))


def lstm_variants(inputs, activation="tanh", recurrent_activation="sigmoid"):
    """What each known LSTMCell mistake outputs on these case inputs: [(Mistake, outputs)]."""
    args = _lstm_inputs(inputs)
    acts = {"activation": activation, "recurrent_activation": recurrent_activation}

    def run(**switches):
        return lstm(*args, **{**acts, **switches})[0]

    variants = [(LSTM_INPUT_FORGET_SWAPPED, run(order=(1, 0, 2, 3)))]
    variants += gate_order_variants(
        LSTM_GATE_ORDER, ("z_i", "z_f", "z_g", "z_o"), run, named=[(1, 0, 2, 3)],
        describe=lambda written: (f"Yours computes as if it split z as `{written} = ops.split(z, 4, axis=-1)`; "
                                  "the right order is `z_i, z_f, z_g, z_o`"))
    variants += [
        (LSTM_SIGMOID_CANDIDATE, run(candidate="sigmoid")),
        (LSTM_NO_OUTPUT_TANH, run(output_tanh=False)),
        (LSTM_FORGET_ON_HIDDEN, run(forget_on="h")),
        (LSTM_OUTPUT_OLD_CELL, run(output_cell="old")),
        (LSTM_STATES_SWAPPED, run(swap_states=True)),
        (LSTM_OUTPUT_IS_CELL, run(output="c")),
        (LSTM_MISSING_BIAS, lstm(*args[:3], None, *args[4:], **acts)[0]),
        (LSTM_NO_INPUT_TERM, lstm(args[0], np.zeros_like(args[1]), *args[2:], **acts)[0]),
        (LSTM_NO_RECURRENT_TERM, lstm(*args[:2], np.zeros_like(args[2]), *args[3:], **acts)[0]),
        (LSTM_STATE_NOT_CARRIED, run(carry=False)),
    ]
    if (activation, recurrent_activation) != ("tanh", "sigmoid"):
        variants.insert(0, (LSTM_HARDCODED_ACTIVATIONS, lstm(*args)[0]))
    return variants


def peephole_lstm(inputs, **switches):
    peepholes = tuple(inputs[f"w.peephole_{gate}"] for gate in ("i", "f", "o"))
    return lstm(*_lstm_inputs(inputs), peepholes=peepholes, **switches)


def peephole_variants(inputs):
    p_i, p_f, p_o = (inputs[f"w.peephole_{gate}"] for gate in ("i", "f", "o"))
    args = _lstm_inputs(inputs)
    return [
        (PEEPHOLE_MISSING, lstm(*args)[0]),
        (PEEPHOLE_OUTPUT_OLD_CELL, peephole_lstm(inputs, peephole_o_on="old")[0]),
        (PEEPHOLE_SWAPPED, lstm(*args, peepholes=(p_f, p_i, p_o))[0]),
    ] + [(mistake, lstm(*args, peepholes=(p_i, p_f, p_o), **_switches_of(mistake))[0])
         for mistake in (LSTM_INPUT_FORGET_SWAPPED, LSTM_SIGMOID_CANDIDATE, LSTM_NO_OUTPUT_TANH,
                         LSTM_FORGET_ON_HIDDEN, LSTM_STATES_SWAPPED)]


def _switches_of(mistake):
    return {
        LSTM_INPUT_FORGET_SWAPPED: {"order": (1, 0, 2, 3)},
        LSTM_SIGMOID_CANDIDATE: {"candidate": "sigmoid"},
        LSTM_NO_OUTPUT_TANH: {"output_tanh": False},
        LSTM_FORGET_ON_HIDDEN: {"forget_on": "h"},
        LSTM_STATES_SWAPPED: {"swap_states": True},
    }[mistake]
