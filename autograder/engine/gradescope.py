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


def build_zip(out, seed, labs):
    out = Path(out)
    with replacing(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            archive.writestr(info, text)
        for file in _files():
            archive.write(file, file.relative_to(KIT_ROOT).as_posix())
        archive.writestr("gradescope_config.json", json.dumps({"seed": seed, "labs": labs}))
    return out


# Gradescope stops an autograder after 10 minutes by default, and then the student gets no results
# at all: the submission's budget leaves time for TensorFlow's import and the hidden cases.
GRADESCOPE_BUDGET_S = 300.0


def run_one(submission, results_path, config_path=KIT_ROOT / "gradescope_config.json", timeout=60,
            submission_timeout=None):
    """Grade ``submission`` (Gradescope's upload folder) and write results.json. Never raises, except
    ``KeyboardInterrupt`` (SIGTERM), after writing a results.json that says grading was stopped."""
    from autograder.engine import grading, report
    from autograder.engine.cases import load_public_fixtures
    from autograder.engine.hidden import hidden_cases
    from autograder.engine.labs import LABS
    from autograder.engine.submission import SubmissionError, unpack_submission

    started = time.perf_counter()
    config = json.loads(Path(config_path).read_text()) if Path(config_path).exists() else {}
    labs = config.get("labs") or list(LABS)
    results_path = Path(results_path)
    try:
        with tempfile.TemporaryDirectory(prefix="rnnlab-submission-") as scratch:
            root = unpack_submission(submission, scratch)
            public = load_public_fixtures(labs)
            hidden = hidden_cases(labs, config.get("seed", 0))
            result = grading.grade(root, public, labs, call_timeout=timeout, hidden_cases_by_lab=hidden,
                                   hidden_paths=[str(KIT_ROOT / "solutions"), str(results_path.parent)],
                                   submission_timeout=submission_timeout or GRADESCOPE_BUDGET_S)
        atomic_json(results_path, report.gradescope_results(result))
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
