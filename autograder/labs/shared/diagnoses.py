"""What the cell probes (``shared/probes.py``) make themselves, for ``engine.diagnose``: TF-free.

``cell_contract`` builds the cell; ``cell_step_contract`` and ``cell_builtin_check`` also call it
once on zeros, a batch of 2, from params alone: the shapes of the arrays they make stand in for the inputs a case would carry.
"""

# Weight names and gate count (the kernels are (D, gH) and (H, gH)) of each cell kind.
CELL_WEIGHTS = {
    "simple_rnn": (("kernel", "recurrent_kernel", "bias"), 1),
    "lstm": (("kernel", "recurrent_kernel", "bias"), 4),
    "peephole_lstm": (("kernel", "recurrent_kernel", "bias", "peephole_i", "peephole_f", "peephole_o"), 4),
    "gru": (("kernel", "recurrent_kernel", "bias"), 3),
}
STEP_BATCH = 2  # the batch of zeros cell_step_contract and cell_builtin_check call the cell on
OWN_ARRAYS_PROBES = ("cell_contract", "cell_step_contract", "cell_builtin_check")


def case_shapes(case):
    """{name: shape} of the arrays a contract probe makes: weights, and for the step contract x_t's
    batch (as ``h0.0``)."""
    params = case.params or {}
    spec = CELL_WEIGHTS.get(params.get("cell"))
    if case.probe not in OWN_ARRAYS_PROBES or spec is None or case.inputs:
        return {}
    names, gates = spec
    units, input_dim = params.get("units"), params.get("input_dim")
    if not isinstance(units, int) or not isinstance(input_dim, int):
        return {}
    shapes = {"w.kernel": (input_dim, gates * units), "w.recurrent_kernel": (units, gates * units)}
    shapes.update({f"w.{name}": (gates * units,) if name == "bias" else (units,)
                   for name in names if name not in ("kernel", "recurrent_kernel")})
    if params.get("cell") == "gru" and (params.get("kwargs") or {}).get("reset_after"):
        shapes["w.bias"] = (2, gates * units)
    if case.probe != "cell_contract":
        shapes["h0.0"] = (STEP_BATCH, units)
    return shapes
