"""The class policy: what turns the score the tests computed into the score a student gets.

    score = max(0, computed + overrides) - late penalty           (engine.overrides, engine.late)

It is applied by the parent after grading, on every run, to the computed results that each
submission's ``results.json`` keeps (``extra_data.computed``), never to an earlier final score:
so a rerun, a regrade or an edited overrides file gives the same answer as a first run would, and
nothing is applied twice. ``feedback.md`` gets a section that shows every adjustment, and the
gradebook row gains ``raw_score`` (computed), ``override``, ``late_days``, ``slip_days``, ``penalty``
and ``submitted_at`` beside the final ``score``.

The options (``--due``, ``--late-penalty``, ``--late-cap``, ``--slip-days``, ``--times``,
``--overrides``) are remembered in ``OUT/policy.json``: rerunning ``grade`` without them applies
the same policy (the files it names are read again, so an edited overrides file counts).
"""

import json
from pathlib import Path

from autograder.engine import late, overrides
from autograder.engine.files import atomic_json, atomic_write

OPTIONS_FILE = "policy.json"
OPTION_NAMES = ("due", "late_penalty", "late_cap", "slip_days", "times", "overrides")
POLICY_COLUMNS = ["raw_score", "override", "late_days", "slip_days", "penalty", "submitted_at"]
FEEDBACK_MARK = "<!-- adjustments: rewritten by every grade run -->"


class PolicyError(ValueError):
    """An option that makes the policy unusable (a bad --due, say): the run stops before grading."""


def resolve_options(given, out_dir, log=print):
    """The options for this run: ``given`` (from the command line) if any is set, else the ones
    remembered in OUT/policy.json (``ClassPolicy.remember``). File paths are made absolute."""
    path = Path(out_dir) / OPTIONS_FILE
    given = {name: given.get(name) for name in OPTION_NAMES}
    if not any(value is not None for value in given.values()) and path.exists():
        try:
            remembered = json.loads(path.read_text())
            log(f"Applying the policy remembered in {path}: " + ", ".join(
                f"--{k.replace('_', '-')} {v}" for k, v in remembered.items() if v is not None))
            return {name: remembered.get(name) for name in OPTION_NAMES}
        except ValueError:
            log(f"warning: {path} is not valid JSON; grading without a late policy or overrides")
    for name in ("slip_days", "times", "overrides"):
        if given[name] is not None:
            given[name] = str(Path(given[name]).resolve())
    return given


class ClassPolicy:
    """Overrides and a late policy for one batch; ``final_row`` applies them to one submission."""

    def __init__(self, options=None):
        options = options or {}
        self.options = options
        self.problems = {}  # message -> None: ordered, each said once
        self.overrides = {}
        self.late = None
        self.times = {}
        if options.get("overrides"):
            self.overrides, problems = overrides.load_overrides(options["overrides"])
            self._note(problems)
        if options.get("late_penalty") and not options.get("due"):
            raise PolicyError("--late-penalty needs --due (the due date and time, e.g. --due 2026-12-01T23:59)")
        if options.get("due"):
            try:
                due = late.parse_time(options["due"])
            except ValueError:
                raise PolicyError(f"--due {options['due']!r} is not a date and time; write e.g. "
                                  "--due 2026-12-01T23:59 (UTC) or --due 2026-12-01T23:59+01:00") from None
            rate = late.parse_rate(options["late_penalty"]) if options.get("late_penalty") else 0.0
            cap = late.parse_rate(options["late_cap"], "--late-cap") if options.get("late_cap") else 1.0
            slip = {}
            if options.get("slip_days"):
                slip, problems = late.load_slip_days(options["slip_days"])
                self._note(problems)
            self.late = late.LatePolicy(due, rate, cap, slip)
            if options.get("times"):
                self.times, problems = late.load_times(options["times"])
                self._note(problems)
        self._memo = {}

    def remember(self, out_dir):
        """Keep the options in OUT/policy.json, for a rerun without them (nothing when there are none)."""
        path = Path(out_dir) / OPTIONS_FILE
        if any(value is not None for value in self.options.values()) or path.exists():
            atomic_json(path, {name: self.options.get(name) for name in OPTION_NAMES})

    def report_problems(self, summary_path, log=print):
        """Log the input problems (a bad CSV row, an unknown submission) and list them in summary.md."""
        for problem in self.problems:
            log(f"warning: {problem}")
        if self.problems and Path(summary_path).exists():
            lines = ["", "## Input problems (these rows were not applied; fix them and rerun)", ""]
            lines += [f"- {problem}" for problem in self.problems]
            atomic_write(summary_path, Path(summary_path).read_text() + "\n".join(lines) + "\n")

    def _note(self, problems):
        for problem in problems:
            self.problems.setdefault(problem, None)

    def read_entries(self, entries):
        """Take submission times from each entry's submission_metadata.json (when the times CSV has
        none for it), and name the rows of the CSVs that match no entry."""
        ids = {submission_id for _, submission_id in entries}
        if self.late is not None:
            for path, submission_id in entries:
                metadata = Path(path) / "submission_metadata.json"
                if submission_id not in self.times and metadata.is_file():
                    when, problem = late.time_from_metadata(metadata)
                    if when is not None:
                        self.times[submission_id] = when
                    self._note([problem] if problem else [])
        for what, names in (("overrides", self.overrides), ("times", self.times),
                            ("slip_days", self.late.slip_days if self.late else {})):
            for name in sorted(set(names) - ids):
                self._note([f"{Path(self.options[what]).name}: no submission {name!r} in this folder; its rows were "
                            "not applied (check the spelling against gradebook.csv's submission column)"])

    def final_row(self, out_dir, row):
        """The gradebook row with the policy applied; rewrites the submission's results.json and
        feedback.md to match (only when they change). Never raises on a submission's files."""
        key = (row["submission"], json.dumps(row, sort_keys=True, default=str))
        if key not in self._memo:
            try:
                self._memo[key] = self._apply(Path(out_dir) / row["submission"], row)
            except (OSError, ValueError, KeyError, TypeError) as error:
                self._note([f"{row['submission']}: the adjustments could not be applied ({type(error).__name__}: "
                            f"{error}); its score is the computed one"])
                self._memo[key] = dict(row, raw_score=row["score"], override=0.0)
        return self._memo[key]

    def _apply(self, folder, row):
        submission = row["submission"]
        results_path = folder / "results.json"
        results = json.loads(results_path.read_text())
        extra = results.setdefault("extra_data", {})
        computed = extra.get("computed")
        if computed is None:  # written by this run's grading: these are the computed results
            computed = extra["computed"] = {"score": results["score"], "output": results["output"],
                                            "tests": [[t["score"], t["status"]] for t in results["tests"]]}
        tests = results["tests"]
        for test, (score, status) in zip(tests, computed["tests"]):
            test["score"], test["status"] = score, status
        adjustment, applied, problems = overrides.apply_overrides(tests, self.overrides.get(submission, []))
        self._note(problems)
        raw = float(computed["score"])
        delta = sum(t["score"] for t in tests) - sum(score for score, _ in computed["tests"]) + adjustment
        adjusted = max(0.0, raw + delta)
        submitted = self.times.get(submission)
        assessed = self.late.assess(submitted, adjusted, submission) if self.late else \
            {"late_days": "", "slip_days": "", "penalty": 0.0}
        final = round(adjusted - assessed["penalty"], 4)
        lines = self._adjustment_lines(raw, applied, assessed, submitted, final, results["max_score"])
        results["score"] = final
        results["output"] = " ".join([computed["output"]] + ([f"Adjustments: {'; '.join(lines[1])}."]
                                                             if lines[1] else [])).strip()
        new_text = json.dumps(results, indent=2) + "\n"
        if results_path.read_text() != new_text:
            atomic_write(results_path, new_text)
        self._rewrite_feedback(folder / "feedback.md", lines[0])
        return dict(row, raw_score=raw, score=final, override=round(delta, 4), **assessed,
                    submitted_at=submitted.isoformat() if submitted else "")

    def _adjustment_lines(self, raw, applied, assessed, submitted, final, max_score):
        """(feedback.md section lines, short phrases for results.json's output)."""
        rows, phrases = [], []
        for override, was in applied:
            note = f": {override.comment}" if override.comment else ""
            if override.test in ("", "*"):
                rows.append(f"| change to the total by your course staff{note} | {override.points:+g} |")
                phrases.append(f"{override.points:+g} points by your course staff{note}")
            else:
                rows.append(f"| {override.test}: {was:g} -> {override.points:g} by your course staff{note} | "
                            f"{override.points - was:+g} |")
                phrases.append(f"{override.test} set to {override.points:g} points{note}")
        if self.late is not None and submitted is not None and assessed["late_days"]:
            slip = f", {assessed['slip_days']} slip day(s) used" if assessed["slip_days"] else ""
            what = (f"late: submitted {submitted.isoformat()}, {assessed['late_days']} day(s) after the due date "
                    f"{self.late.due.isoformat()}{slip}; {self.late.rate * 100:g}% a day"
                    + (f", at most {self.late.cap * 100:g}%" if self.late.cap < 1 else ""))
            rows.append(f"| {what} | {-assessed['penalty']:+g} |")
            phrases.append(f"{what}: {-assessed['penalty']:+g} points")
        if not rows:
            return [], []
        section = [FEEDBACK_MARK, f"## Adjustments: your final score is {final:g} / {max_score:g}", "",
                   "| what | points |", "|---|---|",
                   f"| score from the tests | {raw:g} |", *rows, f"| **final score** | **{final:g} / {max_score:g}** |"]
        return section, phrases

    @staticmethod
    def _rewrite_feedback(path, section):
        if not path.exists():
            return
        text = path.read_text()
        base = text.split("\n" + FEEDBACK_MARK)[0].rstrip("\n") + "\n"
        new = base + ("\n" + "\n".join(section) + "\n" if section else "")
        if new != text:
            atomic_write(path, new)
