"""Case shapes shared by the cell labs (1-3)."""


def cell_shapes(rng, hidden, scales=(0.35, 0.7)):
    """Batch, steps, widths and weight scale for a cell case: fixed for the public cases, drawn
    from ``rng`` for the hidden ones (the scale uniform in ``scales``)."""
    if not hidden:
        return {"batch": 3, "steps": 6, "input_dim": 4, "units": 5, "scale": 0.5}
    return {
        "batch": int(rng.integers(2, 6)),
        "steps": int(rng.integers(5, 11)),
        "input_dim": int(rng.integers(2, 8)),
        "units": int(rng.choice([3, 4, 6, 7])),
        "scale": float(rng.uniform(*scales)),
    }
