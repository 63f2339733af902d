"""Extending the kit (docs/EXTENDING.md): the templates scaffold a lab and a dataset that work as they stand.

On a copy of the kit in a temporary folder, ``new-lab`` and ``new-dataset`` write a new lab and a
new sequence task from ``templates/``; ``release`` then takes the new lab up like any other, and:
the master scores full marks, the untouched release scores 0 with "not implemented yet" on every
test, ``release --check`` is clean, the walkthrough runs in fast mode, and the scaffolded kit tests
(the grader on broken copies, the walkthrough, the dataset) pass. Scaffolding refuses to overwrite
anything. About a minute: every step is a real subprocess in the copy, as an instructor runs it.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import KIT_ROOT

from autograder.engine import scaffold
from autograder.engine.labs import LABS
from autograder.engine.release import find_blocks

NEW_LAB = max(LABS + (8,)) + 1  # 9 today; always a number no lab uses
TOPIC, MODULE, DATASET = "impulse_memory", "impulse_memory", "first_symbol"
COPIED = ["solutions", "autograder", "datasets", "labs", "templates", "run_all.py", "pytest.ini", "requirements.txt",
          "tests/conftest.py", "tests/graderkit.py"]
IGNORED = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".ipynb_checkpoints", "*.pyc", "*.tmp", "*.tmp.npz")


# What a finished lab has (its probes may be the shared ones), and every file named after a lab.
LAB_REQUIRED = ["autograder/labs/lab{n}/cases.py", "autograder/labs/lab{n}/test_lab{n}.py",
                "autograder/generated/fixtures/lab{n}.npz", "solutions/lab{n}_*.py"]
LAB_FILES = LAB_REQUIRED + ["autograder/labs/lab{n}", "labs/lab{n}_*.py"]


def unfinished_labs(root):
    """Labs that some of their files name but that lack a case module, grading tests, fixtures or a
    walkthrough: a lab someone is still building. They stay out of the copy, so they cannot break it."""
    found = set()
    for pattern in LAB_FILES:
        for path in root.glob(pattern.format(n="*")):
            number = re.search(r"lab(\d+)", path.relative_to(root).as_posix())
            if number:
                found.add(int(number.group(1)))
    return sorted(lab for lab in found if not all(list(root.glob(pattern.format(n=lab))) for pattern in LAB_REQUIRED))


def copy_kit(target):
    for item in COPIED:
        source, destination = KIT_ROOT / item, target / item
        if source.is_dir():
            shutil.copytree(source, destination, ignore=IGNORED)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    for lab in unfinished_labs(KIT_ROOT):
        for pattern in LAB_FILES:
            for path in target.glob(pattern.format(n=lab)):
                shutil.rmtree(path) if path.is_dir() else path.unlink()


def environment():
    variables = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg")
    variables.pop("PYTHONPATH", None)  # the copy's own packages, never this tree's
    return variables


def autograder(kit, *args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=kit, env=environment(),
                          capture_output=True, text=True, timeout=300)


def run_together(kit, logs, commands, timeout=600):
    """Run {name: argv} side by side in the copy (each waits on TensorFlow's start-up for a while);
    returns {name: CompletedProcess}."""
    running = {}
    for name, argv in commands.items():
        with open(logs / f"{name}.out", "w") as out, open(logs / f"{name}.err", "w") as err:
            running[name] = subprocess.Popen([sys.executable, *argv], cwd=kit, env=environment(), stdout=out,
                                             stderr=err, text=True)
    results = {}
    try:
        for name, process in running.items():
            process.wait(timeout=timeout)
            results[name] = subprocess.CompletedProcess(process.args, process.returncode,
                                                        (logs / f"{name}.out").read_text(),
                                                        (logs / f"{name}.err").read_text())
    finally:
        for process in running.values():
            if process.poll() is None:  # only after a timeout: leave nothing running
                process.kill()
                process.wait()
    return results


def fingerprint(root):
    """Every file's path and content hash under root (caches and outputs aside)."""
    digest = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not {"__pycache__", ".pytest_cache", "out"} & set(path.relative_to(root).parts):
            digest[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    root = tmp_path_factory.mktemp("kit")
    copy_kit(root)
    steps = {"new-lab": autograder(root, "new-lab", str(NEW_LAB), TOPIC, "--title", "what a linear recurrence remembers"),
             "new-dataset": autograder(root, "new-dataset", DATASET)}
    for name, result in steps.items():
        assert result.returncode == 0, (name, result.stdout, result.stderr[-3000:])
    # Only the new lab's fixtures: the others are test_release.py's business (and take 15 s more).
    steps["release"] = autograder(root, "release", "--lab", str(NEW_LAB))
    assert steps["release"].returncode == 0, steps["release"].stderr[-3000:]
    lab = str(NEW_LAB)
    kit_tests = [f"tests/test_grader_lab{lab}.py", f"tests/test_lab{lab}_walkthrough.py", f"tests/test_dataset_{DATASET}.py"]
    steps.update(run_together(root, tmp_path_factory.mktemp("logs"), {
        "check solutions": ["-m", "autograder", "check", "solutions", "--lab", lab, "--json", "check-solutions.json"],
        "check labs": ["-m", "autograder", "check", "labs", "--lab", lab, "--json", "check-labs.json"],
        "release --check": ["-m", "autograder", "release", "--check", "--lab", lab],
        # The walkthrough test in here runs the lab with RNNLAB_FAST=1.
        "kit tests": ["-m", "pytest", *kit_tests, "-v", "-p", "no:cacheprovider", "-rfEs"],
    }))
    return root, steps


def check_json(kit, folder):
    root, steps = kit
    result = steps[f"check {folder}"]
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((root / f"check-{folder}.json").read_text()), result.stdout


def test_new_lab_writes_every_part_and_prints_the_next_steps(kit):
    root, steps = kit
    written = [f"solutions/lab{NEW_LAB}_{TOPIC}.py", f"solutions/rnnlab/{MODULE}.py",
               f"autograder/labs/lab{NEW_LAB}/cases.py", f"autograder/labs/lab{NEW_LAB}/probes.py",
               f"autograder/labs/lab{NEW_LAB}/mistakes.py", f"autograder/labs/lab{NEW_LAB}/test_lab{NEW_LAB}.py",
               f"tests/test_grader_lab{NEW_LAB}.py", f"tests/test_lab{NEW_LAB}_walkthrough.py"]
    out = steps["new-lab"].stdout
    for path in written:
        assert (root / path).is_file() and path in out, path
        text = (root / path).read_text()
        assert "{{" not in text and "}}" not in text, path  # every placeholder substituted
    for command in ("python -m autograder release", f"python -m autograder check solutions --lab {NEW_LAB}",
                    f"python -m autograder check labs --lab {NEW_LAB}", f"python -m pytest tests/test_grader_lab{NEW_LAB}.py"):
        assert command in out, command
    assert "what a linear recurrence remembers" in (root / f"autograder/labs/lab{NEW_LAB}/cases.py").read_text()
    # release took the new lab up: stripped walkthrough and module, fixtures, manifest.
    assert (root / f"labs/lab{NEW_LAB}_{TOPIC}.py").is_file()
    assert f'raise NotImplementedError("linear_recurrence: fill in this TODO in rnnlab/{MODULE}.py")' in \
        (root / f"labs/rnnlab/{MODULE}.py").read_text()
    assert (root / f"autograder/generated/fixtures/lab{NEW_LAB}.npz").is_file()
    # run_all.py finds the walkthrough by its name, so the main job runs the new lab too.
    found = subprocess.run([sys.executable, "-c", "import run_all; print([p.name for p in run_all.lab_scripts()])"],
                           cwd=root, env=environment(), capture_output=True, text=True, timeout=60)
    assert f"lab{NEW_LAB}_{TOPIC}.py" in found.stdout, found.stdout + found.stderr
    assert set(json.loads((root / "autograder/generated/manifest.json").read_text())[f"lab{NEW_LAB}"]) == {
        "test_linear_recurrence_forward", "test_linear_recurrence_zero_state", "test_linear_recurrence_gradients"}


def test_master_scores_full_marks(kit):
    result, stdout = check_json(kit, "solutions")
    assert result["max_score"] > 0 and result["score"] == result["max_score"], result
    assert f"Lab {NEW_LAB}: what a linear recurrence remembers" in stdout


def test_untouched_release_scores_zero_saying_not_implemented(kit):
    result, _ = check_json(kit, "labs")
    assert result["max_score"] > 0 and result["score"] == 0
    for test in result["tests"]:
        assert test["output"].startswith("not implemented yet: linear_recurrence"), test


def test_release_check_is_clean(kit):
    result = kit[1]["release --check"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Release is up to date" in result.stderr


def test_walkthrough_runs_in_fast_mode(kit):
    root, steps = kit
    output = steps["kit tests"].stdout
    assert re.search(rf"test_lab{NEW_LAB}_walkthrough.py::test_runs_in_fast_mode_and_saves_its_figure PASSED", output), \
        output[-5000:]
    assert (root / "out" / f"lab{NEW_LAB}" / "impulse_norms.png").is_file()


def test_scaffolded_kit_tests_pass(kit):
    result = kit[1]["kit tests"]
    assert result.returncode == 0, result.stdout[-5000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and not re.search(r"failed|error|skipped", summary), summary
    for name in (f"test_grader_lab{NEW_LAB}.py::test_broken_copy_loses_the_right_points",
                 f"test_grader_lab{NEW_LAB}.py::test_untouched_release_scores_zero", f"test_dataset_{DATASET}.py::"):
        assert name in result.stdout, name


def test_new_dataset_is_exported_and_named(kit):
    root, steps = kit
    assert f"datasets/seqtasks/{DATASET}.py" in steps["new-dataset"].stdout
    init = (root / "datasets/seqtasks/__init__.py").read_text()
    assert f"from .{DATASET} import {DATASET}_baseline, make_{DATASET}" in init
    text = (root / f"datasets/seqtasks/{DATASET}.py").read_text()
    assert f"def make_{DATASET}(n, T, seed=0" in text and f"def {DATASET}_baseline(" in text


def test_no_solution_line_reaches_the_student_side(kit):
    """The new module's solution lines appear nowhere students can read: labs/, autograder/, datasets/."""
    root = kit[0]
    source = (root / f"solutions/rnnlab/{MODULE}.py").read_text()
    lines = source.splitlines()
    solution = {line.strip() for block in find_blocks(source) for line in lines[block.begin + 1: block.end]
                if len(line.strip()) > 20}
    assert solution
    for folder in ("labs", "autograder", "datasets"):
        for path in (root / folder).rglob("*.py"):
            leaked = [line for line in solution if line in path.read_text()]
            assert not leaked, (path, leaked)


def test_scaffolding_refuses_to_overwrite_and_writes_nothing(kit):
    root = kit[0]
    before = fingerprint(root)
    refusals = {
        "the new lab again": (["new-lab", str(NEW_LAB), TOPIC], f"lab {NEW_LAB} already exists"),
        "an existing lab": (["new-lab", str(min(LABS)), "foo"], f"lab {min(LABS)} already exists"),
        "an existing module": (["new-lab", str(NEW_LAB + 1), TOPIC], f"solutions/rnnlab/{MODULE}.py already exists"),
        "the dataset again": (["new-dataset", DATASET], f"the dataset '{DATASET}' already exists"),
        "a bad topic": (["new-lab", str(NEW_LAB + 1), "Bad-Topic"], "TOPIC must be a lowercase Python name"),
        "a quote in the title": (["new-lab", str(NEW_LAB + 1), "other", "--title", 'say "hi"'], "--title must be"),
    }
    for name, (args, message) in refusals.items():
        result = autograder(root, *args)
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr, \
            (name, result.stderr)
    # A single file in the way stops the whole lab: it is named, and nothing else is written.
    blocker = root / f"tests/test_grader_lab{NEW_LAB + 1}.py"
    blocker.write_text("# someone's own test\n")
    result = autograder(root, "new-lab", str(NEW_LAB + 1), "other_topic")
    assert result.returncode == 2, result.stderr
    assert f"tests/test_grader_lab{NEW_LAB + 1}.py" in result.stderr and "Nothing was written" in result.stderr
    blocker.unlink()
    assert fingerprint(root) == before


# -- the templates themselves (no subprocess) --------------------------------------------------------
TEMPLATES = KIT_ROOT / "templates"
LAB_VALUES = {"lab": 42, "topic": "demo_topic", "module": "demo_module", "title": "a demo", "seed": 20260042}
DATASET_VALUES = {"name": "demo_task", "title": "a demo task"}


def test_templates_stay_out_of_every_discovery_path():
    """Only .tmpl files (and the README) under templates/: pytest, the probe and case discovery, the
    grading tests and run_all.py all look for .py files, in other folders."""
    files = [p for p in TEMPLATES.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert files and all(p.suffix == ".tmpl" or p == TEMPLATES / "README.md" for p in files), files
    assert "templates" not in (KIT_ROOT / "pytest.ini").read_text()


@pytest.mark.parametrize("kind, values", [("lab", LAB_VALUES), ("dataset", DATASET_VALUES)])
def test_every_template_renders_to_valid_python(tmp_path, kind, values):
    pairs = scaffold.plan(kind, values, kit_root=KIT_ROOT)
    assert pairs
    for template, target in pairs:
        relative = target.relative_to(KIT_ROOT).as_posix()
        assert "{{" not in relative and relative.endswith(".py"), relative
        text = scaffold.render(template.read_text(), values, template.name)
        compile(text, relative, "exec")
        assert not re.search(r"\{\{|\}\}", text), relative


def test_an_unknown_placeholder_is_an_error():
    with pytest.raises(scaffold.ScaffoldError, match=r"unknown placeholder \{\{labb\}\}"):
        scaffold.render("x = {{labb}}", LAB_VALUES, "demo.py.tmpl")
