"""Probes for Lab 5's wrappers: ``BidirectionalRNN`` and ``DeepRNN`` (``rnnlab/bidirectional.py``).

The wrappers are always run on Keras's *built-in* cells (``keras.layers.SimpleRNNCell``,
``GRUCell``), so a bug in the student's own cells is never charged here. The grader owns the cell
objects: it creates them, hands them to the wrapper and sets their weights by name.

Params:
    bidirectional: ``forward`` and ``backward`` cell specs, ``return_sequences``
    deep:          ``cells`` (cell specs, bottom to top), ``return_sequences``
    source:        "student" (default) or "keras": the Keras equivalent that the reference values
                   come from, ``keras.layers.Bidirectional(..., merge_mode="concat")`` or
                   ``keras.layers.RNN(keras.layers.StackedRNNCells(cells))``.
A cell spec is ``{"cell": "simple_rnn" | "gru", "units": H, "kwargs": {...}}``.
Arrays: ``x`` (B, T, D); weights ``<prefix>.<name>`` with prefix ``fw``/``bw`` or ``l0``, ``l1``...;
``upstream`` for the gradient probes.
"""

import keras
import numpy as np
import tensorflow as tf

from autograder.sandbox.probes import ContractError, probe, student_attribute
from autograder.labs.shared.probes import keras_round_trips, make_cell, set_weights_by_name, short_name

def _builtin_cell(spec):
    return make_cell(dict(spec, source="keras"))


def _prefixed(arrays, prefix):
    return {key[len(prefix) + 1:]: value for key, value in arrays.items() if key.startswith(prefix + ".")}


def _prefixes(params):
    if "cells" in params:
        return [f"l{index}" for index in range(len(params["cells"]))]
    return ["fw", "bw"]


def make_wrapper(params):
    """(layer, cells): the wrapper under test and the cells it was given, in prefix order."""
    return_sequences = params["return_sequences"]
    source = params.get("source", "student")
    if "cells" in params:
        cells = [_builtin_cell(spec) for spec in params["cells"]]
        if source == "keras":
            return keras.layers.RNN(keras.layers.StackedRNNCells(cells), return_sequences=return_sequences), cells
        deep_rnn = student_attribute("bidirectional", "DeepRNN")
        return deep_rnn(cells, return_sequences=return_sequences), cells
    cells = [_builtin_cell(params["forward"]), _builtin_cell(params["backward"])]
    if source == "keras":
        layer = keras.layers.Bidirectional(
            keras.layers.RNN(cells[0], return_sequences=return_sequences),
            backward_layer=keras.layers.RNN(cells[1], return_sequences=return_sequences, go_backwards=True),
            merge_mode="concat",
        )
        return layer, cells
    bidirectional_rnn = student_attribute("bidirectional", "BidirectionalRNN")
    return bidirectional_rnn(cells[0], cells[1], return_sequences=return_sequences), cells


def _cells_in_use(layer, cells, params):
    """The cell objects whose weights count. Keras's Bidirectional runs its own copy of the forward
    cell; a student's layer must run the very cells it was given."""
    if params.get("source") == "keras" and isinstance(layer, keras.layers.Bidirectional):
        return [layer.forward_layer.cell, layer.backward_layer.cell]
    unused = [prefix for prefix, cell in zip(_prefixes(params), cells) if not cell.built]
    if unused:
        names = {"fw": "forward_cell", "bw": "backward_cell"}
        which = ", ".join(names.get(p, f"cells[{p[1:]}]") for p in unused)
        raise ContractError(
            f"{type(layer).__name__} never built {which} after a call: it must run the cells it was given "
            "(through self.forward_rnn / self.backward_rnn or self.rnns), because the grader sets their weights"
        )
    return cells


def _set_weights(layer, cells, arrays, params):
    for prefix, cell in zip(_prefixes(params), _cells_in_use(layer, cells, params)):
        set_weights_by_name(cell, _prefixed(arrays, prefix))


def _single(value, what):
    if isinstance(value, (list, tuple, dict)):
        raise ContractError(f"{what} returned a {type(value).__name__}; call should return one tensor")
    return value


def _as_output(value, what):
    _single(value, what)
    try:
        return np.asarray(value, dtype=np.float32)
    except Exception:
        raise ContractError(f"{what} should return a tensor; it returned {type(value).__name__}") from None


def prepared_wrapper(arrays, params):
    """The wrapper, called once (which builds it and its cells), with the case's weights set.

    The building call sees one sample of one step: only the feature width decides the weights'
    shapes, and a whole sequence here would double the probe's time.
    """
    x = tf.constant(arrays["x"])
    layer, cells = make_wrapper(params)
    layer(x[:1, :1])
    _set_weights(layer, cells, arrays, params)
    return layer, cells, x


@probe("wrapper_forward")
def wrapper_forward(arrays, params):
    layer, _, x = prepared_wrapper(arrays, params)
    return {}, {"outputs": _as_output(layer(x), type(layer).__name__)}


@probe("wrapper_gradients")
def wrapper_gradients(arrays, params):
    """The outputs, and the gradients of sum(outputs * upstream) w.r.t. the inputs (``grad.x``) and
    every cell weight (``grad.<prefix>.<name>``)."""
    layer, cells, x = prepared_wrapper(arrays, params)
    cells = _cells_in_use(layer, cells, params)
    upstream = tf.constant(arrays["upstream"])
    names, variables = ["x"], [x]
    for prefix, cell in zip(_prefixes(params), cells):
        for variable in cell.trainable_weights:
            names.append(f"{prefix}.{short_name(variable)}")
            variables.append(variable)
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = _single(layer(x), type(layer).__name__)
        if tuple(outputs.shape) != tuple(upstream.shape):
            raise ContractError(f"{type(layer).__name__}'s output has shape {tuple(outputs.shape)}; "
                                f"expected {tuple(upstream.shape)}")
        loss = tf.reduce_sum(outputs * upstream)
    grads = tape.gradient(loss, variables)
    out = {f"grad.{name}": np.zeros(variable.shape, "float32") if grad is None else np.asarray(grad)
           for name, variable, grad in zip(names, variables, grads)}
    out["outputs"] = _as_output(outputs, type(layer).__name__)
    return {"none_gradients": [name for name, grad in zip(names, grads) if grad is None]}, out


@probe("wrapper_in_keras")
def wrapper_in_keras(arrays, params):
    """The wrapper inside a functional keras.Model, under tf.function, and after .keras save/load."""
    x_array = arrays["x"]
    layer, cells = make_wrapper(params)
    inputs = keras.Input(shape=x_array.shape[1:])
    model = keras.Model(inputs, layer(inputs))
    _set_weights(layer, cells, arrays, params)
    x = tf.constant(x_array)
    out = {"model": _as_output(model(x), "the model")}
    staged, errors = keras_round_trips(model, x, _as_output)
    return {"errors": errors}, {**out, **staged}
