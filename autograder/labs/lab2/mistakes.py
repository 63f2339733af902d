"""Lab 2's known mistakes: LSTMCell and the bonus PeepholeLSTMCell.

NumPy only, run in the grader process on a case's inputs, never on student code: the
``*_variants`` functions run the reference LSTM (``shared/reference.py``) with one mistake's
switch each, then the LSTM's table of equations (``shared/equations.py``) with one edited
equation each (``LSTM_EDITS``, ``PEEPHOLE_EDITS``), and yield ``(Mistake, outputs)`` pairs for
``compare.check_array``, one at a time: a correct submission computes none of them.

Weights arrive as the probes' arrays ``w.kernel``, ``w.recurrent_kernel``, ``w.bias`` (and
``w.peephole_*``); initial states as ``h0.0`` (h) and ``h0.1`` (c).
"""

import numpy as np

from autograder.engine.mistakes import catalogue
from autograder.labs.shared import equations
from autograder.labs.shared.mistakes import edited_variants, gate_order_variants, specific, sum_edits
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

# -- one edited equation of LSTMCell.call (shared/equations.py's LSTM table) ----------------------
# A family is one stable name; each instance (which gate, which term) says exactly what it saw.
LSTM_GATE_TANH = _mistake(
    "lstm_gate_uses_tanh",
    "a gate goes through self.activation (tanh): the gates i, f, o use self.recurrent_activation "
    "(sigmoid), so that they lie between 0 and 1",
)
LSTM_GATE_NO_SIGMOID = _mistake(
    "lstm_gate_without_sigmoid",
    "a gate has no activation: the gates i, f, o are self.recurrent_activation(...) of their block",
)
LSTM_CANDIDATE_NO_TANH = _mistake(
    "lstm_candidate_without_tanh",
    "the candidate has no tanh: g = tanh(z_g) (self.activation(z_g)), not the bare block z_g",
)
LSTM_OUTPUT_SIGMOID = _mistake(
    "lstm_output_sigmoid_of_cell",
    "h_t = o * tanh(c_t) applies self.activation (tanh) to c_t, not self.recurrent_activation (sigmoid)",
)
LSTM_GATE_WRONG_BLOCK = _mistake(
    "lstm_gate_reads_wrong_block",
    "a gate reads another gate's block of z = x_t K + h_{t-1} U + b (Keras's order is i, f, c, o)",
)
LSTM_RECURRENT_SUBTRACTED = _mistake(
    "lstm_recurrent_term_subtracted",
    "the recurrent term is subtracted: z = x_t K + h_{t-1} U + b adds h_{t-1} U, "
    "`ops.matmul(h_prev, self.recurrent_kernel)`",
)
LSTM_BIAS_SUBTRACTED = _mistake("lstm_bias_subtracted",
                                "the bias is subtracted: z = x_t K + h_{t-1} U + b adds `self.bias`")
LSTM_TERMS_MULTIPLIED = _mistake(
    "lstm_terms_multiplied",
    "two terms of z are multiplied: z = x_t K + h_{t-1} U + b is a sum of the two matmuls and the bias",
)
LSTM_ONLY_BIAS = _mistake(
    "lstm_no_matmuls",
    "both matmuls are missing, z is the bias alone: z = x_t K + h_{t-1} U + b, with "
    "`ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias`",
)
LSTM_RECURRENT_ON_CELL = _mistake(
    "lstm_recurrent_term_uses_cell_state",
    "the recurrent term multiplies the cell state: z = x_t K + h_{t-1} U + b uses the previous *hidden* "
    "state h_{t-1} (states[0]), c_{t-1} @ U is not part of it",
)
LSTM_CELL_UPDATE = _mistake(
    "lstm_cell_update_wrong",
    "the memory update is wrong: c_t = f * c_{t-1} + i * g (`c = f * c_prev + i * g`)",
)
LSTM_OUTPUT_WRONG = _mistake("lstm_output_wrong",
                             "the output is wrong: h_t = o * tanh(c_t) (`h = o * self.activation(c)`)")
LSTM_SIGN = _mistake(
    "lstm_returned_negated",
    "call returns a negated tensor: return (h_t, [h_t, c_t]) exactly as computed",
)

# -- one edited equation of PeepholeLSTMCell.call: the peephole terms p * c -------------------------
_PEEPHOLE_GATES = "i = sigmoid(z_i + p_i * c_{t-1}), f = sigmoid(z_f + p_f * c_{t-1}), o = sigmoid(z_o + p_o * c_t)"


def _peephole_family(name, what):
    return _mistake(name, f"{what}: {_PEEPHOLE_GATES}")


PEEPHOLE_TERM_MISSING = _peephole_family("peephole_term_missing", "a gate has no peephole term")
PEEPHOLE_WITHOUT_BLOCK = _peephole_family("peephole_gate_without_its_block",
                                          "a gate sees its peephole term but not its block of z")
PEEPHOLE_TERM_MULTIPLIED = _peephole_family("peephole_term_multiplied",
                                            "a peephole term multiplies the gate's block instead of being added to it")
PEEPHOLE_TERM_SUBTRACTED = _peephole_family("peephole_term_subtracted", "a peephole term is subtracted instead of added")
PEEPHOLE_WITHOUT_WEIGHT = _peephole_family("peephole_without_weight",
                                           "a peephole term is the cell state alone, without its weight p")
PEEPHOLE_WITHOUT_STATE = _peephole_family("peephole_without_state",
                                          "a peephole term is its weight p alone, without the cell state")
PEEPHOLE_ADDED_NOT_MULTIPLIED = _peephole_family("peephole_weight_added_to_state",
                                                 "a peephole term adds its weight and the cell state")
PEEPHOLE_ON_HIDDEN = _peephole_family("peephole_reads_hidden_state",
                                      "a peephole looks at the hidden state h instead of the cell state c")
PEEPHOLE_WRONG_WEIGHT = _peephole_family("peephole_wrong_weight", "a gate uses another gate's peephole weight")

_LABELS = {"i": "the input gate i", "f": "the forget gate f", "g": "the candidate g", "o": "the output gate o"}
_ORDINALS = {"i": "first", "f": "second", "g": "third", "o": "fourth"}
# (state the peephole of each gate reads, as written in the equations, as in code)
_PEEPHOLE_STATE = {"i": ("c_{t-1}", "c_prev"), "f": ("c_{t-1}", "c_prev"), "o": ("c_t", "c")}
# A gate equal to the other one computes what the memory update with one gate written twice does.
_TWICE = {("i", "f"): " (or the memory update reads `c = f * c_prev + f * g`)",
          ("f", "i"): " (or the memory update reads `c = i * c_prev + i * g`)"}


def _gate_equation(gate, peepholes):
    """A gate's right equation as the docstrings write it."""
    if gate == "g":
        return "g = tanh(z_g)"
    state = f" + p_{gate} * {_PEEPHOLE_STATE[gate][0]}" if peepholes else ""
    return f"{gate} = sigmoid(z_{gate}{state})"


def _gate_edits(peepholes):
    """The gates' activations, and each gate (i, f, g, o) reading each other block of z."""
    table = []
    for gate in "ifo":
        right, label = _gate_equation(gate, peepholes), _LABELS[gate]
        table += [
            (specific(LSTM_GATE_TANH, f"{label} goes through self.activation (tanh by default): {right} uses "
                                      f"self.recurrent_activation, so that {gate} lies between 0 and 1"),
             {gate: lambda v, gate=gate: v.act(v[f"pre_{gate}"])}),
            (specific(LSTM_GATE_NO_SIGMOID, f"{label} has no sigmoid: {right}, `self.recurrent_activation(...)` "
                                            "around its pre-activation, not the bare sum"),
             {gate: lambda v, gate=gate: v[f"pre_{gate}"]}),
        ]
    table += [
        (LSTM_CANDIDATE_NO_TANH, {"g": lambda v: v.z_g}),
        (LSTM_OUTPUT_SIGMOID, {"h": lambda v: v.o * v.rec(v.c)}),
    ]
    for gate in "ifgo":
        for other in "ifgo":
            if other != gate:
                table.append((specific(LSTM_GATE_WRONG_BLOCK, (
                    f"{_LABELS[gate]} reads z_{other}, the block of {_LABELS[other]}: {_gate_equation(gate, peepholes)} "
                    f"uses z_{gate}, the {_ORDINALS[gate]} of the four blocks of z = x_t K + h_{{t-1}} U + b "
                    f"(Keras's order is i, f, c, o){'' if peepholes else _TWICE.get((gate, other), '')}")),
                    {f"z_{gate}": lambda v, k="ifgo".index(other): equations.block(v.z, k, 4)}))
    return table


def _sum_edits():
    """One term of z = x_t K + h_{t-1} U + b subtracted, multiplied, or the matmuls gone."""
    return [
        *sum_edits("z", "z = x_t K + h_{t-1} U + b", LSTM_RECURRENT_SUBTRACTED, LSTM_BIAS_SUBTRACTED,
                   LSTM_TERMS_MULTIPLIED, LSTM_ONLY_BIAS),
        (LSTM_RECURRENT_ON_CELL, {"hU": lambda v: v.c_prev @ v.recurrent_kernel}),
    ]


def _cell_update(message):
    return specific(LSTM_CELL_UPDATE, f"{message}: c_t = f * c_{{t-1}} + i * g (`c = f * c_prev + i * g`)")


# The memory update c_t = f * c_{t-1} + i * g with one term lost or one operator changed; then
# h_t = o * tanh(c_t); then the signs of what call returns. (One gate written in the other's place,
# f * c_{t-1} + f * g, computes what i reading z_f computes: _gate_edits names both.)
CELL_UPDATE_EDITS = [
    (_cell_update("the memory update leaves out what is written, i * g"), {"c": lambda v: v.f * v.c_prev}),
    (_cell_update("the memory update leaves out the old memory, f * c_{t-1}"), {"c": lambda v: v.i * v.g}),
    (_cell_update("the forget gate is missing, the old memory is kept whole"), {"c": lambda v: v.c_prev + v.i * v.g}),
    (_cell_update("the old memory c_{t-1} is missing, f is added on its own"), {"c": lambda v: v.f + v.i * v.g}),
    (_cell_update("the input gate is missing, the candidate g is written whole"), {"c": lambda v: v.f * v.c_prev + v.g}),
    (_cell_update("the candidate g is missing, the input gate i is added on its own"), {"c": lambda v: v.f * v.c_prev + v.i}),
    (_cell_update("f and c_{t-1} are added, not multiplied"), {"c": lambda v: v.f + v.c_prev + v.i * v.g}),
    (_cell_update("i and g are added, not multiplied"), {"c": lambda v: v.f * v.c_prev + v.i + v.g}),
    (_cell_update("f * c_{t-1} and i * g are multiplied, not added"), {"c": lambda v: v.f * v.c_prev * v.i * v.g}),
    (_cell_update("what is written, i * g, is subtracted"), {"c": lambda v: v.f * v.c_prev - v.i * v.g}),
]
OUTPUT_EDITS = [
    (specific(LSTM_OUTPUT_WRONG, "the output gate is missing: h_t = o * tanh(c_t), yours is tanh(c_t)"),
     {"h": lambda v: v.act(v.c)}),
    (specific(LSTM_OUTPUT_WRONG, "the output is the output gate alone: h_t = o * tanh(c_t), yours is o"),
     {"h": lambda v: v.o}),
    (specific(LSTM_OUTPUT_WRONG, "o and tanh(c_t) are added: h_t = o * tanh(c_t) multiplies them"),
     {"h": lambda v: v.o + v.act(v.c)}),
    (specific(LSTM_SIGN, "the output is negated: call returns (h_t, [h_t, c_t]), yours returns -h_t as the output"),
     {"output": lambda v: -v.h}),
    (specific(LSTM_SIGN, "the hidden state is negated: call returns (h_t, [h_t, c_t]), yours passes -h_t on as the "
                         "state"), {"states": lambda v: (-v.h, v.c)}),
    (specific(LSTM_SIGN, "the cell state is negated: call returns (h_t, [h_t, c_t]), yours passes -c_t on as the "
                         "state"), {"states": lambda v: (v.h, -v.c)}),
]
LSTM_EDITS = _gate_edits(peepholes=False) + _sum_edits() + CELL_UPDATE_EDITS + OUTPUT_EDITS


def _peephole_edits():
    """Each gate's peephole term p * c with one part lost, one operator changed, or the wrong state/weight."""
    table = []
    for gate in "ifo":
        label, right = _LABELS[gate], _gate_equation(gate, peepholes=True)
        state, code = _PEEPHOLE_STATE[gate]
        term = f"self.peephole_{gate} * {code}"
        pre = f"pre_{gate}"

        def edit(formula, pre=pre):
            return {pre: formula}

        z, p, s = (lambda v, g=gate: v[f"z_{g}"]), (lambda v, g=gate: v[f"peephole_{g}"]), (lambda v, c=code: v[c])
        table += [
            (specific(PEEPHOLE_TERM_MISSING, f"{label} has no peephole: {right} adds `{term}`"),
             edit(lambda v, z=z: z(v))),
            (specific(PEEPHOLE_WITHOUT_BLOCK, f"{label} sees only its peephole: {right} adds p_{gate} * {state} to "
                                              f"z_{gate}, its block of z"), edit(lambda v, p=p, s=s: p(v) * s(v))),
            (specific(PEEPHOLE_TERM_MULTIPLIED, f"{label} multiplies z_{gate} by its peephole term: {right} adds "
                                                f"`{term}`"), edit(lambda v, z=z, p=p, s=s: z(v) * p(v) * s(v))),
            (specific(PEEPHOLE_TERM_SUBTRACTED, f"{label} subtracts its peephole term: {right} adds `{term}`"),
             edit(lambda v, z=z, p=p, s=s: z(v) - p(v) * s(v))),
            (specific(PEEPHOLE_WITHOUT_WEIGHT, f"{label} adds {state} without its weight: {right} adds `{term}`"),
             edit(lambda v, z=z, s=s: z(v) + s(v))),
            (specific(PEEPHOLE_WITHOUT_STATE, f"{label} adds the weight p_{gate} without the cell state: {right} adds "
                                              f"`{term}`"), edit(lambda v, z=z, p=p: z(v) + p(v))),
            (specific(PEEPHOLE_ADDED_NOT_MULTIPLIED, f"{label} adds p_{gate} and {state}: {right} multiplies them, "
                                                     f"`{term}`"), edit(lambda v, z=z, p=p, s=s: z(v) + p(v) + s(v))),
            (specific(PEEPHOLE_ON_HIDDEN, f"{label}'s peephole looks at the hidden state h_{{t-1}}: {right} looks at "
                                          f"the cell state, `{term}`"),
             edit(lambda v, z=z, p=p: z(v) + p(v) * v.h_prev)),
        ]
        for other in "ifo":
            if other != gate:
                table.append((specific(PEEPHOLE_WRONG_WEIGHT, f"{label} uses self.peephole_{other}: {right} uses its "
                                                              f"own weight, `{term}`"),
                              edit(lambda v, z=z, s=s, other=other: z(v) + v[f"peephole_{other}"] * s(v))))
    for gate, other in (("i", "f"), ("f", "i")):
        table.append((specific(LSTM_GATE_WRONG_BLOCK, (
            f"{_LABELS[gate]} is computed like {_LABELS[other]}, from z_{other} and p_{other}: "
            f"{_gate_equation(gate, True)}{_TWICE[(gate, other)]}")), {gate: lambda v, other=other: v.rec(v[f"pre_{other}"])}))
    return table


PEEPHOLE_EDITS = _peephole_edits() + _gate_edits(peepholes=True) + _sum_edits() + CELL_UPDATE_EDITS + OUTPUT_EDITS


def _weights(inputs):
    return {key[2:]: value for key, value in inputs.items() if key.startswith("w.")}


def edited_lstm(inputs, edits, equations_table=equations.LSTM, **activations):
    """The outputs of the LSTM (or ``equations.PEEPHOLE_LSTM``) with ``edits`` on these case inputs."""
    return equations.run(equations_table, equations.LSTM_STATES, inputs["x"], _weights(inputs),
                         [inputs.get("h0.0"), inputs.get("h0.1")], edits=edits, **activations)[0]


def _lstm_inputs(inputs):
    return (inputs["x"], inputs["w.kernel"], inputs["w.recurrent_kernel"], inputs["w.bias"],
            inputs.get("h0.0"), inputs.get("h0.1"))


def lstm_variants(inputs, activation="tanh", recurrent_activation="sigmoid"):
    """What each known LSTMCell mistake outputs on these case inputs: (Mistake, outputs), one at a time."""
    args = _lstm_inputs(inputs)
    acts = {"activation": activation, "recurrent_activation": recurrent_activation}

    def run(**switches):
        return lstm(*args, **{**acts, **switches})[0]

    if (activation, recurrent_activation) != ("tanh", "sigmoid"):
        yield LSTM_HARDCODED_ACTIVATIONS, lstm(*args)[0]
    yield LSTM_INPUT_FORGET_SWAPPED, run(order=(1, 0, 2, 3))
    yield from gate_order_variants(
        LSTM_GATE_ORDER, ("z_i", "z_f", "z_g", "z_o"), run, named=[(1, 0, 2, 3)],
        describe=lambda written: (f"Yours computes as if it split z as `{written} = ops.split(z, 4, axis=-1)`; "
                                  "the right order is `z_i, z_f, z_g, z_o`"))
    yield LSTM_SIGMOID_CANDIDATE, run(candidate="sigmoid")
    yield LSTM_NO_OUTPUT_TANH, run(output_tanh=False)
    yield LSTM_FORGET_ON_HIDDEN, run(forget_on="h")
    yield LSTM_OUTPUT_OLD_CELL, run(output_cell="old")
    yield LSTM_STATES_SWAPPED, run(swap_states=True)
    yield LSTM_OUTPUT_IS_CELL, run(output="c")
    yield LSTM_MISSING_BIAS, lstm(*args[:3], None, *args[4:], **acts)[0]
    yield LSTM_NO_INPUT_TERM, lstm(args[0], np.zeros_like(args[1]), *args[2:], **acts)[0]
    yield LSTM_NO_RECURRENT_TERM, lstm(*args[:2], np.zeros_like(args[2]), *args[3:], **acts)[0]
    yield LSTM_STATE_NOT_CARRIED, run(carry=False)
    yield from edited_variants(LSTM_EDITS, lambda edits: edited_lstm(inputs, edits, **acts))


def peephole_lstm(inputs, **switches):
    peepholes = tuple(inputs[f"w.peephole_{gate}"] for gate in ("i", "f", "o"))
    return lstm(*_lstm_inputs(inputs), peepholes=peepholes, **switches)


def peephole_variants(inputs):
    """What each known PeepholeLSTMCell mistake outputs on these case inputs, one at a time."""
    p_i, p_f, p_o = (inputs[f"w.peephole_{gate}"] for gate in ("i", "f", "o"))
    args = _lstm_inputs(inputs)
    yield PEEPHOLE_MISSING, lstm(*args)[0]
    yield PEEPHOLE_OUTPUT_OLD_CELL, peephole_lstm(inputs, peephole_o_on="old")[0]
    yield PEEPHOLE_SWAPPED, lstm(*args, peepholes=(p_f, p_i, p_o))[0]
    for mistake in (LSTM_INPUT_FORGET_SWAPPED, LSTM_SIGMOID_CANDIDATE, LSTM_NO_OUTPUT_TANH,
                    LSTM_FORGET_ON_HIDDEN, LSTM_STATES_SWAPPED):
        yield mistake, lstm(*args, peepholes=(p_i, p_f, p_o), **_switches_of(mistake))[0]
    for mistake, weight in ((LSTM_MISSING_BIAS, "w.bias"), (LSTM_NO_INPUT_TERM, "w.kernel"),
                            (LSTM_NO_RECURRENT_TERM, "w.recurrent_kernel")):
        yield mistake, edited_lstm({**inputs, weight: np.zeros_like(inputs[weight])}, {}, equations.PEEPHOLE_LSTM)
    yield LSTM_STATE_NOT_CARRIED, peephole_lstm(inputs, carry=False)[0]
    yield from edited_variants(PEEPHOLE_EDITS, lambda edits: edited_lstm(inputs, edits, equations.PEEPHOLE_LSTM))


def _switches_of(mistake):
    return {
        LSTM_INPUT_FORGET_SWAPPED: {"order": (1, 0, 2, 3)},
        LSTM_SIGMOID_CANDIDATE: {"candidate": "sigmoid"},
        LSTM_NO_OUTPUT_TANH: {"output_tanh": False},
        LSTM_FORGET_ON_HIDDEN: {"forget_on": "h"},
        LSTM_STATES_SWAPPED: {"swap_states": True},
    }[mistake]
