"""Lab 4 cases: ``skill``, ``train_step``, ``chrono_bias`` and ``truncated_bptt_step`` (``rnnlab/training.py``).

The training functions run on models the grader builds from Keras's *built-in* cells, with weights
given as arrays and plain ``keras.optimizers.SGD`` at a fixed learning rate, so one step is a
deterministic function of its inputs and a bug in the student's own cells is never charged here.
Expected values come from the master solution (``solutions/rnnlab/training.py``).

Weights arrive as ``cell.<name>`` (the recurrent cell) and ``readout.<name>`` (the Dense layer on
top); initial states as ``h0.0``, ``h0.1``.
"""

import numpy as np

from autograder.engine.cases import Case, normal

TITLE = "training on long-range tasks: skill, clipping, chrono initialisation, truncated BPTT"
PUBLIC_SEED = 20261203

GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


def _shapes(rng, hidden):
    if not hidden:
        return {"batch": 4, "steps": 7, "input_dim": 3, "units": 5, "chunk": 4, "scale": 0.6}
    return {
        "batch": int(rng.integers(2, 7)),
        "steps": int(rng.integers(6, 12)),
        "input_dim": int(rng.integers(2, 6)),
        "units": int(rng.choice([3, 4, 6, 7])),
        "chunk": int(rng.integers(3, 5)),
        "scale": float(rng.uniform(0.4, 0.8)),
    }



def model_weights(rng, spec, input_dim, outputs, scale):
    """Weights of ``RNN(cell) -> Dense(outputs)``: ``cell.*`` as Keras names them, ``readout.*``."""
    units, gates = spec["units"], GATES[spec["cell"]]
    # Keras's built-in GRUCell defaults to reset_after=True: two bias rows (input, recurrent).
    bias_shape = (2, gates * units) if spec["cell"] == "gru" else (gates * units,)
    return {
        "cell.kernel": normal(rng, input_dim, gates * units, scale=scale),
        "cell.recurrent_kernel": normal(rng, units, gates * units, scale=scale),
        "cell.bias": normal(rng, *bias_shape, scale=0.5),
        "readout.kernel": normal(rng, units, outputs, scale=0.8),
        "readout.bias": normal(rng, outputs, scale=0.3),
    }


def _skill_metrics(rng, baseline, perfect, count):
    """Scores on both sides of the baseline, one exactly at it and one perfect."""
    low, high = sorted((baseline, perfect))
    inside = rng.uniform(low, high, size=count - 3)
    return np.concatenate([[baseline, perfect, baseline + 0.3 * (baseline - perfect)], inside]).astype(np.float64)


def make_cases(rng, hidden=False):
    s = _shapes(rng, hidden)
    b, t, d, h, k, scale = s["batch"], s["steps"], s["input_dim"], s["units"], s["chunk"], s["scale"]
    simple, lstm, gru = ({"cell": name, "units": h} for name in ("simple_rnn", "lstm", "gru"))
    lr = 0.1
    mse_baseline = 1.0 / 6.0 if not hidden else float(rng.uniform(0.1, 0.4))
    # Not 0.5: there perfect - baseline equals baseline, and (metric - baseline) / baseline would pass.
    accuracy_baseline = 0.25 if not hidden else float(rng.choice([0.2, 0.25, 1.0 / 3.0]))
    cases = [
        Case("skill.mse", "skill", {"baseline": mse_baseline, "perfect": 0.0},
             {"metric": _skill_metrics(rng, mse_baseline, 0.0, 6)}),
        Case("skill.accuracy", "skill", {"baseline": accuracy_baseline, "perfect": 1.0},
             {"metric": _skill_metrics(rng, accuracy_baseline, 1.0, 6)}),
        # Regression from the last step, no clipping.
        Case("train_step.plain", "train_step",
             {"cell": simple, "outputs": 1, "loss": "mse", "clip_norm": None, "learning_rate": lr},
             {"x": normal(rng, b, t, d), "y": normal(rng, b, 1), **model_weights(rng, simple, d, 1, scale)}),
        # Large weights and a small clip_norm: clipping is sure to act.
        Case("train_step.clipped", "train_step",
             {"cell": lstm, "outputs": 1, "loss": "mse", "clip_norm": 0.05, "learning_rate": lr},
             {"x": normal(rng, b, t, d), "y": normal(rng, b, 1, scale=2.0),
              **model_weights(rng, lstm, d, 1, 2 * scale)}),
        # Classification with a clip_norm far above the gradient norm: clipping must change nothing.
        Case("train_step.loose_clip", "train_step",
             {"cell": gru, "outputs": 3, "loss": "sparse_categorical_crossentropy", "clip_norm": 1000.0,
              "learning_rate": lr},
             {"x": normal(rng, b, t, d), "y": rng.integers(0, 3, size=b).astype(np.int32),
              **model_weights(rng, gru, d, 3, scale)}),
        Case("train_step.compiled", "train_step",
             {"cell": simple, "outputs": 1, "loss": "mse", "clip_norm": 0.1, "learning_rate": lr, "compiled": True},
             {"x": normal(rng, b, t, d), "y": normal(rng, b, 1), **model_weights(rng, simple, d, 1, 2 * scale)}),
        # Truncated BPTT: T not a multiple of k, so the last chunk is shorter.
        Case("tbptt.simple_rnn", "truncated_bptt",
             {"cell": simple, "outputs": 1, "k": k, "learning_rate": lr},
             {"x": normal(rng, b, 2 * t - 1, d), "y": normal(rng, b, 2 * t - 1, 1),
              **model_weights(rng, simple, d, 1, scale)}),
        Case("tbptt.lstm", "truncated_bptt",
             {"cell": lstm, "outputs": 1, "k": k - 1, "learning_rate": lr, "loss": "weighted_mse"},
             {"x": normal(rng, b, 2 * t, d), "y": normal(rng, b, 2 * t, 1),
              "h0.0": normal(rng, b, h, scale=0.5), "h0.1": normal(rng, b, h, scale=0.5),
              **model_weights(rng, lstm, d, 1, scale)}),
        # chrono_bias (drawn last, so the cases above keep their values): the seed fixes the draw.
        Case("chrono.lstm", "chrono_bias", {"kind": "lstm", "units": h + 1, "t_max": 4 * t,
                                            "seed": int(rng.integers(1000))}, {}),
        Case("chrono.gru", "chrono_bias", {"kind": "gru", "units": h, "t_max": 3 * t,
                                           "seed": int(rng.integers(1000))}, {}),
    ]
    for case in cases:
        if case.probe in ("train_step", "truncated_bptt"):
            # The reference run also returns what the grader needs to recognise known mistakes.
            case.reference_params = dict(case.params, reference=True)
    return cases
