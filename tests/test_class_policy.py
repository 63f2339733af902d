"""What a TA needs around the score, without TensorFlow: similarity, late work, overrides, the class
policy on an OUT folder, the changes of a rerun, per-test visibility and its wording, the
Gradescope rate limit and the LMS export. Every input is small and made here."""

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest
from classkit import disguised_copy, independent, master_copy, release_copy

from autograder.engine import late, lms, overrides, ratelimit, regrade, similarity, visibility
from autograder.engine.batch import GRADEBOOK_COLUMNS, write_gradebook
from autograder.engine.policy import FEEDBACK_MARK, ClassPolicy, PolicyError, resolve_options

UTC = timezone.utc


# -- similarity ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def similar_class(tmp_path_factory):
    subs = tmp_path_factory.mktemp("similar")
    master_copy(subs / "alice")
    disguised_copy(subs / "alice", subs / "bob")  # renamed locals, no comments, functions reordered
    independent(subs / "carol")  # every Lab 1 exercise written in another style
    release_copy(subs / "erin")
    release_copy(subs / "fay")
    release_copy(subs / "gus")
    entries = [(path, path.name) for path in sorted(subs.iterdir())]
    return subs, entries, similarity.compare([similarity.read_entry(p, i) for p, i in entries])


def test_a_renamed_and_reordered_copy_ranks_first_and_is_flagged(similar_class):
    _, _, pairs = similar_class
    first = pairs[0]
    assert {first.a.submission, first.b.submission} == {"alice", "bob"}
    assert first.flagged and first.score > 0.7, (first.share_a, first.share_b)


def test_independent_correct_submissions_are_not_flagged(similar_class):
    _, _, pairs = similar_class
    for pair in pairs:
        if "carol" in (pair.a.submission, pair.b.submission):
            assert not pair.flagged and pair.score < 0.2, (pair.a.submission, pair.b.submission, pair.score)


def test_untouched_templates_have_no_code_of_their_own_and_match_nobody(similar_class):
    subs, entries, pairs = similar_class
    assert similarity.read_entry(subs / "erin", "erin").size == 0
    assert all({p.a.submission, p.b.submission}.isdisjoint({"erin", "fay", "gus"}) for p in pairs)
    # The master's own code is its solution blocks: something to compare, none of the given lines.
    alice = similarity.read_entry(subs / "alice", "alice")
    own = {line.strip() for lines in alice.lines.values() for _, line in lines}
    assert "return h, [h]" in own and "def unroll(cell, x, initial_state=None):" not in own


def test_the_report_ranks_pairs_and_quotes_the_matching_lines(similar_class, tmp_path):
    subs, entries, _ = similar_class
    flagged = similarity.write_similarity_report(tmp_path, entries, log=lambda m: None)
    assert flagged == 1
    report = (tmp_path / "similarity.md").read_text()
    assert "| 1 | alice / bob |" in report and "## 1. alice and bob" in report
    # The longest shared runs over all modules, longest first: the copied state_gradient_norms is one.
    assert "rnnlab/gradients.py lines" in report and "grads = backward(cell, x, states, probes, loss_fn)" in report
    rows = list(csv.DictReader(open(tmp_path / "similarity.csv")))
    assert (rows[0]["submission_a"], rows[0]["submission_b"], rows[0]["flagged"]) == ("alice", "bob", "yes")


def test_the_quotes_are_the_longest_shared_runs_of_any_module():
    """A module early in the alphabet with short runs must not crowd out a longer copy elsewhere."""
    lines = {"aaa.py": [(n, f"a{n}") for n in (1, 2, 10, 11, 20, 21)], "zzz.py": [(n, f"z{n}") for n in range(1, 9)]}
    fingerprints = {"a1": ("aaa.py", 1, 2), "a2": ("aaa.py", 10, 11), "a3": ("aaa.py", 20, 21), "z": ("zzz.py", 1, 8)}
    code = similarity.Code("x", lines=lines, fingerprints=fingerprints)
    quotes = similarity._regions(code, set(fingerprints), limit=2)
    assert [quote.splitlines()[0] for quote in quotes] == ["rnnlab/zzz.py lines 1-8:", "rnnlab/aaa.py lines 1-2:"]


def test_a_whole_class_of_one_copy_is_every_pair_flagged(tmp_path):
    """A fingerprint that most of a big class shares is left out; identical copies in a small
    group are still found (the class-wide filter starts above 4 submissions)."""
    for name in "abc":
        master_copy(tmp_path / name)
    codes = [similarity.read_entry(tmp_path / n, n) for n in "abc"]
    assert [round(p.score, 3) for p in similarity.compare(codes)] == [1.0, 1.0, 1.0]


def test_winnowing_finds_every_long_shared_run_and_no_short_one():
    stream = [(f"t{i}", i) for i in range(200)]
    shared = stream[50:50 + similarity.K + similarity.W - 1]  # exactly the guarantee threshold
    other = [(f"u{i}", i) for i in range(100)] + shared + [(f"w{i}", i) for i in range(100)]
    assert similarity.winnow(stream).keys() & similarity.winnow(other).keys()
    short = stream[50:50 + similarity.K - 1]
    assert not similarity.winnow(stream).keys() & similarity.winnow([(f"u{i}", i) for i in range(50)] + short).keys()


def test_code_that_does_not_tokenize_still_counts():
    text = "def f(:\n    return 'unterminated\n"
    assert [t for t, _ in similarity.tokens(text, {1, 2})][:4] == ["def", "V", "(", ":"]


# -- late work -----------------------------------------------------------------------------------
def test_late_days_round_up_and_slip_days_and_the_cap_apply():
    due = late.parse_time("2026-12-01T23:59")
    assert due == datetime(2026, 12, 1, 23, 59, tzinfo=UTC)
    assert late.late_days(due, due) == 0
    assert late.late_days(due + timedelta(seconds=1), due) == 1
    assert late.late_days(due + timedelta(hours=25), due) == 2
    policy = late.LatePolicy(due, rate=late.parse_rate("10%/day"), cap=late.parse_rate("25%"),
                             slip_days={"bob": 1})
    two_days = due + timedelta(hours=30)
    assert policy.assess(two_days, 100.0, "alice") == {"late_days": 2, "slip_days": 0, "penalty": 20.0}
    assert policy.assess(two_days, 100.0, "bob") == {"late_days": 2, "slip_days": 1, "penalty": 10.0}
    assert policy.assess(due + timedelta(days=9), 148.0, "alice")["penalty"] == 37.0  # capped at 25%
    assert policy.assess(None, 148.0, "alice") == {"late_days": "", "slip_days": "", "penalty": 0.0}
    # Gradescope's format, with a zone: 14:22 at -07:00 is 21:22 UTC, on time.
    assert policy.assess(late.parse_time("2026-12-01T14:22:32.365935-07:00"), 10.0, "x")["late_days"] == 0


def test_bad_late_inputs_name_the_file_and_line(tmp_path):
    with pytest.raises(late.LateError, match="write a percentage"):
        late.parse_rate("ten percent")
    times = tmp_path / "times.csv"
    times.write_text("submission,submitted_at\nalice,2026-12-02T10:00\nbob,next tuesday\n")
    parsed, problems = late.load_times(times)
    assert parsed == {"alice": datetime(2026, 12, 2, 10, tzinfo=UTC)}
    assert problems == ["times.csv line 3: 'next tuesday' is not a date and time; write e.g. 2026-12-01T23:59 "
                        "(UTC) or 2026-12-01T23:59+01:00; bob is not charged as late"]
    slip = tmp_path / "slip.csv"
    slip.write_text("submission,slip_days\nalice,2\nbob,-1\n")
    assert late.load_slip_days(slip)[0] == {"alice": 2} and "line 3" in late.load_slip_days(slip)[1][0]
    (tmp_path / "wrong.csv").write_text("name,when\n")
    assert "the header must name submission,submitted_at" in late.load_times(tmp_path / "wrong.csv")[1][0]
    with pytest.raises(PolicyError, match="--late-penalty needs --due"):
        ClassPolicy({"late_penalty": "10%/day"})
    with pytest.raises(PolicyError, match="is not a date and time"):
        ClassPolicy({"due": "friday"})


# -- overrides -------------------------------------------------------------------------------------
def _tests():
    return [{"name": "lab1 SimpleRNNCell: forward values", "score": 0.0, "max_score": 3.0, "status": "failed"},
            {"name": "lab1 SimpleRNNCell: forward values [hidden]", "score": 3.0, "max_score": 3.0,
             "status": "passed"}]


def test_overrides_set_a_test_or_change_the_total_and_bad_rows_are_skipped_with_their_line(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text("submission,test,points,comment\n"
                    "alice,lab1 SimpleRNNCell: forward values,2,\"transposed, accepted\"\n"
                    "alice,,-1.5,late slip\n"
                    "alice,lab1 SimpleRNNCell: forward,3,\n"
                    "alice,lab1 SimpleRNNCell: forward values [hidden],7,\n"
                    "bob,lab1 x,three,\n"
                    ",lab1 x,1,\n")
    by_submission, problems = overrides.load_overrides(path)
    assert problems == ["overrides.csv line 6: points 'three' is not a number; write e.g. 3 or -2.5",
                        "overrides.csv line 7: no submission named; give the submission's id as in gradebook.csv"]
    tests = _tests()
    adjustment, applied, problems = overrides.apply_overrides(tests, by_submission["alice"])
    assert adjustment == -1.5 and tests[0]["score"] == 2.0 and tests[0]["status"] == "failed"
    assert [(o.where, was) for o, was in applied] == [("overrides.csv line 2", 0.0), ("overrides.csv line 3", None)]
    assert "line 4: alice has no test 'lab1 SimpleRNNCell: forward' (did you mean" in problems[0]
    assert "line 5: 7 points is outside 0..3" in problems[1]
    (tmp_path / "bad.csv").write_text("student,points\n")
    assert "the header must be 'submission,test,points,comment'" in overrides.load_overrides(tmp_path / "bad.csv")[1][0]
    assert "cannot read the overrides" in overrides.load_overrides(tmp_path / "missing.csv")[1][0]


# -- the class policy on an OUT folder ---------------------------------------------------------------
def _graded_out(out):
    """An OUT as a grading run leaves it: results.json and feedback.md per submission, rows."""
    rows = {}
    for name, scores in (("alice", (0.0, 3.0)), ("bob", (3.0, 3.0))):
        tests = _tests()
        for test, score in zip(tests, scores):
            test.update(score=score, status="passed" if score == 3 else "failed")
        (out / name).mkdir(parents=True)
        (out / name / "results.json").write_text(json.dumps(
            {"score": sum(scores), "max_score": 6.0, "output": "Public tests: 0 of 3 points.", "tests": tests}))
        (out / name / "feedback.md").write_text(f"# Feedback for {name}\n\n**Score: {sum(scores):g} / 6**\n")
        rows[name] = {"submission": name, "score": sum(scores), "max_score": 6.0, "public_score": scores[0],
                      "public_max_score": 3.0, "status": "graded", "message": "", "seconds": 1.0}
    return rows


def test_the_policy_applies_overrides_then_the_late_penalty_and_a_rerun_gives_the_same(tmp_path):
    out = tmp_path / "out"
    rows = _graded_out(out)
    (tmp_path / "overrides.csv").write_text("submission,test,points,comment\n"
                                            "alice,lab1 SimpleRNNCell: forward values,3,regraded by hand\n"
                                            "zed,,1,\n")
    (tmp_path / "times.csv").write_text("submission,submitted_at\nalice,2026-12-03T12:00\nbob,2026-12-01T12:00\n")
    options = {"due": "2026-12-01T23:59", "late_penalty": "10%/day", "overrides": str(tmp_path / "overrides.csv"),
               "times": str(tmp_path / "times.csv")}
    for run in range(2):  # a rerun applies the same policy to the computed results, not on top
        policy = ClassPolicy(options)
        policy.read_entries([(tmp_path / "subs" / name, name) for name in rows])
        write_gradebook(out, rows, policy)
        book = {r["submission"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}
        assert list(book["alice"])[:len(GRADEBOOK_COLUMNS)] == GRADEBOOK_COLUMNS
        # alice: 3 computed, +3 override = 6, 2 days late at 10% = 1.2 off
        assert {k: book["alice"][k] for k in ("raw_score", "override", "late_days", "penalty", "score")} == \
            {"raw_score": "3", "override": "3", "late_days": "2", "penalty": "1.2", "score": "4.8"}
        assert (book["bob"]["score"], book["bob"]["late_days"], book["bob"]["penalty"]) == ("6", "0", "0")
        feedback = (out / "alice" / "feedback.md").read_text()
        assert feedback.count(FEEDBACK_MARK) == 1 and "| lab1 SimpleRNNCell: forward values: 0 -> 3 by your " \
                                                      "course staff: regraded by hand | +3 |" in feedback
        assert "2 day(s) after the due date" in feedback and "**4.8 / 6**" in feedback
        results = json.loads((out / "alice" / "results.json").read_text())
        assert results["score"] == 4.8 and results["extra_data"]["computed"]["score"] == 3.0
        assert "regraded by hand" in results["output"]
        assert list(policy.problems) == ["overrides.csv: no submission 'zed' in this folder; its rows were not "
                                         "applied (check the spelling against gradebook.csv's submission column)"]
    # Editing the overrides file changes the next run; dropping the override restores the computed score.
    (tmp_path / "overrides.csv").write_text("submission,test,points,comment\n")
    write_gradebook(out, rows, ClassPolicy(options))
    book = {r["submission"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}
    assert (book["alice"]["score"], book["alice"]["penalty"]) == ("2.4", "0.6")
    assert "0 -> 3" not in (out / "alice" / "feedback.md").read_text()


def test_submission_metadata_gives_the_time_and_options_are_remembered(tmp_path):
    out = tmp_path / "out"
    rows = _graded_out(out)
    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    (subs / "alice" / "submission_metadata.json").write_text(json.dumps({"created_at": "2026-12-02T08:00:00+00:00"}))
    (subs / "bob").mkdir()
    (subs / "bob" / "submission_metadata.json").write_text("{not json")
    options = resolve_options({"due": "2026-12-01T23:59", "late_penalty": "50%"}, out)
    policy = ClassPolicy(options)
    policy.remember(out)
    policy.read_entries([(subs / "alice", "alice"), (subs / "bob", "bob")])
    assert any("bob/submission_metadata.json: no readable created_at" in p for p in policy.problems)
    write_gradebook(out, rows, policy)
    book = {r["submission"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}
    assert (book["alice"]["late_days"], book["alice"]["score"]) == ("1", "1.5")
    assert book["bob"]["late_days"] == "" and book["bob"]["score"] == "6"
    messages = []
    assert resolve_options({}, out, log=messages.append) == dict(options, late_cap=None, slip_days=None,
                                                                 times=None, overrides=None)
    assert "--due 2026-12-01T23:59" in messages[0]


# -- regrade: what moved ------------------------------------------------------------------------------
def test_changes_name_who_moved_from_what_to_what_and_which_test(tmp_path):
    out = tmp_path / "out"
    rows = _graded_out(out)
    write_gradebook(out, rows)
    assert regrade.write_changes(out, {}, regrade.snapshot(out)) == 0
    assert "first run" in (out / "changes.md").read_text()
    stamp = {"seed": 1, "grader": "v1", "content": "c"}
    (out / "alice" / regrade.STAMP_NAME).write_text(json.dumps(stamp))
    before = regrade.snapshot(out, [(None, "alice", dict(stamp, grader="v2"))])  # the grader changed
    assert before["alice"]["tests"]["lab1 SimpleRNNCell: forward values"] == 0.0
    assert before["alice"]["regraded"].startswith("the grader, a test") and before["bob"]["regraded"] is None
    # A fixed test: alice's public forward test now passes (her results.json is rewritten by the regrade).
    results = json.loads((out / "alice" / "results.json").read_text())
    results["tests"][0].update(score=3.0, status="passed")
    results["score"] = 6.0
    results.pop("extra_data")
    (out / "alice" / "results.json").write_text(json.dumps(results))
    rows["alice"]["score"] = 6.0
    write_gradebook(out, rows)
    assert regrade.write_changes(out, before, regrade.snapshot(out)) == 1
    changes = (out / "changes.md").read_text()
    assert "| alice | 3 | 6 | lab1 SimpleRNNCell: forward values: 0 -> 3<br>regraded: the grader, a test, a " \
           "fixture or the master solution changed |" in changes
    assert "Graded again: 1 of 2 (the grader, a test, a fixture or the master solution changed: 1)." in changes
    assert "bob" not in changes
    assert regrade.write_changes(out, regrade.snapshot(out), regrade.snapshot(out)) == 0
    assert "No score moved (2 submissions compared)" in (out / "changes.md").read_text()


# -- visibility and wording ----------------------------------------------------------------------------
def _seen(public_scores, hidden_scores, rules=None):
    tests = []
    for hidden, scores in ((False, public_scores), (True, hidden_scores)):
        for index, score in enumerate(scores):
            name = f"lab1 ex{index}: stage" + (" [hidden]" if hidden else "")
            tests.append({"name": name, "score": score, "max_score": 2.0, "hidden": hidden,
                          "status": "passed" if score == 2.0 else "failed",
                          "visibility": visibility.visibility_of(name, hidden, rules)})
    return tests


def test_the_summary_counts_only_what_the_student_sees_and_never_says_all_passed():
    text = visibility.student_summary(_seen([2.0, 2.0], [0.0, 2.0]))
    assert text == ("Public tests passed (4 of 4 points). 2 hidden tests (other sizes and values) worth 4 points "
                    "are graded with this submission and shown after the due date.")
    assert "all" not in text.lower()
    assert visibility.student_summary(_seen([2.0, 0.0], [])) == "Public tests: 2 of 4 points (1 of 2 tests not passed)."


def test_the_summary_keeps_bonus_points_out_of_the_maximum():
    tests = _seen([2.0, 2.0], [])
    tests.append({"name": "lab2 bonus: stage", "score": 3.0, "max_score": 3.0, "hidden": False, "bonus": True,
                  "status": "passed", "visibility": "visible"})
    assert visibility.student_summary(tests) == "Public tests passed (4 of 4 points, plus 3 of 3 bonus points)."


def test_instructor_rules_choose_each_tests_visibility(tmp_path):
    rules_file = tmp_path / "visibility.csv"
    rules_file.write_text("tests,visibility\n# comments are fine\nhidden,after_published\n"
                          "lab1 ex1,hidden\nlab1 ex0: stage [hidden],visible\n")
    rules = visibility.load_rules(rules_file)
    tests = _seen([2.0, 2.0], [2.0, 2.0], rules)
    assert [t["visibility"] for t in tests] == ["visible", "hidden", "visible", "hidden"]
    text = visibility.student_summary(tests)
    assert text.startswith("Public tests passed (2 of 2 points). Hidden tests passed (2 of 2 points).")
    assert "not shown to students" in text
    rules_file.write_text("tests,visibility\nhidden,later\n")
    with pytest.raises(visibility.VisibilityError, match="visibility.csv line 2: visibility 'later' is not one of"):
        visibility.load_rules(rules_file)


# -- Gradescope's rate limit ---------------------------------------------------------------------------
def _metadata(now, previous_hours_ago, rate_limited=()):
    base = datetime(2026, 12, 1, 12, tzinfo=UTC)
    previous = [{"submission_time": (base - timedelta(hours=h)).isoformat(), "score": 10.0 + i,
                 "results": {"score": 10.0 + i, "max_score": 148.0, "tests": [{"name": f"t{i}"}],
                             **({"extra_data": {"rate_limited": True}} if i in rate_limited else {})}}
                for i, h in enumerate(previous_hours_ago)]
    return {"created_at": (base + timedelta(hours=now)).isoformat(), "previous_submissions": previous}


def test_over_the_limit_the_last_score_is_kept_and_the_next_time_is_named():
    assert ratelimit.check_limit(_metadata(0, [30, 5]), 2, 24) is None  # one in the window
    limited = ratelimit.check_limit(_metadata(0, [20, 5]), 2, 24)
    assert limited["score"] == 11.0 and limited["tests"] == [{"name": "t1"}] and limited["extra_data"]["rate_limited"]
    assert "2 graded submissions in the last 24 hours" in limited["output"]
    assert "next graded run is allowed from 2026-12-01T16:00:00+00:00" in limited["output"]  # 20 h ago + 24 h
    # A submission that was itself refused does not count.
    assert ratelimit.check_limit(_metadata(0, [20, 5], rate_limited={1}), 2, 24) is None
    assert ratelimit.check_limit(_metadata(0, [1, 1, 1]), None, 24) is None


# -- LMS export ---------------------------------------------------------------------------------------
def test_canvas_and_moodle_exports_follow_their_layouts_and_a_mapping(tmp_path):
    out = tmp_path / "out"
    write_gradebook(out, _graded_out(out))
    roster = tmp_path / "roster.csv"
    roster.write_text("submission,student_id,name,email\nalice,1001,Alice A,alice@example.edu\n")
    canvas = lms.export(out, "canvas", tmp_path / "canvas.csv", assignment="Lab 1 (4711)", roster=roster)
    lines = canvas.read_text().splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1 (4711)"
    assert lines[1] == "Points Possible,,,,,6"
    assert lines[2] == "Alice A,1001,,,,3" and lines[3] == "bob,bob,,,,6"
    moodle = lms.export(out, "moodle", tmp_path / "moodle.csv", assignment="Lab 1", roster=roster)
    assert moodle.read_text().splitlines()[:3] == ["Email address,ID number,Lab 1", "alice@example.edu,1001,3",
                                                   ",bob,6"]
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"columns": {"Username": "email", "Grade": "score", "Out of": "max_score"}}))
    custom = lms.export(out, "moodle", tmp_path / "custom.csv", roster=roster, mapping=mapping)
    assert custom.read_text().splitlines()[:2] == ["Username,Grade,Out of", "alice@example.edu,3,6"]
    mapping.write_text(json.dumps({"columns": {"Grade": "marks"}}))
    with pytest.raises(lms.ExportError, match="map.json: column 'Grade' takes 'marks'"):
        lms.export(out, "moodle", tmp_path / "x.csv", mapping=mapping)


# -- check's attempt log ---------------------------------------------------------------------------------
def test_check_logs_attempts_and_shows_what_moved(tmp_path):
    from autograder.engine import attempts
    from autograder.engine.batch import content_hash
    from autograder.engine.grading import Report, TestResult

    def report(forward, unroll):
        return Report("s", [TestResult(1, "t1", "SimpleRNNCell", "contract", 1.0, 1.0, "passed", ""),
                            TestResult(1, "t2", "SimpleRNNCell", "forward values", forward, 3.0, "failed", ""),
                            TestResult(1, "t3", "unroll", "zero state", unroll, 1.0, "passed", "")], 1.0)

    release_copy(tmp_path / "me")
    before = content_hash(tmp_path / "me")
    assert attempts.record_attempt(tmp_path / "me", report(0.0, 1.0), [1]) == \
        ["First check logged (progress is shown from the next one on)."]
    lines = attempts.record_attempt(tmp_path / "me", report(3.0, 0.0), [1])
    assert lines[0].startswith("Since your last check (") and lines[0].endswith("): 2 -> 4 of 5 points.")
    assert lines[1:] == ["  lab1 SimpleRNNCell: 1/4 -> 4/4 (up)",
                         "  lab1 unroll: 1/1 -> 0/1 (down: look at what you changed)"]
    log = (tmp_path / "me" / ".rnnlab" / "attempts.jsonl").read_text().splitlines()
    assert len(log) == 2 and json.loads(log[1])["exercises"] == {"lab1 SimpleRNNCell": [4.0, 4.0],
                                                                 "lab1 unroll": [0.0, 1.0]}
    assert content_hash(tmp_path / "me") == before  # grade ignores the log
    (tmp_path / "me" / ".rnnlab" / "attempts.jsonl").write_text("{damaged\n")
    assert attempts.record_attempt(tmp_path / "me", report(3.0, 1.0), [1])[0].startswith("First check")
    assert attempts.record_attempt(tmp_path / "a.zip", report(3.0, 1.0), [1]) == []


def test_results_json_says_what_the_student_sees_under_the_instructors_rules():
    from autograder.engine.grading import Report, TestResult
    from autograder.engine.report import gradescope_results

    public = TestResult(1, "t", "unroll", "zero state", 1.0, 1.0, "passed", "")
    hidden = TestResult(1, "t", "unroll", "zero state", 0.0, 1.0, "failed", "wrong", hidden=True)
    default = gradescope_results(Report("s", [public, hidden], 1.0))
    assert [t["visibility"] for t in default["tests"]] == ["visible", "after_due_date"]
    assert default["output"].startswith("Public tests passed (1 of 1 points). 1 hidden test (other sizes and "
                                        "values) worth 1 point is graded with this submission and shown after")
    shown = gradescope_results(Report("s", [public, hidden], 1.0), visibility_rules=[("hidden", "visible")])
    assert shown["tests"][1]["visibility"] == "visible"
    assert "Hidden tests: 0 of 1 points (1 of 1 tests not passed)." in shown["output"]
