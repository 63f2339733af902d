"""The cells of Labs 1-3 as tables of equations, so that a named mistake is one edited equation.

One step of a cell is a tuple of ``(name, formula)`` pairs, evaluated in order; a formula reads
what the step has computed so far (and the step's inputs and weights) from ``v``::

    ("c", lambda v: v.f * v.c_prev + v.i * v.g)

An *edit* replaces formulas by name: ``run(LSTM, ..., edits={"c": lambda v: v.f * v.c_prev})``
computes what a cell that forgot the input part of its memory update outputs. The labs'
``mistakes.py`` keep tables of such edits, one per known mistake, with the message that names it.

In every step ``v`` holds ``x`` (x_t, (batch, D)), ``<state>_prev`` for each state (``h_prev``,
``c_prev``), the weights by their Keras names (``kernel``, ``recurrent_kernel``, ``bias``,
``peephole_i``, ...), ``units`` (H), ``act`` and ``rec`` (the activation and the recurrent
activation). The last two formulas of a table are ``output`` and ``states`` (what ``call``
returns), and the states go on to the next step. Float64 throughout; no TensorFlow.
``tests/test_shared_references.py`` checks every table against ``reference.py`` and the master.
"""

import numpy as np

from autograder.labs.shared.reference import ACTS


class Values(dict):
    """A step's values, readable as ``v.name`` (a formula) or ``v[name]`` (a table built in a loop)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no value {name!r} yet in this step") from None


def block(array, index, count):
    """Block ``index`` of ``count`` equal blocks along the last axis (Keras's gate blocks)."""
    width = array.shape[-1] // count
    return array[..., index * width:(index + 1) * width]


# -- h_t = act(x_t K + h_{t-1} U + b) -------------------------------------------------------------
SIMPLE_RNN_STATES = ("h",)
SIMPLE_RNN = (
    ("xK", lambda v: v.x @ v.kernel),
    ("hU", lambda v: v.h_prev @ v.recurrent_kernel),
    ("pre", lambda v: v.xK + v.hU + v.bias),
    ("h", lambda v: v.act(v.pre)),
    ("output", lambda v: v.h),
    ("states", lambda v: (v.h,)),
)

# -- LSTM: gate order i, f, c (g), o ---------------------------------------------------------------
LSTM_STATES = ("h", "c")
_LSTM_Z = (
    ("xK", lambda v: v.x @ v.kernel),
    ("hU", lambda v: v.h_prev @ v.recurrent_kernel),
    ("z", lambda v: v.xK + v.hU + v.bias),
    ("z_i", lambda v: block(v.z, 0, 4)),
    ("z_f", lambda v: block(v.z, 1, 4)),
    ("z_g", lambda v: block(v.z, 2, 4)),
    ("z_o", lambda v: block(v.z, 3, 4)),
)
_LSTM_OUT = (
    ("h", lambda v: v.o * v.act(v.c)),
    ("output", lambda v: v.h),
    ("states", lambda v: (v.h, v.c)),
)
# pre_i, pre_f, pre_o: what each gate's sigmoid is applied to (z_i alone here, z_i + p_i * c_{t-1}
# with peepholes), so that one edit of a gate's activation fits both cells.
LSTM = _LSTM_Z + (
    ("pre_i", lambda v: v.z_i),
    ("pre_f", lambda v: v.z_f),
    ("i", lambda v: v.rec(v.pre_i)),
    ("f", lambda v: v.rec(v.pre_f)),
    ("g", lambda v: v.act(v.z_g)),
    ("c", lambda v: v.f * v.c_prev + v.i * v.g),
    ("pre_o", lambda v: v.z_o),
    ("o", lambda v: v.rec(v.pre_o)),
) + _LSTM_OUT

# Peepholes: i and f see c_{t-1}, o sees c_t (computed after the memory update).
PEEPHOLE_LSTM = tuple(
    {"pre_i": ("pre_i", lambda v: v.z_i + v.peephole_i * v.c_prev),
     "pre_f": ("pre_f", lambda v: v.z_f + v.peephole_f * v.c_prev),
     "pre_o": ("pre_o", lambda v: v.z_o + v.peephole_o * v.c)}.get(name, (name, formula))
    for name, formula in LSTM)

# -- GRU: gate order z, r, h -------------------------------------------------------------------------
GRU_STATES = ("h",)
_GRU_BLOCKS = tuple(
    (f"{side}_{gate}", lambda v, side=side, k=k: block(v[f"{side}_all"], k, 3))
    for side in ("x", "h") for k, gate in enumerate("zrh"))
_GRU_GATES = (
    ("z", lambda v: v.rec(v.x_z + v.h_z)),
    ("r", lambda v: v.rec(v.x_r + v.h_r)),
)
_GRU_OUT = (
    ("candidate", lambda v: v.act(v.x_h + v.reset_term)),
    ("h", lambda v: v.z * v.h_prev + (1.0 - v.z) * v.candidate),
    ("output", lambda v: v.h),
    ("states", lambda v: (v.h,)),
)
# reset_after=False: bias (3H,) added to x_t K; the reset gate multiplies h_{t-1} before U_h.
GRU = (
    ("xK", lambda v: v.x @ v.kernel),
    ("hU", lambda v: v.h_prev @ v.recurrent_kernel),
    ("x_all", lambda v: v.xK + v.bias),
    ("h_all", lambda v: v.hU),
) + _GRU_BLOCKS + _GRU_GATES + (
    ("reset_term", lambda v: (v.r * v.h_prev) @ block(v.recurrent_kernel, 2, 3)),
) + _GRU_OUT
# reset_after=True: bias (2, 3H), row 0 with x_t K, row 1 with h_{t-1} U; r scales h_h after U.
GRU_RESET_AFTER = (
    ("xK", lambda v: v.x @ v.kernel),
    ("hU", lambda v: v.h_prev @ v.recurrent_kernel),
    ("x_all", lambda v: v.xK + v.bias[0]),
    ("h_all", lambda v: v.hU + v.bias[1]),
) + _GRU_BLOCKS + _GRU_GATES + (
    ("reset_term", lambda v: v.r * v.h_h),
) + _GRU_OUT


def run(equations, state_names, x, weights, initial_states=None, *, activation="tanh",
        recurrent_activation="sigmoid", edits=None):
    """Outputs (batch, T, H) and the final states of the cell ``equations`` over ``x`` (batch, T, D).

    ``weights``: {Keras name: array}; ``initial_states``: one (batch, H) array per state name, or
    None (zeros); ``edits``: {equation name: formula} to compute instead of the table's.
    """
    edits = dict(edits or {})
    unknown = set(edits) - {name for name, _ in equations}
    if unknown:
        raise KeyError(f"these equations are not in the table: {sorted(unknown)}")
    formulas = [(name, edits.get(name, formula)) for name, formula in equations]
    x = np.asarray(x, np.float64)
    weights = {name: np.asarray(value, np.float64) for name, value in weights.items()}
    units = weights["recurrent_kernel"].shape[0]
    if initial_states is None or any(s is None for s in initial_states):
        initial_states = [np.zeros((x.shape[0], units))] * len(state_names)
    states = [np.asarray(s, np.float64) for s in initial_states]
    constants = dict(weights, units=units, act=_activation(activation), rec=_activation(recurrent_activation))
    outputs = []
    # A wrong cell can overflow (an exp of a product of terms): inf or NaN then matches nothing.
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(x.shape[1]):
            v = Values(constants, x=x[:, t], **{f"{name}_prev": s for name, s in zip(state_names, states)})
            for name, formula in formulas:
                v[name] = formula(v)
            outputs.append(v.output)
            states = list(v.states)
    return np.stack(outputs, axis=1), states


def _activation(name):
    return ACTS[name] if isinstance(name, str) else name
