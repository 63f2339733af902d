"""The RNN lab kit's autograder.

Student code only ever runs in a child process (``sandbox``); this process builds the cases,
compares the child's arrays with the expected ones, and writes every score. Arrays cross the
process boundary as ``.npy``/``.npz`` bytes loaded with ``allow_pickle=False`` (``wire``).

Commands (``python -m autograder --help``):
    check        grade one submission against the public fixtures (students)
    grade        grade a folder of submissions with public and hidden tests (TAs)
    gradescope   build a Gradescope autograder.zip (instructors)
    release      regenerate ``labs/`` and the public fixtures from ``solutions/`` (instructors)
    new-lab      start lab N from ``templates/`` (instructors)
    new-dataset  start a sequence task in ``datasets/seqtasks`` from ``templates/`` (instructors)
"""

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS_DIR = KIT_ROOT / "solutions"
LABS_DIR = KIT_ROOT / "labs"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "public"
