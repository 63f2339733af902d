"""NumPy reference cells in float64, with a switch for each known mistake.

The parent process computes with these what a correct cell and each wrong variant output on a
case's inputs (``labN/mistakes.py`` turns them into named variants); they never run student code
and need no TensorFlow. Weights follow Keras's names, shapes and gate order (i, f, c, o for the
LSTM; z, r, h for the GRU). ``tests/test_shared_references.py`` checks them against the master's
fixtures, so a variant is never computed in another convention than the master's.
"""

import numpy as np

ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda a: np.maximum(a, 0.0),
    "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)),
    "linear": lambda a: a,
}


def simple_rnn(x, kernel, recurrent_kernel, bias, h0=None, activation="tanh", carry_state=True, recurrence=True):
    """h_t = act(x_t K + h_{t-1} U + b) over (batch, T, D) inputs; returns (batch, T, H) in float64."""
    act = ACTIVATIONS[activation] if isinstance(activation, str) else activation
    x = np.asarray(x, np.float64)
    h_start = np.zeros((x.shape[0], kernel.shape[1])) if h0 is None else np.asarray(h0, np.float64)
    h, outputs = h_start, []
    for t in range(x.shape[1]):
        h_prev = h if carry_state else h_start
        pre = x[:, t] @ kernel + bias + (h_prev @ recurrent_kernel if recurrence else 0.0)
        h = act(pre)
        outputs.append(h)
    return np.stack(outputs, axis=1)


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _hard_sigmoid(a):
    # Keras 3: relu6(a + 3) / 6.
    return np.clip(a / 6.0 + 0.5, 0.0, 1.0)


ACTS = dict(ACTIVATIONS, sigmoid=_sigmoid, hard_sigmoid=_hard_sigmoid)


def _f64(array):
    return None if array is None else np.asarray(array, np.float64)


def split_as_written(order, names):
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


def gru(x, kernel, recurrent_kernel, bias, h0=None, *, reset_after=False, order=(0, 1, 2), activation="tanh",
        recurrent_activation="sigmoid", candidate="activation", flipped=False, reset=None, use_reset=True,
        recurrent_bias="inside", carry=True):
    """GRU outputs (batch, T, H) and final h, in float64, with switches for each mistake.

    reset_after=False: bias (3H,); reset: "before" (right) or "after" the recurrent matmul.
    reset_after=True:  bias (2, 3H); reset: "after" (right) or "before"; recurrent_bias: "inside" r
    (right), "outside" r, "ignored", or "swapped" (the two rows exchanged).
    reset=None: the right one for ``reset_after``.
    order: which block the cell treats as (z, r, h); flipped: h_t = (1 - z) h_{t-1} + z h~.
    """
    reset = reset or ("after" if reset_after else "before")
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
