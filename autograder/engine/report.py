"""Turning grading results into what people read: the terminal report and the JSON file."""

from itertools import groupby

from autograder.engine.cases import lab_title
from autograder.engine.manifest import score_totals

STATUS_LABEL = {
    "passed": "ok  ",
    "not_implemented": "todo",
    "blocked": "wait",
}


def score_phrase(results):
    """"75 / 75" or "78 / 75 (75 + 3 bonus of 6, extra credit above the maximum)" for these results."""
    totals = score_totals(results)
    phrase = f"{totals['score']:g} / {totals['max_score']:g}"
    if totals["bonus_max"]:
        phrase += (f" ({totals['score'] - totals['bonus']:g} + {totals['bonus']:g} bonus of "
                   f"{totals['bonus_max']:g}, extra credit above the maximum)")
    return phrase


def score_fields(report):
    """The score columns of a gradebook row: all tests, the public ones, and the bonus part of the score."""
    totals, public = score_totals(report.results), score_totals(report.public_results)
    return {"score": totals["score"], "max_score": totals["max_score"], "public_score": public["score"],
            "public_max_score": public["max_score"], "bonus": totals["bonus"]}


def render_text(report, public=True):
    """The per-lab, per-exercise report a student reads after ``check``."""
    lines = [f"Note: {warning}\n" for warning in report.warnings]
    for lab, lab_results in groupby(report.results, key=lambda r: r.lab):
        lab_results = list(lab_results)
        totals = score_totals(lab_results)
        bonus = f" + bonus {totals['bonus']:g}/{totals['bonus_max']:g}" if totals["bonus_max"] else ""
        lines.append(f"Lab {lab}: {lab_title(lab)}".rstrip()
                     + f"  [{totals['score'] - totals['bonus']:g}/{totals['max_score']:g}{bonus}]")
        for exercise, results in groupby(lab_results, key=lambda r: r.exercise):
            results = list(results)
            ex_got, ex_total = sum(r.score for r in results), sum(r.max_score for r in results)
            extra = "  (extra credit: not needed for full marks)" if all(r.bonus for r in results) else ""
            lines.append(f"  {exercise}  [{ex_got:g}/{ex_total:g}]{extra}")
            for r in results:
                label = STATUS_LABEL.get(r.status, "FAIL")
                lines.append(f"    {label} {r.score:g}/{r.max_score:g}  {r.stage}")
                if r.output:
                    lines.append(f"           {r.output}")
        lines.append("")
    scope = "public tests" if public else "all tests"
    lines.append(f"Score ({scope}): {score_phrase(report.results)}   ({report.seconds:.1f} s)")
    if public:
        lines.append("These are the public tests. The final grade also runs hidden tests on other sizes and values.")
    return "\n".join(lines)


def check_json(report):
    """``{"score", "max_score", "bonus", "bonus_max", "tests": [{"name", "score", "max_score", "output",
    "status", "bonus"}]}``; ``score`` includes the bonus, ``max_score`` does not."""
    return {
        **score_totals(report.results),
        "tests": [
            {"name": r.name, "score": r.score, "max_score": r.max_score, "output": r.output, "status": r.status,
             "bonus": r.bonus}
            for r in report.results
        ],
        "warnings": list(report.warnings),
    }


def feedback_markdown(report, submission_id):
    """``feedback.md``: what a student reads after ``grade``, public and hidden tests apart."""
    lines = [f"# Feedback for {submission_id}", ""]
    public = [r for r in report.results if not r.hidden]
    hidden = [r for r in report.results if r.hidden]
    lines.append(f"**Score (all tests): {score_phrase(report.results)}** (public tests: {score_phrase(public)}"
                 + (f"; hidden tests: {score_phrase(hidden)})" if hidden else ")"))
    lines.append("")
    if any(r.bonus for r in report.results):
        lines += ["Tests marked *(bonus)* are extra credit: their points are added to your score but not to the "
                  "maximum, so you can reach full marks without them.", ""]
    lines += [f"> **Note:** {warning}\n" for warning in report.warnings]
    for title, results in (("Public tests (the ones `check` runs)", public),
                           ("Hidden tests (other sizes and values)", hidden)):
        if not results:
            continue
        lines += [f"## {title}", ""]
        if results is hidden:
            lines += ["Every test again on other sizes and values, except the Keras round trips (tf.function, "
                      ".keras save/load, Bidirectional), which depend on your code, not on the numbers.", ""]
        lines += ["| test | points | feedback |", "|---|---|---|"]
        for r in results:
            mark = "ok" if r.status == "passed" else r.status.replace("_", " ")
            output = r.output.replace("|", "\\|").replace("\n", " ")
            extra = " (bonus)" if r.bonus and "bonus" not in r.name else ""
            lines.append(f"| {r.name.replace(' [hidden]', '')}{extra} | {r.score:g}/{r.max_score:g} ({mark}) | "
                         f"{output} |")
        lines.append("")
    if report.sandbox:
        lines.append(f"_{sandbox_note(report)}_")
    return "\n".join(lines) + "\n"


def sandbox_note(report):
    layers = report.sandbox or []
    if not layers:
        return ""
    note = "Sandbox: " + ", ".join(layers) + "."
    if not any(layer == "namespaces" for layer in layers):
        note += (" Linux namespaces were not available on this machine, so solutions/ and the output folder "
                 "were protected by audit hooks only (see the README's TA section).")
    return note


def gradescope_results(report, output="", visibility_rules=None):
    """Gradescope's ``results.json``. Each test's visibility follows the instructor's rules
    (``engine.visibility``; default: public tests visible, hidden ones after the due date), and the
    output counts only what the student can see now ("Public tests passed (20 of 20 points)").

    ``score`` includes the bonus and ``max_score`` does not: Gradescope shows e.g. 143 / 137.
    """
    from autograder.engine.visibility import report_summary, visibility_of

    return {
        "score": report.score,
        "max_score": report.max_score,
        "execution_time": round(report.seconds, 2),
        "output": output or " ".join(report.warnings + [
            report_summary(report.results, visibility_rules), "Public tests are the ones `python -m autograder check` "
            "runs."]
            + ([f"Bonus tests are extra credit: {report.bonus:g} of {report.bonus_max:g} bonus points are in your "
                "score, above the maximum."] if report.bonus_max else [])
            + [sandbox_note(report)]).strip(),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": r.name,
                "score": r.score,
                "max_score": r.max_score,
                "status": "passed" if r.status == "passed" else "failed",
                "output": r.output,
                "visibility": visibility_of(r.name, r.hidden, visibility_rules),
                "tags": ([f"lab{r.lab}", r.exercise] + (["bonus"] if r.bonus else [])
                         + ([r.mistake] if r.mistake else [])),
            }
            for r in report.results
        ],
    }


def malformed_results(message, max_score):
    """results.json for a submission that could not be graded at all (still a row, never a crash)."""
    return {"score": 0.0, "max_score": max_score, "execution_time": 0.0, "output": message, "visibility": "visible",
            "stdout_visibility": "hidden", "tests": []}
