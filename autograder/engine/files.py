"""Atomic writes: a reader (a rerun, a TA's spreadsheet, Gradescope) sees the old file or the new
one, never half of one. Write beside the target, then rename over it (atomic on one filesystem)."""

import json
import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path):
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on error it is removed.

    For writers that want a file name (``np.savez``, ``zipfile``). The temporary name keeps the
    suffix, because ``np.savez`` appends ``.npz`` to a name without it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path, data):
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` atomically."""
    with replacing(path) as tmp:
        Path(tmp).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def atomic_json(path, data):
    atomic_write(path, json.dumps(data, indent=2) + "\n")
