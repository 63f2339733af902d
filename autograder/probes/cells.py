"""Probes for recurrent cells (any lab): contract, forward, gradients, inside Keras wrappers.

Params every cell probe takes:
    cell:    which exercise cell ("simple_rnn", and later "lstm", "gru", ...)
    units:   H
    kwargs:  extra constructor arguments (e.g. {"activation": "relu"})
    source:  "student" (default) or "keras" for the Keras built-in (used for reference values only)
Arrays: ``x`` (B, T, D), initial states ``h0.0``, ``h0.1``..., weights ``w.<name>``.
"""

import tempfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from autograder.probes import ContractError, probe, student_attribute

# cell kind -> (module in rnnlab, class name, Keras built-in class name)
CELL_SPECS = {
    "simple_rnn": ("simple_rnn", "SimpleRNNCell", "SimpleRNNCell"),
    "lstm": ("lstm", "LSTMCell", "LSTMCell"),
    "gru": ("gru", "GRUCell", "GRUCell"),
    "peephole_lstm": ("lstm", "PeepholeLSTMCell", None),
}


def make_cell(params):
    module, class_name, builtin = CELL_SPECS[params["cell"]]
    kwargs = dict(params.get("kwargs", {}))
    if params.get("source", "student") == "keras":
        return getattr(keras.layers, builtin)(params["units"], **kwargs)
    cls = student_attribute(module, class_name)
    return cls(params["units"], **kwargs)


def short_name(variable):
    return variable.name.split("/")[-1]


def weight_arrays(arrays):
    return {key[2:]: value for key, value in arrays.items() if key.startswith("w.")}


def state_arrays(arrays, prefix="h0."):
    keys = sorted((k for k in arrays if k.startswith(prefix)), key=lambda k: int(k[len(prefix):]))
    return [tf.constant(arrays[k]) for k in keys]


def state_sizes(cell):
    size = cell.state_size
    return [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)]


def build_cell(cell, input_dim):
    cell.build((None, input_dim))


def set_weights_by_name(cell, weights):
    """Copy arrays into the cell's variables by name; any mismatch is a contract error."""
    found = {}
    for variable in cell.weights:
        found.setdefault(short_name(variable), variable)
    missing = sorted(set(weights) - set(found))
    extra = sorted(set(found) - set(weights))
    if missing or extra:
        details = []
        if missing:
            details.append(f"missing {missing}")
        if extra:
            details.append(f"unexpected {extra}")
        raise ContractError(
            f"your cell's weights are named {sorted(found)}; expected {sorted(weights)} "
            f"({'; '.join(details)}). Pass name=... to self.add_weight."
        )
    for name, value in weights.items():
        variable = found[name]
        if tuple(variable.shape) != tuple(value.shape):
            raise ContractError(f"weight `{name}` has shape {tuple(variable.shape)}; expected {tuple(value.shape)}")
        variable.assign(value)


def normalise_step(result, batch, sizes, output_size):
    """Check ``call``'s return structure and give back (output, [states])."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ContractError(
            f"call must return a pair (output, new_states); yours returned {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        )
    output, states = result
    if not isinstance(states, (list, tuple)):
        states = [states]
    states = list(states)
    if len(states) != len(sizes):
        raise ContractError(f"call returned {len(states)} state tensor(s); the state_size {sizes} needs {len(sizes)}")
    output_shape = tuple(np.shape(output))
    if output_shape != (batch, output_size):
        raise ContractError(f"call's output has shape {output_shape}; expected (batch, units) = {(batch, output_size)}")
    for index, (state, size) in enumerate(zip(states, sizes)):
        if tuple(np.shape(state)) != (batch, size):
            raise ContractError(f"new state {index} has shape {tuple(np.shape(state))}; expected {(batch, size)}")
    return output, states


def run_steps(cell, x, states):
    """The kit's own time loop, so a bug in the student's `unroll` is never charged to the cell."""
    batch, steps = x.shape[0], x.shape[1]
    sizes = state_sizes(cell)
    output_size = int(getattr(cell, "output_size", sizes[0]) or sizes[0])
    per_step = [None] * steps
    for t in range(steps):
        per_step[t], states = normalise_step(cell(x[:, t, :], states), batch, sizes, output_size)
    return tf.stack(per_step, 1), states


def prepared_cell(arrays, params):
    x = tf.constant(arrays["x"])
    cell = make_cell(params)
    build_cell(cell, x.shape[-1])
    set_weights_by_name(cell, weight_arrays(arrays))
    states = state_arrays(arrays)
    if not states:
        states = [tf.zeros((x.shape[0], size)) for size in state_sizes(cell)]
    return cell, x, states


@probe("cell_contract")
def cell_contract(arrays, params):
    cell = make_cell(params)
    facts = {"class": type(cell).__name__}
    try:
        facts["state_size"] = state_sizes(cell)
    except Exception as error:  # report, do not crash: the parent explains what is expected
        facts["state_size_error"] = f"{type(error).__name__}: {error}"
    facts["output_size"] = int(cell.output_size) if isinstance(getattr(cell, "output_size", None), (int, np.integer)) else None
    build_cell(cell, params["input_dim"])
    facts["weights"] = [[short_name(v), [int(d) for d in v.shape]] for v in cell.weights]
    facts["registered"] = keras.saving.get_registered_object(f"rnnlab>{type(cell).__name__}") is type(cell)
    return facts, {}


@probe("cell_forward")
def cell_forward(arrays, params):
    cell, x, states = prepared_cell(arrays, params)
    outputs, final_states = run_steps(cell, x, states)
    out = {"outputs": np.asarray(outputs)}
    out.update({f"state.{i}": np.asarray(s) for i, s in enumerate(final_states)})
    return {}, out


@probe("cell_gradients")
def cell_gradients(arrays, params):
    """Gradients of sum(outputs * upstream) w.r.t. the inputs and every weight (by name)."""
    cell, x, states = prepared_cell(arrays, params)
    upstream = tf.constant(arrays["upstream"])
    variables = {short_name(v): v for v in cell.trainable_weights}
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs, _ = run_steps(cell, x, states)
        loss = tf.reduce_sum(outputs * upstream)
    names = sorted(variables)
    grads = tape.gradient(loss, [x] + [variables[n] for n in names])
    out = {}
    for name, grad in zip(["x"] + names, grads):
        out[f"grad.{name}"] = np.zeros(np.shape(x if name == "x" else variables[name]), "float32") if grad is None else np.asarray(grad)
    return {"none_gradients": [n for n, g in zip(["x"] + names, grads) if g is None]}, out


def _describe_stage_error(error):
    message = str(error).strip().splitlines()
    return {"type": type(error).__name__, "message": (message[0] if message else "")[:500],
            "full": "\n".join(message)[:2000]}


@probe("cell_in_keras")
def cell_in_keras(arrays, params):
    """The cell inside keras.layers.RNN, under tf.function, and after a .keras save/load."""
    x_array = arrays["x"]
    cell = make_cell(params)
    inputs = keras.Input(shape=x_array.shape[1:])
    model = keras.Model(inputs, keras.layers.RNN(cell, return_sequences=True)(inputs))
    set_weights_by_name(cell, weight_arrays(arrays))
    x = tf.constant(x_array)
    out, errors = {}, {}
    out["rnn"] = np.asarray(model(x))
    try:
        out["tf_function"] = np.asarray(tf.function(lambda batch: model(batch))(x))
    except Exception as error:
        errors["tf_function"] = _describe_stage_error(error)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.keras"
            model.save(path)
            reloaded = keras.models.load_model(path)
            out["save_load"] = np.asarray(reloaded(x))
    except Exception as error:
        errors["save_load"] = _describe_stage_error(error)
    return {"errors": errors}, out
