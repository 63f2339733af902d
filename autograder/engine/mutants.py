"""``mutants``: how strong are the grading tests? Grade one-edit mutants of the master.

    python -m autograder mutants --count 200 --seed 0 --out out/mutants

1. Every solution block of ``solutions/rnnlab/*.py`` (between the ``# BEGIN SOLUTION`` and
   ``# END SOLUTION`` lines, as ``release`` finds them) belongs to the exercise its function is part
   of (``GRUCell.call_reset_after`` -> ``GRUCell``), and that exercise to the lab whose grading tests
   name it in the manifest.
2. ``engine.mutation_operators`` lists every one-edit mutant of each block; ``sample_mutants`` draws
   ``count`` of them, deterministically from the seed, taking exercises in turn (a larger count
   keeps the smaller one's mutants and adds more).
3. Each mutant is a submission, ``OUT/submissions/labN/<id>/rnnlab/``: the master with that one
   edit. ``grade_batch`` grades a lab's mutants (and the unedited master, the control) with the
   lab's public and hidden tests, in parallel workers, each mutant in its own confined child.
4. A mutant that keeps full marks *survived*. The survivors are graded again on the hidden cases of
   ``equivalence_seeds`` more seeds (other batch sizes, lengths, widths and values, the outputs
   compared with the master's inside the same grading tests): one that still keeps full marks looks
   *equivalent* to the master; one that loses points there shows a test too weak for its own seed.
5. ``engine.mutants_report`` writes ``OUT/mutants.md`` and ``OUT/mutants.json``.

Mutant code runs only where submissions run: in the sandbox's child, never in this process.
"""

import random
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder import SOLUTIONS_DIR
from autograder.engine.labs import LABS
from autograder.engine.manifest import load_manifest
from autograder.engine.mutation_operators import mutations
from autograder.engine.release import _enclosing_functions, find_blocks

MASTER_ID = "master"  # the control entry graded beside each lab's mutants


class MutantsError(ValueError):
    """Nothing to mutate, or the master itself does not get full marks: the report would mean nothing."""


@dataclass(frozen=True)
class SolutionBlock:
    module: str  # "gru.py"
    function: str  # "GRUCell.call_reset_after"
    exercise: str  # as the manifest names it: "GRUCell", "PeepholeLSTMCell (bonus)"
    lab: int
    first_line: int  # 1-based, inclusive: the block's code, markers left out
    last_line: int


@dataclass
class Mutant:
    id: str
    lab: int
    exercise: str
    module: str
    function: str
    operator: str
    line: int
    old: str
    new: str
    original_line: str
    mutated_line: str
    text: str = field(repr=False, default="")  # the mutated module (not written to the JSON)
    result: dict = field(default_factory=dict)  # filled in by grading (engine.mutants_report.classify)

    @property
    def edit(self):
        return f"{self.operator}: `{' '.join(self.old.split())}` -> `{' '.join(self.new.split())}`"

    def as_json(self):
        data = asdict(self)
        data.pop("text")
        data["edit"] = self.edit
        return data


def _exercise_labs(labs):
    """{exercise name: lab} for every exercise the manifest grades in ``labs``."""
    manifest = load_manifest()
    return {spec["exercise"]: lab for lab in labs for spec in manifest.get(f"lab{lab}", {}).values()}


def _exercise_of(function, exercises):
    """The manifest's exercise for a block in ``function`` ("LSTMCell.call" -> "LSTMCell")."""
    owner = function.split(".")[0]
    for name in exercises:
        if name == owner or name.startswith(owner + " ("):
            return name
    return None


def solution_blocks(labs=LABS, solutions_dir=SOLUTIONS_DIR, log=None):
    """Every solution block of the master that an exercise of ``labs`` owns, in file order."""
    exercises = _exercise_labs(labs)
    all_exercises = _exercise_labs(LABS)
    blocks = []
    for path in sorted((Path(solutions_dir) / "rnnlab").glob("*.py")):
        text = path.read_text()
        functions = _enclosing_functions(text)
        for block in find_blocks(text, path.name):
            function = functions[block.begin + 1][0]
            exercise = _exercise_of(function, exercises)
            if exercise is None:
                if log and _exercise_of(function, all_exercises) is None:
                    log(f"note: no grading test names the exercise of {path.name}:{block.begin + 1} ({function}); "
                        "its block is not mutated")
                continue
            blocks.append(SolutionBlock(path.name, function, exercise, exercises[exercise],
                                        block.begin + 2, block.end))
    return blocks


def _slug(exercise):
    return re.sub(r"[^a-z0-9]+", "_", exercise.lower()).strip("_")


def _lines(text, first, count):
    return "\n".join(text.splitlines()[first - 1: first - 1 + count])


def candidate_mutants(blocks, solutions_dir=SOLUTIONS_DIR):
    """{exercise: [Mutant]} for every edit of every block (ids not yet given)."""
    by_exercise = {}
    texts = {}
    for block in blocks:
        text = texts.setdefault(block.module, (Path(solutions_dir) / "rnnlab" / block.module).read_text())
        for edit in mutations(text, block.first_line, block.last_line):
            mutated = edit.apply(text)
            by_exercise.setdefault(block.exercise, []).append(Mutant(
                id="", lab=block.lab, exercise=block.exercise, module=block.module, function=block.function,
                operator=edit.operator, line=edit.line, old=edit.old, new=edit.new,
                original_line=_lines(text, edit.line, edit.old.count("\n") + 1),
                mutated_line=_lines(mutated, edit.line, edit.new.count("\n") + 1), text=mutated))
    return by_exercise


def sample_mutants(by_exercise, count, seed):
    """``count`` mutants (every one for ``count=None``), the same for the same seed: each exercise's
    list shuffled by ``random.Random(f"{seed}:{exercise}")``, then one from each exercise in turn
    (labs, then exercises, in order) until ``count`` are drawn. Ids: ``lab3-grucell-007``."""
    order = sorted(by_exercise, key=lambda name: (by_exercise[name][0].lab, name))
    queues = {}
    for name in order:
        queue = list(by_exercise[name])
        random.Random(f"{seed}:{name}").shuffle(queue)
        queues[name] = queue
    picked, taken = [], {name: 0 for name in order}
    while count is None or len(picked) < count:
        progressed = False
        for name in order:
            if (count is not None and len(picked) >= count) or taken[name] >= len(queues[name]):
                continue
            mutant = queues[name][taken[name]]
            taken[name] += 1
            mutant.id = f"lab{mutant.lab}-{_slug(name)}-{taken[name]:03d}"
            picked.append(mutant)
            progressed = True
        if not progressed:
            break
    return picked


def write_submissions(mutants, root, solutions_dir=SOLUTIONS_DIR):
    """``root/labN/<id>/rnnlab/`` for every mutant, and ``root/labN/master/`` (the control).
    Folders left from an earlier, other sample are removed; unchanged ones are rewritten identically
    (so ``grade_batch`` resumes them)."""
    root = Path(root)
    source = Path(solutions_dir) / "rnnlab"
    wanted = {}
    for mutant in mutants:
        wanted.setdefault(mutant.lab, {})[mutant.id] = mutant
    if root.exists():
        for lab_folder in root.iterdir():
            keep = wanted.get(_lab_of_folder(lab_folder), {})
            for entry in lab_folder.iterdir() if lab_folder.is_dir() else ():
                if entry.name != MASTER_ID and entry.name not in keep:
                    shutil.rmtree(entry)
    for lab, entries in wanted.items():
        for entry_id, mutant in [(MASTER_ID, None), *entries.items()]:
            package = root / f"lab{lab}" / entry_id / "rnnlab"
            if package.exists():
                shutil.rmtree(package)
            shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            if mutant is not None:
                (package / mutant.module).write_text(mutant.text)
    return {lab: root / f"lab{lab}" for lab in wanted}


def _lab_of_folder(folder):
    return int(folder.name[3:]) if folder.name[3:].isdigit() else None


def _grade(submissions, out_dir, lab, seed, workers, call_timeout, log):
    from autograder.engine.batch import grade_batch

    return grade_batch(submissions, out_dir, [lab], workers=workers, seed=seed, call_timeout=call_timeout,
                       hidden=True, log=log, similarity=False)


def _survivor_folder(folders, lab, ids, root):
    """``root/labN/`` holding copies of the survivors' submissions (what a regrade on other seeds reads)."""
    target = Path(root) / f"lab{lab}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for mutant_id in ids:
        shutil.copytree(folders[lab] / mutant_id, target / mutant_id)
    return target


def run_mutants(out_dir, labs=LABS, count=200, seed=0, workers=2, equivalence_seeds=2, call_timeout=60,
                log=print, solutions_dir=SOLUTIONS_DIR):
    """Make, grade and classify the mutants; write ``OUT/mutants.md`` and ``OUT/mutants.json``.
    Returns the summary (``engine.mutants_report.summarise``)."""
    from autograder.engine import mutants_report

    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    blocks = solution_blocks(labs, solutions_dir, log=log)
    if not blocks:
        raise MutantsError(f"no solution block in {solutions_dir}/rnnlab belongs to an exercise of lab(s) "
                           f"{', '.join(map(str, labs))}")
    mutants = sample_mutants(candidate_mutants(blocks, solutions_dir), count, seed)
    folders = write_submissions(mutants, out_dir / "submissions", solutions_dir)
    by_lab = {}
    for mutant in mutants:
        by_lab.setdefault(mutant.lab, []).append(mutant)
    log(f"{len(mutants)} mutants of {len({m.exercise for m in mutants})} exercises in lab(s) "
        f"{', '.join(map(str, sorted(by_lab)))} (seed {seed}); grading each with its lab's public and hidden tests")
    for lab, lab_mutants in sorted(by_lab.items()):
        rows = _grade(folders[lab], out_dir / "graded" / f"lab{lab}", lab, seed, workers, call_timeout,
                      _prefixed(log, f"lab {lab}"))
        mutants_report.classify(lab_mutants, rows, lab)
        survivors = [m.id for m in lab_mutants if m.result["verdict"] == "survived"]
        for extra in range(1, equivalence_seeds + 1):
            if not survivors:
                break
            log(f"lab {lab}: {len(survivors)} survivor(s): grading them on the hidden cases of seed {seed + extra}")
            folder = _survivor_folder(folders, lab, survivors, out_dir / "survivors" / f"seed{seed + extra}")
            rows = _grade(folder, out_dir / "graded" / f"lab{lab}-seed{seed + extra}", lab, seed + extra,
                          workers, call_timeout, _prefixed(log, f"lab {lab}, seed {seed + extra}"))
            mutants_report.add_equivalence(lab_mutants, rows, seed + extra)
    summary = mutants_report.summarise(mutants, dict(labs=list(labs), count=count, seed=seed,
                                                     equivalence_seeds=equivalence_seeds,
                                                     seconds=round(time.perf_counter() - started, 1)))
    mutants_report.write(out_dir, summary)
    log(mutants_report.headline(summary))
    log(f"Wrote {out_dir / 'mutants.md'} and {out_dir / 'mutants.json'}")
    return summary


def _prefixed(log, prefix):
    return lambda message: log(f"[{prefix}] {message}")
