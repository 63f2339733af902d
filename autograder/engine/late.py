"""Late work: when a submission came in, how many days late it is, and what that costs.

    late days  d = ceil((submitted - due) / 1 day), 0 when on time
    charged    c = max(0, d - slip days the student still has for it)
    penalty      = earned x min(cap, rate x c)          (rate "10%/day", cap "50%")

The due date and submission times are ISO 8601 (``2026-12-01T23:59``, ``2026-12-01 23:59:00+01:00``,
Gradescope's ``2026-12-01T14:22:32.365935-07:00``); a time without a zone is UTC. Times come from a
CSV (``submission,submitted_at``) or from a ``submission_metadata.json`` (Gradescope's,
``created_at``) inside the submission folder. A submission with no known time is not charged, and
the gradebook says so.
"""

import csv
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

DAY_S = 86400.0


class LateError(ValueError):
    """A policy option that cannot be used (a bad --due, --late-penalty or --late-cap)."""


def parse_time(text):
    """An aware datetime from ISO 8601 text (no zone: UTC). ValueError with the text if unparseable."""
    text = str(text).strip()
    value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def parse_rate(text, what="--late-penalty"):
    """"10%/day" or "10%" -> 0.10 (a fraction of the earned score per late day)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*(?:/\s*day)?\s*", str(text))
    if not match:
        raise LateError(f"{what} {text!r}: write a percentage, e.g. {what} 10%/day")
    return float(match.group(1)) / 100


def late_days(submitted, due):
    """Whole days late, rounded up (one second late is one day); 0 when on time."""
    seconds = (submitted - due).total_seconds()
    return 0 if seconds <= 0 else math.ceil(seconds / DAY_S)


@dataclass
class LatePolicy:
    due: datetime
    rate: float = 0.0  # fraction of the earned score per charged day
    cap: float = 1.0  # the largest fraction taken
    slip_days: dict = field(default_factory=dict)  # {submission: days}

    def assess(self, submitted, earned, submission):
        """{late_days, slip_days, penalty} for a submission that earned ``earned`` points."""
        if submitted is None:
            return {"late_days": "", "slip_days": "", "penalty": 0.0}
        days = late_days(submitted, self.due)
        slip = min(days, self.slip_days.get(submission, 0))
        fraction = min(self.cap, self.rate * (days - slip))
        return {"late_days": days, "slip_days": slip, "penalty": round(max(0.0, earned) * fraction, 2)}


def _csv_rows(path, columns):
    """[(line number, {column: value})] of a CSV whose header names ``columns``, and problems."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        return [], [f"{path}: cannot read it ({error.strerror}); nothing from it was used"]
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    if any(column not in header for column in columns):
        return [], [f"{path} line 1: the header must name {','.join(columns)}; nothing from it was used"]
    rows = []
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if any(row.values()):
            rows.append((number, row))
    return rows, []


def load_times(path):
    """({submission: datetime}, [problem]) from a ``submission,submitted_at`` CSV."""
    rows, problems = _csv_rows(path, ("submission", "submitted_at"))
    times = {}
    for number, row in rows:
        try:
            times[row["submission"]] = parse_time(row["submitted_at"])
        except ValueError:
            problems.append(f"{Path(path).name} line {number}: {row['submitted_at']!r} is not a date and time; "
                            f"write e.g. 2026-12-01T23:59 (UTC) or 2026-12-01T23:59+01:00; "
                            f"{row['submission']} is not charged as late")
    return times, problems


def load_slip_days(path):
    """({submission: days}, [problem]) from a ``submission,slip_days`` CSV."""
    rows, problems = _csv_rows(path, ("submission", "slip_days"))
    days = {}
    for number, row in rows:
        try:
            value = int(row["slip_days"])
            if value < 0:
                raise ValueError
            days[row["submission"]] = value
        except ValueError:
            problems.append(f"{Path(path).name} line {number}: slip_days {row['slip_days']!r} is not a whole number "
                            f">= 0; {row['submission']} gets no slip days")
    return days, problems


def time_from_metadata(path):
    """(created_at as a datetime or None, problem or None) from a Gradescope submission_metadata.json."""
    try:
        return parse_time(json.loads(Path(path).read_text())["created_at"]), None
    except (OSError, ValueError, KeyError, TypeError) as error:
        return None, f"{path}: no readable created_at ({type(error).__name__}); not charged as late"
