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
import os
import stat
import time
import zipfile
from pathlib import Path

from autograder import KIT_ROOT

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
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            archive.writestr(info, text)
        for file in _files():
            archive.write(file, file.relative_to(KIT_ROOT).as_posix())
        archive.writestr("gradescope_config.json", json.dumps({"seed": seed, "labs": labs}))
    os.replace(tmp, out)
    return out


def run_one(submission, results_path, config_path=KIT_ROOT / "gradescope_config.json", timeout=60):
    """Grade ``submission`` (Gradescope's upload folder) and write results.json. Never raises."""
    from autograder import grading, report
    from autograder.batch import atomic_json
    from autograder.cases import LABS, load_fixture
    from autograder.hidden import hidden_cases
    from autograder.release import fixture_path
    from autograder.submission import SubmissionError, check_no_escaping_links, extract_zip, find_package_root

    started = time.perf_counter()
    config = json.loads(Path(config_path).read_text()) if Path(config_path).exists() else {}
    labs = config.get("labs") or list(LABS)
    results_path = Path(results_path)
    try:
        submission = Path(submission)
        zips = sorted(submission.glob("*.zip")) if submission.is_dir() and not (submission / "rnnlab").exists() else []
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            folder = extract_zip(zips[0], scratch) if len(zips) == 1 else submission
            root = find_package_root(folder)
            check_no_escaping_links(root)
            public = {lab: load_fixture(fixture_path(lab)) for lab in labs}
            hidden = hidden_cases(labs, config.get("seed", 0))
            result = grading.grade(root, public, labs, call_timeout=timeout, hidden_cases_by_lab=hidden,
                                   hidden_paths=[str(KIT_ROOT / "solutions"), str(results_path.parent)])
        atomic_json(results_path, report.gradescope_results(result))
    except SubmissionError as error:
        atomic_json(results_path, report.malformed_results(str(error), 0.0))
    except Exception as error:  # the results file must exist whatever happens
        atomic_json(results_path, report.malformed_results(
            f"internal grader error (not your fault, tell your TA): {type(error).__name__}: {error}", 0.0))
    return time.perf_counter() - started
