"""Known mistakes in the gated cells (Lab 2 ``LSTMCell``/``PeepholeLSTMCell``, Lab 3 ``GRUCell``).

Like ``mistakes.py``, whose ``Mistake`` and catalogue these entries join: NumPy only, run in the
grader process on a case's inputs, never on student code. ``lstm``, ``peephole_lstm`` and ``gru``
are float64 references of the cells with switches, one per mistake; the ``*_variants`` functions
return ``(Mistake, outputs)`` pairs for ``compare.check_array``.

Weights arrive as the probes' arrays ``w.kernel``, ``w.recurrent_kernel``, ``w.bias`` (and
``w.peephole_*``); initial states as ``h0.0`` (h) and ``h0.1`` (c).
"""

import itertools

import numpy as np

from autograder.mistakes import ACTIVATIONS, Mistake, _mistake

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

# -- every cell: plumbing ------------------------------------------------------------------------
WRAPS_KERAS_BUILTIN = _mistake(
    "wraps_keras_builtin",
    "this exercise asks you to write the cell's equations yourself; a class that uses Keras's built-in "
    "cell or layer (subclassing it, holding one, or calling it) earns no points for it",
)
NOT_REGISTERED = _mistake(
    "not_registered",
    "the class is not registered with Keras: put @keras.saving.register_keras_serializable(package=\"rnnlab\") "
    "on the line above `class`",
)
INCOMPLETE_CONFIG = _mistake(
    "incomplete_get_config",
    "get_config must return the arguments of __init__ (units, the activations, the flags, the initializers), "
    "all of them and nothing else, because Keras rebuilds the cell by calling __init__ with them (from_config)",
)


# -- NumPy references ----------------------------------------------------------------------------
def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _hard_sigmoid(a):
    # Keras 3: relu6(a + 3) / 6.
    return np.clip(a / 6.0 + 0.5, 0.0, 1.0)


ACTS = dict(ACTIVATIONS, sigmoid=_sigmoid, hard_sigmoid=_hard_sigmoid)


def _f64(array):
    return None if array is None else np.asarray(array, np.float64)


def _split_as_written(order, names):
    """How a split with this block ``order`` reads in code: position p holds the gate k whose
    ``order[k]`` is p, e.g. order (0, 1, 3, 2) -> "z_i, z_f, z_o, z_g"."""
    return ", ".join(names[order.index(position)] for position in range(len(order)))


def _blocks(array, count, order):
    """Cut the last axis into ``count`` blocks and return them re-ordered: ``order[k]`` is the
    position of block k in the array (identity: 0, 1, 2, ...)."""
    pieces = np.split(array, count, axis=-1)
    return [pieces[position] for position in order]


def lstm(x, kernel, recurrent_kernel, bias, h0=None, c0=None, *, order=(0, 1, 2, 3), activation="tanh",
         recurrent_activation="sigmoid", candidate="activation", output_tanh=True, forget_on="c",
         output_cell="new", swap_states=False, output="h", carry=True, peepholes=None, peephole_o_on="new"):
    """LSTM outputs (batch, T, H) and final (h, c), in float64, with switches for each mistake.

    order: which block the cell treats as (i, f, g, o); candidate: "activation" or "sigmoid" for g;
    forget_on: "c" or "h" (what f multiplies); output_cell: "new" (c_t) or "old" (c_{t-1}) in h_t;
    swap_states: return [c, h]; output: "h" or "c"; carry: feed the new states on;
    peepholes: None or (p_i, p_f, p_o); peephole_o_on: "new" or "old" cell state for the output gate.
    """
    act, rec = ACTS[activation], ACTS[recurrent_activation]
    x, kernel, recurrent_kernel, bias = map(_f64, (x, kernel, recurrent_kernel, bias))
    units = recurrent_kernel.shape[0]
    batch = x.shape[0]
    h_start = np.zeros((batch, units)) if h0 is None else _f64(h0)
    c_start = np.zeros((batch, units)) if c0 is None else _f64(c0)
    h, c, outputs = h_start, c_start, []
    for t in range(x.shape[1]):
        h_prev, c_prev = (h, c) if carry else (h_start, c_start)
        z = x[:, t] @ kernel + h_prev @ recurrent_kernel + (0.0 if bias is None else bias)
        z_i, z_f, z_g, z_o = _blocks(z, 4, order)
        if peepholes is not None:
            p_i, p_f, p_o = map(_f64, peepholes)
            z_i, z_f = z_i + p_i * c_prev, z_f + p_f * c_prev
        i, f = rec(z_i), rec(z_f)
        g = act(z_g) if candidate == "activation" else _sigmoid(z_g)
        kept = c_prev if forget_on == "c" else h_prev
        c_new = f * kept + i * g
        if peepholes is not None:
            z_o = z_o + p_o * (c_new if peephole_o_on == "new" else c_prev)
        o = rec(z_o)
        shown = c_new if output_cell == "new" else c_prev
        h_new = o * act(shown) if output_tanh else o * shown
        outputs.append(h_new if output == "h" else c_new)
        h, c = (c_new, h_new) if swap_states else (h_new, c_new)
    return np.stack(outputs, axis=1), (h, c)


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
    for order in itertools.permutations(range(4)):
        if order in ((0, 1, 2, 3), (1, 0, 2, 3)):
            continue
        written = _split_as_written(order, ("z_i", "z_f", "z_g", "z_o"))
        message = (f"{LSTM_GATE_ORDER.message}. Yours computes as if it split z as `{written} = "
                   f"ops.split(z, 4, axis=-1)`; the right order is `z_i, z_f, z_g, z_o`")
        variants.append((Mistake(LSTM_GATE_ORDER.name, message), run(order=order)))
    variants += [
        (LSTM_SIGMOID_CANDIDATE, run(candidate="sigmoid")),
        (LSTM_NO_OUTPUT_TANH, run(output_tanh=False)),
        (LSTM_FORGET_ON_HIDDEN, run(forget_on="h")),
        (LSTM_OUTPUT_OLD_CELL, run(output_cell="old")),
        (LSTM_STATES_SWAPPED, run(swap_states=True)),
        (LSTM_OUTPUT_IS_CELL, run(output="c")),
        (LSTM_MISSING_BIAS, lstm(*args[:3], None, *args[4:], **acts)[0]),
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


def gru(x, kernel, recurrent_kernel, bias, h0=None, *, reset_after=False, order=(0, 1, 2), activation="tanh",
        recurrent_activation="sigmoid", candidate="activation", flipped=False, reset="before", use_reset=True,
        recurrent_bias="inside", carry=True):
    """GRU outputs (batch, T, H) and final h, in float64, with switches for each mistake.

    reset_after=False: bias (3H,); reset: "before" (right) or "after" the recurrent matmul.
    reset_after=True:  bias (2, 3H); reset: "after" (right) or "before"; recurrent_bias: "inside" r
    (right), "outside" r, "ignored", or "swapped" (the two rows exchanged).
    order: which block the cell treats as (z, r, h); flipped: h_t = (1 - z) h_{t-1} + z h~.
    """
    act, rec = ACTS[activation], ACTS[recurrent_activation]
    x, kernel, recurrent_kernel = map(_f64, (x, kernel, recurrent_kernel))
    units = recurrent_kernel.shape[0]
    bias = np.zeros((2, 3 * units) if reset_after else 3 * units) if bias is None else _f64(bias)
    if reset_after:
        input_bias, rec_bias = bias[0], bias[1]
        if recurrent_bias == "swapped":
            input_bias, rec_bias = rec_bias, input_bias
        elif recurrent_bias == "ignored":
            rec_bias = np.zeros_like(rec_bias)
    else:
        input_bias, rec_bias = bias, np.zeros_like(bias)
    k_z, k_r, k_h = _blocks(kernel, 3, order)
    u_z, u_r, u_h = _blocks(recurrent_kernel, 3, order)
    bi_z, bi_r, bi_h = _blocks(input_bias, 3, order)
    br_z, br_r, br_h = _blocks(rec_bias, 3, order)
    h_start = np.zeros((x.shape[0], units)) if h0 is None else _f64(h0)
    h, outputs = h_start, []
    for t in range(x.shape[1]):
        h_prev = h if carry else h_start
        x_t = x[:, t]
        z = rec(x_t @ k_z + bi_z + h_prev @ u_z + br_z)
        r = rec(x_t @ k_r + bi_r + h_prev @ u_r + br_r) if use_reset else 1.0
        if reset == "before":
            recurrent = (r * h_prev) @ u_h + br_h
        elif recurrent_bias == "outside":
            recurrent = r * (h_prev @ u_h) + br_h
        else:
            recurrent = r * (h_prev @ u_h + br_h)
        pre = x_t @ k_h + bi_h + recurrent
        candidate_value = act(pre) if candidate == "activation" else _sigmoid(pre)
        h = (1.0 - z) * h_prev + z * candidate_value if flipped else z * h_prev + (1.0 - z) * candidate_value
        outputs.append(h)
    return np.stack(outputs, axis=1), h


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
    for order in itertools.permutations(range(3)):
        if order in ((0, 1, 2), (1, 0, 2)):
            continue
        written = _split_as_written(order, ("x_z", "x_r", "x_h"))
        message = (f"{GRU_GATE_ORDER.message}. Yours computes as if it cut the weights as `{written}` "
                   f"(for the kernel, the recurrent kernel and the bias alike); the right order is `x_z, x_r, x_h`")
        variants.append((Mistake(GRU_GATE_ORDER.name, message), run(order=order)))
    variants += [
        (GRU_SIGMOID_CANDIDATE, run(candidate="sigmoid")),
        (GRU_NO_RESET, run(use_reset=False)),
        (GRU_MISSING_BIAS, gru(*args[:3], None, args[4], **base)[0]),
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
