"""The student bundle: what a student needs to work and to run ``check``, and nothing that grades
for real: no solutions, no hidden-case computation, no batch grading.

``python -m autograder release --student OUT`` writes it; ``tests/test_release.py`` checks that no
solution or hidden-test machinery leaks into it.
"""

import shutil
from pathlib import Path

from autograder import KIT_ROOT
from autograder.engine.release import SKIP_NAMES, SKIP_SUFFIXES

BUNDLE_ITEMS = ["labs", "datasets", "autograder", "requirements.txt"]
BUNDLE_EXCLUDED = {"autograder/engine/hidden.py", "autograder/engine/batch.py", "autograder/engine/gradescope.py"}

BUNDLE_README = """\
# RNN lab kit: student bundle

    python -m pip install -r requirements.txt
    python -m autograder check            # grade your labs/rnnlab with the public tests

Open `labs/lab1_*.py` as a notebook (Jupyter + jupytext) or run it as a script, fill in the TODOs
in `labs/rnnlab/`, and run `check` as often as you like. `labs/README.md` says more.
"""


def write_student_bundle(out_dir, kit_root=KIT_ROOT):
    """Copy the student-facing part of the kit to ``out_dir`` (which must not exist yet)."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        raise FileExistsError(f"{out_dir} already exists; pass a new folder")
    written = []
    for item in BUNDLE_ITEMS:
        source = kit_root / item
        files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        for file in files:
            relative = file.relative_to(kit_root)
            if (relative.as_posix() in BUNDLE_EXCLUDED or SKIP_NAMES & set(relative.parts)
                    or file.suffix in SKIP_SUFFIXES):
                continue
            target = out_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
            written.append(relative.as_posix())
    (out_dir / "README.md").write_text(BUNDLE_README)
    return written + ["README.md"]
