"""Lab 1: running a cell by hand, measuring how gradients flow back in time, and clipping them.

Everything here works with *any* cell that follows the Keras cell contract (``state_size``,
``call(inputs, states) -> (output, new_states)``): your ``SimpleRNNCell``, the LSTM and GRU of
later labs, or the Keras built-ins.

Backpropagation through time multiplies one Jacobian per step:

    dL/dh_t = dL/dh_T  (dh_T/dh_{T-1}) ... (dh_{t+1}/dh_t)

and for a simple RNN each factor is ``diag(act'(a_{s})) U^T``. The norms of these products are
what ``state_gradient_norms`` measures.
"""

import numpy as np
import tensorflow as tf


def _as_state_list(states):
    """Keras cells accept and return states as a list; a bare tensor means a single state."""
    if isinstance(states, (list, tuple)):
        return list(states)
    return [states]


def zero_states(cell, batch_size):
    """The all-zero initial state list for ``cell``, one (batch, size) tensor per state."""
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    return [tf.zeros((batch_size, int(size))) for size in sizes]


def unroll(cell, x, initial_state=None):
    """Run ``cell`` over every time step of ``x`` with a plain Python loop.

    This is what ``keras.layers.RNN(cell, return_sequences=True, return_state=True)`` does, written
    out so you can see (and later differentiate through) every step.

    Args:
        cell: a Keras RNN cell.
        x: inputs, shape (batch, T, D).
        initial_state: list of state tensors, or ``None`` for zeros (see ``zero_states``).

    Returns:
        ``(outputs, final_states)``: outputs stacked along time, shape (batch, T, H), and the list
        of state tensors after the last step.
    """
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    # BEGIN SOLUTION
    states = zero_states(cell, x.shape[0]) if initial_state is None else _as_state_list(initial_state)
    outputs = []
    for t in range(x.shape[1]):
        output, states = cell(x[:, t, :], states)
        states = _as_state_list(states)
        outputs.append(output)
    return tf.stack(outputs, axis=1), states
    # END SOLUTION


def state_gradient_norms(cell, x, loss_fn, initial_state=None):
    """||dL/dh_t|| for every step t, with L = loss_fn(h_T), in one backward pass.

    dL/dh_t is the *total* derivative: every path from h_t to the loss, through all later states
    (for an LSTM, through the cell state too). The norm is taken over the whole (batch, H) array:
    ``sqrt(sum_b sum_j (dL/dh_t[b, j])**2)``, **accumulated in float64**: cast the gradients with
    ``.numpy().astype(np.float64)`` (or ``tf.cast(g, tf.float64)``) before squaring. Vanished
    gradients are tiny: below about 1e-19 a float32 square falls under float32's smallest normal
    number (1.2e-38) and is rounded or flushed to 0, so a float32 norm of, say, an LSTM with
    forget bias 0 at T = 100 is exactly 0 at the early steps, and every ratio built on it is 0.
    The autograder checks this.

    Args:
        cell: a Keras RNN cell whose output is its hidden state h_t.
        x: inputs, shape (batch, T, D).
        loss_fn: maps h_T, shape (batch, H), to a scalar tensor.
        initial_state: list of state tensors, or ``None`` for zeros.

    Returns:
        A NumPy array of shape (T,): entry t-1 is ||dL/dh_t|| (time runs forward, h_T last).

    Two ways to get all T gradients from one backward pass; either is right:

    - ``tape.gradient(loss, [h_1, ..., h_T])`` on the hidden states computed inside the tape (an
      eager Python loop: fine for the lab's T <= 100);
    - the given helpers below: ``_probe_pass(cell, x, states, probes, loss_fn)`` returns
      dL/dp_t, shape (T, batch, H), for zero probes p_t added to each h_t, which equals dL/dh_t;
      ``_probe_gradients`` is the same pass compiled with XLA, worth it for long sequences.
      ``probes`` must be ``tf.zeros((T, batch, H))``, so you need H: run one eager step of the
      cell first (it also creates the cell's weights outside the compiled function).
    """
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    # BEGIN SOLUTION
    batch_size, steps = x.shape[0], x.shape[1]
    states = zero_states(cell, batch_size) if initial_state is None else _as_state_list(initial_state)
    # One eager step creates the cell's weights (if needed) outside the compiled function and
    # tells us the output width.
    first_output, _ = cell(x[:, 0, :], states)
    probes = tf.zeros((steps, batch_size, first_output.shape[-1]))
    # Short sequences run eagerly; long ones are worth compiling (XLA), which costs ~0.3 s once.
    backward = _probe_gradients if steps > COMPILE_FROM_STEPS else _probe_pass
    grads = backward(cell, x, states, probes, loss_fn)
    # Square and sum in float64: float32 squares of tiny (vanished) gradients underflow to 0.
    return np.sqrt(np.sum(np.square(grads.numpy().astype(np.float64)), axis=(1, 2)))
    # END SOLUTION


COMPILE_FROM_STEPS = 64


def _probe_pass(cell, x, states, probes, loss_fn):
    """Given (nothing to fill in): dL/dp_t for zero probes p_t, in one backward pass.

    Runs the cell over time inside a ``tf.GradientTape`` that watches ``probes`` (shape (T, batch,
    H)); at every step it adds ``probes[t]`` to the output and feeds the sum on as the new hidden
    state. Since p_t = 0 nothing changes in the forward pass, and dL/dp_t = dL/dh_t: the total
    derivative, because h_t + p_t is what every later step reads. The time loop is
    ``for t in tf.range(...)`` so that the same code also runs compiled (``_probe_gradients``).

    Returns:
        dL/dp_t for every t, a float32 tensor of shape (T, batch, H).
    """
    with tf.GradientTape() as tape:
        tape.watch(probes)
        states = _as_state_list(states)
        h = states[0]
        for t in tf.range(tf.shape(x)[1]):
            output, states = cell(x[:, t, :], states)
            # h_t + p_t flows into the next step, so dL/dp_t collects every later path.
            h = output + probes[t]
            states = [h] + _as_state_list(states)[1:]
        # The loss is the caller's plain Python; run it as is rather than through AutoGraph.
        loss = tf.autograph.experimental.do_not_convert(loss_fn)(h)
    return tape.gradient(loss, probes)


# The same pass compiled with XLA, like Keras's own training step: for T=1000 an eager loop costs
# tens of training steps, the compiled one about half of one (bench/bench_lab1.py).
_probe_gradients = tf.function(_probe_pass, reduce_retracing=True, jit_compile=True)


def clip_by_value(grads, lo, hi):
    """Clip every element of every gradient into [lo, hi] (``None`` entries stay ``None``).

    Simple, but it changes the gradient's *direction*: large components are cut more than small.
    """
    # BEGIN SOLUTION
    return [None if g is None else tf.clip_by_value(g, lo, hi) for g in grads]
    # END SOLUTION


def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so that their joint L2 norm is at most ``max_norm``.

        global_norm = sqrt(sum_i ||g_i||^2)
        g_i <- g_i * max_norm / max(global_norm, max_norm)

    The direction of the full gradient is kept (Pascanu et al. 2013); this equals
    ``tf.clip_by_global_norm``. ``None`` entries are skipped and stay ``None``.

    Returns:
        ``(clipped, global_norm)``: the list of clipped gradients and the norm *before* clipping.
    """
    # BEGIN SOLUTION
    present = [tf.convert_to_tensor(g, dtype=tf.float32) for g in grads if g is not None]
    # With no gradients at all the norm is 0, as in tf.clip_by_global_norm.
    global_norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in present])) if present else tf.constant(0.0)
    scale = max_norm / tf.maximum(global_norm, max_norm)
    clipped = [None if g is None else tf.convert_to_tensor(g, dtype=tf.float32) * scale for g in grads]
    return clipped, global_norm
    # END SOLUTION
