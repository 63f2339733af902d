"""Probes for recurrent cells (any lab): contract, forward, gradients, inside Keras wrappers.

Params every cell probe takes:
    cell:    which exercise cell ("simple_rnn", and later "lstm", "gru", ...)
    units:   H
    kwargs:  extra constructor arguments (e.g. {"activation": "relu"})
    source:  "student" (default) or "keras" for the Keras built-in (used for reference values only)
Arrays: ``x`` (B, T, D), initial states ``h0.0``, ``h0.1``..., weights ``w.<name>``.
"""

import functools
import tempfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from autograder.sandbox.probes import ContractError, describe_stage_error, probe, student_attribute

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


@probe("cell_in_keras")
def cell_in_keras(arrays, params):
    """The cell inside keras.layers.RNN, under tf.function, and after a .keras save/load."""
    x_array = arrays["x"]
    cell = make_cell(params)
    inputs = keras.Input(shape=x_array.shape[1:])
    model = keras.Model(inputs, keras.layers.RNN(cell, return_sequences=True)(inputs))
    set_weights_by_name(cell, weight_arrays(arrays))
    x = tf.constant(x_array)
    out = {"rnn": np.asarray(model(x))}
    staged, errors = keras_round_trips(model, x)
    return {"errors": errors}, {**out, **staged}


def keras_round_trips(model, x, as_array=lambda value, label: np.asarray(value)):
    """``model`` on ``x`` under ``tf.function`` and after a ``.keras`` save and load.

    Returns ``(out, errors)``: the outputs as ``out["tf_function"]`` and ``out["save_load"]``, and
    for a stage that raised, ``errors[stage]`` (see ``describe_stage_error``) instead. ``as_array``
    turns an output into an array; ``label`` names it in a contract message.
    """
    out, errors = {}, {}
    try:
        out["tf_function"] = as_array(tf.function(lambda batch: model(batch))(x), "the model")
    except Exception as error:
        errors["tf_function"] = describe_stage_error(error)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.keras"
            model.save(path)
            reloaded = keras.models.load_model(path)
            out["save_load"] = as_array(reloaded(x), "the reloaded model")
    except Exception as error:
        errors["save_load"] = describe_stage_error(error)
    return out, errors


# -- gated cells (Labs 2-3): one step in the contract, get_config, Bidirectional, own code -------
@probe("cell_step_contract")
def cell_step_contract(arrays, params):
    """``cell_contract`` plus one call on zeros, for cells whose ``build`` is written for the student.

    The call checks the return structure ``(output, [states])`` with ``normalise_step``; the initial
    bias (as ``build`` made it) comes back as ``init.bias`` when the cell has one.
    """
    facts, _ = cell_contract(arrays, params)
    cell = make_cell(params)
    build_cell(cell, params["input_dim"])
    initial = {f"init.{short_name(v)}": np.asarray(v) for v in cell.weights if short_name(v) == "bias"}
    batch = 2
    sizes = state_sizes(cell)
    output_size = int(getattr(cell, "output_size", sizes[0]) or sizes[0])
    states = [tf.zeros((batch, size)) for size in sizes]
    normalise_step(cell(tf.zeros((batch, params["input_dim"])), states), batch, sizes, output_size)
    return facts, initial


def _activation_name(function):
    try:
        name = keras.activations.serialize(function)
    except Exception:
        name = getattr(function, "__name__", repr(function))
    return name if isinstance(name, str) else str(name)


def _initializer_name(initializer):
    return type(initializer).__name__ if initializer is not None else None


@probe("cell_config")
def cell_config(arrays, params):
    """``get_config`` and registration: rebuild the cell from its config and report what came back.

    Values: ``registered`` (Keras finds the class under "rnnlab>ClassName"), ``missing`` (keys of
    ``params["kwargs"]`` absent from the config), ``rebuilt`` (the rebuilt cell's units, activations,
    flags and initializer classes), and ``error`` when a step of the round trip failed.
    """
    cell = make_cell(params)
    cls = type(cell)
    values = {"registered": keras.saving.get_registered_object(f"rnnlab>{cls.__name__}") is cls,
              "class": cls.__name__}
    config = cell.get_config()
    if not isinstance(config, dict):
        raise ContractError(f"get_config must return a dict; yours returned {type(config).__name__}")
    values["missing"] = sorted(k for k in ["units", *params.get("kwargs", {})] if k not in config)
    try:
        rebuilt = cls.from_config(config)
    except NotImplementedError:
        raise
    except Exception as error:
        values["error"] = {"stage": "from_config", **describe_stage_error(error)}
        return values, {}
    described = {"units": getattr(rebuilt, "units", None)}
    for name in ("activation", "recurrent_activation"):
        if hasattr(rebuilt, name):
            described[name] = _activation_name(getattr(rebuilt, name))
    for name in ("unit_forget_bias", "reset_after"):
        if hasattr(rebuilt, name):
            described[name] = bool(getattr(rebuilt, name))
    for name in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
        if hasattr(rebuilt, name):
            described[name] = _initializer_name(getattr(rebuilt, name))
    values["rebuilt"] = described
    return values, {}


def _prefixed_weights(arrays, prefix):
    return {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}


@probe("cell_in_bidirectional")
def cell_in_bidirectional(arrays, params):
    """The cell inside ``keras.layers.Bidirectional(keras.layers.RNN(cell, return_sequences=True))``.

    Keras builds the backward twin by serialising the RNN and deserialising a copy, so this needs
    the class registered and a complete ``get_config``. Weights ``fw.<name>`` go to the forward
    cell and ``bw.<name>`` to the backward copy. A failure to build the layer is reported in
    ``errors["bidirectional"]`` (the parent explains it), not raised.
    """
    x = tf.constant(arrays["x"])
    cell = make_cell(params)
    registered = keras.saving.get_registered_object(f"rnnlab>{type(cell).__name__}") is type(cell)
    try:
        layer = keras.layers.Bidirectional(keras.layers.RNN(cell, return_sequences=True), merge_mode="concat")
        layer.build(tuple(x.shape))
    except NotImplementedError:
        raise
    except Exception as error:
        described = describe_stage_error(error)
        # Keras nests one "Exception encountered: ..." per level of deserialisation; the last is the cause.
        described["cause"] = str(error).rsplit("Exception encountered: ", 1)[-1].strip()[:500]
        return {"errors": {"bidirectional": described}, "registered": registered}, {}
    set_weights_by_name(layer.forward_layer.cell, _prefixed_weights(arrays, "fw."))
    set_weights_by_name(layer.backward_layer.cell, _prefixed_weights(arrays, "bw."))
    return {"errors": {}, "registered": registered}, {"outputs": np.asarray(layer(x))}


# Keras's own recurrent cells and layers: a cell exercise is not done by one of these.
BUILTIN_RECURRENT = ("SimpleRNNCell", "LSTMCell", "GRUCell", "SimpleRNN", "LSTM", "GRU")


def _builtin_classes():
    return {name: getattr(keras.layers, name) for name in BUILTIN_RECURRENT}


def _held_builtins(root, classes, limit=2000):
    """Names of Keras built-in cells/layers reachable from ``root``'s attributes (and containers)."""
    found, seen, pending, visited = set(), {id(root)}, [root], 0
    while pending and visited < limit:
        visited += 1
        obj = pending.pop()
        if obj is not root:
            for name, builtin in classes.items():
                if isinstance(obj, builtin):
                    found.add(f"keras.layers.{name}")
        if isinstance(obj, keras.layers.Layer):
            children = list(vars(obj).values())
            try:
                children += list(obj._flatten_layers(include_self=False, recursive=False))
            except Exception:
                pass
        elif isinstance(obj, dict):
            children = list(obj.values())
        elif isinstance(obj, (list, tuple, set)):
            children = list(obj)
        else:
            continue
        for child in children:
            if id(child) not in seen and isinstance(child, (keras.layers.Layer, dict, list, tuple, set)):
                seen.add(id(child))
                pending.append(child)
    return sorted(found)


@probe("cell_builtin_check")
def cell_builtin_check(arrays, params):
    """Does the student's class subclass, hold or call a Keras built-in recurrent cell/layer?

    Runs one step on zeros while the built-ins' ``call`` methods are patched to record their use,
    then looks through the cell's attributes. Values: ``subclasses``, ``holds``,
    ``used`` (lists of "keras.layers.X"). An error in the student's step is raised as usual unless
    a built-in was seen.
    """
    module, class_name, _ = CELL_SPECS[params["cell"]]
    cls = student_attribute(module, class_name)
    classes = _builtin_classes()
    values = {"subclasses": sorted(f"keras.layers.{n}" for n, c in classes.items()
                                   if isinstance(cls, type) and issubclass(cls, c)),
              "holds": [], "used": []}
    if values["subclasses"]:
        return values, {}
    used = set()
    originals = {}

    def recording(name, method):
        # functools.wraps keeps the signature, which Keras inspects to pass `training`.
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            used.add(f"keras.layers.{name}")
            return method(self, *args, **kwargs)
        return wrapper

    # Only `call` is patched: Keras inspects __init__'s signature when it creates a layer.
    for name, builtin in classes.items():
        originals[name] = builtin.__dict__.get("call")
        builtin.call = recording(name, builtin.call)
    cell, failure = None, None
    try:
        cell = make_cell(params)
        build_cell(cell, params["input_dim"])
        sizes = state_sizes(cell)
        cell(tf.zeros((2, params["input_dim"])), [tf.zeros((2, size)) for size in sizes])
    except Exception as error:
        failure = error
    finally:
        for name, original in originals.items():
            if original is None:
                del classes[name].call
            else:
                classes[name].call = original
    values["used"] = sorted(used)
    values["holds"] = _held_builtins(cell, classes) if cell is not None else []
    if failure is not None and not (values["used"] or values["holds"]):
        raise failure
    return values, {}
