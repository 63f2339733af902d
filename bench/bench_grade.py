"""Grading a class: 100 submissions with --workers 2, against a floor and a cold process per submission.

    python bench/bench_grade.py [--count 100] [--cold-sample 6]   # every lab's tests
    python bench/bench_grade.py --lab 1                           # one lab's tests only
    python bench/bench_grade.py --hung 5 --skip-cold              # + a class with 5 entries hung on import

Builds a class like a real one (``CLASS``): mostly finished work in two styles (copies of the
master, and a correct ``state_gradient_norms`` written independently, with a plain eager tape over
the list of states, as its docstring suggests), one classic mistake each in four kinds of entry,
a few untouched releases (unfinished) and one entry that loops forever in an exercise. It grades
the class with ``grade_batch`` (public and hidden tests, 2 workers, each forking a fresh confined
child per submission from a warm zygote), then measures, in the same run:

- the *floor*: the probe calls that grading the master makes, replayed on the master in one warm
  process with no sandbox, no pytest and no comparison (what the tests cost the framework alone);
  ``grade`` time per master copy / floor is the grader's own overhead;
- a cold ``python`` process per submission on a sample, doing the same public and hidden tests:
  *hidden values recomputed* (each computes the hidden cases from ``solutions/``, as a cold grader
  must: hidden cases never touch the disk) and *hidden values handed over* (computed once and given
  in a file, which that rule forbids a real grader: the kinder baseline).

With ``--hung N`` it then grades the same class with N entries replaced by a submission whose
``rnnlab/simple_rnn.py`` loops forever on import, prints that time next to the clean one, what the hung
entries added, and the bound they must stay under: N x the per-submission budget / workers. And
it times ``python -m autograder check`` on one such submission, with the defaults a student gets.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchkit import cpu_model

KIT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT_ROOT))

# A correct state_gradient_norms written another way: dL/dh_t for the states kept in a list inside
# one eager tape (the docstring's first way), norms in float64.
PLAIN_TAPE_NORMS = """    batch_size = x.shape[0]
    states = zero_states(cell, batch_size) if initial_state is None else _as_state_list(initial_state)
    with tf.GradientTape() as tape:
        hidden_states = []
        for t in range(x.shape[1]):
            _, states = cell(x[:, t, :], states)
            hidden_states.append(states[0])
        loss = loss_fn(states[0])
    grads = tape.gradient(loss, hidden_states)
    return np.array([np.sqrt(np.sum(np.square(g.numpy().astype(np.float64)))) for g in grads])
"""


def _solution_block(module, function):
    """(old, new) that replaces the solution block of ``function`` in ``module`` (the master's text)."""
    text = (KIT_ROOT / "solutions" / "rnnlab" / module).read_text()
    start = text.index(f"def {function}(")
    begin = text.index("# BEGIN SOLUTION\n", start) + len("# BEGIN SOLUTION\n")
    end = text.index("    # END SOLUTION", begin)
    return text[begin:end]


VARIANTS = {
    "master": [],
    "plain_tape_norms": [("gradients.py", lambda: _solution_block("gradients.py", "state_gradient_norms"),
                          PLAIN_TAPE_NORMS)],
    "missing_bias": [("simple_rnn.py", "ops.matmul(h_prev, self.recurrent_kernel) + self.bias",
                      "ops.matmul(h_prev, self.recurrent_kernel)")],
    "hardcoded_tanh": [("simple_rnn.py", "h = self.activation(", "h = ops.tanh(")],
    "per_tensor_clip": [("gradients.py", "    scale = max_norm / tf.maximum(global_norm, max_norm)\n",
                         "    scale = max_norm / tf.maximum(tf.norm(present[0]), max_norm)\n")],
    "gru_lecture_convention": [("gru.py", "        h = z * h_prev + (1.0 - z) * candidate\n",
                                "        h = (1.0 - z) * h_prev + z * candidate\n")],
    "unfinished": None,  # the untouched student release
    "endless_loop": [("gradients.py", "    present = [", "    while True:\n        pass\n    present = [")],
    "hangs_on_import": [("simple_rnn.py", "import keras\n",
                         "import keras\n\nwhile True:  # a training run left at import time\n    pass\n")],
}
# Of every 100 entries: finished work in two styles, four classic mistakes, a few unfinished; one
# of the class (the middle entry) loops forever in an exercise.
CLASS = {"master": 30, "plain_tape_norms": 20, "missing_bias": 10, "hardcoded_tanh": 10, "per_tensor_clip": 10,
         "gru_lecture_convention": 10, "unfinished": 10}


def _apply(target, variant):
    for module, old, new in VARIANTS[variant] or []:
        path = target / "rnnlab" / module
        text = path.read_text()
        old = old() if callable(old) else old
        if old not in text:
            raise SystemExit(f"bench variant {variant}: the master no longer has the line it edits in {module}")
        path.write_text(text.replace(old, new, 1))


def class_variants(count):
    """The variant of each of ``count`` entries, in the proportions of ``CLASS``, interleaved."""
    pool = [name for name, share in CLASS.items() for _ in range(share)]
    # Spread each kind over the class (not 30 masters first), deterministically.
    order = sorted(range(len(pool)), key=lambda i: (i * 37) % len(pool))
    return [pool[order[index % len(pool)]] for index in range(count)]


def build_class(folder, count, hung=0):
    # ``hung`` entries (spread over the class) never finish importing.
    hung_at = {count * (k + 1) // (hung + 1) for k in range(hung)} - {count // 2}
    for index, variant in enumerate(class_variants(count)):
        variant = "endless_loop" if index == count // 2 else "hangs_on_import" if index in hung_at else variant
        target = folder / f"student{index:03d}_{variant}"
        source = KIT_ROOT / ("labs" if VARIANTS[variant] is None else "solutions") / "rnnlab"
        shutil.copytree(source, target / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
        _apply(target, variant)


def floor_seconds(labs):
    """The floor, in a fresh process: grade the master once through the sandbox to record its probe
    calls, then replay them on the master in this process (TensorFlow imported, solutions/ on the
    path, no sandbox, no pytest, no comparison); the replay's wall time."""
    from autograder.sandbox.session import child_environment

    # The child's environment (oneDNN off, as the grader runs it: on, the floor took twice as long).
    result = subprocess.run([sys.executable, __file__, "--floor", ",".join(map(str, labs))], cwd=KIT_ROOT,
                            capture_output=True, text=True, env=child_environment())
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    return float(result.stdout.strip().splitlines()[-1])


def floor_one(labs):
    from autograder.engine import grading
    from autograder.engine.cases import load_public_fixtures
    from autograder.engine.hidden import hidden_cases
    from autograder.sandbox import session

    labs = [int(lab) for lab in labs.split(",")]
    hidden = hidden_cases(labs, 1)  # before the recording starts: computing them is not grading
    calls = []
    original = session.Session._call

    def recording(self, probe, arrays=None, params=None, timeout=None):
        calls.append((probe, arrays or {}, params or {}))
        return original(self, probe, arrays, params, timeout)

    session.Session._call = recording
    grading.grade(KIT_ROOT / "solutions", load_public_fixtures(labs), labs, hidden_cases_by_lab=hidden)
    session.Session._call = original
    import keras
    import tensorflow as tf

    from autograder.sandbox import probes

    sys.path.append(str(KIT_ROOT / "solutions"))
    keras.config.disable_interactive_logging()
    keras.config.disable_traceback_filtering()  # as the child does (sandbox/child.py)
    tf.debugging.disable_traceback_filtering()
    probes.load_all()
    # One replay: the process's first TensorFlow work, like a fresh child's.
    started = time.perf_counter()
    for probe, arrays, params in calls:
        if probe != "import_module":
            probes.run(probe, arrays, params)
    print(time.perf_counter() - started)


def cold_one(entry, hidden_file, labs):
    """What a grader without a warm worker does: everything from a cold start, for one submission.
    ``hidden_file`` "-" means: compute the hidden cases here (seed 1, as the batch does)."""
    import numpy as np

    from autograder.engine import grading
    from autograder.engine.cases import from_npz_dict, load_public_fixtures
    from autograder.engine.hidden import hidden_cases

    LABS = [int(lab) for lab in labs.split(",")]
    if hidden_file == "-":
        hidden = hidden_cases(LABS, 1)
    else:
        with np.load(hidden_file) as archive:
            hidden = {lab: from_npz_dict({k.split("|", 1)[1]: archive[k] for k in archive.files
                                          if k.startswith(f"lab{lab}|")}) for lab in LABS}
    public = load_public_fixtures(LABS)
    grading.grade(entry, public, list(LABS), call_timeout=10, hidden_cases_by_lab=hidden)


def time_cold(entries, hidden_file, labs):
    """Seconds per entry for a cold ``--cold-one`` process each."""
    seconds = []
    for entry in entries:
        started = time.perf_counter()
        result = subprocess.run([sys.executable, __file__, "--cold-one", str(entry), str(hidden_file),
                                 ",".join(map(str, labs))], cwd=KIT_ROOT, capture_output=True, text=True)
        if result.returncode:
            raise SystemExit(result.stderr[-2000:])
        seconds.append(time.perf_counter() - started)
    return seconds


def hung_check_seconds(scratch):
    """Wall time of a student's ``check`` of one submission that hangs on import (the defaults)."""
    entry = scratch / "one_hung"
    shutil.copytree(KIT_ROOT / "solutions" / "rnnlab", entry / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    _apply(entry, "hangs_on_import")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "check", str(entry)], cwd=KIT_ROOT, capture_output=True)
    return time.perf_counter() - started


def progress(message):
    """grade_batch's progress lines, on one line of stderr."""
    print(f"\r{message[:110]:110}", end="", file=sys.stderr, flush=True)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--cold-one":
        return cold_one(sys.argv[2], sys.argv[3], sys.argv[4])
    if len(sys.argv) == 3 and sys.argv[1] == "--floor":
        return floor_one(sys.argv[2])
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--cold-sample", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lab", type=int, action="append", help="grade only these labs' tests (default: all)")
    parser.add_argument("--hung", type=int, default=0, help="also grade the class with this many hung on import")
    parser.add_argument("--skip-cold", action="store_true", help="leave out the cold-process baselines")
    parser.add_argument("--skip-floor", action="store_true", help="leave out the floor (one warm process)")
    args = parser.parse_args()
    from autograder.engine.batch import grade_batch
    from autograder.engine.labs import LABS

    LABS = sorted(args.lab) if args.lab else list(LABS)

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        build_class(scratch / "class", args.count)
        started = time.perf_counter()
        rows = grade_batch(scratch / "class", scratch / "out", list(LABS), workers=args.workers, seed=1,
                           call_timeout=10, log=progress)
        batch_s = time.perf_counter() - started
        hung_s = check_s = None
        if args.hung:
            build_class(scratch / "hung_class", args.count, hung=args.hung)
            started = time.perf_counter()
            grade_batch(scratch / "hung_class", scratch / "hung_out", list(LABS), workers=args.workers, seed=1,
                        call_timeout=10, log=progress)
            hung_s = time.perf_counter() - started
            check_s = hung_check_seconds(scratch)
        floor_s = None if args.skip_floor else floor_seconds(LABS)
        recomputed = handed_over = None
        if not args.skip_cold:
            handed_over, recomputed = cold_baselines(scratch, LABS, args.cold_sample)
    report(args, LABS, rows, batch_s, hung_s, check_s, recomputed, handed_over, floor_s)


def cold_baselines(scratch, labs, sample_size):
    """The baselines: a cold Python per submission (TensorFlow imported each time) running the same
    public and hidden tests, given the hidden cases in a file or computing them itself."""
    print("\ntiming cold processes ...", file=sys.stderr)
    import numpy as np

    from autograder.engine.cases import to_npz_dict
    from autograder.engine.hidden import hidden_cases

    hidden_file = scratch / "hidden.npz"
    hidden = hidden_cases(list(labs), 1)
    np.savez(hidden_file, **{f"lab{lab}|{k}": v for lab, cases in hidden.items()
                             for k, v in to_npz_dict(list(cases.values())).items()})
    sample = sorted((scratch / "class").iterdir())[:sample_size]
    return time_cold(sample, hidden_file, labs), time_cold(sample, "-", labs)


def report(args, labs, rows, batch_s, hung_s, check_s, recomputed, handed_over, floor_s=None):
    from autograder.sandbox.session import SUBMISSION_BUDGET_S

    print(f"\n{cpu_model()}; labs graded: {list(labs)}; {len(rows)} submissions, public + hidden tests, "
          f"{args.workers} workers, 10 s per test")
    print(f"{'measure':62} {'value':>10} {'budget':>8}")
    print(f"{'grade, whole class (wall)':62} {batch_s:>9.1f}s {'<= 150s':>8}")
    print(f"{'grade, per submission':62} {batch_s / args.count:>9.2f}s")
    by_kind, scores = {}, {}
    for row in rows.values():
        kind = row["submission"].split("_", 1)[1]
        by_kind.setdefault(kind, []).append(float(row["seconds"]))
        scores.setdefault(kind, []).append(f"{float(row['score']):g}/{float(row['max_score']):g}")
    for kind, seconds in sorted(by_kind.items(), key=lambda item: -statistics.mean(item[1])):
        print(f"{'  one worker per entry, ' + kind + ' (mean of ' + str(len(seconds)) + ')':62} "
              f"{statistics.mean(seconds):>9.2f}s   score {', '.join(sorted(set(scores[kind])))}")
    if floor_s is not None and "master" in by_kind:
        master = statistics.mean(by_kind["master"])
        print(f"{'floor: the master probe calls, one warm process, no sandbox':62} {floor_s:>9.2f}s")
        print(f"{'  grader overhead: one worker per master copy / floor':62} {master / floor_s:>9.2f}x")
    for label, seconds in (("hidden values recomputed", recomputed), ("hidden values handed over", handed_over)):
        if seconds is None:
            continue
        per_cold = statistics.mean(seconds)
        print(f"{'cold process per submission, ' + label + ' (mean of ' + str(len(seconds)) + ')':62} "
              f"{per_cold:>9.2f}s")
        print(f"{'  speed-up of grade over cold processes for the whole class':62} "
              f"{per_cold * args.count / batch_s:>9.1f}x {'>= 5x':>8}")
    if hung_s is not None:
        bound = args.hung * SUBMISSION_BUDGET_S / args.workers
        print(f"{f'grade, the same class with {args.hung} hung on import (wall)':62} {hung_s:>9.1f}s")
        print(f"{'  hung / clean':62} {hung_s / batch_s:>9.2f}x")
        print(f"{'  added by the hung entries':62} {hung_s - batch_s:>9.1f}s {f'<= {bound:.0f}s':>8}")
        print(f"{'check of one submission hung on import (defaults, TF import incl.)':62} {check_s:>9.1f}s")


if __name__ == "__main__":
    main()
