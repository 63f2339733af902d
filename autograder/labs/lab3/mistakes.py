"""Lab 3's known mistakes: GRUCell, with reset_after=False and reset_after=True.

NumPy only, run in the grader process on a case's inputs, never on student code: ``gru_variants``
runs the reference GRU (``shared/reference.py``) with one mistake's switch each, then the GRU's
table of equations (``shared/equations.py``) with one edited equation each (``gru_edits``), and
yields ``(Mistake, outputs)`` pairs for ``compare.check_array``, one at a time: a correct
submission computes none of them.
"""

import numpy as np

from autograder.engine.mistakes import catalogue
from autograder.labs.shared import equations
from autograder.labs.shared.mistakes import edited_variants, gate_order_variants, specific
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

# -- one edited equation of GRUCell.call / call_reset_after (shared/equations.py's GRU tables) -------
GRU_GATE_TANH = _mistake(
    "gru_gate_uses_tanh",
    "a gate goes through self.activation (tanh): z and r use self.recurrent_activation (sigmoid), so that "
    "they lie between 0 and 1",
)
GRU_GATE_NO_SIGMOID = _mistake("gru_gate_without_sigmoid", "a gate has no activation: z and r are "
                                                          "self.recurrent_activation(...) of their two terms")
GRU_GATE_WRONG_BLOCK = _mistake("gru_gate_reads_wrong_block", "a gate reads the other gate's block of x_t K or h_{t-1} U")
GRU_GATE_TERM = _mistake("gru_gate_sum_wrong", "a gate's pre-activation is wrong: it is the sum of its input part and "
                                               "its recurrent part")
GRU_BIAS_WRONG = _mistake("gru_bias_wrong", "a bias is not added: x_t K + b (and, with reset_after=True, h_{t-1} U + b^rec)")
GRU_NO_RECURRENT_TERM = _mistake("gru_no_recurrent_term", "the recurrent matmul is missing: with reset_after=True "
                                  "h = h_{t-1} U + b^rec adds `ops.matmul(h_prev, self.recurrent_kernel)`")
GRU_CANDIDATE_WRONG = _mistake("gru_candidate_wrong", "the candidate h~ is wrong")
GRU_RESET_TERM_WRONG = _mistake("gru_reset_term_wrong", "the reset gate's product in the candidate is wrong")
GRU_BLEND_WRONG = _mistake(
    "gru_blend_wrong",
    "the new state is wrong: h_t = z * h_{t-1} + (1 - z) * h~ (`h = z * h_prev + (1.0 - z) * candidate`)",
)
GRU_SIGN = _mistake("gru_returned_negated", "call returns a negated tensor: return (h_t, [h_t]) exactly as computed")

_GATE_LABELS = {"z": "the update gate z", "r": "the reset gate r"}


def _gate_edits(reset_after):
    """z and r: their activation, the blocks they read, and the sum of their two terms."""
    h = "h_{t-1} U" + (" + b^rec" if reset_after else "")
    table = []
    for gate, other in (("z", "r"), ("r", "z")):
        label = _GATE_LABELS[gate]
        right = f"{gate} = sigmoid(x_{gate} + h_{gate}), the {gate} blocks of x_t K + b and {h}"
        x, hh = (lambda v, g=gate: v[f"x_{g}"]), (lambda v, g=gate: v[f"h_{g}"])
        table += [
            (specific(GRU_GATE_TANH, f"{label} goes through self.activation (tanh by default): {right}, with "
                                     "self.recurrent_activation"), {gate: lambda v, x=x, hh=hh: v.act(x(v) + hh(v))}),
            (specific(GRU_GATE_NO_SIGMOID, f"{label} has no sigmoid: {right}, `self.recurrent_activation(...)` "
                                           "around the sum"), {gate: lambda v, x=x, hh=hh: x(v) + hh(v)}),
            (specific(GRU_GATE_WRONG_BLOCK, f"{label} reads x_{other}, the input block of {_GATE_LABELS[other]}: {right}"),
             {gate: lambda v, hh=hh, o=other: v.rec(v[f"x_{o}"] + hh(v))}),
            (specific(GRU_GATE_WRONG_BLOCK, f"{label} reads h_{other}, the recurrent block of {_GATE_LABELS[other]}: "
                                            f"{right}"), {gate: lambda v, x=x, o=other: v.rec(x(v) + v[f"h_{o}"])}),
            # r computed like z is the candidate reading z where r belongs: one computation, both named.
            (specific(GRU_GATE_WRONG_BLOCK, f"{label} is computed like {_GATE_LABELS[other]}, from x_{other} and "
                                            f"h_{other}: {right}"
                                            + (" (or the candidate uses z where r belongs: r * h)" if gate == "r" else "")),
             {gate: lambda v, o=other: v.rec(v[f"x_{o}"] + v[f"h_{o}"])}),
            (specific(GRU_GATE_TERM, f"{label} has no input part: {right}; yours is sigmoid(h_{gate})"),
             {gate: lambda v, hh=hh: v.rec(hh(v))}),
            (specific(GRU_GATE_TERM, f"{label} has no recurrent part: {right}; yours is sigmoid(x_{gate})"),
             {gate: lambda v, x=x: v.rec(x(v))}),
            (specific(GRU_GATE_TERM, f"{label} multiplies its two parts: {right}, a sum"),
             {gate: lambda v, x=x, hh=hh: v.rec(x(v) * hh(v))}),
            (specific(GRU_GATE_TERM, f"{label} subtracts its recurrent part: {right}, a sum"),
             {gate: lambda v, x=x, hh=hh: v.rec(x(v) - hh(v))}),
        ]
    return table


def _bias_edits(reset_after):
    bias = "self.bias[0]" if reset_after else "self.bias"
    b_in = (lambda v: v.bias[0]) if reset_after else (lambda v: v.bias)
    table = [
        (specific(GRU_BIAS_WRONG, f"the input bias is subtracted: x_t K + b adds `{bias}`"),
         {"x_all": lambda v: v.xK - b_in(v)}),
        (specific(GRU_BIAS_WRONG, f"the input bias multiplies x_t K: x_t K + b adds `{bias}`"),
         {"x_all": lambda v: v.xK * b_in(v)}),
    ]
    if reset_after:
        table += [
            (specific(GRU_BIAS_WRONG, "the input bias row is missing: x_t K + b^in adds `self.bias[0]` "
                                      "(and h_{t-1} U + b^rec adds `self.bias[1]`)"), {"x_all": lambda v: v.xK}),
            (GRU_NO_RECURRENT_TERM, {"hU": lambda v: np.zeros((v.x.shape[0], 3 * v.units))}),
            (specific(GRU_BIAS_WRONG, "the recurrent bias is subtracted: h_{t-1} U + b^rec adds `self.bias[1]`"),
             {"h_all": lambda v: v.hU - v.bias[1]}),
            (specific(GRU_BIAS_WRONG, "the recurrent bias multiplies h_{t-1} U: h_{t-1} U + b^rec adds `self.bias[1]`"),
             {"h_all": lambda v: v.hU * v.bias[1]}),
            (specific(GRU_BIAS_WRONG, "both parts add the recurrent row `self.bias[1]`: x_t K + b^in adds "
                                      "`self.bias[0]`, h_{t-1} U + b^rec adds `self.bias[1]`"),
             {"x_all": lambda v: v.xK + v.bias[1]}),
        ]
    return table


def _candidate_edits(reset_after):
    if reset_after:
        right, reset = "h~ = tanh(x_h + r * h_h)", "r * h_h"
        reset_table = [
            ("h_h is missing: the reset gate scales it, r * h_h", lambda v: v.r),
            ("r and h_h are added: the reset gate multiplies, r * h_h", lambda v: v.r + v.h_h),
        ]
    else:
        right, reset = "h~ = tanh(x_h + (r * h_{t-1}) U_h)", "(r * h_{t-1}) U_h"

        def u_h(v):
            return equations.block(v.recurrent_kernel, 2, 3)

        reset_table = [
            ("h_{t-1} is missing from the reset: (r * h_{t-1}) U_h, yours is r U_h", lambda v: v.r @ u_h(v)),
            ("r and h_{t-1} are added: the reset gate multiplies, (r * h_{t-1}) U_h",
             lambda v: (v.r + v.h_prev) @ u_h(v)),
        ]
    table = [(specific(GRU_RESET_TERM_WRONG, f"{message}; {right}"), {"reset_term": formula})
             for message, formula in reset_table]
    table += [
        (specific(GRU_CANDIDATE_WRONG, f"the candidate has no tanh: {right} (self.activation), not the bare sum"),
         {"candidate": lambda v: v.x_h + v.reset_term}),
        (specific(GRU_CANDIDATE_WRONG, f"the candidate has no input part x_h: {right}"),
         {"candidate": lambda v: v.act(v.reset_term)}),
        (specific(GRU_CANDIDATE_WRONG, f"the candidate has no recurrent part {reset}: {right}"),
         {"candidate": lambda v: v.act(v.x_h)}),
        (specific(GRU_CANDIDATE_WRONG, f"the candidate multiplies x_h by {reset}: {right} adds them"),
         {"candidate": lambda v: v.act(v.x_h * v.reset_term)}),
        (specific(GRU_CANDIDATE_WRONG, f"the candidate subtracts {reset}: {right} adds it"),
         {"candidate": lambda v: v.act(v.x_h - v.reset_term)}),
    ]
    return table


def _blend(message):
    return specific(GRU_BLEND_WRONG, f"{message}: h_t = z * h_{{t-1}} + (1 - z) * h~ "
                                     "(`h = z * h_prev + (1.0 - z) * candidate`)")


# h_t = z * h_{t-1} + (1 - z) * h~ with one term lost, one operator changed or the wrong gate.
BLEND_EDITS = [
    (_blend("the reset gate r takes z's place in the kept part, r * h_{t-1}"),
     {"h": lambda v: v.r * v.h_prev + (1.0 - v.z) * v.candidate}),
    (_blend("the reset gate r takes z's place in the new part, (1 - r) * h~"),
     {"h": lambda v: v.z * v.h_prev + (1.0 - v.r) * v.candidate}),
    (_blend("both parts use z: the candidate's share is 1 - z, not z"),
     {"h": lambda v: v.z * v.h_prev + v.z * v.candidate}),
    (_blend("the old state is kept whole, z is missing from z * h_{t-1}"),
     {"h": lambda v: v.h_prev + (1.0 - v.z) * v.candidate}),
    (_blend("the candidate is written whole, (1 - z) is missing from (1 - z) * h~"),
     {"h": lambda v: v.z * v.h_prev + v.candidate}),
    (_blend("h_{t-1} is missing: the kept part is z * h_{t-1}, yours is z"),
     {"h": lambda v: v.z + (1.0 - v.z) * v.candidate}),
    (_blend("h~ is missing: the new part is (1 - z) * h~, yours is 1 - z"),
     {"h": lambda v: v.z * v.h_prev + (1.0 - v.z)}),
    (_blend("the kept part z * h_{t-1} is missing"), {"h": lambda v: (1.0 - v.z) * v.candidate}),
    (_blend("the new part (1 - z) * h~ is missing"), {"h": lambda v: v.z * v.h_prev}),
    (_blend("z and h_{t-1} are added, not multiplied"), {"h": lambda v: v.z + v.h_prev + (1.0 - v.z) * v.candidate}),
    (_blend("(1 - z) and h~ are added, not multiplied"), {"h": lambda v: v.z * v.h_prev + (1.0 - v.z) + v.candidate}),
    (_blend("z * h_{t-1} and (1 - z) * h~ are multiplied, not added"), {"h": lambda v: v.z * v.h_prev * (1.0 - v.z) * v.candidate}),
    (_blend("the new part (1 - z) * h~ is subtracted"), {"h": lambda v: v.z * v.h_prev - (1.0 - v.z) * v.candidate}),
    (_blend("the candidate's share is 1 + z, not 1 - z"), {"h": lambda v: v.z * v.h_prev + (1.0 + v.z) * v.candidate}),
]
SIGN_EDITS = [
    (specific(GRU_SIGN, "the output is negated: call returns (h_t, [h_t]), yours returns -h_t as the output"),
     {"output": lambda v: -v.h}),
    (specific(GRU_SIGN, "the state is negated: call returns (h_t, [h_t]), yours passes -h_t on as the state"),
     {"states": lambda v: (-v.h,)}),
]


def gru_edits(reset_after=False):
    """The table of one-equation GRU mistakes, most specific first: [(Mistake, edits)]."""
    return (_gate_edits(reset_after) + _bias_edits(reset_after) + _candidate_edits(reset_after)
            + BLEND_EDITS + SIGN_EDITS)


def edited_gru(inputs, edits, reset_after=False, **activations):
    """The outputs of the GRU with ``edits`` (``equations.GRU`` or ``GRU_RESET_AFTER``) on these case inputs."""
    weights = {key[2:]: value for key, value in inputs.items() if key.startswith("w.")}
    table = equations.GRU_RESET_AFTER if reset_after else equations.GRU
    return equations.run(table, equations.GRU_STATES, inputs["x"], weights, [inputs.get("h0.0")], edits=edits,
                         **activations)[0]


def _gru_inputs(inputs):
    return inputs["x"], inputs["w.kernel"], inputs["w.recurrent_kernel"], inputs["w.bias"], inputs.get("h0.0")


def gru_variants(inputs, reset_after=False, activation="tanh", recurrent_activation="sigmoid"):
    """What each known GRUCell mistake outputs on these case inputs: (Mistake, outputs), one at a time."""
    args = _gru_inputs(inputs)
    right_reset = "after" if reset_after else "before"
    acts = {"activation": activation, "recurrent_activation": recurrent_activation}
    base = {"reset_after": reset_after, "reset": right_reset, **acts}

    def run(**switches):
        return gru(*args, **{**base, **switches})[0]

    if (activation, recurrent_activation) != ("tanh", "sigmoid"):
        yield GRU_HARDCODED_ACTIVATIONS, gru(*args, reset_after=reset_after, reset=right_reset)[0]
    yield GRU_FLIPPED_UPDATE, run(flipped=True)
    if not reset_after:
        yield GRU_RESET_AFTER_MATMUL, run(reset="after")
    yield GRU_UPDATE_RESET_SWAPPED, run(order=(1, 0, 2))
    yield from gate_order_variants(
        GRU_GATE_ORDER, ("x_z", "x_r", "x_h"), run, named=[(1, 0, 2)],
        describe=lambda written: (f"Yours computes as if it cut the weights as `{written}` (for the kernel, the "
                                  "recurrent kernel and the bias alike); the right order is `x_z, x_r, x_h`"))
    yield GRU_SIGMOID_CANDIDATE, run(candidate="sigmoid")
    yield GRU_NO_RESET, run(use_reset=False)
    yield GRU_MISSING_BIAS, gru(*args[:3], None, args[4], **base)[0]
    yield GRU_NO_INPUT_TERM, gru(args[0], np.zeros_like(args[1]), *args[2:], **base)[0]
    yield GRU_STATE_NOT_CARRIED, run(carry=False)
    if reset_after:
        yield GRU_RESET_BEFORE_WHEN_AFTER, run(reset="before")
        yield GRU_RECURRENT_BIAS_OUTSIDE_RESET, run(recurrent_bias="outside")
        yield GRU_RECURRENT_BIAS_IGNORED, run(recurrent_bias="ignored")
        yield GRU_BIAS_ROWS_SWAPPED, run(recurrent_bias="swapped")
    yield from edited_variants(gru_edits(reset_after), lambda edits: edited_gru(inputs, edits, reset_after, **acts))
