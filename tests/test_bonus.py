"""Bonus tests are extra credit: counted in the score, above the maximum, and shown as such in
``check``, ``feedback.md``, Gradescope's ``results.json``, the gradebook and ``summary.md``.

TensorFlow-free: the reports are built from hand-made results, so every number here is known.
"""

import csv

from autograder.engine import batch, report
from autograder.engine.grading import Report
from autograder.engine.grading import TestResult as Result
from autograder.engine.manifest import score_totals


def _result(test, exercise, points, passed, bonus=False, hidden=False, lab=2):
    return Result(lab=lab, test=test, exercise=exercise, stage="values", score=float(points) if passed else 0.0,
                      max_score=float(points), status="passed" if passed else "failed",
                      output="" if passed else "wrong values", hidden=hidden, bonus=bonus)


def _report(bonus_passed):
    results = []
    for hidden in (False, True):
        results += [_result("test_lstm", "LSTMCell", 10, True, hidden=hidden),
                    _result("test_lstm_more", "LSTMCell", 3, False, hidden=hidden),
                    _result("test_peephole", "PeepholeLSTMCell (bonus)", 4, bonus_passed, bonus=True, hidden=hidden),
                    _result("test_peephole_more", "PeepholeLSTMCell (bonus)", 2, True, bonus=True, hidden=hidden)]
    return Report("alice", results, 1.0)


def test_score_counts_the_bonus_and_the_maximum_does_not():
    done, skipped = _report(bonus_passed=True), _report(bonus_passed=False)
    assert (done.score, done.max_score, done.bonus, done.bonus_max) == (32, 26, 12, 12)
    assert (skipped.score, skipped.max_score, skipped.bonus, skipped.bonus_max) == (24, 26, 4, 12)
    # Without the bonus a perfect submission reaches full marks exactly.
    perfect = Report("p", [_result("t", "LSTMCell", 13, True), _result("b", "Peephole (bonus)", 6, False, bonus=True)],
                     1.0)
    assert perfect.score == perfect.max_score == 13 and perfect.bonus == 0
    assert score_totals([]) == {"score": 0.0, "max_score": 0.0, "bonus": 0.0, "bonus_max": 0.0}


def test_check_text_shows_the_bonus_apart():
    text = report.render_text(_report(bonus_passed=True), public=False)
    assert "Lab 2:" in text and "[20/26 + bonus 12/12]" in text
    # The results run public, then hidden: each exercise appears once per run.
    assert text.count("PeepholeLSTMCell (bonus)  [6/6]  (extra credit: not needed for full marks)") == 2
    assert "Score (all tests): 32 / 26 (20 + 12 bonus of 12, extra credit above the maximum)" in text
    plain = report.render_text(Report("p", [_result("t", "LSTMCell", 13, True)], 1.0))
    assert "Score (public tests): 13 / 13   (" in plain and "bonus" not in plain


def test_check_json_and_gradescope_results_carry_the_bonus():
    done = _report(bonus_passed=True)
    data = report.check_json(done)
    assert (data["score"], data["max_score"], data["bonus"], data["bonus_max"]) == (32, 26, 12, 12)
    assert [t["bonus"] for t in data["tests"]][:4] == [False, False, True, True]
    gradescope = report.gradescope_results(done)
    assert gradescope["score"] == 32 and gradescope["max_score"] == 26  # Gradescope accepts score > max_score
    assert "12 of 12 bonus points are in your score, above the maximum" in gradescope["output"]
    tags = [test["tags"] for test in gradescope["tests"]]
    assert ["bonus" in t for t in tags[:4]] == [False, False, True, True]


def test_feedback_markdown_marks_the_bonus_tests():
    text = report.feedback_markdown(_report(bonus_passed=False), "alice")
    assert "**Score (all tests): 24 / 26 (20 + 4 bonus of 12, extra credit above the maximum)**" in text
    assert "public tests: 12 / 13 (10 + 2 bonus of 6, extra credit above the maximum)" in text
    assert "extra credit: their points are added to your score but not to the maximum" in text
    assert "| lab2 PeepholeLSTMCell (bonus): values | 0/4 (failed) |" in text


def test_gradebook_has_a_bonus_column_and_the_summary_a_bonus_line(tmp_path):
    rows = {}
    for name, bonus_passed in (("alice", True), ("bob", False)):
        fields = report.score_fields(_report(bonus_passed))
        rows[name] = dict(submission=name, **fields, status="graded", message="", seconds=1.0)
    rows["carol"] = dict(submission="carol", score=0.0, max_score=26.0, public_score=0.0, public_max_score=13.0,
                         bonus=0.0, status="malformed", message="no rnnlab/", seconds=0.0)
    batch.write_gradebook(tmp_path, rows)
    table = {row["submission"]: row for row in csv.DictReader((tmp_path / "gradebook.csv").open())}
    assert list(next(csv.reader((tmp_path / "gradebook.csv").open()))) == batch.GRADEBOOK_COLUMNS
    assert {n: (r["score"], r["max_score"], r["public_score"], r["public_max_score"], r["bonus"])
            for n, r in table.items()} == {"alice": ("32", "26", "16", "13", "12"),
                                          "bob": ("24", "26", "12", "13", "4"),
                                          "carol": ("0", "26", "0", "13", "0")}
    batch.write_summary(tmp_path, rows, seed=1, seconds=2.0)
    summary = (tmp_path / "summary.md").read_text()
    assert "2 of 3 submissions earned some, 8 points on average" in summary
    # The histogram and the mean leave the bonus out: (20 + 20 + 0) / 26 / 3.
    assert f"mean score {(20 + 20) / 26 / 3 * 100:.1f}%" in summary
