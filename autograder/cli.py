"""``python -m autograder``: check (students), grade (TAs), release and new-lab (instructors)."""

import argparse
import signal
import sys
from pathlib import Path

from autograder import LABS_DIR

EXIT_OK, EXIT_STALE, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 128 + signal.SIGTERM


_STOPPED_BY = []  # the signal that stopped this command, for the message


class Stopped(KeyboardInterrupt):
    """SIGTERM arrived: unwind like Ctrl-C, so that every ``with`` ends the processes it started."""


def _stop(signum, frame):
    _STOPPED_BY.append(signal.Signals(signum).name)  # pytest swallows the exception's text: keep it here
    raise Stopped()


def _log(message):
    print(message, file=sys.stderr, flush=True)


def _labs_arg(values):
    from autograder.engine.labs import LABS

    labs = sorted(set(values or LABS))
    unknown = [lab for lab in labs if lab not in LABS]
    if unknown:
        raise SystemExit(f"error: no lab {unknown[0]}; the labs are {', '.join(map(str, LABS))}")
    return labs


# -- check ---------------------------------------------------------------------------------------
def command_check(args):
    from autograder.engine import report
    from autograder.engine.cases import MissingFixtureError
    from autograder.engine.check import check_submission
    from autograder.engine.files import atomic_json
    from autograder.engine.submission import SubmissionError

    try:
        result = check_submission(args.submission or LABS_DIR, _labs_arg(args.lab), call_timeout=args.timeout,
                                  submission_timeout=args.submission_timeout, progress=_progress, log=_log)
    except (SubmissionError, MissingFixtureError) as error:
        _log(f"error: {error}")
        return EXIT_BAD_INPUT
    print(report.render_text(result, public=True))
    if not args.no_log:
        from autograder.engine.attempts import record_attempt

        for line in record_attempt(args.submission or LABS_DIR, result, _labs_arg(args.lab)):
            print(line)
    if args.json:
        atomic_json(args.json, report.check_json(result))
        _log(f"results written to {args.json}")
    return EXIT_OK


def _progress(done, total, result):
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\r  {done}/{total} tests", end=end, file=sys.stderr, flush=True)


# -- release -------------------------------------------------------------------------------------
def command_release(args):
    from autograder.engine import bundle, release

    if args.student:
        try:
            written = bundle.write_student_bundle(args.student)
        except FileExistsError as error:
            _log(f"error: {error}")
            return EXIT_BAD_INPUT
        _log(f"Wrote the student bundle ({len(written)} files) to {args.student}: labs, datasets, the public "
             "autograder and fixtures; no solutions, no hidden tests.")
        return EXIT_OK
    try:
        stale = release.run_release(_labs_arg(args.lab), check=args.check, log=_log)
    except release.ReleaseError as error:
        _log(f"error: {error}")
        return EXIT_BAD_INPUT
    if stale:
        _log("The student release is stale: run `python -m autograder release`.\n  " + "\n  ".join(stale))
        return EXIT_STALE
    return EXIT_OK


# -- grade ---------------------------------------------------------------------------------------
def command_grade(args):
    from autograder.engine.batch import grade_batch
    from autograder.engine.policy import ClassPolicy, resolve_options

    labs = _labs_arg(args.lab)
    if args.workers < 1:
        _log("error: --workers must be at least 1")
        return EXIT_BAD_INPUT
    try:
        if not Path(args.submissions).is_dir():
            raise FileNotFoundError(f"{Path(args.submissions).resolve()} is not a folder of submissions")
        visibility = _visibility_arg(args.visibility)
        policy = ClassPolicy(resolve_options(vars(args), args.out, log=_log))
        rows = grade_batch(args.submissions, args.out, labs, workers=args.workers, seed=args.seed,
                           call_timeout=args.timeout, hidden=not args.public_only, log=_log,
                           submission_timeout=args.submission_timeout, policy=policy, visibility_rules=visibility,
                           similarity=not args.no_similarity)
    except (FileNotFoundError, ValueError) as error:
        _log(f"error: {error}")
        return EXIT_BAD_INPUT
    out = Path(args.out)
    _log(f"Graded {len(rows)} submissions: {out / 'gradebook.csv'}, {out / 'summary.md'}, {out / 'changes.md'}, "
         f"{out / 'similarity.md'}, {out}/<id>/results.json and feedback.md")
    return EXIT_OK


def _visibility_arg(path):
    from autograder.engine.visibility import load_rules

    return load_rules(path) if path else None  # a VisibilityError is a ValueError: exit 2 with its message


# -- export ----------------------------------------------------------------------------------------
def command_export(args):
    from autograder.engine.lms import ExportError, export

    target = args.csv or str(Path(args.out_dir) / f"{args.to}.csv")
    try:
        path = export(args.out_dir, args.to, target, assignment=args.assignment, roster=args.roster,
                      mapping=args.mapping)
    except ExportError as error:
        _log(f"error: {error}")
        return EXIT_BAD_INPUT
    _log(f"Wrote {path} ({args.to} layout{', ' + args.mapping if args.mapping else ''}): import it in the LMS's "
         "gradebook.")
    return EXIT_OK


# -- gradescope -----------------------------------------------------------------------------------
def command_gradescope(args):
    from autograder.engine import late
    from autograder.engine.gradescope import build_zip

    from autograder.engine.visibility import VisibilityError

    try:
        settings = {"visibility": _visibility_arg(args.visibility)}
    except VisibilityError as error:
        _log(f"error: {error}")
        return EXIT_BAD_INPUT
    try:
        if args.due:
            late.parse_time(args.due)
        for value, what in ((args.late_penalty, "--late-penalty"), (args.late_cap, "--late-cap")):
            if value:
                late.parse_rate(value, what)
    except ValueError as error:
        _log(f"error: {error}" if isinstance(error, late.LateError) else
             f"error: --due {args.due!r} is not a date and time; write e.g. 2026-12-01T23:59+01:00")
        return EXIT_BAD_INPUT
    if args.max_graded is not None and args.max_graded < 1:
        _log("error: --max-graded must be at least 1")
        return EXIT_BAD_INPUT
    settings.update(due=args.due, late_penalty=args.late_penalty, late_cap=args.late_cap,
                    max_graded=args.max_graded, window_hours=args.window_hours)
    path = build_zip(args.out, args.seed, _labs_arg(args.lab), {k: v for k, v in settings.items() if v is not None})
    _log(f"Wrote {path}: upload it as the assignment's autograder (setup.sh installs requirements.txt, "
         f"run_autograder grades /autograder/submission). Hidden-case seed: {args.seed}.")
    return EXIT_OK


def command_gradescope_run(args):
    from autograder.engine.gradescope import run_one

    seconds = run_one(args.submission, args.results, timeout=args.timeout, submission_timeout=args.submission_timeout)
    _log(f"results written to {args.results} in {seconds:.1f} s")
    return EXIT_OK


# -- mutants ---------------------------------------------------------------------------------------
def command_mutants(args):
    from autograder.engine.mutants import MutantsError, run_mutants

    if args.workers < 1 or (args.count is not None and args.count < 1) or args.equivalence_seeds < 0:
        _log("error: --workers and --count must be at least 1, --equivalence-seeds at least 0")
        return EXIT_BAD_INPUT
    try:
        run_mutants(args.out, _labs_arg(args.lab), count=args.count, seed=args.seed, workers=args.workers,
                    equivalence_seeds=args.equivalence_seeds, call_timeout=args.timeout, log=_log)
    except MutantsError as error:
        _log(f"error: {error}")
        return EXIT_BAD_INPUT
    return EXIT_OK


# -- new-lab / new-dataset -------------------------------------------------------------------------
def command_new_lab(args):
    from autograder.engine import scaffold

    try:
        values, written = scaffold.new_lab(args.lab, args.topic, module=args.module, title=args.title)
    except scaffold.ScaffoldError as error:
        _log(f"error: {error}")
        return EXIT_BAD_INPUT
    print(scaffold.lab_report(values, written))
    return EXIT_OK


def command_new_dataset(args):
    from autograder.engine import scaffold

    try:
        values, written = scaffold.new_dataset(args.name, title=args.title)
    except scaffold.ScaffoldError as error:
        _log(f"error: {error}")
        return EXIT_BAD_INPUT
    print(scaffold.dataset_report(values, written))
    return EXIT_OK


def _student_and_ta_commands(commands):
    check = commands.add_parser("check", help="grade your rnnlab/ with the public tests",
                                description="Grade a submission with the public tests and print a score and hints.")
    check.add_argument("submission", nargs="?", help="folder holding rnnlab/ (default: labs/) or a .zip of it")
    check.add_argument("--lab", type=int, action="append", help="only this lab (repeatable)")
    check.add_argument("--json", help="also write the results to this JSON file")
    check.add_argument("--timeout", type=float, default=None, help="seconds allowed per test (default 60)")
    check.add_argument("--submission-timeout", type=float, default=None,
                       help="seconds for all the tests together (default 120); the rest score 0 after it")
    check.add_argument("--no-log", action="store_true", help="do not log this attempt in FOLDER/.rnnlab/attempts.jsonl")
    check.set_defaults(run=command_check)

    grade = commands.add_parser("grade", help="grade a folder of submissions (TAs): gradebook, feedback, results.json",
                                description="Grade every submission in a folder with the public and hidden tests.")
    grade.add_argument("submissions", help="folder whose entries are submissions (folders holding rnnlab/, or .zip)")
    grade.add_argument("--out", required=True, help="output folder (gradebook.csv, summary.md, <id>/...)")
    grade.add_argument("--workers", type=int, default=2, help="parallel workers (default 2)")
    grade.add_argument("--seed", type=int, default=0, help="seed for the hidden cases (keep it secret)")
    grade.add_argument("--timeout", type=float, default=60, help="seconds allowed per test (default 60)")
    grade.add_argument("--submission-timeout", type=float, default=None,
                       help="seconds for all of one submission's tests together (default 120): a hung "
                            "submission costs at most this; its remaining tests score 0 with a message")
    grade.add_argument("--lab", type=int, action="append", help="only this lab (repeatable)")
    grade.add_argument("--public-only", action="store_true", help="skip the hidden tests")
    policy = grade.add_argument_group(
        "class policy", "applied on top of the computed scores on every run, remembered in OUT/policy.json: "
                        "a rerun without these options applies the same ones (see the README's TA section)")
    policy.add_argument("--due", help="due date and time, ISO 8601: 2026-12-01T23:59 (UTC) or 2026-12-01T23:59+01:00")
    policy.add_argument("--late-penalty", help="share of the earned score taken per late day, e.g. 10%%/day")
    policy.add_argument("--late-cap", help="the most a late penalty takes, e.g. 50%% (default 100%%)")
    policy.add_argument("--slip-days", metavar="CSV", help="submission,slip_days: late days not charged")
    policy.add_argument("--times", metavar="CSV", help="submission,submitted_at (else each entry's "
                                                       "submission_metadata.json created_at)")
    policy.add_argument("--overrides", metavar="CSV", help="submission,test,points,comment: a test's points "
                                                           "(empty test: points added to the total)")
    grade.add_argument("--visibility", metavar="CSV", help="tests,visibility rules for results.json "
                                                           "(visible, after_due_date, after_published, hidden)")
    grade.add_argument("--no-similarity", action="store_true", help="do not write similarity.md")
    grade.set_defaults(run=command_grade)

    export = commands.add_parser("export", help="gradebook.csv in the layout Canvas or Moodle imports (TAs)",
                                 description="Export OUT/gradebook.csv's final scores for an LMS.")
    export.add_argument("out_dir", metavar="OUT", help="the folder grade wrote")
    export.add_argument("--to", choices=["canvas", "moodle"], default="canvas", help="the layout (default canvas)")
    export.add_argument("--assignment", default="rnnlab", help="the assignment column's name, as the LMS shows it "
                                                               "(Canvas: 'Lab 1 (4711)', with its id)")
    export.add_argument("--roster", help="CSV submission,student_id,name,email[,section,sis_user_id,sis_login_id]")
    export.add_argument("--mapping", help="JSON {\"columns\": {header: field}} replacing the layout's columns")
    export.add_argument("--csv", help="where to write (default OUT/<layout>.csv)")
    export.set_defaults(run=command_export)


def _instructor_commands(commands):
    gradescope = commands.add_parser("gradescope", help="build a Gradescope autograder.zip",
                                     description="Pack the grader, the master solution and a seed for Gradescope.")
    gradescope.add_argument("--out", default="autograder.zip", help="where to write the zip")
    gradescope.add_argument("--seed", type=int, default=0, help="seed for the hidden cases")
    gradescope.add_argument("--lab", type=int, action="append", help="only this lab (repeatable)")
    gradescope.add_argument("--visibility", metavar="CSV", help="tests,visibility rules (visible, after_due_date, "
                                                                "after_published, hidden); default: hidden tests "
                                                                "after the due date")
    gradescope.add_argument("--max-graded", type=int, help="at most this many graded submissions per student "
                                                           "in any --window-hours (default: no limit)")
    gradescope.add_argument("--window-hours", type=float, default=24, help="the window of --max-graded (default 24)")
    gradescope.add_argument("--due", help="due date for the late penalty (default: the assignment's on Gradescope)")
    gradescope.add_argument("--late-penalty", help="share of the score taken per late day, e.g. 10%%/day")
    gradescope.add_argument("--late-cap", help="the most a late penalty takes, e.g. 50%%")
    gradescope.set_defaults(run=command_gradescope)

    gradescope_run = commands.add_parser("gradescope-run")  # what run_autograder calls; not listed
    gradescope_run.add_argument("--submission", required=True)
    gradescope_run.add_argument("--results", required=True)
    gradescope_run.add_argument("--timeout", type=float, default=60)
    gradescope_run.add_argument("--submission-timeout", type=float, default=None)
    gradescope_run.set_defaults(run=command_gradescope_run)

    mutants = commands.add_parser(
        "mutants", help="grade one-edit mutants of the master: which mistakes do the tests miss?",
        description="Make one-edit mutants of the master's solution blocks (swap + and -, drop a call, swap "
                    "kernel and recurrent_kernel, ...; see autograder/engine/mutation_operators.py), grade each "
                    "with its lab's public and hidden tests, and report per exercise how many lose points, how "
                    "many are named as a known mistake, and the survivors (with whether they look equivalent).",
        epilog="example:\n  python -m autograder mutants --count 200 --seed 0 --out out/mutants\n"
               "  writes out/mutants/mutants.md and mutants.json (docs/EXTENDING.md)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    mutants.add_argument("--out", default="out/mutants", help="output folder (default out/mutants)")
    mutants.add_argument("--lab", type=int, action="append", help="only this lab's exercises (repeatable)")
    mutants.add_argument("--count", type=int, default=200, help="how many mutants (default 200), spread across "
                                                                "the exercises")
    mutants.add_argument("--all", dest="count", action="store_const", const=None, help="every mutant there is")
    mutants.add_argument("--seed", type=int, default=0, help="picks the mutants and the hidden cases (default 0)")
    mutants.add_argument("--workers", type=int, default=2, help="parallel workers (default 2)")
    mutants.add_argument("--equivalence-seeds", type=int, default=2,
                         help="grade the survivors on this many more seeds' hidden cases (default 2)")
    mutants.add_argument("--timeout", type=float, default=60, help="seconds allowed per test (default 60)")
    mutants.set_defaults(run=command_mutants)

    release = commands.add_parser("release", help="regenerate labs/ and the public fixtures from solutions/",
                                  description="Strip solutions/ into labs/ and rebuild the public fixtures.")
    release.add_argument("--check", action="store_true", help="change nothing; exit 1 if labs/ or fixtures are stale")
    release.add_argument("--student", metavar="OUT", help="instead, write the student bundle (no solutions) to OUT")
    release.add_argument("--lab", type=int, action="append",
                         help="recompute (or check) only this lab's fixtures (repeatable; default: every lab); "
                              "labs/ and the manifest are always done in full")
    release.set_defaults(run=command_release)


def _scaffolding_commands(commands):
    new_lab = commands.add_parser(
        "new-lab", help="start lab N from templates/ (instructors)", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Create a complete, working lab N from templates/lab/: the walkthrough notebook, a\n"
                    "student module with one example exercise, its cases, probes, grading tests and known\n"
                    "mistakes, and the kit's tests for them. Refuses to overwrite anything; prints the next\n"
                    "steps (release, check solutions --lab N, check labs --lab N, pytest).",
        epilog="example:\n  python -m autograder new-lab 6 attention --title \"attention over RNN states\"\n"
               "  creates solutions/lab6_attention.py, solutions/rnnlab/attention.py, the grading folder\n"
               "  autograder/labs/lab6/ (cases.py, probes.py, mistakes.py, test_lab6.py), and the kit's tests\n"
               "  tests/test_grader_lab6.py and tests/test_lab6_walkthrough.py. See docs/EXTENDING.md.")
    new_lab.add_argument("lab", type=int, metavar="N", help="the lab's number, one that no lab uses yet")
    new_lab.add_argument("topic", metavar="TOPIC", help="a lowercase snake_case name: solutions/labN_TOPIC.py")
    new_lab.add_argument("--module", help="the student module, solutions/rnnlab/MODULE.py (default: TOPIC)")
    new_lab.add_argument("--title", help="the lab's title in its notebook and reports (default: TOPIC with spaces)")
    new_lab.set_defaults(run=command_new_lab)

    new_dataset = commands.add_parser(
        "new-dataset", help="start a sequence task in datasets/seqtasks from templates/ (instructors)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Create datasets/seqtasks/NAME.py (a seeded generator make_NAME and its chance\n"
                    "baseline NAME_baseline, from an example task to replace) and tests/test_dataset_NAME.py,\n"
                    "and export both functions from seqtasks. Refuses to overwrite anything.",
        epilog="example:\n  python -m autograder new-dataset first_symbol\nSee docs/EXTENDING.md.")
    new_dataset.add_argument("name", metavar="NAME", help="a lowercase snake_case name: make_NAME, NAME_baseline")
    new_dataset.add_argument("--title", help="the task's title in its docstrings (default: NAME with spaces)")
    new_dataset.set_defaults(run=command_new_dataset)


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m autograder", description="The RNN lab kit's autograder.")
    commands = parser.add_subparsers(dest="command", required=True,
                                     metavar="{check,grade,export,gradescope,mutants,release,new-lab,new-dataset}")
    _student_and_ta_commands(commands)
    _instructor_commands(commands)
    _scaffolding_commands(commands)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        why = _STOPPED_BY[0] if _STOPPED_BY else "Ctrl-C"
        _log(f"stopped by {why}: every process this command started has ended; nothing half-written was kept.")
        return EXIT_INTERRUPTED
