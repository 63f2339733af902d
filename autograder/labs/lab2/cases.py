"""Lab 2 cases: LSTMCell (contract, values, gradients, get_config, Keras wrappers, vs the built-in)
and the bonus PeepholeLSTMCell.

Weights are drawn at a scale where the gates sit well inside (0, 1): every known mistake in
``labs/lab2/mistakes.py`` then changes the outputs by far more than float noise.
"""

from autograder.engine.cases import Case, normal
from autograder.labs.shared.cases import cell_shapes

TITLE = "LSTM: gates, the constant error carousel, peepholes"
PUBLIC_SEED = 20261202

# Non-default constructor arguments: a get_config that leaves one out is caught, and so is a call
# that hard-codes tanh/sigmoid instead of using self.activation / self.recurrent_activation.
CONFIG_KWARGS = {"activation": "relu", "recurrent_activation": "hard_sigmoid", "unit_forget_bias": False,
                 "kernel_initializer": "he_normal", "recurrent_initializer": "glorot_normal",
                 "bias_initializer": "ones"}
BUILTIN_KWARGS = {"activation": "relu", "recurrent_activation": "hard_sigmoid"}


def lstm_weights(rng, input_dim, units, scale, prefix="w."):
    return {
        f"{prefix}kernel": normal(rng, input_dim, 4 * units, scale=scale),
        f"{prefix}recurrent_kernel": normal(rng, units, 4 * units, scale=scale),
        f"{prefix}bias": normal(rng, 4 * units, scale=0.5),
    }


def peephole_weights(rng, input_dim, units, scale):
    weights = lstm_weights(rng, input_dim, units, scale)
    # Peepholes large enough that leaving one out, or feeding o the old memory, shows clearly.
    weights.update({f"w.peephole_{gate}": normal(rng, units, scale=0.8) for gate in "ifo"})
    return weights


def make_cases(rng, hidden=False):
    s = cell_shapes(rng, hidden)
    b, t, d, h, scale = s["batch"], s["steps"], s["input_dim"], s["units"], s["scale"]
    lstm = {"cell": "lstm", "units": h}
    peephole = {"cell": "peephole_lstm", "units": h}

    def states():
        return {"h0.0": normal(rng, b, h, scale=0.5), "h0.1": normal(rng, b, h, scale=0.5)}

    return [
        Case("lstm.wrapping", "cell_builtin_check", dict(lstm, input_dim=d)),
        Case("lstm.contract", "cell_step_contract", dict(lstm, input_dim=d)),
        Case("lstm.forward", "cell_forward", lstm,
             {"x": normal(rng, b, t, d), **states(), **lstm_weights(rng, d, h, scale)}),
        Case("lstm.gradients", "cell_gradients", lstm,
             {"x": normal(rng, b, t, d), "upstream": normal(rng, b, t, h), **states(),
              **lstm_weights(rng, d, h, scale)}),
        Case("lstm.config", "cell_config", dict(lstm, kwargs=CONFIG_KWARGS)),
        Case("lstm.keras", "cell_in_keras", lstm, {"x": normal(rng, b, t, d), **lstm_weights(rng, d, h, scale)}),
        # Expected values from Keras's own Bidirectional(RNN(LSTMCell)) with the same weights.
        Case("lstm.bidirectional", "cell_in_bidirectional", lstm,
             {"x": normal(rng, b, t, d), **lstm_weights(rng, d, h, scale, "fw."),
              **lstm_weights(rng, d, h, scale, "bw.")},
             reference_params=dict(lstm, source="keras")),
        Case("lstm.builtin", "cell_forward", dict(lstm, kwargs=BUILTIN_KWARGS),
             {"x": normal(rng, b, t + 4, d), **states(), **lstm_weights(rng, d, h, scale)},
             reference_params=dict(lstm, kwargs=BUILTIN_KWARGS, source="keras")),
        Case("peephole.wrapping", "cell_builtin_check", dict(peephole, input_dim=d)),
        Case("peephole.contract", "cell_step_contract", dict(peephole, input_dim=d)),
        Case("peephole.forward", "cell_forward", peephole,
             {"x": normal(rng, b, t, d), **states(), **peephole_weights(rng, d, h, scale)}),
        Case("peephole.gradients", "cell_gradients", peephole,
             {"x": normal(rng, b, t, d), "upstream": normal(rng, b, t, h), **states(),
              **peephole_weights(rng, d, h, scale)}),
        Case("peephole.keras", "cell_in_keras", peephole,
             {"x": normal(rng, b, t, d), **peephole_weights(rng, d, h, scale)}),
    ]
