"""Hidden cases: drawn from the TA's seed, expected values computed live from ``solutions/``.

They differ from the public fixtures in batch size, sequence length, widths and weight scales, so
a submission that hard-codes the public outputs passes ``check`` and fails here. They exist only in
the grader's memory: never written to disk, never sent to a child except as a probe's inputs.
"""

import numpy as np

from autograder import SOLUTIONS_DIR
from autograder.engine.cases import make_cases


def hidden_cases(labs, seed, solutions_dir=SOLUTIONS_DIR):
    """{lab: {case_id: Case}} with expected values from the master solution."""
    from autograder.engine.release import compute_expected
    from autograder.sandbox.session import Session

    if not (solutions_dir / "rnnlab").is_dir():
        raise FileNotFoundError(
            f"hidden tests need the master solution in {solutions_dir}; the student bundle does not have it "
            "(run `grade` from the instructor's copy of the kit)"
        )
    by_lab = {}
    with Session(solutions_dir) as session:
        for lab in labs:
            cases = make_cases(lab, np.random.default_rng([int(seed), lab]), hidden=True)
            compute_expected(cases, session)
            by_lab[lab] = {case.id: case for case in cases}
    return by_lab
