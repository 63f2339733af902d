"""Lab 1 cases: SimpleRNNCell, irnn_cell, unroll, state_gradient_norms, clipping."""

import numpy as np

from autograder.engine.cases import Case, normal
from autograder.labs.shared.cases import cell_shapes

TITLE = "simple RNNs, vanishing and exploding gradients"
PUBLIC_SEED = 20261124


def simple_rnn_weights(rng, input_dim, units, scale):
    # A clearly non-zero bias, so that a missing bias can never pass unnoticed.
    return {
        "w.kernel": normal(rng, input_dim, units, scale=scale),
        "w.recurrent_kernel": normal(rng, units, units, scale=scale),
        "w.bias": normal(rng, units, scale=0.5),
    }


def lstm_weights(rng, input_dim, units, scale):
    return {
        "w.kernel": normal(rng, input_dim, 4 * units, scale=scale),
        "w.recurrent_kernel": normal(rng, units, 4 * units, scale=scale),
        "w.bias": normal(rng, 4 * units, scale=0.5),
    }


def make_cases(rng, hidden=False):
    s = cell_shapes(rng, hidden, scales=(0.3, 0.8))
    b, t, d, h, scale = s["batch"], s["steps"], s["input_dim"], s["units"], s["scale"]
    simple = {"cell": "simple_rnn", "units": h}
    cases = [
        Case("simple_rnn.contract", "cell_contract", dict(simple, input_dim=d)),
        Case("simple_rnn.forward", "cell_forward", simple,
             {"x": normal(rng, b, t, d), "h0.0": normal(rng, b, h, scale=0.5), **simple_rnn_weights(rng, d, h, scale)}),
        Case("simple_rnn.gradients", "cell_gradients", simple,
             {"x": normal(rng, b, t, d), "upstream": normal(rng, b, t, h), **simple_rnn_weights(rng, d, h, scale)}),
        Case("simple_rnn.keras", "cell_in_keras", simple,
             {"x": normal(rng, b, t, d), **simple_rnn_weights(rng, d, h, scale)}),
        # Against the Keras built-in, with another activation: a hard-coded tanh shows up here.
        Case("simple_rnn.builtin", "cell_forward", dict(simple, kwargs={"activation": "relu"}),
             {"x": normal(rng, b, t + 2, d), **simple_rnn_weights(rng, d, h, scale)},
             reference_params=dict(simple, kwargs={"activation": "relu"}, source="keras")),
        Case("irnn", "irnn", {"units": h},
             {"x": np.abs(normal(rng, b, t, d)),
              "w.kernel": normal(rng, d, h, scale=scale), "w.bias": normal(rng, h, scale=0.5)}),
        Case("unroll.simple_rnn", "unroll", simple,
             {"x": normal(rng, b, t, d), **simple_rnn_weights(rng, d, h, scale)}),
        Case("unroll.lstm", "unroll", {"cell": "lstm", "units": h},
             {"x": normal(rng, b, t, d), "h0.0": normal(rng, b, h, scale=0.5), "h0.1": normal(rng, b, h, scale=0.5),
              **lstm_weights(rng, d, h, scale)}),
        Case("norms.simple_rnn", "state_gradient_norms", simple,
             {"x": normal(rng, b, 2 * t, d), "v": normal(rng, h), **simple_rnn_weights(rng, d, h, 1.2 * scale)}),
        Case("norms.lstm", "state_gradient_norms", {"cell": "lstm", "units": h},
             {"x": normal(rng, b, 2 * t, d), "v": normal(rng, h), **lstm_weights(rng, d, h, scale)}),
        Case("clip_by_value", "clip_by_value", {"lo": -0.5, "hi": 0.75},
             {"g.0": normal(rng, d, h), "g.1": normal(rng, h)}),
        # Global norm well above max_norm (must scale) and below it (must leave alone).
        Case("clip_by_global_norm.large", "clip_by_global_norm", {"max_norm": 1.0},
             {"g.0": normal(rng, d, h, scale=2.0), "g.1": normal(rng, h, scale=0.2), "g.2": normal(rng, h, h)}),
        Case("clip_by_global_norm.small", "clip_by_global_norm", {"max_norm": 100.0},
             {"g.0": normal(rng, d, h), "g.1": normal(rng, h)}),
        # Last, so that adding it moved no other case's draws. A linear RNN with U = 0.2 Q
        # (Q orthogonal): ||dL/dh_t|| = 0.2^(T-t) ||dL/dh_T|| exactly, down to ~1e-32 at t = 1,
        # where a float32 sum of squares underflows to 0.
        Case("norms.vanishing", "state_gradient_norms", dict(simple, kwargs={"activation": "linear"}),
             {"x": normal(rng, b, VANISHING_STEPS, d), "v": normal(rng, h),
              "w.kernel": normal(rng, d, h, scale=scale), "w.recurrent_kernel": scaled_orthogonal(rng, h, 0.2),
              "w.bias": normal(rng, h, scale=0.5)}),
        # After it, for the same reason: None entries (a variable without a gradient) stay None and
        # count for nothing; with no gradient at all the norm is 0 (the probe also tries [None, None]).
        Case("clip_by_global_norm.nones", "clip_by_global_norm", {"max_norm": 1.0, "nones": True},
             {"g.0": normal(rng, d, h, scale=2.0), "g.1": normal(rng, h)}),
        Case("simple_rnn.initializers", "simple_rnn_initializers", dict(simple, input_dim=d)),
    ]
    return cases


VANISHING_STEPS = 48


def scaled_orthogonal(rng, units, gain):
    """gain * Q for a random orthogonal Q: every singular value is ``gain``."""
    q, _ = np.linalg.qr(rng.standard_normal((units, units)))
    return (gain * q).astype(np.float32)
