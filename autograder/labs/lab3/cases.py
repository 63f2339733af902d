"""Lab 3 cases: GRUCell with reset_after=False (the exercise) and reset_after=True (the follow-up).

Every GRU case passes ``reset_after`` explicitly: the kit's GRUCell defaults to False (Cho et al.
2014) and Keras's to True, and the reference values of some cases come from Keras.
"""


from autograder.engine.cases import Case, normal
from autograder.labs.shared.cases import cell_shapes

TITLE = "GRU: update and reset gates, one model in two conventions"
PUBLIC_SEED = 20261203

BEFORE = {"reset_after": False}
AFTER = {"reset_after": True}
# Non-default activations: a call that hard-codes sigmoid/tanh is caught against Keras.
BUILTIN_KWARGS = {"reset_after": False, "activation": "relu", "recurrent_activation": "hard_sigmoid"}


def gru_weights(rng, input_dim, units, scale, reset_after=False, prefix="w."):
    bias_shape = (2, 3 * units) if reset_after else (3 * units,)
    return {
        f"{prefix}kernel": normal(rng, input_dim, 3 * units, scale=scale),
        f"{prefix}recurrent_kernel": normal(rng, units, 3 * units, scale=scale),
        # A clearly non-zero bias: for reset_after=True its recurrent row is what several mistakes
        # misplace.
        f"{prefix}bias": normal(rng, *bias_shape, scale=0.6),
    }


def make_cases(rng, hidden=False):
    s = cell_shapes(rng, hidden)
    b, t, d, h, scale = s["batch"], s["steps"], s["input_dim"], s["units"], s["scale"]
    gru = {"cell": "gru", "units": h, "kwargs": BEFORE}

    def state():
        return {"h0.0": normal(rng, b, h, scale=0.5)}

    return [
        Case("gru.wrapping", "cell_builtin_check", dict(gru, input_dim=d)),
        Case("gru.contract", "cell_step_contract", dict(gru, input_dim=d)),
        Case("gru.forward", "cell_forward", gru,
             {"x": normal(rng, b, t, d), **state(), **gru_weights(rng, d, h, scale)}),
        Case("gru.gradients", "cell_gradients", gru,
             {"x": normal(rng, b, t, d), "upstream": normal(rng, b, t, h), **state(),
              **gru_weights(rng, d, h, scale)}),
        Case("gru.keras", "cell_in_keras", gru, {"x": normal(rng, b, t, d), **gru_weights(rng, d, h, scale)}),
        Case("gru.bidirectional", "cell_in_bidirectional", gru,
             {"x": normal(rng, b, t, d), **gru_weights(rng, d, h, scale, prefix="fw."),
              **gru_weights(rng, d, h, scale, prefix="bw.")},
             reference_params=dict(gru, source="keras")),
        Case("gru.builtin", "cell_forward", dict(gru, kwargs=BUILTIN_KWARGS),
             {"x": normal(rng, b, t + 4, d), **state(), **gru_weights(rng, d, h, scale)},
             reference_params=dict(gru, kwargs=BUILTIN_KWARGS, source="keras")),
        Case("gru.reset_after", "cell_forward", dict(gru, kwargs=AFTER),
             {"x": normal(rng, b, t + 2, d), **state(), **gru_weights(rng, d, h, scale, reset_after=True)},
             reference_params=dict(gru, kwargs=AFTER, source="keras")),
    ]
