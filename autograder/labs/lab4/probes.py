"""Probes for Lab 4's exercises: ``skill``, ``train_step``, ``chrono_bias``, ``truncated_bptt_step``
(``rnnlab/training.py``).

The training functions get models that the grader builds from Keras's *built-in* cells,
``RNN(cell) -> Dense`` (or the cell and the Dense readout on their own for truncated BPTT), with the
case's weights set by name and ``keras.optimizers.SGD`` at a fixed learning rate: one call is then a
deterministic function of the inputs, and the weights after it say exactly which update was made.

Params:
    cell:           a cell spec, ``{"cell": "simple_rnn" | "lstm" | "gru", "units": H}``
    outputs:        the readout's width
    loss:           "mse" or "sparse_categorical_crossentropy" (from logits)
    learning_rate:  SGD's learning rate
    clip_norm:      (train_step) passed on as is
    compiled:       (train_step) call it inside ``tf.function``
    k:              (truncated_bptt) the chunk length
    kind, units, t_max, seed:  (chrono_bias) passed on as is
    reference:      set for the reference run only: also return what the grader needs to recognise
                    known mistakes (the raw gradients and the loss after the update for
                    ``train_step``; the outputs of known wrong versions for ``truncated_bptt``).
                    These are computed by the kit's own code below, never by student code.
"""

import keras
import numpy as np
import tensorflow as tf

from autograder.sandbox.probes import ContractError, probe, student_attribute
from autograder.labs.shared.probes import make_cell, set_weights_by_name, short_name, state_arrays


def _as_array(value, what):
    try:
        return np.asarray(value, dtype=np.float32)
    except Exception:
        raise ContractError(f"{what} should be a number or a tensor; got {type(value).__name__}") from None


def _scalar(value, what):
    array = _as_array(value, what)
    if array.size != 1:
        raise ContractError(f"{what} should be a single number (a scalar tensor); it has shape {array.shape}")
    return array.reshape(())


def _prefixed(arrays, prefix):
    return {key[len(prefix) + 1:]: value for key, value in arrays.items() if key.startswith(prefix + ".")}


SYMMETRIC_LOSSES = ("mse",)  # loss_fn(y_pred, y_true) == loss_fn(y_true, y_pred)


def loss_function(name):
    if name == "mse":
        return lambda y_true, y_pred: tf.reduce_mean(tf.square(y_pred - y_true))
    if name == "sparse_categorical_crossentropy":
        return lambda y_true, y_pred: tf.reduce_mean(
            keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True))
    if name == "weighted_mse":  # not symmetric in its arguments: loss_fn(y_pred, y_true) is not the same
        return lambda y_true, y_pred: tf.reduce_mean(tf.square(y_pred - y_true) * (1.0 + tf.square(y_true)))
    raise KeyError(name)


# -- skill -----------------------------------------------------------------------------------------
@probe("skill")
def skill(arrays, params):
    function = student_attribute("training", "skill")
    metrics = arrays["metric"]
    scalars = [_scalar(function(float(m), params["baseline"], params["perfect"]), "skill(number, ...)")
               for m in metrics]
    array = _as_array(function(metrics.copy(), params["baseline"], params["perfect"]), "skill(array, ...)")
    return {}, {"scalars": np.stack(scalars), "array": array}


# -- chrono_bias -----------------------------------------------------------------------------------
@probe("chrono_bias")
def chrono_bias(arrays, params):
    function = student_attribute("training", "chrono_bias")
    bias = function(params["kind"], params["units"], params["t_max"], seed=params["seed"])
    return {"dtype": str(getattr(bias, "dtype", type(bias).__name__))}, {"bias": _as_array(bias, "chrono_bias(...)")}


# -- train_step ------------------------------------------------------------------------------------
def build_model(arrays, params):
    """``Input -> RNN(built-in cell) -> Dense``, with the case's weights."""
    x = arrays["x"]
    cell = make_cell(dict(params["cell"], source="keras"))
    readout = keras.layers.Dense(params["outputs"])
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.RNN(cell), readout])
    set_weights_by_name(cell, _prefixed(arrays, "cell"))
    set_weights_by_name(readout, _prefixed(arrays, "readout"))
    return model, cell, readout


def _weights_after(cell, readout):
    out = {f"after.cell.{short_name(v)}": np.asarray(v) for v in cell.weights}
    out.update({f"after.readout.{short_name(v)}": np.asarray(v) for v in readout.weights})
    return out


def _pair(result, what, names):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        got = type(result).__name__ + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        raise ContractError(f"{what} must return a pair ({names}); it returned {got}")
    return result


@probe("train_step")
def train_step(arrays, params):
    function = student_attribute("training", "train_step")
    model, cell, readout = build_model(arrays, params)
    loss_fn = loss_function(params["loss"])
    optimizer = keras.optimizers.SGD(params["learning_rate"])
    x, y = tf.constant(arrays["x"]), tf.constant(arrays["y"])
    out = {}
    if params.get("reference"):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        variables = [(f"cell.{short_name(v)}", v) for v in cell.trainable_weights]
        variables += [(f"readout.{short_name(v)}", v) for v in readout.trainable_weights]
        grads = tape.gradient(loss, [v for _, v in variables])
        out.update({f"grad.{name}": np.asarray(g) for (name, _), g in zip(variables, grads)})
    clip_norm = params["clip_norm"]
    if params.get("compiled"):
        step = tf.function(lambda xs, ys: function(model, optimizer, xs, ys, loss_fn, clip_norm=clip_norm))
        result = step(x, y)
    else:
        result = function(model, optimizer, x, y, loss_fn, clip_norm=clip_norm)
    loss, norm = _pair(result, "train_step", "loss, global_norm")
    out["loss"] = _scalar(loss, "train_step's loss")
    out["norm"] = _scalar(norm, "train_step's global_norm")
    out.update(_weights_after(cell, readout))
    if params.get("reference"):
        out["loss_after"] = np.asarray(loss_fn(y, model(x)), dtype=np.float32)
    return {}, out


# -- truncated BPTT --------------------------------------------------------------------------------
def build_cell_and_readout(arrays, params):
    x = arrays["x"]
    cell = make_cell(dict(params["cell"], source="keras"))
    cell.build((None, x.shape[-1]))
    readout = keras.layers.Dense(params["outputs"])
    readout.build((None, params["cell"]["units"]))
    set_weights_by_name(cell, _prefixed(arrays, "cell"))
    set_weights_by_name(readout, _prefixed(arrays, "readout"))
    return cell, readout


def _tbptt_outputs(losses, states, cell, readout):
    if not isinstance(losses, (list, tuple)) and not hasattr(losses, "shape"):
        raise ContractError(f"truncated_bptt_step's losses should be a list of numbers; got {type(losses).__name__}")
    out = {"losses": np.array([_scalar(l, "each chunk loss") for l in losses], dtype=np.float32).reshape(-1)}
    if not isinstance(states, (list, tuple)):
        raise ContractError("truncated_bptt_step's final_states must be a list of state tensors "
                            f"(like [h], or [h, c] for an LSTM); got {type(states).__name__}")
    out.update({f"state.{i}": _as_array(s, f"final state {i}") for i, s in enumerate(states)})
    out.update(_weights_after(cell, readout))
    return out


@probe("truncated_bptt")
def truncated_bptt(arrays, params):
    function = student_attribute("training", "truncated_bptt_step")
    cell, readout = build_cell_and_readout(arrays, params)
    optimizer = keras.optimizers.SGD(params["learning_rate"])
    loss_fn = loss_function(params.get("loss", "mse"))
    initial = state_arrays(arrays) or None
    result = function(cell, readout, optimizer, tf.constant(arrays["x"]), tf.constant(arrays["y"]), loss_fn,
                      params["k"], initial_state=initial)
    losses, states = _pair(result, "truncated_bptt_step", "losses, final_states")
    out = _tbptt_outputs(losses, states, cell, readout)
    if params.get("reference"):
        for name, variant in WRONG_TBPTT.items():
            if name == "loss_arguments_swapped" and params.get("loss", "mse") in SYMMETRIC_LOSSES:
                continue  # the same numbers as the right answer: nothing to tell apart
            cell, readout = build_cell_and_readout(arrays, params)
            optimizer = keras.optimizers.SGD(params["learning_rate"])
            losses, states = variant(cell, readout, optimizer, tf.constant(arrays["x"]), tf.constant(arrays["y"]),
                                     loss_fn, params["k"], state_arrays(arrays) or None)
            variant_out = _tbptt_outputs(losses, states, cell, readout)
            out.update({f"variant.{name}.{key}": value for key, value in variant_out.items()})
    return {}, out


# Known wrong versions of truncated BPTT, run by the reference only (``mistakes.py`` names them).
def _zeros(cell, batch):
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    return [tf.zeros((batch, int(s))) for s in sizes]


def _run(cell, x, states):
    outputs = []
    for t in range(x.shape[1]):
        output, states = cell(x[:, t, :], states)
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        outputs.append(output)
    return tf.stack(outputs, axis=1), states


def _chunks(steps, k, drop_last=False):
    starts = range(0, steps - k + 1, k) if drop_last else range(0, steps, k)
    return [(start, min(start + k, steps)) for start in starts]


def _per_chunk_updates(cell, readout, optimizer, x, y, loss_fn, k, initial, carry=True, drop_last=False,
                       across=False, loss_arguments_swapped=False):
    if loss_arguments_swapped:
        loss_fn = (lambda given: lambda y_true, y_pred: given(y_pred, y_true))(loss_fn)
    variables = cell.trainable_variables + readout.trainable_variables
    start_states = initial or _zeros(cell, x.shape[0])
    states, losses = start_states, []
    tape = tf.GradientTape(persistent=True) if across else None
    if across:
        tape.__enter__()
    for start, end in _chunks(x.shape[1], k, drop_last):
        if not carry:
            states = start_states
        if across:  # one tape over the whole sequence: each chunk's gradient reaches into earlier chunks
            outputs, states = _run(cell, x[:, start:end], states)
            loss = loss_fn(y[:, start:end], readout(outputs))
            grads = tape.gradient(loss, variables)
        else:
            with tf.GradientTape() as chunk_tape:
                outputs, states = _run(cell, x[:, start:end], [tf.stop_gradient(s) for s in states])
                loss = loss_fn(y[:, start:end], readout(outputs))
            grads = chunk_tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        losses.append(loss)
    if across:
        tape.__exit__(None, None, None)
    return losses, states


def _one_update(cell, readout, optimizer, x, y, loss_fn, k, initial, truncated):
    variables = cell.trainable_variables + readout.trainable_variables
    states, losses, total = initial or _zeros(cell, x.shape[0]), [], None
    with tf.GradientTape(persistent=True) as tape:
        for start, end in _chunks(x.shape[1], k):
            if truncated:
                states = [tf.stop_gradient(s) for s in states]
            outputs, states = _run(cell, x[:, start:end], states)
            losses.append(loss_fn(y[:, start:end], readout(outputs)))
        total = tf.add_n(losses) / len(losses)
    optimizer.apply_gradients(zip(tape.gradient(total, variables), variables))
    return losses, states


WRONG_TBPTT = {
    "state_not_carried": lambda *a: _per_chunk_updates(*a, carry=False),
    "last_chunk_dropped": lambda *a: _per_chunk_updates(*a, drop_last=True),
    "gradient_across_chunks": lambda *a: _per_chunk_updates(*a, across=True),
    "one_update_full_bptt": lambda *a: _one_update(*a, truncated=False),
    "one_update_truncated": lambda *a: _one_update(*a, truncated=True),
    "loss_arguments_swapped": lambda *a: _per_chunk_updates(*a, loss_arguments_swapped=True),
}
