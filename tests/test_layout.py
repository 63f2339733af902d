"""The autograder's layout: an engine that knows no lab, one folder per lab, generated files apart.

These read the source with ``ast`` (nothing is imported or run), so they are fast and say exactly
which file breaks a rule.
"""

import ast
import re

import pytest
from conftest import KIT_ROOT

AUTOGRADER = KIT_ROOT / "autograder"
ENGINE_SIDE = sorted((AUTOGRADER / "engine").rglob("*.py")) + sorted((AUTOGRADER / "sandbox").rglob("*.py")) + [
    AUTOGRADER / "__init__.py", AUTOGRADER / "__main__.py", AUTOGRADER / "cli.py"]
LAB_FOLDERS = sorted(p for p in (AUTOGRADER / "labs").iterdir() if re.fullmatch(r"lab\d+", p.name))


def imported_modules(path):
    """Every module ``path`` imports, as dotted names (``from a import b`` gives ``a`` and ``a.b``)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def relative(path):
    return path.relative_to(KIT_ROOT).as_posix()


@pytest.mark.parametrize("path", ENGINE_SIDE, ids=relative)
def test_the_engine_imports_no_lab_folder(path):
    """The engine finds lab content through ``engine.labs`` by name; it never imports a lab."""
    labs = [name for name in imported_modules(path) if name == "autograder.labs" or name.startswith("autograder.labs.")]
    assert not labs, f"{relative(path)} imports {labs}: lab content belongs in autograder/labs/, found via engine.labs"


def test_no_grading_test_module_is_imported_as_a_library():
    for path in sorted(AUTOGRADER.rglob("*.py")):
        tests = [name for name in imported_modules(path) if re.search(r"\.test_lab\d+\b", name)]
        assert not tests, f"{relative(path)} imports {tests}: shared checks go in autograder/labs/shared/checks.py"


@pytest.mark.parametrize("folder", LAB_FOLDERS, ids=lambda p: p.name)
def test_a_lab_imports_no_other_lab(folder):
    """What two labs share lives in labs/shared/, so each lab folder can be read (and removed) alone."""
    for path in sorted(folder.rglob("*.py")):
        others = {m for m in imported_modules(path) if re.match(r"autograder\.labs\.lab\d+", m)
                  and m.split(".")[2] != folder.name}
        assert not others, f"{relative(path)} imports {sorted(others)}: move what they share to autograder/labs/shared/"


@pytest.mark.parametrize("folder", LAB_FOLDERS, ids=lambda p: p.name)
def test_every_lab_folder_has_its_cases_mistakes_and_grading_tests(folder):
    lab = folder.name
    for name in ("cases.py", "mistakes.py", f"test_{lab}.py"):
        assert (folder / name).is_file(), f"autograder/labs/{lab}/{name} is missing"
    mistakes = (folder / "mistakes.py").read_text()
    assert re.search(r"^CATALOGUE, _mistake = catalogue\(\)$", mistakes, re.MULTILINE), \
        f"autograder/labs/{lab}/mistakes.py should keep its own catalogue (CATALOGUE, _mistake = catalogue())"
    assert (AUTOGRADER / "generated" / "fixtures" / f"{lab}.npz").is_file()


def test_lab_content_uses_the_graders_interface_not_its_insides():
    """``grader.package_dir`` and ``grader.memo`` instead of ``grader.session`` and ``grader.__dict__``."""
    for path in sorted((AUTOGRADER / "labs").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "grader":
                assert not node.attr.startswith("_") and node.attr not in ("session", "__dict__"), \
                    f"{relative(path)}:{node.lineno} reaches into grader.{node.attr}"


def test_generated_files_are_apart_and_only_generated():
    generated = sorted(relative(p) for p in (AUTOGRADER / "generated").rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts)
    expected = ["autograder/generated/README.md", "autograder/generated/manifest.json"] + [
        f"autograder/generated/fixtures/{folder.name}.npz" for folder in LAB_FOLDERS]
    assert generated == sorted(expected)
    hand_written = [relative(p) for p in AUTOGRADER.rglob("*") if p.suffix in (".npz", ".json")
                    and "generated" not in p.parts]
    assert hand_written == [], "generated files (fixtures, manifest) belong in autograder/generated/"


SIZE_CHECKED = [p for root in ("autograder", "bench", "datasets", "solutions/rnnlab") for p in (KIT_ROOT / root).rglob("*.py")]
SIZE_CHECKED += [KIT_ROOT / "run_all.py"]


@pytest.mark.parametrize("path", sorted(SIZE_CHECKED), ids=relative)
def test_modules_and_functions_stay_readable(path):
    """No module over 400 lines and no function over 60, outside the walkthroughs and the tests."""
    text = path.read_text()
    assert len(text.splitlines()) <= 400, f"{relative(path)} has {len(text.splitlines())} lines: split it by concern"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            assert length <= 60, f"{relative(path)}:{node.lineno} {node.name} is {length} lines long"
