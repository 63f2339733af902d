"""``check``'s local log of a student's attempts, and the progress since the last one.

Every ``check`` of a folder appends one line to ``FOLDER/.rnnlab/attempts.jsonl``: the time, the
labs checked, the score and the points per exercise. The next ``check`` compares with the last
attempt on the same labs and prints what moved ("SimpleRNNCell 3/8 -> 8/8"), so a student sees
progress rather than a bare number. It is the student's own record: ``grade`` ignores the folder
(it is left out of the content hash, the release and the bundle), and a log that cannot be
written or read never stops a check.
"""

import json
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path

from autograder.engine.files import atomic_write

LOG_DIR = ".rnnlab"
LOG_NAME = "attempts.jsonl"


def summarise(report, labs):
    """One attempt as a JSON-able dict: time, labs, score, max_score, {"labN exercise": [got, total]}."""
    exercises = {}
    for key, results in groupby(report.results, key=lambda r: f"lab{r.lab} {r.exercise}"):
        results = list(results)
        exercises[key] = [sum(r.score for r in results), sum(r.max_score for r in results)]
    return {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "labs": sorted(labs),
            "score": report.score, "max_score": report.max_score, "exercises": exercises}


def _read(path):
    attempts = []
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return attempts
    for line in lines:
        try:
            attempts.append(json.loads(line))
        except ValueError:
            continue  # a damaged line costs that line only
    return attempts


def progress_lines(previous, current):
    """What moved between two attempts, for the terminal."""
    if previous is None:
        return ["First check logged (progress is shown from the next one on)."]
    lines = [f"Since your last check ({previous['time']}): {previous['score']:g} -> {current['score']:g} of "
             f"{current['max_score']:g} points."]
    for exercise, (got, total) in current["exercises"].items():
        before = previous.get("exercises", {}).get(exercise)
        if before and before[0] != got:
            trend = "up" if got > before[0] else "down: look at what you changed"
            lines.append(f"  {exercise}: {before[0]:g}/{before[1]:g} -> {got:g}/{total:g} ({trend})")
    return lines


def record_attempt(target, report, labs):
    """Append this attempt to ``target``'s log (a folder only) and return the progress lines."""
    folder = Path(target)
    if not folder.is_dir():
        return []
    path = folder / LOG_DIR / LOG_NAME
    current = summarise(report, labs)
    attempts = _read(path)
    previous = next((a for a in reversed(attempts) if a.get("labs") == current["labs"]), None)
    try:
        text = "".join(json.dumps(a) + "\n" for a in attempts + [current])
        atomic_write(path, text)
    except OSError:
        return [f"(Could not write the attempt log {path}; your score is unaffected.)"]
    return progress_lines(previous, current)
