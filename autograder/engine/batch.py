"""``grade``: a whole class's submissions in one folder -> gradebook, feedback, Gradescope results.

    SUBMISSIONS/alice/rnnlab/...      a folder holding rnnlab/   -> id "alice"
    SUBMISSIONS/bob.zip               a zip of one               -> id "bob"

For every entry, always: ``OUT/<id>/results.json`` (Gradescope's schema), ``OUT/<id>/feedback.md``
and a row in ``OUT/gradebook.csv``; a submission that is malformed, crashes or hangs gets a row with
a message. Then ``OUT/summary.md`` and ``OUT/scores.png``. Writes are atomic; a rerun skips entries
whose content, seed and grader are unchanged.

Workers are processes; each owns a zygote (TensorFlow imported once) that forks one confined child
per submission. The hidden cases are computed once, from ``solutions/``, in this process's helper,
while the workers' zygotes import TensorFlow, and travel to the workers with each submission.
"""

import hashlib
import io
import json
import multiprocessing
import os
import signal
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from autograder import KIT_ROOT, SOLUTIONS_DIR
from autograder.engine.files import atomic_json, atomic_write
from autograder.engine import regrade
from autograder.engine.gradebook import GRADEBOOK_COLUMNS, write_gradebook, write_summary  # noqa: F401
from autograder.engine.policy import ClassPolicy
from autograder.engine.similarity import write_similarity_report

STAMP_NAME = regrade.STAMP_NAME  # the record of what an entry was graded with (resume)


# -- small helpers -------------------------------------------------------------------------------
def entry_id(path, taken):
    name = path.name[:-4] if path.is_file() and path.suffix == ".zip" else path.name
    return name if name not in taken else path.name


def content_hash(path):
    """A hash of what was handed in: a zip's bytes, or every file under a folder (names and bytes)."""
    digest = hashlib.sha256()
    if path.is_file():
        digest.update(path.read_bytes())
    else:
        for file in sorted(p for p in path.rglob("*") if p.is_file() and not {"__pycache__", ".rnnlab"} & set(p.parts)):
            digest.update(str(file.relative_to(path)).encode() + b"\0")
            digest.update(file.read_bytes() if not file.is_symlink() else b"->" + os.fsencode(os.readlink(file)))
    return digest.hexdigest()


def grader_version():
    """Changes whenever the grader, its fixtures or the master solution change (resume safety)."""
    digest = hashlib.sha256()
    for root in (KIT_ROOT / "autograder", SOLUTIONS_DIR / "rnnlab"):
        for file in sorted(root.rglob("*")):
            if file.is_file() and file.suffix in (".py", ".npz", ".json", ".ini"):
                digest.update(str(file.relative_to(KIT_ROOT)).encode() + file.read_bytes())
    return digest.hexdigest()[:16]


# -- the worker side -------------------------------------------------------------------------------
_WORKER = {}


def _init_worker(hidden_paths, call_timeout, submission_timeout, labs, visibility=None):
    from autograder.engine.cases import load_public_fixtures

    # SIGTERM (the grader stopping its workers): end this worker's zygote and child first.
    signal.signal(signal.SIGTERM, _stop_worker)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the grader, which stops the workers
    _WORKER.update(
        public=load_public_fixtures(labs), hidden={}, hidden_blobs=None, labs=labs, hidden_paths=hidden_paths,
        call_timeout=call_timeout, submission_timeout=submission_timeout, zygote=None, visibility=visibility,
    )


def _stop_worker(signum, frame):
    from autograder.sandbox.session import stop_all

    stop_all()
    os._exit(128 + signum)


def _zygote():
    from autograder.sandbox.session import Zygote

    if _WORKER.get("zygote") is None or not _WORKER["zygote"].alive:
        _WORKER["zygote"] = Zygote()
    return _WORKER["zygote"]


def start_zygote():
    """A first task for each worker: import TensorFlow now, while the parent computes hidden cases."""
    _zygote()


def _use_hidden(hidden_blobs):
    """Decode the hidden cases (``{lab: npz bytes}``) once per worker; every task brings the same."""
    from autograder.engine.cases import from_npz_dict
    import numpy as np

    if _WORKER["hidden_blobs"] != hidden_blobs:
        hidden = {}
        for lab, blob in hidden_blobs.items():
            with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
                hidden[lab] = from_npz_dict({k: archive[k] for k in archive.files})
        _WORKER.update(hidden=hidden, hidden_blobs=hidden_blobs)


def grade_entry(entry, submission_id, out_dir, stamp, hidden_blobs):
    """Grade one entry and write its files; returns its gradebook row. Never raises."""
    from autograder.engine import grading, report
    from autograder.engine.submission import SubmissionError, unpack_submission

    entry, out = Path(entry), Path(out_dir) / submission_id
    started = time.perf_counter()
    _use_hidden(hidden_blobs)
    labs, with_hidden = _WORKER["labs"], bool(_WORKER["hidden"])
    with tempfile.TemporaryDirectory(prefix="rnnlab-entry-") as scratch:
        try:
            root = unpack_submission(entry, scratch)
        except SubmissionError as error:
            return _write_malformed(out, submission_id, str(error), labs, with_hidden, stamp, started)
        try:
            result = grading.grade(root, _WORKER["public"], _WORKER["labs"], call_timeout=_WORKER["call_timeout"],
                                   hidden_cases_by_lab=_WORKER["hidden"] or None, zygote=_zygote(),
                                   hidden_paths=_WORKER["hidden_paths"],
                                   submission_timeout=_WORKER["submission_timeout"])
        except Exception as error:  # a grader bug must cost one row a message, not the batch
            return _write_malformed(out, submission_id, f"internal grader error: {type(error).__name__}: {error}",
                                    labs, with_hidden, stamp, started, status="grader_error")
    atomic_json(out / "results.json", report.gradescope_results(result, visibility_rules=_WORKER["visibility"]))
    atomic_write(out / "feedback.md", report.feedback_markdown(result, submission_id))
    problems = Counter(r.status for r in result.results if r.status not in ("passed", "failed", "blocked"))
    status = "graded" if not problems else "graded (" + ", ".join(f"{n} {k}" for k, n in sorted(problems.items())) + ")"
    row = {
        "submission": submission_id, **report.score_fields(result), "status": status,
        "message": _headline(result), "seconds": round(time.perf_counter() - started, 1),
        "mistakes": [[r.lab, r.exercise, r.mistake] for r in result.results if r.mistake],
        "failed_exercises": sorted({f"lab{r.lab} {r.exercise}" for r in result.results if r.score < r.max_score}),
    }
    atomic_json(out / STAMP_NAME, dict(stamp, row=row))
    return row


def _headline(result):
    failed = [r for r in result.results if r.status != "passed" and r.status != "blocked"]
    headline = "all tests passed"
    if failed:
        headline = f"{len(failed)} test(s) failed; first: {failed[0].name}: {failed[0].output[:160]}"
    if result.warnings:  # forbidden imports: the TA should see them in the gradebook
        headline = f"{result.warnings[0][:200]} | {headline}"
    return headline


def _write_malformed(out, submission_id, message, labs, with_hidden, stamp, started, status="malformed"):
    """Files and row for an entry that scored nothing without being graded. Only a malformed entry
    is stamped as done: after a grader error, a rerun grades it again."""
    from autograder.engine import report
    from autograder.engine.manifest import max_points

    max_score = max_points(labs, with_hidden)
    atomic_json(out / "results.json", report.malformed_results(message, max_score))
    atomic_write(out / "feedback.md", f"# Feedback for {submission_id}\n\n**Score: 0 / {max_score:g}**\n\n"
                                      f"This submission could not be graded: {message}\n")
    row = {"submission": submission_id, "score": 0.0, "max_score": max_score, "public_score": 0.0,
           "public_max_score": max_points(labs, False), "bonus": 0.0, "status": status, "message": message,
           "seconds": round(time.perf_counter() - started, 1), "mistakes": [], "failed_exercises": []}
    if status == "malformed":
        atomic_json(out / STAMP_NAME, dict(stamp, row=row))
    else:
        (out / STAMP_NAME).unlink(missing_ok=True)
    return row


# -- the batch side --------------------------------------------------------------------------------
def _eta(done, total, elapsed):
    if not done:
        return "?"
    seconds = elapsed / done * (total - done)
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def _entries(submissions):
    """[(path, submission id)] for every entry of the submissions folder, dot files left out."""
    entries, taken = [], set()
    for path in sorted(submissions.iterdir()):
        if path.name.startswith("."):
            continue
        submission_id = entry_id(path, taken)
        taken.add(submission_id)
        entries.append((path, submission_id))
    return entries


def _resume(entries, out_dir, stamp_base):
    """({id: row} of entries already graded and unchanged, [(path, id, stamp)] still to grade)."""
    rows, todo = {}, []
    for path, submission_id in entries:
        stamp = dict(stamp_base, content=content_hash(path))
        try:
            previous = json.loads((out_dir / submission_id / STAMP_NAME).read_text())
            if {k: previous.get(k) for k in stamp} == stamp and (out_dir / submission_id / "results.json").exists():
                rows[submission_id] = previous["row"]
                continue
        except (OSError, ValueError, KeyError):
            pass
        todo.append((path, submission_id, stamp))
    return rows, todo


def _hidden_blobs(labs, seed, hidden, log):
    """{lab: npz bytes} of the hidden cases, computed from solutions/ ({} for a public-only run)."""
    from autograder.engine.cases import to_npz_dict
    from autograder.engine.hidden import hidden_cases
    import numpy as np

    if not hidden:
        return {}
    log(f"Computing hidden cases for seed {seed} from solutions/ ...")
    blobs = {}
    for lab, cases in hidden_cases(labs, seed).items():
        buffer = io.BytesIO()
        np.savez(buffer, **to_npz_dict(list(cases.values())))
        blobs[lab] = buffer.getvalue()
    return blobs


def _stop_pool(pool):
    """End the workers now: each kills its zygote and child on SIGTERM (``_stop_worker``)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.terminate()
    for process in list(getattr(pool, "_processes", {}).values()):
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _run_pool(pending, todo, rows, out_dir, labs, settings, log, blobs, started):
    """One pool's life: grade ``pending`` until done; the pool always ends (also on Ctrl-C/SIGTERM)."""
    pool = ProcessPoolExecutor(max_workers=settings["workers"], mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(settings["hidden_paths"], settings["call_timeout"],
                                                                  settings["submission_timeout"], labs,
                                                                  settings.get("visibility_rules")))
    try:
        for _ in range(min(settings["workers"], len(pending))):
            pool.submit(start_zygote)  # the zygotes import TensorFlow while the hidden cases are computed
        if blobs is None:
            blobs = _hidden_blobs(labs, settings["seed"], settings["hidden"], log)
        futures = {pool.submit(grade_entry, str(p), i, str(out_dir), s, blobs): (p, i, s) for p, i, s in pending}
        for future in as_completed(futures):
            path, submission_id, stamp = futures[future]
            rows[submission_id] = row = future.result()
            pending.remove((path, submission_id, stamp))
            write_gradebook(out_dir, rows, settings.get("policy"))
            done, elapsed = len(todo) - len(pending), time.perf_counter() - started
            log(f"[{done}/{len(todo)}] {submission_id}: {row['score']:g}/{row['max_score']:g} "
                f"{row['status']}  (elapsed {elapsed:.0f} s, ETA {_eta(done, len(todo), elapsed)})")
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)
    return blobs


def _grade_todo(todo, rows, out_dir, labs, settings, log):
    """Grade ``todo`` with a pool of workers into ``rows``, writing the gradebook after each entry.

    ``settings``: workers, seed, hidden, call_timeout, submission_timeout and hidden_paths. A worker
    that dies costs the entry it was grading a grader_error row; a new pool grades the rest.
    """
    started, blobs, pending = time.perf_counter(), None, list(todo)
    while pending:
        try:
            blobs = _run_pool(pending, todo, rows, out_dir, labs, settings, log, blobs, started)
        except BrokenProcessPool:
            # A worker died (it only runs trusted code, so this is rare): record, go on with the rest.
            for path, submission_id, stamp in [entry for entry in pending if entry[1] not in rows][:1]:
                rows[submission_id] = _write_malformed(out_dir / submission_id, submission_id,
                                                       "the grading worker died while grading this submission",
                                                       labs, settings["hidden"], stamp, time.perf_counter(),
                                                       status="grader_error")
                pending.remove((path, submission_id, stamp))


def grade_batch(submissions, out_dir, labs, workers=2, seed=0, call_timeout=60, hidden=True, log=print,
                submission_timeout=None, policy=None, visibility_rules=None, similarity=True):
    """Grade every entry of ``submissions`` into ``out_dir``; returns {id: row} (final scores).

    ``policy`` (``engine.policy``): overrides and late penalties on top of the computed scores;
    ``visibility_rules`` (``engine.visibility``). Then OUT/similarity.md and OUT/changes.md.

    Ctrl-C or SIGTERM (``KeyboardInterrupt`` here) ends every worker, zygote and child, keeps the
    rows already written (a rerun resumes from them) and is raised again for the caller to report.
    """
    submissions, out_dir = Path(submissions).resolve(), Path(out_dir).resolve()
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions} is not a folder of submissions")
    if out_dir == submissions or out_dir.is_relative_to(submissions):
        raise ValueError("--out must not be inside the submissions folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = _entries(submissions)
    policy = policy or ClassPolicy()
    policy.remember(out_dir)
    policy.read_entries(entries)
    stamp_base = {"seed": seed, "labs": labs, "grader": grader_version(), "hidden": hidden,
                  **({"visibility": [list(rule) for rule in visibility_rules]} if visibility_rules else {})}
    rows, todo = _resume(entries, out_dir, stamp_base)
    before = regrade.snapshot(out_dir, todo)  # before grading rewrites anything
    log(f"{len(entries)} submissions: {len(rows)} already graded and unchanged, {len(todo)} to grade "
        f"with {workers} worker(s).")
    started = time.perf_counter()
    settings = {"workers": workers, "seed": seed, "hidden": hidden, "call_timeout": call_timeout,
                "submission_timeout": submission_timeout, "policy": policy, "visibility_rules": visibility_rules,
                "hidden_paths": [str(SOLUTIONS_DIR), str(submissions), str(out_dir)]}
    try:
        _grade_todo(todo, rows, out_dir, labs, settings, log)
    except KeyboardInterrupt:
        write_gradebook(out_dir, rows, policy)
        log(f"stopped: {len(rows)} of {len(entries)} submissions are graded and in {out_dir / 'gradebook.csv'}; "
            "every grading process has ended. Rerun the same command to grade the rest.")
        raise
    write_gradebook(out_dir, rows, policy)
    final = {submission_id: policy.final_row(out_dir, row) for submission_id, row in rows.items()}
    write_summary(out_dir, final, seed, time.perf_counter() - started)
    if similarity:
        write_similarity_report(out_dir, entries, log=log)
    regrade.write_changes(out_dir, before, regrade.snapshot(out_dir), log=log)
    policy.report_problems(out_dir / "summary.md", log)
    return final
