"""What the mutants' gradebook rows say, and ``OUT/mutants.md`` / ``OUT/mutants.json`` (``engine.mutants``).

A mutant is

- *caught* when it loses points (a test of its lab scores below its maximum), and of those
  - *named* when a feedback row names a known mistake (``TestResult.mistake``: the student is told
    what they did, e.g. "the update gate is flipped"),
  - *by an error* when it is not named but a test ended in an exception, crash or timeout (the
    student sees their own traceback's line),
  - *by a mismatch* otherwise (the feedback says where the values first differ, not why);
- *survived* when it keeps full marks, and then
  - *equivalent* when it keeps full marks on the hidden cases of the other seeds too: on every input
    the tests try it computes what the master computes (read its edit to be sure),
  - *not equivalent* when another seed's hidden cases catch it: the test exists but its cases
    missed the change for this seed.

The rates that matter are over the mutants that are not equivalent: caught / non-equivalent and
named / non-equivalent.
"""

import json
from collections import Counter

from autograder.engine.files import atomic_json, atomic_write

COUNTS = ("made", "caught", "named", "error", "mismatch", "survived", "equivalent", "grader_error")


def classify(mutants, rows, lab):
    """Fill each mutant's ``result`` from its lab's gradebook rows (``grade_batch``'s ``{id: row}``)."""
    from autograder.engine.mutants import MASTER_ID, MutantsError

    master = rows.get(MASTER_ID)
    if master is None or master["failed_exercises"] or not master["status"].startswith("graded"):
        raise MutantsError(f"the unedited master does not get full marks in lab {lab} "
                           f"({(master or {}).get('message', 'not graded')}): fix the master or its tests first, "
                           "then run the mutants again")
    for mutant in mutants:
        row = rows[mutant.id]
        base = {"score": row["score"], "max_score": row["max_score"], "message": row["message"],
                "failed": row["failed_exercises"], "mistakes": [m[2] for m in row["mistakes"]],
                "status": row["status"]}
        if not row["status"].startswith("graded"):
            verdict, how = "grader_error", None
        elif row["failed_exercises"] or row["score"] < master["score"]:
            verdict = "caught"
            # "graded (2 error)": a test ended in an exception, a crash or a timeout
            how = "named" if row["mistakes"] else ("error" if row["status"] != "graded" else "mismatch")
        else:
            verdict, how = "survived", None
        mutant.result = dict(base, verdict=verdict, how=how, equivalent=None, seeds_passed=[])


def add_equivalence(mutants, rows, seed):
    """Record the regrade of the survivors on another seed's hidden cases."""
    for mutant in mutants:
        row = rows.get(mutant.id)
        if row is None or mutant.result["verdict"] != "survived":
            continue
        if row["failed_exercises"]:
            mutant.result["equivalent"] = False
            mutant.result.setdefault("caught_by_seed", {"seed": seed, "failed": row["failed_exercises"],
                                                        "message": row["message"]})
        else:
            mutant.result["seeds_passed"].append(seed)
            if mutant.result["equivalent"] is None:
                mutant.result["equivalent"] = True


def _counts(mutants):
    counts = Counter(made=len(mutants))
    for mutant in mutants:
        result = mutant.result
        if result["verdict"] == "caught":
            counts["caught"] += 1
            counts[result["how"]] += 1
        elif result["verdict"] == "survived":
            counts["survived"] += 1
            counts["equivalent"] += bool(result["equivalent"])
        else:
            counts["grader_error"] += 1
    row = {key: counts[key] for key in COUNTS}
    row["not_equivalent"] = row["made"] - row["equivalent"]
    for key in ("caught", "named"):
        row[f"{key}_rate"] = round(row[key] / row["not_equivalent"], 4) if row["not_equivalent"] else None
    return row


def summarise(mutants, settings):
    """The JSON summary: settings, totals, per-lab and per-exercise counts, operators, every mutant."""
    labs = sorted({m.lab for m in mutants})
    exercises = sorted({(m.lab, m.exercise) for m in mutants})
    operators = sorted({m.operator for m in mutants})
    return {
        "settings": settings,
        "total": _counts(mutants),
        "labs": {str(lab): _counts([m for m in mutants if m.lab == lab]) for lab in labs},
        "exercises": [dict(lab=lab, exercise=name, **_counts([m for m in mutants if (m.lab, m.exercise) == (lab, name)]))
                      for lab, name in exercises],
        "operators": {name: _counts([m for m in mutants if m.operator == name]) for name in operators},
        "mutants": [m.as_json() for m in mutants],
    }


def _rate(value):
    return "-" if value is None else f"{100 * value:.0f}%"


def headline(summary):
    total = summary["total"]
    return (f"{total['made']} mutants: {total['caught']} caught ({_rate(total['caught_rate'])} of the "
            f"{total['not_equivalent']} not equivalent), {total['named']} named ({_rate(total['named_rate'])}), "
            f"{total['survived']} survived ({total['equivalent']} look equivalent), "
            f"{summary['settings']['seconds']:.0f} s")


def _table(rows, first):
    lines = [f"| {first} | made | caught | named | by error | by mismatch | survived | equivalent | caught % | "
             "named % |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, row in rows:
        lines.append(f"| {label} | {row['made']} | {row['caught']} | {row['named']} | {row['error']} | "
                     f"{row['mismatch']} | {row['survived']} | {row['equivalent']} | {_rate(row['caught_rate'])} | "
                     f"{_rate(row['named_rate'])} |")
    return lines


def _code(text):
    return "`" + " ".join(text.split()).replace("`", "'") + "`"


def render_markdown(summary):
    settings = summary["settings"]
    lines = [
        "# Mutation testing of the grading tests", "",
        f"`python -m autograder mutants --count {settings['count']} --seed {settings['seed']}` over lab(s) "
        f"{', '.join(map(str, settings['labs']))}; survivors regraded on {settings['equivalence_seeds']} more "
        f"seed(s); {settings['seconds']:.0f} s.", "",
        headline(summary) + ".", "",
        "A mutant is the master with one edit. *Caught*: it loses points; *named*: the feedback names a known "
        "mistake; *by error* / *by mismatch*: caught, but the feedback shows an exception, or where the values "
        "differ, without naming the mistake. *Equivalent*: it survived and kept full marks on the other seeds' "
        "hidden cases too, so no test tells it from the master; read its edit to be sure (it may change "
        "what no case tries: a type, an argument the cases never pass). The rates are over the mutants "
        "that are not equivalent.", "",
        "## By lab", "",
        *_table([(f"lab {lab}", row) for lab, row in summary["labs"].items()] + [("**all**", summary["total"])],
                "lab"),
        "", "## By exercise", "",
        *_table([(f"lab {row['lab']} {row['exercise']}", row) for row in summary["exercises"]], "exercise"),
        "", "## By operator", "",
        *_table(list(summary["operators"].items()), "operator"),
        "", "## Survivors", "",
    ]
    survivors = [m for m in summary["mutants"] if m["result"]["verdict"] == "survived"]
    if not survivors:
        lines.append("None: every mutant lost points.")
    for mutant in survivors:
        result = mutant["result"]
        if result["equivalent"]:
            verdict = (f"looks equivalent (full marks on the hidden cases of seed(s) "
                       f"{', '.join(map(str, result['seeds_passed']))} too)")
        elif result["equivalent"] is False:
            caught = result["caught_by_seed"]
            verdict = (f"NOT equivalent: seed {caught['seed']}'s hidden cases catch it "
                       f"({', '.join(caught['failed'])}): this seed's cases miss it")
        else:
            verdict = "not checked for equivalence (no other seed graded)"
        lines += [f"- **{mutant['id']}** ({mutant['module']}:{mutant['line']}, {mutant['function']}): "
                  f"{_code(mutant['edit'])}", f"  - master: {_code(mutant['original_line'])}",
                  f"  - mutant: {_code(mutant['mutated_line'])}", f"  - {verdict}"]
    unnamed = [m for m in summary["mutants"] if m["result"]["how"] == "mismatch"]
    lines += ["", "## Caught but not named (by mismatch)", ""]
    lines += [f"- {m['id']} ({m['module']}:{m['line']}): {_code(m['edit'])}; {m['result']['message'][:200]}"
              for m in unnamed] or ["None."]
    errors = [m for m in summary["mutants"] if m["result"]["verdict"] == "grader_error"]
    if errors:
        lines += ["", "## Grader errors", ""]
        lines += [f"- {m['id']}: {m['result']['message'][:300]}" for m in errors]
    return "\n".join(lines) + "\n"


def write(out_dir, summary):
    atomic_json(out_dir / "mutants.json", summary)
    atomic_write(out_dir / "mutants.md", render_markdown(summary))


def load(out_dir):
    return json.loads((out_dir / "mutants.json").read_text())
