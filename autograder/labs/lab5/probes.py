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

import functools

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


def _input_widths(params, input_dim):
    """The input width of every cell, in prefix order: both directions read x; a deep layer reads
    the layer below."""
    if "cells" not in params:
        return [input_dim, input_dim]
    widths = [input_dim]
    for spec in params["cells"][:-1]:
        widths.append(spec["units"])
    return widths


def _count_calls(cell):
    """Make ``cell`` count its calls (``cell._rnnlab_calls()``), so the grader can tell whether a
    wrapper ran the very cells it was given. Patched on the instance: ``keras.layers.RNN`` calls
    ``cell(...)``, which calls ``self.call``; the class, and so the cell's config, are unchanged."""
    calls = [0]
    original = cell.call

    @functools.wraps(original)
    def call(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    object.__setattr__(cell, "call", call)
    object.__setattr__(cell, "_rnnlab_calls", lambda: calls[0])
    return cell


def make_wrapper(params, arrays=None):
    """(layer, cells): the wrapper under test and the cells it was given, in prefix order.

    With ``arrays``, the student's wrapper gets cells already built and holding the case's weights
    (one call of the wrapper is then enough; building it with a first call would cost a second);
    without, the cells are built by the wrapper's first call and ``_set_weights`` comes after.
    """
    return_sequences = params["return_sequences"]
    source = params.get("source", "student")
    specs = params["cells"] if "cells" in params else [params["forward"], params["backward"]]
    cells = [_builtin_cell(spec) for spec in specs]
    if arrays is not None and source != "keras":
        for prefix, cell, width in zip(_prefixes(params), cells, _input_widths(params, arrays["x"].shape[-1])):
            cell.build((None, width))
            set_weights_by_name(cell, _prefixed(arrays, prefix))
    if source != "keras":
        cells = [_count_calls(cell) for cell in cells]
    if "cells" in params:
        if source == "keras":
            return keras.layers.RNN(keras.layers.StackedRNNCells(cells), return_sequences=return_sequences), cells
        deep_rnn = student_attribute("bidirectional", "DeepRNN")
        return deep_rnn(cells, return_sequences=return_sequences), cells
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
    return cells


def _uncalled(cells, params):
    """The cells the wrapper was given and never called, by the student's name for them
    ("forward_cell", "cells[2]"). The parent names them when the outputs are wrong; a layer that
    leaves out its top cell by mistake is told that mistake's name instead."""
    if params.get("source") == "keras":
        return []
    names = {"fw": "forward_cell", "bw": "backward_cell"}
    return [names.get(prefix, f"cells[{prefix[1:]}]") for prefix, cell in zip(_prefixes(params), cells)
            if not cell._rnnlab_calls()]


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
    """The wrapper, its cells and ``x``: the student's wrapper gets cells that already hold the case's
    weights; Keras's (the reference) is built by a call on one sample of one step, then given them."""
    x = tf.constant(arrays["x"])
    layer, cells = make_wrapper(params, arrays)
    if params.get("source") == "keras":
        layer(x[:1, :1])
        _set_weights(layer, cells, arrays, params)
    return layer, cells, x


@probe("wrapper_forward")
def wrapper_forward(arrays, params):
    layer, cells, x = prepared_wrapper(arrays, params)
    outputs = _as_output(layer(x), type(layer).__name__)
    return {"uncalled": _uncalled(cells, params)}, {"outputs": outputs}


@probe("wrapper_gradients")
def wrapper_gradients(arrays, params):
    """The outputs, and the gradients of sum(outputs * upstream) w.r.t. the inputs (``grad.x``) and
    every cell weight (``grad.<prefix>.<name>``)."""
    layer, cells, x = prepared_wrapper(arrays, params)
    upstream = tf.constant(arrays["upstream"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = _single(layer(x), type(layer).__name__)
        if tuple(outputs.shape) != tuple(upstream.shape):
            raise ContractError(f"{type(layer).__name__}'s output has shape {tuple(outputs.shape)}; "
                                f"expected {tuple(upstream.shape)}")
        loss = tf.reduce_sum(outputs * upstream)
    names, variables = ["x"], [x]
    for prefix, cell in zip(_prefixes(params), _cells_in_use(layer, cells, params)):
        for variable in cell.trainable_weights:
            names.append(f"{prefix}.{short_name(variable)}")
            variables.append(variable)
    grads = tape.gradient(loss, variables)
    out = {f"grad.{name}": np.zeros(variable.shape, "float32") if grad is None else np.asarray(grad)
           for name, variable, grad in zip(names, variables, grads)}
    out["outputs"] = _as_output(outputs, type(layer).__name__)
    return {"none_gradients": [name for name, grad in zip(names, grads) if grad is None],
            "uncalled": _uncalled(cells, params)}, out


@probe("wrapper_in_keras")
def wrapper_in_keras(arrays, params):
    """The wrapper inside a functional keras.Model, under tf.function, and after .keras save/load."""
    x_array = arrays["x"]
    layer, cells = make_wrapper(params, arrays)
    inputs = keras.Input(shape=x_array.shape[1:])
    model = keras.Model(inputs, layer(inputs))
    if params.get("source") == "keras":
        _set_weights(layer, cells, arrays, params)
    x = tf.constant(x_array)
    out = {"model": _as_output(model(x), "the model")}
    uncalled = _uncalled(cells, params)  # after a real call: building the model may run no cell
    staged, errors = keras_round_trips(model, x, _as_output)
    return {"errors": errors, "uncalled": uncalled}, {**out, **staged}
