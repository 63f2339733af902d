"""Gradescope: build ``autograder.zip``, and grade one submission the way Gradescope runs it.

``python -m autograder gradescope --out autograder.zip [--seed S]`` packs the kit (grader, master
solution, fixtures, requirements) with:

    setup.sh         installs requirements.txt (Gradescope runs it once when building the image)
    run_autograder   grades /autograder/submission -> /autograder/results/results.json

Both paths can be overridden with RNNLAB_GS_SUBMISSION and RNNLAB_GS_RESULTS, so the kit's tests
run the produced ``run_autograder`` on a fake layout. The hidden-case seed is written into the zip
(``gradescope_config.json``); students never see the autograder zip.
"""

import json
import stat
import tempfile
import time
import zipfile
from pathlib import Path

from autograder import KIT_ROOT
from autograder.engine.files import atomic_json, replacing

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once to build the grading image.
set -euo pipefail
cd /autograder/source
python3 -m pip install --quiet -r requirements.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it must always leave a results.json behind.
set -uo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ -d "$SOURCE/source/autograder" ] && SOURCE="$SOURCE/source"
cd "$SOURCE"
python3 -m autograder gradescope-run \\
    --submission "${RNNLAB_GS_SUBMISSION:-/autograder/submission}" \\
    --results "${RNNLAB_GS_RESULTS:-/autograder/results/results.json}"
"""

PACKED = ["autograder", "solutions/rnnlab", "datasets", "requirements.txt"]
SKIP_PARTS = {"__pycache__", ".pytest_cache"}


def _files():
    for entry in PACKED:
        path = KIT_ROOT / entry
        if path.is_file():
            yield path
            continue
        for file in sorted(path.rglob("*")):
            if file.is_file() and not SKIP_PARTS & set(file.relative_to(KIT_ROOT).parts) and file.suffix != ".pyc":
                yield file


def build_zip(out, seed, labs, settings=None):
    """``settings`` (into gradescope_config.json): ``visibility`` rules (``engine.visibility``),
    ``max_graded`` and ``window_hours`` (``engine.ratelimit``), ``due``, ``late_penalty`` and
    ``late_cap`` (``engine.late``; the due date defaults to Gradescope's own)."""
    out = Path(out)
    with replacing(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            archive.writestr(info, text)
        for file in _files():
            archive.write(file, file.relative_to(KIT_ROOT).as_posix())
        archive.writestr("gradescope_config.json", json.dumps(dict(settings or {}, seed=seed, labs=labs)))
    return out


# Gradescope stops an autograder after 10 minutes by default, and then the student gets no results
# at all: the submission's budget leaves time for TensorFlow's import and the hidden cases.
GRADESCOPE_BUDGET_S = 300.0


def _metadata(path):
    """Gradescope's submission_metadata.json as a dict ({} when absent or unreadable)."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def _late_adjusted(results, config, metadata):
    """results.json with the late policy of ``config`` applied (the submission time from
    ``metadata``'s created_at; the due date from the config or Gradescope's assignment)."""
    from autograder.engine import late

    due = config.get("due") or (metadata.get("assignment") or {}).get("due_date")
    if not config.get("late_penalty") or not due or not metadata.get("created_at"):
        return results
    try:
        policy = late.LatePolicy(late.parse_time(due), late.parse_rate(config["late_penalty"]),
                                 late.parse_rate(config["late_cap"], "--late-cap") if config.get("late_cap") else 1.0)
        submitted = late.parse_time(metadata["created_at"])
    except ValueError as error:  # never cost the student their results over a date format
        return dict(results, output=f"(No late policy applied: {error}.) " + results["output"])
    assessed = policy.assess(submitted, results["score"], None)
    if assessed["penalty"]:
        results = dict(results, score=round(results["score"] - assessed["penalty"], 4),
                       extra_data={"raw_score": results["score"], **assessed})
        results["output"] = (f"Late: submitted {submitted.isoformat()}, {assessed['late_days']} day(s) after the due "
                             f"date {policy.due.isoformat()}; {assessed['penalty']:g} points off "
                             f"({policy.rate * 100:g}% a day). " + results["output"])
    return results


def run_one(submission, results_path, config_path=KIT_ROOT / "gradescope_config.json", timeout=60,
            submission_timeout=None, metadata_path=None):
    """Grade ``submission`` (Gradescope's upload folder) and write results.json. Never raises, except
    ``KeyboardInterrupt`` (SIGTERM), after writing a results.json that says grading was stopped.

    With ``max_graded`` in the config, a submission over the limit is not graded (``engine.ratelimit``);
    with ``late_penalty``, the score is reduced by the late policy (``engine.late``)."""
    from autograder.engine import ratelimit
    from autograder.engine import grading, report
    from autograder.engine.cases import load_public_fixtures
    from autograder.engine.hidden import hidden_cases
    from autograder.engine.labs import LABS
    from autograder.engine.submission import SubmissionError, unpack_submission

    started = time.perf_counter()
    config = json.loads(Path(config_path).read_text()) if Path(config_path).exists() else {}
    labs = config.get("labs") or list(LABS)
    results_path = Path(results_path)
    metadata = _metadata(metadata_path or results_path.parent.parent / "submission_metadata.json")
    try:
        limited = ratelimit.check_limit(metadata, config.get("max_graded"), config.get("window_hours", 24)) \
            if metadata.get("created_at") else None
    except (KeyError, ValueError, TypeError):
        limited = None  # metadata in an unexpected shape: grade rather than refuse
    if limited is not None:
        atomic_json(results_path, {k: v for k, v in limited.items() if v is not None})
        return time.perf_counter() - started
    try:
        with tempfile.TemporaryDirectory(prefix="rnnlab-submission-") as scratch:
            root = unpack_submission(submission, scratch)
            public = load_public_fixtures(labs)
            hidden = hidden_cases(labs, config.get("seed", 0))
            result = grading.grade(root, public, labs, call_timeout=timeout, hidden_cases_by_lab=hidden,
                                   hidden_paths=[str(KIT_ROOT / "solutions"), str(results_path.parent)],
                                   submission_timeout=submission_timeout or GRADESCOPE_BUDGET_S)
        results = report.gradescope_results(result, visibility_rules=config.get("visibility"))
        atomic_json(results_path, _late_adjusted(results, config, metadata))
    except KeyboardInterrupt:
        atomic_json(results_path, report.malformed_results(
            "grading was stopped before it finished (the autograder was told to stop); please resubmit", 0.0))
        raise
    except SubmissionError as error:
        atomic_json(results_path, report.malformed_results(str(error), 0.0))
    except Exception as error:  # the results file must exist whatever happens
        atomic_json(results_path, report.malformed_results(
            f"internal grader error (not your fault, tell your TA): {type(error).__name__}: {error}", 0.0))
    return time.perf_counter() - started
