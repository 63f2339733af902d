"""Lab 5 cases: BidirectionalRNN and DeepRNN, on Keras's built-in cells.

Every expected value comes from Keras itself (``reference_params`` with ``source="keras"``):
``keras.layers.Bidirectional(..., merge_mode="concat")`` and
``keras.layers.RNN(keras.layers.StackedRNNCells(cells))`` with the same weights.

The cases that recognise known mistakes use tanh SimpleRNNCells of one width H = D throughout,
so that ``mistakes.py`` can compute every variant in NumPy (a layer reading the inputs
instead of the layer below, say, only has a value when the widths agree). The gradient and Keras
cases mix GRUCells and SimpleRNNCells of different widths.
"""

from autograder.engine.cases import Case, normal

TITLE = "bidirectional and deep RNNs"
PUBLIC_SEED = 20261205


def _shapes(rng, hidden):
    if not hidden:
        return {"batch": 3, "steps": 6, "width": 4, "scale": 0.6}
    return {
        "batch": int(rng.integers(2, 6)),
        "steps": int(rng.integers(5, 11)),
        "width": int(rng.integers(3, 7)),
        "scale": float(rng.uniform(0.4, 0.8)),
    }



def cell_weights(rng, prefix, spec, input_dim, scale):
    """Weights for a Keras built-in cell, named ``<prefix>.<weight name>``."""
    units = spec["units"]
    gates = {"simple_rnn": 1, "gru": 3}[spec["cell"]]
    # Keras's GRUCell defaults to reset_after=True: two bias rows, one for the input, one for the recurrence.
    bias_shape = (2, gates * units) if spec["cell"] == "gru" and spec.get("kwargs", {}).get("reset_after", True) \
        else (gates * units,)
    return {
        f"{prefix}.kernel": normal(rng, input_dim, gates * units, scale=scale),
        f"{prefix}.recurrent_kernel": normal(rng, units, gates * units, scale=scale),
        # A clearly non-zero bias, as in every lab.
        f"{prefix}.bias": normal(rng, *bias_shape, scale=0.5),
    }


def _bidirectional(rng, case_id, probe, forward, backward, return_sequences, batch, steps, input_dim, scale,
                   upstream=False):
    params = {"forward": forward, "backward": backward, "return_sequences": return_sequences}
    inputs = {"x": normal(rng, batch, steps, input_dim)}
    inputs.update(cell_weights(rng, "fw", forward, input_dim, scale))
    inputs.update(cell_weights(rng, "bw", backward, input_dim, scale))
    if upstream:
        width = forward["units"] + backward["units"]
        inputs["upstream"] = normal(rng, *((batch, steps, width) if return_sequences else (batch, width)))
    return Case(case_id, probe, params, inputs, reference_params=dict(params, source="keras"))


def _deep(rng, case_id, probe, cells, return_sequences, batch, steps, input_dim, scale, upstream=False):
    params = {"cells": cells, "return_sequences": return_sequences}
    inputs = {"x": normal(rng, batch, steps, input_dim)}
    width = input_dim
    for index, spec in enumerate(cells):
        inputs.update(cell_weights(rng, f"l{index}", spec, width, scale))
        width = spec["units"]
    if upstream:
        inputs["upstream"] = normal(rng, *((batch, steps, width) if return_sequences else (batch, width)))
    return Case(case_id, probe, params, inputs, reference_params=dict(params, source="keras"))


def make_cases(rng, hidden=False):
    s = _shapes(rng, hidden)
    b, t, h, scale = s["batch"], s["steps"], s["width"], s["scale"]
    simple = {"cell": "simple_rnn", "units": h}
    gru = {"cell": "gru", "units": h + 1}
    narrow = {"cell": "simple_rnn", "units": max(h - 1, 2)}
    same_width = [simple, simple, simple]
    return [
        _bidirectional(rng, "bidirectional.sequences", "wrapper_forward", simple, simple, True, b, t, h, scale),
        _bidirectional(rng, "bidirectional.last", "wrapper_forward", simple, simple, False, b, t, h, scale),
        _bidirectional(rng, "bidirectional.gradients", "wrapper_gradients", gru, narrow, True, b, t, h + 1, scale,
                       upstream=True),
        _bidirectional(rng, "bidirectional.keras", "wrapper_in_keras", gru, narrow, True, b, t, h, scale),
        _deep(rng, "deep.sequences", "wrapper_forward", same_width, True, b, t, h, scale),
        _deep(rng, "deep.last", "wrapper_forward", same_width, False, b, t, h, scale),
        _deep(rng, "deep.gradients", "wrapper_gradients", [gru, simple, narrow], True, b, t, h + 2, scale,
              upstream=True),
        _deep(rng, "deep.keras", "wrapper_in_keras", [narrow, gru], True, b, t, h, scale),
    ]
