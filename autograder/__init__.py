"""The RNN lab kit's autograder.

Student code only ever runs in a child process (``sandbox``); this process builds the cases,
compares the child's arrays with the expected ones, and writes every score. Arrays cross the
process boundary as ``.npy``/``.npz`` bytes loaded with ``allow_pickle=False`` (``sandbox.wire``).

    engine/     knows no lab: cases and fixtures, manifest, grading, comparison, feedback,
                reports, batch, Gradescope, release, scaffolding
    sandbox/    the trust boundary: everything that crosses into the child that runs student code
    labs/       one folder per lab (labN/: cases, probes, mistakes, grading tests); shared/ for
                what several labs use
    generated/  written by `release`, never by hand: the manifest and the public fixtures
    cli.py      parses the command line and hands each command to the engine

Commands (``python -m autograder --help``):
    check        grade one submission against the public fixtures (students)
    grade        grade a folder of submissions with public and hidden tests (TAs)
    gradescope   build a Gradescope autograder.zip (instructors)
    mutants      grade one-edit mutants of the master: which mistakes the tests miss (instructors)
    release      regenerate ``labs/`` and the public fixtures from ``solutions/`` (instructors)
    new-lab      start lab N from ``templates/`` (instructors)
    new-dataset  start a sequence task in ``datasets/seqtasks`` from ``templates/`` (instructors)
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
KIT_ROOT = PACKAGE_DIR.parent
SOLUTIONS_DIR = KIT_ROOT / "solutions"
LABS_DIR = KIT_ROOT / "labs"
GENERATED_DIR = PACKAGE_DIR / "generated"
FIXTURES_DIR = GENERATED_DIR / "fixtures"
MANIFEST_PATH = GENERATED_DIR / "manifest.json"
