"""Lab 6 cases: ``pixel_classifier``, ``char_model``, ``bits_per_char`` and ``sample``
(``rnnlab/charmodel.py``).

The wiring exercises and ``sample`` run on Keras's *built-in* cells with weights given as arrays,
so a bug in the student's own cells is never charged here. Weights arrive as ``cell.<name>``
(as Keras names them), ``readout.<name>`` (the Dense layer) and ``embedding.embeddings``.
Expected values come from the master solution (``solutions/rnnlab/charmodel.py``).
"""

import numpy as np

from autograder.engine.cases import Case, normal

TITLE = "real data: a pixel-sequence classifier, a character model, bits per character, sampling"
PUBLIC_SEED = 20260006


def _shapes(rng, hidden):
    if not hidden:
        return {"batch": 3, "steps": 9, "units": 5, "classes": 4, "vocab": 7, "embedding": 4, "length": 6}
    return {
        "batch": int(rng.integers(2, 6)),
        "steps": int(rng.integers(6, 13)),
        "units": int(rng.choice([3, 4, 6])),
        "classes": int(rng.integers(3, 7)),
        "vocab": int(rng.integers(5, 10)),
        "embedding": int(rng.integers(2, 6)),
        "length": int(rng.integers(4, 8)),
    }


def cell_weights(rng, kind, input_dim, units, scale=0.7):
    """Keras built-in cell weights: GRUCell defaults to reset_after=True (two bias rows)."""
    gates = {"simple_rnn": 1, "gru": 3}[kind]
    bias_shape = (2, gates * units) if kind == "gru" else (gates * units,)
    return {"cell.kernel": normal(rng, input_dim, gates * units, scale=scale),
            "cell.recurrent_kernel": normal(rng, units, gates * units, scale=scale),
            "cell.bias": normal(rng, *bias_shape, scale=0.5)}


def readout_weights(rng, units, outputs):
    return {"readout.kernel": normal(rng, units, outputs, scale=0.8), "readout.bias": normal(rng, outputs, scale=0.3)}


def char_model_weights(rng, vocab, embedding, units, scale=0.7):
    return {"embedding.embeddings": normal(rng, vocab, embedding, scale=scale),
            **cell_weights(rng, "gru", embedding, units, scale), **readout_weights(rng, units, vocab)}


def _lengths(rng, batch, steps):
    """Row lengths 1..steps: row 0 full (the batch is as long as its longest row), row 1 padded."""
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0], lengths[1] = steps, rng.integers(1, steps)
    return lengths


def make_cases(rng, hidden=False):
    s = _shapes(rng, hidden)
    b, t, h, c, v, e, n = (s[k] for k in ("batch", "steps", "units", "classes", "vocab", "embedding", "length"))
    lengths = _lengths(rng, b, t)
    tokens = rng.integers(1, v, size=(b, t)).astype(np.int32)  # 1..V-1: 0 is padding
    tokens[np.arange(t)[None, :] >= lengths[:, None]] = 0
    mask = (tokens > 0).astype(np.float32)
    model = {"vocab": v, "embedding": e, "units": h}
    cases = [
        Case("pixel_classifier.forward", "lab6_pixel_classifier", {"units": h, "classes": c},
             {"x": rng.uniform(0, 1, size=(b, t, 1)).astype(np.float32), **cell_weights(rng, "simple_rnn", 1, h),
              **readout_weights(rng, h, c)}),
        Case("char_model.masking", "lab6_char_model", model,
             {"tokens": tokens, **char_model_weights(rng, v, e, h)}),
        Case("bits_per_char.masked", "lab6_bits_per_char", {},
             {"logits": normal(rng, b, t, v, scale=2.0), "targets": rng.integers(0, v, size=(b, t)).astype(np.int32),
              "mask": mask}),
        Case("sample.t1", "lab6_sample",
             dict(model, length=n, temperatures=[1.0], seed=int(rng.integers(1000))),
             {"start": rng.integers(1, v, size=(b, 2)).astype(np.int32), **char_model_weights(rng, v, e, h, 1.2)}),
        Case("sample.temperatures", "lab6_sample",
             dict(model, length=n, temperatures=[0.5, 2.0], seed=int(rng.integers(1000))),
             {"start": rng.integers(1, v, size=(b, 2)).astype(np.int32), **char_model_weights(rng, v, e, h, 1.2)}),
    ]
    for case in cases:
        if case.probe == "lab6_sample":
            # The reference run also returns the draws of the kit's wrong samplers (mistakes.py names them).
            case.reference_params = dict(case.params, reference=True)
    return cases
