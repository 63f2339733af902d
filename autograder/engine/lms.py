"""Gradebook export in the column layout an LMS imports: Canvas or Moodle, or your own mapping.

    python -m autograder export OUT --to canvas --assignment "Lab 1 (4711)" --roster roster.csv

Canvas's gradebook import reads ``Student, ID, SIS User ID, SIS Login ID, Section`` then one column
per assignment, named as Canvas shows it (``Lab 1 (4711)``, with its id), and an optional second
row ``Points Possible``. Moodle's CSV import maps any columns; the layout here identifies students
by ``Email address`` and ``ID number``. ``--roster`` (``submission,student_id,name,email`` and
optionally ``section,sis_user_id,sis_login_id``) says who each submission is; without it a
submission's id stands for the student's.

A mapping file replaces a layout's columns (JSON: header -> field)::

    {"columns": {"Username": "email", "Grade": "score", "Out of": "max_score"},
     "points_possible_row": false}

A field is a roster column or a gradebook column (``score`` is the final score).
"""

import csv
import io
import json
from pathlib import Path

from autograder.engine.files import atomic_write

ROSTER_FIELDS = ("submission", "student_id", "name", "email", "section", "sis_user_id", "sis_login_id")
LAYOUTS = {
    "canvas": {"columns": {"Student": "name", "ID": "student_id", "SIS User ID": "sis_user_id",
                           "SIS Login ID": "sis_login_id", "Section": "section", "{assignment}": "score"},
               "points_possible_row": True},
    "moodle": {"columns": {"Email address": "email", "ID number": "student_id", "{assignment}": "score"},
               "points_possible_row": False},
}


class ExportError(ValueError):
    """An export that cannot be made; the message names the file and what to change."""


def _read_csv(path, what):
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return list(csv.DictReader(handle))
    except OSError as error:
        raise ExportError(f"cannot read the {what} {path}: {error.strerror}") from None


def export(out_dir, layout, target, assignment="rnnlab", roster=None, mapping=None):
    """Write ``target`` from ``OUT/gradebook.csv`` in ``layout`` (or ``mapping``); returns its path."""
    book = _read_csv(Path(out_dir) / "gradebook.csv", "gradebook (run grade first)")
    spec = dict(LAYOUTS[layout])
    if mapping:
        try:
            spec.update(json.loads(Path(mapping).read_text()))
        except (OSError, ValueError) as error:
            raise ExportError(f"{mapping}: not a readable JSON mapping ({error})") from None
    people = {}
    for number, row in enumerate(_read_csv(roster, "roster") if roster else [], start=2):
        if not row.get("submission"):
            raise ExportError(f"{Path(roster).name} line {number}: no submission; the header must start "
                              "submission,student_id,name,email")
        people[row["submission"].strip()] = {k: (v or "").strip() for k, v in row.items() if k}
    known = set(ROSTER_FIELDS) | set(book[0] if book else []) | {k for p in people.values() for k in p}
    columns = {header.replace("{assignment}", assignment): field for header, field in spec["columns"].items()}
    for header, field in columns.items():
        if field not in known:
            raise ExportError(f"{Path(mapping or layout).name}: column {header!r} takes {field!r}, which is neither a "
                              f"roster nor a gradebook column ({', '.join(sorted(known))})")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(columns))
    if spec.get("points_possible_row") and book:
        writer.writerow(["Points Possible" if i == 0 else (book[0]["max_score"] if field == "score" else "")
                         for i, field in enumerate(columns.values())])
    for row in book:
        person = people.get(row["submission"], {})
        values = dict(row, name=person.get("name") or row["submission"],
                      student_id=person.get("student_id") or row["submission"])
        values.update({k: v for k, v in person.items() if k not in ("name", "student_id")})
        writer.writerow([values.get(field, "") for field in columns.values()])
    atomic_write(target, buffer.getvalue())
    return Path(target)
