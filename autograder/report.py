"""Turning grading results into what people read: the terminal report and the JSON file."""

import json
import os
from itertools import groupby

from autograder.cases import lab_title

STATUS_LABEL = {
    "passed": "ok  ",
    "not_implemented": "todo",
    "blocked": "wait",
}


def render_text(report, public=True):
    """The per-lab, per-exercise report a student reads after ``check``."""
    lines = []
    for lab, lab_results in groupby(report.results, key=lambda r: r.lab):
        lab_results = list(lab_results)
        got, total = sum(r.score for r in lab_results), sum(r.max_score for r in lab_results)
        lines.append(f"Lab {lab}: {lab_title(lab)}".rstrip() + f"  [{got:g}/{total:g}]")
        for exercise, results in groupby(lab_results, key=lambda r: r.exercise):
            results = list(results)
            ex_got, ex_total = sum(r.score for r in results), sum(r.max_score for r in results)
            lines.append(f"  {exercise}  [{ex_got:g}/{ex_total:g}]")
            for r in results:
                label = STATUS_LABEL.get(r.status, "FAIL")
                lines.append(f"    {label} {r.score:g}/{r.max_score:g}  {r.stage}")
                if r.output:
                    lines.append(f"           {r.output}")
        lines.append("")
    scope = "public tests" if public else "all tests"
    lines.append(f"Score ({scope}): {report.score:g} / {report.max_score:g}   ({report.seconds:.1f} s)")
    if public:
        lines.append("These are the public tests. The final grade also runs hidden tests on other sizes and values.")
    return "\n".join(lines)


def check_json(report):
    """``{"score", "max_score", "tests": [{"name", "score", "max_score", "output"}]}``."""
    return {
        "score": report.score,
        "max_score": report.max_score,
        "tests": [
            {"name": r.name, "score": r.score, "max_score": r.max_score, "output": r.output, "status": r.status}
            for r in report.results
        ],
    }


def write_json_atomic(path, data):
    path = os.fspath(path)
    tmp = f"{path}.tmp"
    with open(tmp, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)
