"""The class's outputs beside the per-entry files: ``OUT/gradebook.csv``, ``OUT/summary.md`` and
``OUT/scores.png``, written from the rows ``grade`` collects (one per entry, always)."""

import csv
import io
from collections import Counter
from pathlib import Path

from autograder.engine.files import atomic_write
from autograder.engine.policy import POLICY_COLUMNS, ClassPolicy

# score: after overrides and late penalty (engine.policy); it includes the bonus (extra credit,
# engine.manifest) and max_score does not; bonus is its part.
GRADEBOOK_COLUMNS = ["submission", "score", "max_score", "public_score", "public_max_score", "bonus", "status",
                     "message", "seconds"] + POLICY_COLUMNS

def write_gradebook(out_dir, rows, policy=None):
    """``OUT/gradebook.csv`` from the computed ``rows``, with the class policy applied to each."""
    policy = policy or ClassPolicy()
    rows = {submission_id: policy.final_row(out_dir, row) for submission_id, row in rows.items()}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=GRADEBOOK_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows.values(), key=lambda r: r["submission"]):
        writer.writerow({k: (f"{v:g}" if isinstance(v, float) else v) for k, v in row.items()})
    atomic_write(Path(out_dir) / "gradebook.csv", buffer.getvalue())


def _most_common(counter, n=None):
    """``Counter.most_common`` with ties in key order, so the summary does not depend on which
    worker finished first."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:n]


def write_summary(out_dir, rows, seed, seconds):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(rows.values())
    # The bonus is extra credit above the maximum: the histogram and the mean leave it out.
    scores = [(r["score"] - r.get("bonus", 0.0)) / r["max_score"] * 100 if r["max_score"] else 0 for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(scores, bins=[i * 10 for i in range(11)], color="#4477aa", edgecolor="white")
    ax.set(xlabel="score (% of all tests)", ylabel="submissions", title=f"{len(rows)} submissions")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    atomic_write(Path(out_dir) / "scores.png", buffer.getvalue())

    mistakes = Counter()
    for row in rows:
        for lab, exercise, mistake in {tuple(m) for m in row.get("mistakes", [])}:
            mistakes[(lab, exercise, mistake)] += 1
    failing = Counter(ex for row in rows for ex in row.get("failed_exercises", []))
    statuses = Counter(row["status"].split(" (")[0] for row in rows)
    mean = sum(scores) / len(scores) if scores else 0.0
    lines = ["# Grading summary", "",
             f"{len(rows)} submissions, seed {seed}, mean score {mean:.1f}%, graded in {seconds:.0f} s.", "",
             *bonus_summary(rows),
             "![score histogram](scores.png)", "",
             "| status | submissions |", "|---|---|"]
    lines += [f"| {status} | {count} |" for status, count in _most_common(statuses)]
    lines += ["", "## Most common named mistakes (what to re-teach)", ""]
    if mistakes:
        lines += ["| lab | exercise | mistake | submissions |", "|---|---|---|---|"]
        for (lab, exercise, mistake), count in _most_common(mistakes, 20):
            lines.append(f"| {lab} | {exercise} | {mistake} | {count} |")
    else:
        lines.append("No submission matched a catalogued mistake.")
    lines += ["", "## Exercises most often not at full marks", "", "| exercise | submissions |", "|---|---|"]
    lines += [f"| {exercise} | {count} |" for exercise, count in _most_common(failing, 15)]
    atomic_write(Path(out_dir) / "summary.md", "\n".join(lines) + "\n")


def bonus_summary(rows):
    """The summary's lines on the extra credit: how many earned some, and how much on average."""
    earned = [row.get("bonus", 0.0) for row in rows if row.get("bonus", 0.0) > 0]
    if not earned:
        return []
    return [f"Bonus (extra credit, above the maximum; not in the histogram or the mean): {len(earned)} of "
            f"{len(rows)} submissions earned some, {sum(earned) / len(earned):g} points on average.", ""]
