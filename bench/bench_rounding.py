"""How much float32 rounding moves the public fixtures, against the tolerance that ignores it.

    python bench/bench_rounding.py

Recomputes every lab's public cases from ``solutions/`` under kernels that round differently
(oneDNN on and off, one intra-op thread), the way another CPU does, and compares them with the
committed fixtures. Each output array's difference is measured in units of eps32 times
``compare.rounding_scale`` (max(1, max|array|)), the unit of ``compare.ROUNDING_ULPS``, which
``release --check`` and the grader allow. It prints the worst per lab and the headroom
ROUNDING_ULPS / worst; a real change of 1e-3 of the scale is ~8400 of these units.
"""

import sys
from pathlib import Path

import numpy as np
from benchkit import cpu_model

KIT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT_ROOT))

from autograder import SOLUTIONS_DIR  # noqa: E402
from autograder.engine.cases import fixture_path, load_fixture, public_cases  # noqa: E402
from autograder.engine.compare import EPS32, ROUNDING_ULPS, rounding_scale  # noqa: E402
from autograder.engine.labs import LABS  # noqa: E402
from autograder.engine.release import compute_expected  # noqa: E402
from autograder.sandbox import session as sandbox  # noqa: E402

VARIANTS = {
    "as committed (oneDNN off)": {},
    "oneDNN on": {"TF_ENABLE_ONEDNN_OPTS": "1"},
    "one intra-op thread": {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"},
}


def ulps_apart(a, b):
    """max|a - b| in units of eps32 * rounding_scale(a, b), the unit of ROUNDING_ULPS."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b))) / (EPS32 * rounding_scale(a, b)) if a.size else 0.0


def measure(extra_env):
    base_environment = sandbox.child_environment
    sandbox.child_environment = lambda: {**base_environment(), **extra_env}
    try:
        worst = {}
        with sandbox.Session(SOLUTIONS_DIR) as session:
            for lab in LABS:
                committed = load_fixture(fixture_path(lab))
                for case in compute_expected(public_cases(lab), session):
                    for name, array in case.expected_arrays.items():
                        ulps = ulps_apart(committed[case.id].expected_arrays[name], array)
                        if ulps >= worst.get(lab, (-1.0, ""))[0]:
                            worst[lab] = (ulps, f"{case.id}: {name}")
        return worst
    finally:
        sandbox.child_environment = base_environment


def main():
    print(f"CPU: {cpu_model()}; tolerance ROUNDING_ULPS = {ROUNDING_ULPS} (x eps32 = {EPS32:.3g} x max(1, max|array|))")
    overall = 0.0
    for label, extra_env in VARIANTS.items():
        worst = measure(extra_env)
        print(f"\n{label}:")
        for lab, (ulps, where) in sorted(worst.items()):
            print(f"  lab {lab}: worst {ulps:6.1f} ulps ({where})")
        overall = max(overall, max(u for u, _ in worst.values()))
    headroom = ROUNDING_ULPS / overall if overall else float("inf")
    print(f"\nworst rounding noise {overall:.1f} ulps; tolerance {ROUNDING_ULPS} ulps = {headroom:.1f}x that; "
          f"a real change of 1e-3 x max is {1e-3 / EPS32:.0f} ulps")


if __name__ == "__main__":
    main()
