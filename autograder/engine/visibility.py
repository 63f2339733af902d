"""Which tests a student sees on Gradescope, and wording that never claims more than they saw.

Gradescope shows each test of ``results.json`` according to its ``visibility``: ``visible`` (at
once), ``after_due_date``, ``after_published`` (when the instructor publishes grades) or ``hidden``
(never). The default here: public tests visible, hidden tests after the due date. An instructor
changes that with a small CSV of rules, ``tests,visibility``, read top to bottom, the last
matching rule winning::

    tests,visibility
    hidden,after_published            # every hidden test
    lab2,visible                      # every test of lab 2, public and hidden
    lab5 DeepRNN,hidden               # one exercise (a test name's prefix)
    lab1 SimpleRNNCell: forward values [hidden],visible   # one test, by its name in results.json

The summary a student reads (``student_summary``) counts only what they can see: "Public tests
passed (20 of 20 points)", never "all passed" while hidden tests are still to be shown.
"""

import csv
from pathlib import Path

VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
DEFAULT_RULES = (("public", "visible"), ("hidden", "after_due_date"))

_WHEN = {
    "after_due_date": "shown after the due date",
    "after_published": "shown when your instructor publishes the grades",
    "hidden": "not shown to students",
}


class VisibilityError(ValueError):
    """A rules file that cannot be used; the message names the file and line."""


def load_rules(path):
    """[(selector, visibility)] from a ``tests,visibility`` CSV, after the defaults."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise VisibilityError(f"cannot read the visibility rules {path}: {error.strerror}") from None
    rules = list(DEFAULT_RULES)
    reader = csv.DictReader(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    if reader.fieldnames is None or {"tests", "visibility"} - {name.strip() for name in reader.fieldnames}:
        raise VisibilityError(f"{path}: the first line must be the header 'tests,visibility'")
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").split("#")[0].strip() for k, v in row.items()}
        if row["visibility"] not in VISIBILITIES:
            raise VisibilityError(f"{path} line {number}: visibility {row['visibility']!r} is not one of "
                                  f"{', '.join(VISIBILITIES)}")
        if not row["tests"]:
            raise VisibilityError(f"{path} line {number}: say which tests: public, hidden, labN, "
                                  "'labN EXERCISE' or a test's name")
        rules.append((row["tests"], row["visibility"]))
    return rules


def _matches(selector, name, hidden):
    if selector in ("*", "all"):
        return True
    if selector == "public":
        return not hidden
    if selector == "hidden":
        return hidden
    return name == selector or name.startswith(selector + " ") or name.startswith(selector + ":")


def visibility_of(name, hidden, rules=DEFAULT_RULES):
    """The visibility of the test called ``name`` (its results.json name); the last matching rule wins."""
    chosen = "visible"
    for selector, visibility in rules or DEFAULT_RULES:
        if _matches(selector, name, hidden):
            chosen = visibility
    return chosen


def report_summary(results, rules=None):
    """``student_summary`` of grading results (``grading.TestResult``) under ``rules``."""
    return student_summary([{"score": r.score, "max_score": r.max_score, "hidden": r.hidden,
                             "bonus": bool(getattr(r, "bonus", False)),
                             "status": "passed" if r.status == "passed" else "failed",
                             "visibility": visibility_of(r.name, r.hidden, rules)} for r in results])


def _points(tests):
    return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)


def _bonus_phrase(group):
    """", plus 6 of 6 bonus points" for the extra-credit tests of a group, which are not in its total."""
    bonus = [t for t in group if t.get("bonus")]
    if not bonus:
        return ""
    got, total = _points(bonus)
    return f", plus {got:g} of {total:g} bonus points"


def student_summary(tests):
    """One or two sentences on the tests as a student sees them now (``tests``: results.json
    entries with ``visibility`` and ``hidden``). Counts only visible tests as seen."""
    shown = [t for t in tests if t["visibility"] == "visible"]
    later = [t for t in tests if t["visibility"] != "visible"]
    sentences = []
    for kind in ("public", "hidden"):
        group = [t for t in shown if t.get("hidden", False) == (kind == "hidden")]
        if not group:
            continue
        got, total = _points([t for t in group if not t.get("bonus")])
        failed = sum(1 for t in group if t["status"] != "passed")
        if not failed:
            sentences.append(f"{kind.capitalize()} tests passed ({got:g} of {total:g} points{_bonus_phrase(group)}).")
        else:
            sentences.append(f"{kind.capitalize()} tests: {got:g} of {total:g} points{_bonus_phrase(group)} ({failed} "
                             f"of {len(group)} tests not passed).")
    for visibility, when in _WHEN.items():
        group = [t for t in later if t["visibility"] == visibility]
        if group:
            plural = "s" if len(group) != 1 else ""
            what = f"hidden test{plural} (other sizes and values)" if all(t.get("hidden") for t in group) \
                else f"test{plural}"
            worth = _points(group)[1]
            sentences.append(f"{len(group)} {what} worth {worth:g} point{'s' if worth != 1 else ''} "
                             f"{'are' if plural else 'is'} graded with this submission and {when}.")
    return " ".join(sentences)
