"""Grade overrides: a TA's CSV of corrections, applied on top of the computed scores on every run.

    submission,test,points,comment
    alice,lab1 SimpleRNNCell: forward values,3,"right idea, transposed input accepted"
    bob,lab2 LSTMCell: gradients [hidden],0,copied gradient code (see similarity.md)
    carol,,-5,academic integrity: 5 points off the total

``test`` is a test's name as ``results.json`` (and ``feedback.md``) spell it, with `` [hidden]``
for the hidden run's copy; ``points`` is then what that test scores, from 0 to its maximum. An
empty ``test`` (or ``*``) adds ``points`` (negative to deduct) to the submission's total instead.
The file is read afresh on every ``grade`` run and applied to the scores the tests computed, so an
override survives a rerun and a regrade, and editing the file changes the scores on the next run.

A row that cannot be applied is never fatal: it is skipped with a message naming the file, the
line and what to do, and the batch goes on.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("submission", "test", "points", "comment")


@dataclass(frozen=True)
class Override:
    submission: str
    test: str  # "" for an adjustment of the total
    points: float
    comment: str
    where: str  # "overrides.csv line 3", for messages

    @property
    def on_total(self):
        return self.test in ("", "*")


def load_overrides(path):
    """({submission: [Override]}, [problem]) from the CSV at ``path``. A missing or unreadable file
    is one problem; a bad row is one problem and is skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        return {}, [f"{path}: cannot read the overrides ({error.strerror}); no override was applied"]
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS[:3] if name not in header]
    if missing:
        return {}, [f"{path} line 1: the header must be '{','.join(COLUMNS)}' (missing {', '.join(missing)}); "
                    "no override was applied"]
    by_submission, problems = {}, []
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        where = f"{path.name} line {number}"
        if not any(row.values()):
            continue
        if not row.get("submission"):
            problems.append(f"{where}: no submission named; give the submission's id as in gradebook.csv")
            continue
        try:
            points = float(row.get("points", ""))
        except ValueError:
            problems.append(f"{where}: points {row.get('points', '')!r} is not a number; write e.g. 3 or -2.5")
            continue
        override = Override(row["submission"], row.get("test", ""), points, row.get("comment", ""), where)
        by_submission.setdefault(override.submission, []).append(override)
    return by_submission, problems


def apply_overrides(tests, overrides):
    """Apply one submission's ``overrides`` to its ``tests`` (results.json entries, changed in place).

    Returns (total adjustment in points, [applied Override with the test's computed score], [problem]).
    A later row for the same test wins over an earlier one.
    """
    by_name = {test["name"]: test for test in tests}
    adjustment, applied, problems = 0.0, [], []
    for override in overrides:
        if override.on_total:
            adjustment += override.points
            applied.append((override, None))
            continue
        test = by_name.get(override.test)
        if test is None:
            close = [name for name in by_name if name.lower().startswith(override.test.lower()[:12])][:2]
            hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
            problems.append(f"{override.where}: {override.submission} has no test {override.test!r}{hint}; copy "
                            "the name from its results.json or feedback.md (hidden tests end in ' [hidden]')")
            continue
        if not 0 <= override.points <= test["max_score"]:
            problems.append(f"{override.where}: {override.points:g} points is outside 0..{test['max_score']:g} "
                            f"for {override.test!r}; to add to the total, leave the test empty")
            continue
        applied.append((override, test.get("computed_score", test["score"])))
        test["score"] = override.points
        test["status"] = "passed" if override.points == test["max_score"] else "failed"
    return adjustment, applied, problems
