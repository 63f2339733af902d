"""Build the student release from the instructor master: ``solutions/`` -> ``labs/`` + public fixtures.

Solution code sits between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` lines (the nbgrader
convention). Each block becomes a TODO pointer and a ``raise NotImplementedError`` naming the
exercise (the function or method the block is in); everything else is copied verbatim. Markers are
checked strictly and the release fails closed: an unclosed, nested or stray marker is an error
naming the file and line, and nothing is written.

The public fixtures (``autograder/generated/fixtures/labN.npz``) hold each public case's inputs
and the values the master solution produces on them, so ``check`` works without ``solutions/``;
the manifest (``autograder/generated/manifest.json``) holds every grading test's points.
``run_release`` is the ``release`` command: write all three, or with ``check=True`` only say
what is stale.
"""

import ast
import time
from dataclasses import dataclass

import numpy as np

from autograder import KIT_ROOT, LABS_DIR, MANIFEST_PATH, SOLUTIONS_DIR
from autograder.engine.cases import fixture_path, load_fixture, public_cases, save_fixture
from autograder.engine.compare import same_up_to_rounding
from autograder.engine.feedback import todo_pointer
from autograder.engine.files import atomic_json, atomic_write
from autograder.engine.manifest import build_manifest, load_manifest

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
SKIP_NAMES = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".rnnlab"}  # .rnnlab: check's attempt log
SKIP_SUFFIXES = {".pyc", ".pyo"}

STUDENT_README = """\
# Your labs

These files are generated from the instructor's master copy by `python -m autograder release`.
Work in them freely, but know that a new release replaces them: keep your answers under version
control or back them up.

- `labN_*.py` are the walkthroughs: open them as notebooks (Jupyter with jupytext opens `.py`
  files directly) or run them, e.g. `python labs/lab1_vanishing_gradients.py`.
- `rnnlab/` is the package you complete: every `# TODO` marks an exercise and raises
  `NotImplementedError` until you fill it in.
- Check your work at any time from the kit's root: `python -m autograder check`.
"""


class MarkerError(ValueError):
    """A BEGIN/END SOLUTION marker problem, with the file and line it is on."""


@dataclass
class Block:
    begin: int  # 0-based line numbers of the marker lines
    end: int
    indent: str


def find_blocks(text, filename="<text>"):
    blocks, open_block = [], None
    for number, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if open_block is not None:
                raise MarkerError(f"{filename}:{number + 1}: nested '{BEGIN}' (the block opened on line "
                                  f"{open_block.begin + 1} is not closed)")
            open_block = Block(number, -1, line[: len(line) - len(line.lstrip())])
        elif stripped.startswith(END):
            if open_block is None:
                raise MarkerError(f"{filename}:{number + 1}: '{END}' without a matching '{BEGIN}'")
            open_block.end = number
            blocks.append(open_block)
            open_block = None
        elif "BEGIN SOLUTION" in stripped or "END SOLUTION" in stripped:
            raise MarkerError(f"{filename}:{number + 1}: malformed marker {stripped!r}; write exactly "
                              f"'{BEGIN}' or '{END}' as a comment on its own line")
    if open_block is not None:
        raise MarkerError(f"{filename}:{open_block.begin + 1}: '{BEGIN}' is never closed with '{END}'")
    return blocks


def _enclosing_functions(text):
    """Map line number (1-based) -> (qualified name, last line) of the innermost def around it."""
    names = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualified = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    for line in range(child.lineno, (child.end_lineno or child.lineno) + 1):
                        names[line] = (qualified, child.end_lineno or child.lineno)
                visit(child, qualified + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(text), "")
    return names


def _code_after(lines, block, function_end):
    """The first line of code after ``block`` in its function (1-based), or None: in the release
    that code would follow ``raise NotImplementedError`` and could never run."""
    for number in range(block.end + 1, function_end):
        stripped = lines[number].strip()
        if stripped and not stripped.startswith("#"):
            return number + 1
    return None


def strip_solutions(text, relative_path):
    """Replace every solution block in ``text`` by a TODO and a NotImplementedError."""
    blocks = find_blocks(text, relative_path)
    if not blocks:
        return text
    if not relative_path.endswith(".py"):
        raise MarkerError(f"{relative_path}: solution markers are only supported in .py files")
    functions = _enclosing_functions(text)
    lines = text.splitlines(keepends=True)
    for block in reversed(blocks):
        exercise, function_end = functions.get(block.begin + 1, (None, None))
        if exercise is None:
            raise MarkerError(f"{relative_path}:{block.begin + 1}: a solution block must sit inside a function "
                              "or method, so the student release can raise NotImplementedError there")
        after = _code_after(lines, block, function_end)
        if after is not None:
            raise MarkerError(f"{relative_path}:{after}: code after the solution block that ends on line "
                              f"{block.end + 1} would never run in the student release (the block becomes "
                              "raise NotImplementedError); move it inside the block")
        pointer = todo_pointer(exercise, relative_path)
        replacement = [
            f"{block.indent}# TODO ({exercise}): your code here. The docstring above says what to compute.\n",
            f"{block.indent}raise NotImplementedError(\"{pointer}\")\n",
        ]
        lines[block.begin: block.end + 1] = replacement
    stripped = "".join(lines)
    ast.parse(stripped)  # the release must still be valid Python
    return stripped


def _source_files(root):
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in SKIP_NAMES for part in relative.parts) or path.suffix in SKIP_SUFFIXES:
            continue
        if path.is_file():
            yield relative


def render_release(solutions_dir=SOLUTIONS_DIR):
    """{relative path: bytes} for the whole student tree; raises MarkerError before anything is written."""
    files = {}
    for relative in _source_files(solutions_dir):
        data = (solutions_dir / relative).read_bytes()
        if relative.suffix == ".py":
            data = strip_solutions(data.decode("utf-8"), relative.as_posix()).encode("utf-8")
        elif b"BEGIN SOLUTION" in data:
            raise MarkerError(f"{relative}: solution markers are only supported in .py files")
        files[relative.as_posix()] = data
    files["README.md"] = STUDENT_README.encode()
    return files


def stale_release_files(labs_dir=LABS_DIR, solutions_dir=SOLUTIONS_DIR):
    """Paths in ``labs/`` that differ from a fresh release, are missing, or should not be there."""
    wanted = render_release(solutions_dir)
    present = {p.as_posix() for p in _source_files(labs_dir)} if labs_dir.exists() else set()
    stale = sorted(path for path, data in wanted.items()
                   if path not in present or (labs_dir / path).read_bytes() != data)
    stale += sorted(f"{path} (not in solutions/)" for path in present - set(wanted))
    return stale


def write_release(labs_dir=LABS_DIR, solutions_dir=SOLUTIONS_DIR):
    files = render_release(solutions_dir)  # fails closed: nothing written on a marker error
    if labs_dir.exists():
        for relative in _source_files(labs_dir):
            if relative.as_posix() not in files:
                (labs_dir / relative).unlink()
    for path, data in files.items():
        target = labs_dir / path
        if not target.exists() or target.read_bytes() != data:
            atomic_write(target, data)
    return sorted(files)


# -- fixtures ------------------------------------------------------------------------------------
def compute_expected(cases, session):
    """Fill each case's expected values by running its reference probe in ``session``, an open
    ``sandbox.session.Session`` on the master solution (one child, one TensorFlow import, for every lab)."""
    for case in cases:
        probe, params = case.reference()
        outcome = session.call(probe, case.inputs, params)
        if not outcome.ok:
            raise RuntimeError(f"the master solution fails case {case.id!r}: {outcome.status} {outcome.error}. "
                               f"Child output:\n{session.output_tail()}")
        case.expected_values, case.expected_arrays = outcome.values, outcome.arrays
    return cases


def fixtures_differ(old, new):
    """Reasons two fixture case dicts differ: inputs exactly, outputs up to float32 rounding
    (``compare.same_up_to_rounding``: another CPU rounds the same sums differently)."""
    reasons = []
    for case_id in sorted(set(old) | set(new)):
        if case_id not in old or case_id not in new:
            reasons.append(f"case {case_id} {'added' if case_id in new else 'removed'}")
            continue
        a, b = old[case_id], new[case_id]
        if (a.probe, a.params, a.reference_params) != (b.probe, b.params, b.reference_params):
            reasons.append(f"case {case_id}: probe or params changed")
        if a.expected_values != b.expected_values:
            reasons.append(f"case {case_id}: expected values changed")
        for kind, x, y, exact in (("input", a.inputs, b.inputs, True), ("output", a.expected_arrays, b.expected_arrays, False)):
            if set(x) != set(y):
                reasons.append(f"case {case_id}: {kind} names changed")
                continue
            for name in x:
                same = np.array_equal(x[name], y[name]) if exact else same_up_to_rounding(x[name], y[name])
                if not same:
                    reasons.append(f"case {case_id}: {kind} {name} changed")
    return reasons


# -- the release command -------------------------------------------------------------------------
class ReleaseError(ValueError):
    """The release cannot be made (a broken marker, no master); nothing was written."""


def _fresh_fixtures(labs, log):
    """{lab: {case_id: Case}} computed from the master, and the reasons the committed ones are stale."""
    from autograder.sandbox.session import Session

    fresh, problems = {}, []
    with Session(SOLUTIONS_DIR) as session:
        for lab in labs:
            started = time.perf_counter()
            cases = compute_expected(public_cases(lab), session)
            fresh[lab] = {case.id: case for case in cases}
            path = fixture_path(lab)
            reasons = fixtures_differ(load_fixture(path), fresh[lab]) if path.exists() else [f"{path.name} missing"]
            problems += [f"fixtures lab{lab}: {reason}" for reason in reasons]
            log(f"lab {lab}: {len(cases)} public cases computed from solutions/ in "
                f"{time.perf_counter() - started:.1f} s")
    return fresh, problems


def run_release(labs, check=False, log=print):
    """Regenerate ``labs/``, the manifest and the public fixtures of ``labs`` from ``solutions/``.

    With ``check=True`` write nothing and return the list of what is stale (empty: up to date).
    Raises ``ReleaseError`` before writing anything when the master cannot be released.
    """
    if not (SOLUTIONS_DIR / "rnnlab").is_dir():
        raise ReleaseError("release needs the instructor master in solutions/ (this looks like a student bundle)")
    try:
        rendered = render_release()
    except MarkerError as error:
        raise ReleaseError(f"{error}\nNothing was written.") from None
    stale = stale_release_files()
    problems = [f"labs/{path}" for path in stale]
    manifest = build_manifest()
    manifest_stale = not MANIFEST_PATH.exists() or load_manifest() != manifest
    if manifest_stale:
        problems.append(f"{MANIFEST_PATH.relative_to(KIT_ROOT)} differs from the @points in the grading tests")
    fresh, fixture_problems = _fresh_fixtures(labs, log)
    problems += fixture_problems
    if check:
        if not problems:
            log(f"Release is up to date ({len(rendered)} files in labs/, fixtures for labs {', '.join(map(str, labs))}).")
        return problems
    written = write_release()
    if manifest_stale:
        atomic_json(MANIFEST_PATH, manifest)
        log(f"wrote {MANIFEST_PATH.relative_to(KIT_ROOT)}")
    for lab, cases in fresh.items():
        if any(p.startswith(f"fixtures lab{lab}:") for p in fixture_problems):
            save_fixture(fixture_path(lab), list(cases.values()))
            log(f"wrote {fixture_path(lab).relative_to(KIT_ROOT)}")
    log(f"Released {len(written)} files to {LABS_DIR.relative_to(KIT_ROOT)}/ "
        f"({len(stale)} changed)." + ("" if not stale else "\n  " + "\n  ".join(stale)))
    return []
