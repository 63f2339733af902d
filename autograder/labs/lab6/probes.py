"""Probes for Lab 6: ``pixel_classifier``, ``char_model``, ``bits_per_char``, ``sample``
(``rnnlab/charmodel.py``).

The wiring functions get a Keras *built-in* cell (``SimpleRNNCell`` for the classifier, ``GRUCell``
for the character model); the probe sets the case's weights by name into the model they return
and runs it. ``sample`` gets a fixed character model (``SamplingModel``: the same layers, computed
in NumPy), so its logits are a fixed function of the tokens.

Params:
    units, classes:  (pixel_classifier) H and the number of classes
    vocab, embedding, units:  (char_model, sample) V, the embedding width, H
    length, temperatures, seed:  (sample) passed on; one draw per temperature
    reference:  set for the reference run of ``sample`` only: also return the draws of the kit's
                own wrong versions (``variant.<name>.<temperature index>``), never student code.
"""

import keras
import numpy as np
import tensorflow as tf

from autograder.labs.lab6 import mistakes
from autograder.labs.shared import equations
from autograder.labs.shared.probes import set_weights_by_name, short_name
from autograder.sandbox.probes import ContractError, probe, student_attribute


def _as_array(value, what, dtype=np.float32):
    try:
        return np.asarray(value, dtype=dtype)
    except Exception:
        raise ContractError(f"{what} should be a tensor or an array of numbers; got {type(value).__name__}") from None


def _prefixed(arrays, prefix):
    return {key[len(prefix) + 1:]: value for key, value in arrays.items() if key.startswith(prefix + ".")}


def _model(result, what):
    if not isinstance(result, keras.Model):
        raise ContractError(f"{what} must return a keras.Model (e.g. keras.Sequential([...])); "
                            f"it returned {type(result).__name__}")
    return result


def _layer(model, kind, what):
    found = [layer for layer in model.layers if isinstance(layer, kind)]
    if len(found) != 1:
        raise ContractError(f"{what}'s model should hold exactly one keras.layers.{kind.__name__}; it holds "
                            f"{len(found)} (its layers: {[type(l).__name__ for l in model.layers]})")
    return found[0]


def _check_order(model, kinds, what):
    """A ContractError naming the mistake when the model's layers of ``kinds`` come in another order."""
    found = [kind for layer in model.layers for kind in kinds if isinstance(layer, kind)]
    if found != sorted(found, key=kinds.index):
        raise ContractError(f"{what}'s layers run in the order {[k.__name__ for k in found]}, not "
                            f"{[k.__name__ for k in kinds]}: {mistakes.LAYERS_OUT_OF_ORDER.message}",
                            mistake=mistakes.LAYERS_OUT_OF_ORDER.name)


def _set(layer, weights, what):
    found = {short_name(v): v for v in layer.weights}
    for name, value in weights.items():
        if name not in found or tuple(found[name].shape) != value.shape:
            shapes = {n: tuple(v.shape) for n, v in found.items()}
            raise ContractError(f"{what}: expected a weight `{name}` of shape {value.shape}; the layer has {shapes}")
        found[name].assign(value)


def _wired(model, cell, arrays, what, embedding=False):
    set_weights_by_name(cell, _prefixed(arrays, "cell"))
    _set(_layer(model, keras.layers.Dense, what), _prefixed(arrays, "readout"), what)
    if embedding:
        _set(_layer(model, keras.layers.Embedding, what), _prefixed(arrays, "embedding"), what)


# -- pixel_classifier ------------------------------------------------------------------------------
@probe("lab6_pixel_classifier")
def pixel_classifier(arrays, params):
    function = student_attribute("charmodel", "pixel_classifier")
    x = tf.constant(arrays["x"])
    cell = keras.layers.SimpleRNNCell(params["units"])
    model = _model(function(cell, params["classes"], input_dim=1), "pixel_classifier")
    _check_order(model, (keras.layers.RNN, keras.layers.Dense), "pixel_classifier")
    model(x)  # builds every layer (also when the model was given no Input)
    _wired(model, cell, arrays, "pixel_classifier")
    return {}, {"logits": _as_array(model(x), "the model's output")}


# -- char_model ------------------------------------------------------------------------------------
def _left_padded(tokens):
    """The same rows with their padding moved to the left."""
    out = np.zeros_like(tokens)
    for i, row in enumerate(tokens):
        real = row[row > 0]
        out[i, len(row) - len(real):] = real
    return out


@probe("lab6_char_model")
def char_model(arrays, params):
    """Logits on the right-padded batch, on the left-padded batch, and of every row alone."""
    function = student_attribute("charmodel", "char_model")
    tokens = arrays["tokens"]
    cell = keras.layers.GRUCell(params["units"])
    model = _model(function(cell, params["vocab"], embedding_dim=params["embedding"]), "char_model")
    _check_order(model, (keras.layers.Embedding, keras.layers.RNN, keras.layers.Dense), "char_model")
    model(tf.constant(tokens))
    _wired(model, cell, arrays, "char_model", embedding=True)
    out = {"right": _as_array(model(tf.constant(tokens)), "the model's output"),
           "left": _as_array(model(tf.constant(_left_padded(tokens))), "the model's output")}
    for i, row in enumerate(tokens):
        out[f"alone.{i}"] = _as_array(model(tf.constant(row[row > 0][None, :])), "the model's output")
    return {}, out


# -- bits_per_char ---------------------------------------------------------------------------------
@probe("lab6_bits_per_char")
def bits_per_char(arrays, params):
    function = student_attribute("charmodel", "bits_per_char")
    value = _as_array(function(tf.constant(arrays["logits"]), tf.constant(arrays["targets"]),
                               tf.constant(arrays["mask"])), "bits_per_char(...)")
    if value.size != 1:
        raise ContractError(f"bits_per_char should return one number (a scalar tensor); it has shape {value.shape}")
    as_bool = _as_array(function(tf.constant(arrays["logits"]), tf.constant(arrays["targets"]),
                                 tf.constant(arrays["mask"] > 0)), "bits_per_char(...) with a boolean mask")
    return {}, {"bpc": value.reshape(()), "bpc_bool_mask": as_bool.reshape(-1)[:1].reshape(())}


# -- sample ----------------------------------------------------------------------------------------
class SamplingModel:
    """The character model ``sample`` gets: Embedding -> RNN(GRUCell, every step) -> Dense, in NumPy.

    It computes what ``keras.Sequential`` of those built-in layers computes with the case's weights
    (GRU with ``reset_after=True``, ``shared/equations.py``), as a plain function of the tokens:
    ``sample`` calls its model once per drawn token on the whole sequence so far, and one eager
    Keras call of that model costs more than every other part of ``sample`` together (~25 ms on a
    slow CPU, 1.8 s of a master's grading). The draws, not the model, are what is graded, and the
    reference run calls this same model, so both see the same logits to the last bit.

    Called like a Keras model: ``model(tokens)`` (or ``model.predict(tokens)``) on int ids
    ``(batch, t)`` returns float32 logits ``(batch, t, V)``, as a tensor.
    """

    def __init__(self, arrays, params):
        self.vocab = int(params["vocab"])
        self.embeddings = np.asarray(arrays["embedding.embeddings"], np.float64)
        self.cell_weights = _prefixed(arrays, "cell")
        self.readout = _prefixed(arrays, "readout")

    def logits(self, tokens):
        ids = np.asarray(tokens)
        if ids.ndim != 2:
            raise ValueError(f"the model takes token ids of shape (batch, t); got shape {ids.shape}")
        if not (np.issubdtype(ids.dtype, np.integer) or np.issubdtype(ids.dtype, np.floating)):
            raise TypeError(f"the model takes integer token ids; got an array of {ids.dtype}")
        ids = ids.astype(np.int64)  # Keras's Embedding casts float ids to int too
        outside = (ids < 0) | (ids >= self.vocab)
        if outside.any():
            raise ValueError(f"token ids must be in [0, {self.vocab}); got {ids[outside][0]} "
                             f"at position {tuple(int(i) for i in np.argwhere(outside)[0])}")
        hidden, _ = equations.run(equations.GRU_RESET_AFTER, equations.GRU_STATES, self.embeddings[ids],
                                  self.cell_weights)
        out = hidden @ np.asarray(self.readout["kernel"], np.float64) + np.asarray(self.readout["bias"], np.float64)
        return out.astype(np.float32)

    def __call__(self, tokens, training=None, **kwargs):
        return tf.constant(self.logits(tokens))

    def predict(self, tokens, **kwargs):
        return self.logits(tokens)


def _tokens(result, batch, length):
    tokens = _as_array(result, "sample(...)", dtype=np.float64)
    if tokens.shape != (batch, length):
        raise ContractError(f"sample(model, start, length={length}, ...) returned shape {tokens.shape}; expected "
                            f"({batch}, {length}): one row per start row, the {length} new tokens only "
                            "(without the start tokens)")
    return tokens.astype(np.int32)


@probe("lab6_sample")
def sample(arrays, params):
    function = student_attribute("charmodel", "sample")
    model = SamplingModel(arrays, params)
    start, length, seed = arrays["start"], params["length"], params["seed"]
    out = {}
    for i, temperature in enumerate(params["temperatures"]):
        out[f"tokens.{i}"] = _tokens(function(model, start.copy(), length, temperature=temperature, seed=seed),
                                     len(start), length)
    out["again"] = _tokens(function(model, start.copy(), length, temperature=params["temperatures"][0], seed=seed),
                           len(start), length)
    if params.get("reference"):
        for name, variant in WRONG_SAMPLERS.items():
            for i, temperature in enumerate(params["temperatures"]):
                out[f"variant.{name}.{i}"] = variant(model, start.copy(), length, temperature, seed)
    return {}, out


# Known wrong versions of sample, run by the reference only (``mistakes.py`` names them).
def _draw(model, start, length, seed, distribution, position=-1, pick=None, prepend=False):
    rng = np.random.default_rng(seed)
    tokens = np.asarray(start, dtype=np.int32)
    drawn = []
    for _ in range(length):
        logits = np.asarray(model(tokens), dtype=np.float64)[:, position, :]
        p = distribution(logits)
        u = rng.random((tokens.shape[0], 1))
        below = (np.cumsum(p, axis=-1) < u) if pick is None else pick(np.cumsum(p, axis=-1), u)
        token = np.minimum(below.sum(axis=-1), p.shape[-1] - 1).astype(np.int32)
        drawn.append(token)
        tokens = np.concatenate([token[:, None], tokens] if prepend else [tokens, token[:, None]], axis=1)
    return np.stack(drawn, axis=1)


def _softmax(z):
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def _argmax(model, start, length, temperature, seed):
    tokens = np.asarray(start, dtype=np.int32)
    drawn = []
    for _ in range(length):
        token = np.argmax(np.asarray(model(tokens))[:, -1, :], axis=-1).astype(np.int32)
        drawn.append(token)
        tokens = np.concatenate([tokens, token[:, None]], axis=1)
    return np.stack(drawn, axis=1)


WRONG_SAMPLERS = {
    "argmax": _argmax,
    # softmax(z) / T renormalised is softmax(z): the temperature does nothing.
    "temperature_after_softmax": lambda m, s, n, t, seed: _draw(m, s, n, seed, _softmax),
    # softmax(z) / T, not renormalised: the cumulative sum no longer ends at 1.
    "temperature_after_softmax_unnormalised": lambda m, s, n, t, seed: _draw(m, s, n, seed, lambda z: _softmax(z) / t),
    # The logits one position behind: the prediction made before the newest token was read.
    "off_by_one": lambda m, s, n, t, seed: _draw(m, s, n, seed, lambda z: _softmax(z / t), position=-2),
    # The inverse-CDF pick counting the other side of u.
    "pick_inverted": lambda m, s, n, t, seed: _draw(m, s, n, seed, lambda z: _softmax(z / t),
                                                    pick=lambda cdf, u: cdf >= u),
    # The new token put in front of the sequence, not after it.
    "prepended": lambda m, s, n, t, seed: _draw(m, s, n, seed, lambda z: _softmax(z / t), prepend=True),
}
