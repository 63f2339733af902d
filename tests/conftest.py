"""Shared setup for the kit's own tests.

The tests import the *reference* package (``solutions/rnnlab``) and the task generators
(``datasets/seqtasks``); neither folder is installed, so both go on ``sys.path`` here. Tests that
need TensorFlow import it inside the test, so collecting the suite stays fast.
"""

import os
import sys
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = KIT_ROOT / "solutions"
LABS = KIT_ROOT / "labs"
DATASETS = KIT_ROOT / "datasets"

for path in (KIT_ROOT, SOLUTIONS, DATASETS):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
