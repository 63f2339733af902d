"""An optional limit on graded Gradescope submissions: at most N in any window of H hours.

Gradescope hands the autograder ``/autograder/submission_metadata.json``: the submission's
``created_at`` and ``previous_submissions``, each with its ``submission_time``, ``score`` and
``results`` (the results.json it got). A previous submission counts as graded unless its results
say ``extra_data.rate_limited``. Over the limit, this submission is not graded: its results.json
repeats the last graded one's tests and score (Gradescope shows the newest submission's score, so
the student keeps what they had) and says when the next graded run is allowed.
"""

from datetime import timedelta

from autograder.engine.late import parse_time


def _graded(previous):
    results = previous.get("results") or {}
    return not (results.get("extra_data") or {}).get("rate_limited")


def check_limit(metadata, max_graded, window_hours):
    """None when this submission may be graded; else the results.json to write instead."""
    if not max_graded:
        return None
    now = parse_time(metadata["created_at"])
    window = timedelta(hours=float(window_hours))
    graded = []
    for previous in metadata.get("previous_submissions") or []:
        try:
            when = parse_time(previous["submission_time"])
        except (KeyError, ValueError):
            continue
        if _graded(previous):
            graded.append((when, previous))
    graded.sort(key=lambda item: item[0])
    recent = [(when, previous) for when, previous in graded if now - window < when <= now]
    if len(recent) < int(max_graded):
        return None
    next_allowed = recent[-int(max_graded)][0] + window
    last_time, last = graded[-1]
    kept = last.get("results") or {}
    message = (f"This submission was not graded: you have had {len(recent)} graded submissions in the last "
               f"{float(window_hours):g} hours, the most this assignment allows. Your score stays at "
               f"{float(last.get('score') or 0):g}, from your submission of {last_time.isoformat()}. The next graded "
               f"run is allowed from {next_allowed.isoformat()}; submit again then (your latest files count).")
    return {"score": float(last.get("score") or 0), "max_score": kept.get("max_score"), "execution_time": 0.0,
            "output": message, "visibility": "visible", "stdout_visibility": "hidden",
            "tests": kept.get("tests", []),
            "extra_data": {"rate_limited": True, "next_allowed": next_allowed.isoformat()}}
