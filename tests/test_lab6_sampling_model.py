"""Lab 6's ``sample`` probe hands the student a fixed character model computed in NumPy
(``labs/lab6/probes.py::SamplingModel``): it must compute what the same Keras layers compute, and
the master's draws must not depend on which of the two it gets."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from autograder.engine.compare import close
from autograder.labs.lab6 import cases as lab6_cases


def sample_cases():
    found = []
    for seed, hidden in ((0, False), (3, True), (11, True)):
        found += [c for c in lab6_cases.make_cases(np.random.default_rng(seed), hidden=hidden)
                  if c.probe == "lab6_sample"]
    return found


def keras_model(case):
    """The Sequential the probe used to build: Embedding -> RNN(GRUCell) -> Dense, the case's weights."""
    from autograder.labs.lab6.probes import _wired

    cell = keras.layers.GRUCell(case.params["units"])
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              keras.layers.Embedding(case.params["vocab"], case.params["embedding"]),
                              keras.layers.RNN(cell, return_sequences=True),
                              keras.layers.Dense(case.params["vocab"])])
    _wired(model, cell, case.inputs, "the sampling model", embedding=True)
    return model


@pytest.fixture(scope="module")
def master_sample():
    from rnnlab.charmodel import sample  # conftest puts solutions/ on the path

    return sample


@pytest.mark.parametrize("index", range(6))
def test_numpy_model_computes_what_the_keras_layers_compute(index):
    from autograder.labs.lab6.probes import SamplingModel

    case = sample_cases()[index]
    tokens = np.random.default_rng(index).integers(0, case.params["vocab"], size=(3, 9))
    ours = SamplingModel(case.inputs, case.params)
    expected = np.asarray(keras_model(case)(tokens))
    got = ours(tokens)
    assert isinstance(got, tf.Tensor) and got.dtype == tf.float32 and tuple(got.shape) == expected.shape
    assert close(np.asarray(got), expected), np.abs(np.asarray(got) - expected).max()
    np.testing.assert_array_equal(ours.predict(tokens), np.asarray(got))


@pytest.mark.parametrize("index", range(6))
def test_the_masters_draws_are_the_same_with_either_model(index, master_sample):
    from autograder.labs.lab6.probes import SamplingModel

    case = sample_cases()[index]
    start, length, seed = case.inputs["start"], case.params["length"], case.params["seed"]
    for temperature in case.params["temperatures"]:
        np.testing.assert_array_equal(
            master_sample(SamplingModel(case.inputs, case.params), start.copy(), length, temperature, seed),
            master_sample(keras_model(case), start.copy(), length, temperature, seed))


def test_bad_token_ids_get_a_clear_error_and_float_ids_are_cast_like_keras():
    from autograder.labs.lab6.probes import SamplingModel

    case = sample_cases()[0]
    model = SamplingModel(case.inputs, case.params)
    vocab = case.params["vocab"]
    with pytest.raises(ValueError, match=rf"token ids must be in \[0, {vocab}\); got {vocab} at position \(0, 1\)"):
        model(np.array([[1, vocab]]))
    with pytest.raises(ValueError, match=r"shape \(batch, t\); got shape \(3,\)"):
        model(np.array([1, 2, 3]))
    np.testing.assert_array_equal(np.asarray(model(np.array([[1.0, 2.0]]))), np.asarray(model(np.array([[1, 2]]))))
    np.testing.assert_array_equal(np.asarray(model(tf.constant([[1, 2]]))), np.asarray(model(np.array([[1, 2]]))))
