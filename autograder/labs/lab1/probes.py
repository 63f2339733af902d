"""Probes for Lab 1's function exercises: ``irnn_cell``, ``unroll``, ``state_gradient_norms``, clipping.

The sequence functions are run on Keras's *built-in* cells, so a bug in the student's own cell is
never charged twice.
"""

import keras
import numpy as np
import tensorflow as tf

from autograder.labs.lab1 import mistakes
from autograder.sandbox.probes import ContractError, probe, student_attribute
from autograder.labs.shared.probes import (build_cell, prepared_cell, run_steps, set_weights_by_name, short_name,
                                           state_arrays, weight_arrays)


def _builtin_cell(arrays, params):
    return prepared_cell(arrays, dict(params, source="keras"))


def _as_array(value, what):
    try:
        array = np.asarray(value, dtype=np.float32)
    except Exception:
        raise ContractError(f"{what} should be a tensor or array of numbers; got {type(value).__name__}") from None
    return array


@probe("irnn")
def irnn(arrays, params):
    irnn_cell = student_attribute("simple_rnn", "irnn_cell")
    cell = irnn_cell(params["units"])
    if not isinstance(cell, keras.layers.Layer):
        raise ContractError(f"irnn_cell should return a cell (a Keras layer); it returned {type(cell).__name__}")
    x = tf.constant(arrays["x"])
    cell.build((None, x.shape[-1]))
    # The recurrent kernel as initialised is what the exercise is about; the input kernel and bias
    # start random, so they are set to known values before the forward check.
    initial = {f"w.{short_name(v)}": np.asarray(v) for v in cell.weights if short_name(v) == "recurrent_kernel"}
    weights = weight_arrays(arrays)
    if initial:
        weights["recurrent_kernel"] = initial["w.recurrent_kernel"]
    set_weights_by_name(cell, weights)
    outputs, _ = run_steps(cell, x, [tf.zeros((x.shape[0], params["units"]))])
    return {"class": type(cell).__name__}, dict(initial, outputs=np.asarray(outputs))


@probe("unroll")
def unroll(arrays, params):
    student_unroll = student_attribute("gradients", "unroll")
    cell, x, states = _builtin_cell(arrays, params)
    initial = state_arrays(arrays) or None
    result = student_unroll(cell, x, initial_state=initial)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ContractError(f"unroll must return (outputs, final_states); it returned {type(result).__name__}")
    outputs, final_states = result
    if isinstance(outputs, (list, tuple)) and not isinstance(final_states, (list, tuple)):
        raise ContractError(mistakes.UNROLL_RETURNS_SWAPPED.message, mistake=mistakes.UNROLL_RETURNS_SWAPPED.name)
    if not isinstance(final_states, (list, tuple)):
        raise ContractError(
            f"unroll's final_states must be a list of state tensors (like [h], or [h, c] for an LSTM); "
            f"got {type(final_states).__name__}"
        )
    out = {"outputs": _as_array(outputs, "unroll's outputs")}
    for index, state in enumerate(final_states):
        out[f"state.{index}"] = _as_array(state, f"final state {index}")
    return {"n_states": len(final_states)}, out


@probe("state_gradient_norms")
def state_gradient_norms(arrays, params):
    function = student_attribute("gradients", "state_gradient_norms")
    cell, x, _ = _builtin_cell(arrays, params)
    v = tf.constant(arrays["v"])

    def loss_fn(h_last):
        return tf.reduce_sum(h_last * v)

    norms = function(cell, x, loss_fn)
    return {}, {"norms": _as_array(norms, "state_gradient_norms's result")}


def _gradient_list(arrays):
    keys = sorted((k for k in arrays if k.startswith("g.")), key=lambda k: int(k[2:]))
    return [tf.constant(arrays[k]) for k in keys]


def _check_list(result, count, what):
    if not isinstance(result, (list, tuple)):
        raise ContractError(f"{what} must return a list of gradients; it returned {type(result).__name__}")
    if len(result) != count:
        raise ContractError(f"{what} returned {len(result)} gradients for {count} inputs")
    dropped = [i for i, g in enumerate(result) if g is None]
    if dropped:
        raise ContractError(f"{what} returned None for gradient {dropped[0]}, a tensor: "
                            f"{mistakes.GRADIENT_DROPPED.message}", mistake=mistakes.GRADIENT_DROPPED.name)
    return {f"out.{i}": _as_array(g, f"{what}'s gradient {i}") for i, g in enumerate(result)}


@probe("clip_by_value")
def clip_by_value(arrays, params):
    function = student_attribute("gradients", "clip_by_value")
    grads = _gradient_list(arrays)
    return {}, _check_list(function(grads, params["lo"], params["hi"]), len(grads), "clip_by_value")


@probe("clip_by_global_norm")
def clip_by_global_norm(arrays, params):
    function = student_attribute("gradients", "clip_by_global_norm")
    grads = _gradient_list(arrays)
    if not params.get("nones"):
        clipped, norm = _clip_pair(function(grads, params["max_norm"]))
        out = _check_list(clipped, len(grads), "clip_by_global_norm")
        out["norm"] = _as_array(norm, "clip_by_global_norm's global norm").reshape(())
        return {}, out
    # None entries, as tape.gradient gives for a variable the loss does not use: they stay None.
    clipped, norm = _clip_pair(function([None, *grads, None], params["max_norm"]))
    if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads) + 2:
        raise ContractError("clip_by_global_norm must return one entry per gradient, None entries included")
    if clipped[0] is not None or clipped[-1] is not None:
        raise ContractError("clip_by_global_norm must keep a None gradient as None (a variable that got no "
                            "gradient); skip it when computing the global norm")
    out = _check_list(list(clipped[1:-1]), len(grads), "clip_by_global_norm")
    out["norm"] = _as_array(norm, "clip_by_global_norm's global norm").reshape(())
    _, empty_norm = _clip_pair(function([None, None], params["max_norm"]))
    out["norm.empty"] = _as_array(empty_norm, "clip_by_global_norm's global norm of [None, None]").reshape(())
    return {}, out


def _clip_pair(result):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ContractError("clip_by_global_norm must return a pair (clipped_list, global_norm)")
    if isinstance(result[1], (list, tuple)) and not isinstance(result[0], (list, tuple)):
        raise ContractError(mistakes.CLIP_RETURNS_SWAPPED.message, mistake=mistakes.CLIP_RETURNS_SWAPPED.name)
    return result


@probe("simple_rnn_initializers")
def simple_rnn_initializers(arrays, params):
    """The values each weight of a freshly built ``SimpleRNNCell`` holds when every initializer is a
    different constant (kernel 1, recurrent 2, bias 3): shows which initializer ``build`` used where."""
    cell_class = student_attribute("simple_rnn", "SimpleRNNCell")
    constant = keras.initializers.Constant
    cell = cell_class(params["units"], kernel_initializer=constant(1.0), recurrent_initializer=constant(2.0),
                      bias_initializer=constant(3.0))
    build_cell(cell, params["input_dim"])
    return {short_name(v): sorted({float(value) for value in np.asarray(v).ravel()}) for v in cell.weights}, {}
