"""``check``: one submission graded with the public tests, as a student runs it.

Needs no ``solutions/``: the expected values come from the public fixtures. The student's code
runs in a child process like everywhere else, so a crash or an endless loop costs that test only.
"""

import tempfile

from autograder.engine import grading
from autograder.engine.cases import load_public_fixtures
from autograder.engine.submission import unpack_submission


def check_submission(target, labs, call_timeout=None, submission_timeout=None, progress=None, log=print):
    """Grade ``target`` (a folder holding ``rnnlab/`` or a .zip of one) on ``labs``' public tests.

    Raises ``SubmissionError`` for something that cannot be graded and ``MissingFixtureError``
    for a kit without its fixtures; returns the ``grading.Report``.
    """
    with tempfile.TemporaryDirectory(prefix="rnnlab-submission-") as scratch:
        root = unpack_submission(target, scratch)
        cases = load_public_fixtures(labs)
        log(f"Checking {root} on lab(s) {', '.join(map(str, labs))} with the public tests "
            "(your code runs in two separate Python processes, side by side; starting TensorFlow takes a few "
            "seconds)...")
        # Two children make the calls (engine.prefetch): a student's check has the machine to itself.
        return grading.grade(root, cases, labs, call_timeout=call_timeout, progress=progress,
                             submission_timeout=submission_timeout, prefetch=True)
