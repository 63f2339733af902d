"""Helpers every lab uses: fast mode, seeds, where figures go, and showing them.

Nothing to fill in here. A lab starts with::

    from rnnlab import labtools
    lab = labtools.start("lab1")

``lab.fast`` is True when the environment variable ``RNNLAB_FAST=1`` is set: every lab then
shrinks its loops to a smoke run of a few seconds (the kit's own tests use it). Figures are written
to ``out/<lab>/`` at the kit's root and shown inline when the lab runs as a notebook.
"""

import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

# labs/rnnlab/labtools.py -> the kit's root is two folders up (the same from solutions/).
KIT_ROOT = Path(__file__).resolve().parents[2]
DATASETS_DIR = KIT_ROOT / "datasets"


def in_notebook():
    """True inside Jupyter/IPython kernels, where figures should show inline."""
    return "ipykernel" in sys.modules


def fast_mode():
    """True when ``RNNLAB_FAST=1``: labs run a few-second smoke version of every loop."""
    return os.environ.get("RNNLAB_FAST", "0").strip() not in ("", "0", "false", "False")


@dataclass
class Lab:
    """What a running lab needs to know: its name, fast or full, and where its figures go."""

    name: str
    fast: bool
    out_dir: Path
    seed: int

    def pick(self, default, fast):
        """``fast`` in fast mode, else ``default`` (for step counts, lengths, seeds lists...)."""
        return fast if self.fast else default

    def savefig(self, fig, filename):
        """Save ``fig`` under ``out/<lab>/`` and show it (inline in a notebook); returns the path."""
        import matplotlib.pyplot as plt

        path = self.out_dir / filename
        fig.savefig(path, dpi=110, bbox_inches="tight")
        if in_notebook():
            plt.show()
        else:
            plt.close(fig)
        print(f"figure saved: {path.relative_to(KIT_ROOT) if path.is_relative_to(KIT_ROOT) else path}")
        return path

    def save_results(self, rows, report, show=False):
        """Write ``out/<lab>/results.json`` (``rows``: one dict per measured number) and
        ``results.md`` (``report``: its lines); print ``report`` too when ``show``."""
        import json

        (self.out_dir / "results.json").write_text(json.dumps(rows, indent=1))
        (self.out_dir / "results.md").write_text("\n".join(report))
        print(f"results written: out/{self.name}/results.json ({len(rows)} rows), out/{self.name}/results.md")
        if show:
            print("\n".join(report))


def set_seed(seed):
    """Seed Python, NumPy and TensorFlow/Keras so every run of a lab prints the same numbers."""
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    try:
        import keras

        keras.utils.set_random_seed(seed)
    except ImportError:  # a lab cell that only needs NumPy still works
        pass


def start(name, seed=0):
    """Set up a lab: quiet logs, a non-interactive plot backend for scripts, seeds, ``out/<name>/``.

    Also makes the task generators in ``datasets/`` importable as ``seqtasks``.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not in_notebook():
        import matplotlib

        matplotlib.use("Agg")
    if str(DATASETS_DIR) not in sys.path and DATASETS_DIR.is_dir():
        sys.path.append(str(DATASETS_DIR))
    out_dir = KIT_ROOT / "out" / name
    out_dir.mkdir(parents=True, exist_ok=True)
    set_seed(seed)
    lab = Lab(name=name, fast=fast_mode(), out_dir=out_dir, seed=seed)
    mode = "fast smoke run (RNNLAB_FAST=1)" if lab.fast else "default mode"
    print(f"{name}: {mode}; figures go to {out_dir}")
    return lab
