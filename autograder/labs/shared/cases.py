"""Case shapes shared by the gated-cell labs (2 and 3)."""


def gated_cell_shapes(rng, hidden):
    """Batch, steps, widths and weight scale for an LSTM or GRU case: fixed for the public cases,
    drawn from ``rng`` for the hidden ones."""
    if not hidden:
        return {"batch": 3, "steps": 6, "input_dim": 4, "units": 5, "scale": 0.5}
    return {
        "batch": int(rng.integers(2, 6)),
        "steps": int(rng.integers(5, 11)),
        "input_dim": int(rng.integers(2, 8)),
        "units": int(rng.choice([3, 4, 6, 7])),
        "scale": float(rng.uniform(0.35, 0.7)),
    }
