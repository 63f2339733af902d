"""Grading a class: 100 submissions with --workers 2, against a cold process per submission.

    python bench/bench_grade.py [--count 100] [--cold-sample 6]   # every lab's tests
    python bench/bench_grade.py --lab 1                           # one lab's tests only

Builds a class of copies of the master and of broken variants (missing bias, hard-coded tanh,
per-tensor clipping, not implemented, an endless loop), grades it with ``grade_batch`` (public and
hidden tests, 2 workers, each forking a fresh confined child per submission from a warm zygote),
then times a cold ``python -m autograder check`` process per submission on a sample, in the same
run. Prints the batch wall time (budget <= 150 s for 100) and the speed-up over cold processes
(budget >= 5x). The cold baseline is a fresh Python per submission doing the same public and hidden tests.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT_ROOT))

VARIANTS = {
    "master": [],
    "missing_bias": [("simple_rnn.py", "ops.matmul(h_prev, self.recurrent_kernel) + self.bias",
                      "ops.matmul(h_prev, self.recurrent_kernel)")],
    "hardcoded_tanh": [("simple_rnn.py", "h = self.activation(", "h = ops.tanh(")],
    "per_tensor_clip": [("gradients.py", "    scale = max_norm / tf.maximum(global_norm, max_norm)\n",
                         "    scale = max_norm / tf.maximum(tf.norm(present[0]), max_norm)\n")],
    "unfinished": None,  # the untouched student release
    "endless_loop": [("gradients.py", "    present = [", "    while True:\n        pass\n    present = [")],
}


def build_class(folder, count):
    # Mostly correct or classic mistakes; one submission in the class hangs.
    names = [name for name in VARIANTS if name != "endless_loop"]
    for index in range(count):
        variant = "endless_loop" if index == count // 2 else names[index % len(names)]
        target = folder / f"student{index:03d}_{variant}"
        source = KIT_ROOT / ("labs" if VARIANTS[variant] is None else "solutions") / "rnnlab"
        shutil.copytree(source, target / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
        for module, old, new in VARIANTS[variant] or []:
            path = target / "rnnlab" / module
            path.write_text(path.read_text().replace(old, new))


def cold_one(entry, hidden_file, labs):
    """What a grader without a warm worker does: everything from a cold start, for one submission."""
    import numpy as np

    from autograder import grading
    from autograder.cases import from_npz_dict, load_fixture
    from autograder.release import fixture_path

    LABS = [int(lab) for lab in labs.split(",")]
    with np.load(hidden_file) as archive:
        hidden = {lab: from_npz_dict({k.split("|", 1)[1]: archive[k] for k in archive.files
                                      if k.startswith(f"lab{lab}|")}) for lab in LABS}
    public = {lab: load_fixture(fixture_path(lab)) for lab in LABS}
    grading.grade(entry, public, list(LABS), call_timeout=10, hidden_cases_by_lab=hidden)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--cold-one":
        return cold_one(sys.argv[2], sys.argv[3], sys.argv[4])
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--cold-sample", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lab", type=int, action="append", help="grade only these labs' tests (default: all)")
    args = parser.parse_args()
    from autograder.batch import grade_batch
    from autograder.cases import LABS

    LABS = sorted(args.lab) if args.lab else list(LABS)

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        build_class(scratch / "class", args.count)
        started = time.perf_counter()
        rows = grade_batch(scratch / "class", scratch / "out", list(LABS), workers=args.workers, seed=1,
                           call_timeout=10, log=lambda message: None)
        batch_s = time.perf_counter() - started
        # The baseline: a cold Python per submission (TensorFlow imported each time) running the same
        # public and hidden tests; the hidden cases are computed once and handed to it.
        hidden_file = scratch / "hidden.npz"
        import numpy as np
        from autograder.cases import to_npz_dict
        from autograder.hidden import hidden_cases

        hidden = hidden_cases(list(LABS), 1)
        np.savez(hidden_file, **{f"lab{lab}|{k}": v for lab, cases in hidden.items()
                                 for k, v in to_npz_dict(list(cases.values())).items()})
        cold = []
        for entry in sorted((scratch / "class").iterdir())[: args.cold_sample]:
            started = time.perf_counter()
            result = subprocess.run([sys.executable, __file__, "--cold-one", str(entry), str(hidden_file),
                                     ",".join(map(str, LABS))],
                                    cwd=KIT_ROOT, capture_output=True, text=True)
            if result.returncode:
                raise SystemExit(result.stderr[-2000:])
            cold.append(time.perf_counter() - started)
    per_cold = statistics.mean(cold)
    cold_total = per_cold * args.count
    print(f"labs graded: {list(LABS)}; {len(rows)} submissions, public + hidden tests, {args.workers} workers")
    print(f"{'measure':55} {'value':>10} {'budget':>8}")
    print(f"{'grade, whole class (wall)':55} {batch_s:>9.1f}s {'<= 150s':>8}")
    print(f"{'grade, per submission':55} {batch_s / args.count:>9.2f}s")
    print(f"{'cold process per submission, same tests (mean of ' + str(len(cold)) + ')':55} {per_cold:>9.2f}s")
    print(f"{'cold processes for the whole class (extrapolated)':55} {cold_total:>9.1f}s")
    print(f"{'speed-up of grade over cold processes':55} {cold_total / batch_s:>9.1f}x {'>= 5x':>8}")


if __name__ == "__main__":
    main()
