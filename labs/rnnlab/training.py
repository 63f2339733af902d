"""Lab 4: training recurrent models on long-range tasks, and judging the result against chance.

Four exercises:

- ``skill``: how much of the way from the chance baseline to a perfect score a metric has gone;
- ``train_step``: one step of full backpropagation through time, with optional clipping by
  global norm;
- ``chrono_bias``: a gate bias that starts each unit's memory at a time scale up to the horizon;
- ``truncated_bptt_step``: truncated BPTT over one batch of long sequences, one update per chunk.

``run_cell`` (given, nothing to fill in) runs a cell over a chunk of steps from a given state.
Everything works with any cell that follows the Keras cell contract: yours from Labs 1 to 3, or
the Keras built-ins.
"""

import numpy as np
import tensorflow as tf


def skill(metric, baseline, perfect):
    """The normalised skill score: 0 at the chance baseline, 1 at a perfect score.

        skill = (metric - baseline) / (perfect - baseline)

    It works the same way whether a larger metric is better (accuracy: perfect = 1) or a smaller
    one (MSE: perfect = 0). For an MSE it is 1 - MSE / baseline, the fraction of the baseline's
    error that the model removed. A negative skill means worse than chance.

    Args:
        metric: the model's score, a number or a NumPy array of scores (e.g. one per seed).
        baseline: the chance score of the task (e.g. ``seqtasks.adding_baseline()``, 1/6).
        perfect: the best possible score (0 for an MSE or a cross-entropy, 1 for an accuracy).

    Returns:
        A float, or a float64 NumPy array of the same shape as ``metric``.

    Example: an MSE of 0.05 on the adding problem (baseline 1/6) has skill 1 - 0.05 * 6 = 0.7;
    an accuracy of 0.75 on a two-class task (baseline 0.5) has skill 0.5.
    """
    # TODO (skill): your code here. The docstring above says what to compute.
    raise NotImplementedError("skill: fill in this TODO in rnnlab/training.py")


def train_step(model, optimizer, x, y, loss_fn, clip_norm=None):
    """One training step with full backpropagation through time (BPTT).

    1. Forward pass and loss inside a ``tf.GradientTape``: ``loss = loss_fn(y, model(x, training=True))``.
    2. Gradients of the loss w.r.t. ``model.trainable_variables`` (the tape runs BPTT through
       every step of the recurrent layer).
    3. The global norm of those gradients, ``sqrt(sum_i ||g_i||^2)``, measured *before* any
       clipping.
    4. If ``clip_norm`` is not None, rescale all gradients together so that their global norm is
       at most ``clip_norm`` (``tf.clip_by_global_norm``: your Lab 1 ``clip_by_global_norm`` does
       the same).
    5. One update: ``optimizer.apply_gradients(zip(grads, model.trainable_variables))``.

    Args:
        model: a Keras model (e.g. ``Input -> RNN(cell) -> Dense``), already built.
        optimizer: a Keras optimizer.
        x: inputs, shape (batch, T, D).
        y: targets, in the shape ``loss_fn`` expects next to the model's output.
        loss_fn: ``loss_fn(y_true, y_pred) -> scalar tensor``, the Keras argument order.
        clip_norm: the largest global gradient norm allowed, or None for no clipping.

    Returns:
        ``(loss, global_norm)``: the loss *before* the update and the global gradient norm
        *before* clipping, both scalar tensors. The norm is what you watch for explosions.

    The step runs as written in eager mode, and also compiled:
    ``tf.function(lambda x, y: train_step(model, optimizer, x, y, loss_fn, 1.0))``.
    """
    # TODO (train_step): your code here. The docstring above says what to compute.
    raise NotImplementedError("train_step: fill in this TODO in rnnlab/training.py")


def chrono_bias(kind, units, t_max, seed=0):
    """The "chrono" initial bias of an LSTM or GRU cell (Tallec and Ollivier, 2018).

    A gate held at g keeps g^k of what it stored k steps ago: a memory of about 1 / (1 - g) steps.
    The usual biases give sigmoid(0) = 0.5 (2 steps) or sigmoid(1) = 0.73 (3.7 steps). Chrono
    initialisation spreads the units' time scales between 1 and ``t_max - 1`` steps instead:

        u ~ Uniform(1, t_max - 1), one draw per unit:  u = rng.uniform(1, t_max - 1, size=units)
        LSTM (gate order i, f, c, o):   b_f = log(u),   b_i = -b_f,   b_c = b_o = 0
        GRU (gate order z, r, h):       b_z = log(u),   b_r = b_h = 0

    sigmoid(log u) = u / (1 + u), so 1 / (1 - f) = 1 + u: unit j remembers for about 1 + u_j
    steps. b_i = -b_f makes a unit that keeps long also write little. The GRU's sign is Keras's
    convention, h_t = z * h_{t-1} + (1 - z) * h~_t, where z is the gate that *keeps* (in the
    lecture notes' convention the sign flips).

    Args:
        kind: ``"lstm"`` or ``"gru"``.
        units: the cell's number of units H.
        t_max: the longest dependency to expect, in steps (at least 3).
        seed: the seed of ``rng = np.random.default_rng(seed)``; draw ``u`` with one call
            ``rng.uniform(1, t_max - 1, size=units)``, so that the same seed gives the same bias.

    Returns:
        A float32 NumPy array: the whole ``bias``, shape (4H,) for an LSTM, (3H,) for a GRU. Use it
        on a built cell with ``cell.bias.assign(chrono_bias("lstm", cell.units, t_max))``.
    """
    if kind not in ("lstm", "gru"):
        raise ValueError(f"kind must be 'lstm' or 'gru', got {kind!r}")
    if t_max < 3:
        raise ValueError(f"t_max must be at least 3 (Uniform(1, t_max - 1) must not be empty), got {t_max!r}")
    # TODO (chrono_bias): your code here. The docstring above says what to compute.
    raise NotImplementedError("chrono_bias: fill in this TODO in rnnlab/training.py")


def _state_list(states):
    return list(states) if isinstance(states, (list, tuple)) else [states]


def zero_states(cell, batch_size):
    """The all-zero initial state list for ``cell``: one (batch, size) tensor per state."""
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    return [tf.zeros((batch_size, int(size))) for size in sizes]


def run_cell(cell, x, states):
    """Run ``cell`` over every step of ``x`` (batch, k, D) from ``states``; nothing to fill in.

    Returns ``(outputs, final_states)``: outputs (batch, k, H) and the list of state tensors after
    the last step. (Lab 1's ``unroll`` does the same; this copy keeps Lab 4 independent of it.)
    """
    states = _state_list(states)
    outputs = []
    for t in range(x.shape[1]):
        output, states = cell(x[:, t, :], states)
        states = _state_list(states)
        outputs.append(output)
    return tf.stack(outputs, axis=1), states


def truncated_bptt_step(cell, readout, optimizer, x, y, loss_fn, k, initial_state=None):
    """Truncated BPTT over one batch of sequences: chunks of ``k`` steps, one update per chunk.

    For chunk j (steps j*k .. j*k + k - 1; the last chunk is shorter when k does not divide T):

    1. start from the state the previous chunk ended in (the initial state for chunk 0), with
       ``tf.stop_gradient``: the *value* is carried across the boundary, the gradient is not;
    2. inside a ``tf.GradientTape``: ``outputs, states = run_cell(cell, x_chunk, states)``,
       ``loss_j = loss_fn(y_chunk, readout(outputs))``;
    3. differentiate ``loss_j`` w.r.t. ``cell.trainable_variables + readout.trainable_variables``
       and apply one optimizer update;
    4. carry ``states`` (computed in this chunk's forward pass) on to chunk j + 1.

    Every chunk costs k steps of backpropagation however long the sequence is, but no gradient
    links a loss to an input more than k - 1 steps before it: truncated BPTT cannot *learn* a
    dependency of k steps or more (a lag d needs k >= d + 1).

    The step must also run compiled: Lab 4 calls it as
    ``tf.function(lambda x, y: truncated_bptt_step(cell, readout, optimizer, x, y, loss_fn, k))``,
    so build the loop over chunks with Python ``range`` over the static length ``x.shape[1]`` and
    keep the chunk losses as tensors (no ``float(loss)`` or ``.numpy()`` inside).

    Args:
        cell: a Keras RNN cell, already built.
        readout: a layer applied to the outputs of every step (e.g. ``keras.layers.Dense``), built.
        optimizer: a Keras optimizer.
        x: inputs, shape (batch, T, D).
        y: per-step targets, shape (batch, T, ...), matching ``readout``'s output.
        loss_fn: ``loss_fn(y_true, y_pred) -> scalar tensor``.
        k: the chunk length (the truncation horizon), 1 <= k.
        initial_state: list of state tensors, or None for zeros (``zero_states``).

    Returns:
        ``(losses, final_states)``: a list of the chunk losses (each computed before its own
        update), and the list of state tensors after the last step of the last chunk.
    """
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    y = tf.convert_to_tensor(y)
    # TODO (truncated_bptt_step): your code here. The docstring above says what to compute.
    raise NotImplementedError("truncated_bptt_step: fill in this TODO in rnnlab/training.py")


def results_markdown(rows, models, solved_at=0.8, length_key="T"):
    """A Markdown table of success per model per task and length; nothing to fill in.

    Args:
        rows: dicts with keys ``task``, ``length_key``, ``model``, ``seed``, ``metric`` (the test
            score: an MSE or an accuracy), ``metric_name``, ``baseline`` and ``skill``.
        models: the model names, in column order.
        solved_at: the skill from which a run counts as solved.
        length_key: the row key that gives the length column (``"T"``, or ``"distance"``).

    Each cell reads ``mean metric (skill s, n/m solved)``, averaged over the seeds of that model,
    task and length; the chance column is the baseline the skill is measured from.
    """
    groups = {}
    for row in rows:
        groups.setdefault((row["task"], row[length_key]), {}).setdefault(row["model"], []).append(row)
    lines = [f"| task | {length_key} | metric (chance) | " + " | ".join(models) + " |",
             "|---|---:|---|" + "---|" * len(models)]
    for (task, steps), by_model in groups.items():
        first = next(iter(by_model.values()))[0]
        cells = []
        for model in models:
            runs = by_model.get(model, [])
            if not runs:
                cells.append("-")
                continue
            metric = float(np.mean([r["metric"] for r in runs]))
            mean_skill = float(np.mean([r["skill"] for r in runs]))
            solved = sum(r["skill"] >= solved_at for r in runs)
            cells.append(f"{metric:.4f} (skill {mean_skill:.2f}, {solved}/{len(runs)} solved)")
        lines.append(f"| {task} | {steps} | {first['metric_name']} ({first['baseline']:.4f}) | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
