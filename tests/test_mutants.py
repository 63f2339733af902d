"""``python -m autograder mutants``: the operators (TF-free), the sampling, the report, and one small
real run (a few mutants of Lab 1, graded through the batch machinery) so the command keeps working.

The full run over every lab is a bench (README, instructor section), not a test.
"""

import ast
import copy
import json

import pytest

from autograder.engine import mutants_report
from autograder.engine.labs import LABS
from autograder.engine.manifest import load_manifest
from autograder.engine.mutants import (MASTER_ID, Mutant, MutantsError, candidate_mutants, run_mutants,
                                       sample_mutants, solution_blocks, write_submissions)
from autograder.engine.mutation_operators import OPERATORS, mutations

SNIPPET = '''\
def f(a, b, kernel, recurrent_kernel, states=None):
    h = ops.flip(a * b + kernel, axis=1)
    y = x[:, 2:units]
    if states is None:
        return -h, [kernel, b]
    return tf.stop_gradient(h).astype("float64")
'''


@pytest.fixture(scope="module")
def candidates():
    """Every candidate mutant of the master, per exercise (computed once: ~2 s)."""
    return candidate_mutants(solution_blocks())


def _fresh(candidates):
    """A copy to sample from (sampling sets the ids)."""
    return {name: [copy.copy(m) for m in mutants] for name, mutants in candidates.items()}


def _edits(operator, text=SNIPPET):
    return {(e.line, e.old, e.new) for e in mutations(text, 2, 6, operators=(operator,))}


# -- the operators do the edit they claim --------------------------------------------------------
def test_arithmetic_swaps_plus_minus_and_times_plus():
    assert _edits("arithmetic") == {(2, "*", "+"), (2, "+", "-"), (2, "+", "*")}


def test_drop_operand_keeps_either_side():
    assert _edits("drop_operand") >= {(2, "a * b + kernel", "a * b"), (2, "a * b + kernel", "kernel"),
                                      (2, "a * b", "a"), (2, "a * b", "b")}


def test_constant_is_nudged_by_one():
    assert _edits("constant") == {(2, "1", "2"), (3, "2", "3")}


def test_swap_name_swaps_kernel_and_recurrent_kernel_only_where_both_exist():
    edits = _edits("swap_name")
    assert (2, "kernel", "recurrent_kernel") in edits and (5, "kernel", "recurrent_kernel") in edits
    # "units" has no partner; a bare name is swapped only for one the module defines (no NameError mutants)
    assert all(new in {"kernel", "recurrent_kernel"} for _, _, new in edits), edits


def test_drop_call_removes_flip_stop_gradient_and_astype():
    assert _edits("drop_call") == {
        (2, "ops.flip(a * b + kernel, axis=1)", "a * b + kernel"),
        (6, "tf.stop_gradient(h)", "h"),
        (6, 'tf.stop_gradient(h).astype("float64")', "tf.stop_gradient(h)"),
    }


def test_slice_bound_moves_each_bound_both_ways():
    assert _edits("slice_bound") == {(3, "2", "2 + 1"), (3, "2", "2 - 1"), (3, "units", "units + 1"),
                                     (3, "units", "units - 1")}


def test_negate_undoes_a_minus_flips_a_comparison_and_negates_list_names():
    assert _edits("negate") == {(5, "-h", "h"), (4, "is", "is not"), (5, "kernel", "-kernel"), (5, "b", "-b")}


def test_swap_args_swaps_neighbours_but_never_a_subscript_or_a_constant():
    edits = _edits("swap_args")
    assert (5, "kernel, b", "b, kernel") in edits and (5, "-h, [kernel, b]", "[kernel, b], -h") in edits
    assert not [e for e in edits if e[0] == 3], edits  # x[:, 2:units] is an index, not a list


def test_edits_stay_inside_the_given_lines_and_every_mutant_parses_and_differs():
    edits = mutations(SNIPPET, 3, 3)
    assert edits and {e.line for e in edits} == {3}
    for edit in edits:
        assert ast.dump(ast.parse(edit.apply(SNIPPET))) != ast.dump(ast.parse(SNIPPET))


def test_every_operator_has_a_finder_and_a_line_in_the_docstring():
    import autograder.engine.mutation_operators as module

    for operator in OPERATORS:
        assert f"    {operator} " in module.__doc__, operator
        assert mutations(SNIPPET, 1, 6, operators=(operator,)), operator


# -- the master's blocks, exercises and sampling --------------------------------------------------
def test_every_solution_block_belongs_to_a_graded_exercise_of_its_lab():
    blocks = solution_blocks()
    manifest = load_manifest()
    assert {b.lab for b in blocks} == set(LABS)
    for block in blocks:
        assert block.exercise in {t["exercise"] for t in manifest[f"lab{block.lab}"].values()}, block
    assert {b.function for b in blocks} >= {"GRUCell.call_reset_after", "BidirectionalRNN.call", "unroll"}


def test_every_candidate_mutant_parses_and_differs_from_the_master_in_its_line_only(candidates):
    by_exercise = candidates
    total = sum(len(m) for m in by_exercise.values())
    assert total >= 200, "the operators find fewer than 200 mutants: the full run could not reach its size"
    for mutants in by_exercise.values():
        for mutant in mutants:
            ast.parse(mutant.text)
            assert mutant.original_line != mutant.mutated_line, mutant


def test_sampling_is_deterministic_nested_and_spread_across_exercises(candidates):
    def draw(count, seed):
        return [(m.id, m.module, m.line, m.new) for m in sample_mutants(_fresh(candidates), count, seed)]

    first, again = draw(40, 3), draw(40, 3)
    assert first == again
    assert draw(20, 3) == first[:20]  # a larger count keeps the smaller one's mutants
    assert draw(40, 4) != first
    exercises = {b.exercise for b in solution_blocks()}
    sample = sample_mutants(_fresh(candidates), len(exercises), 0)
    assert {m.exercise for m in sample} == exercises  # one of each before any second
    everything = draw(None, 0)
    assert len({m[0] for m in everything}) == len(everything) == sum(map(len, candidates.values()))


def test_submissions_are_the_master_with_one_edit(tmp_path):
    mutants = sample_mutants(candidate_mutants(solution_blocks([1])), 3, 0)
    folders = write_submissions(mutants, tmp_path)
    from conftest import SOLUTIONS

    for mutant in mutants:
        package = folders[1] / mutant.id / "rnnlab"
        changed = [p.name for p in package.glob("*.py") if p.read_text() != (SOLUTIONS / "rnnlab" / p.name).read_text()]
        assert changed == [mutant.module]
    assert (folders[1] / MASTER_ID / "rnnlab" / "gru.py").read_text() == (SOLUTIONS / "rnnlab" / "gru.py").read_text()
    write_submissions(mutants[:1], tmp_path)  # a smaller sample removes the other mutants' folders
    assert sorted(p.name for p in folders[1].iterdir()) == sorted([MASTER_ID, mutants[0].id])


# -- classification and the report (no grading) -------------------------------------------------------
def _mutant(mutant_id, operator="arithmetic"):
    return Mutant(id=mutant_id, lab=1, exercise="unroll", module="gradients.py", function="unroll",
                  operator=operator, line=50, old="+", new="-", original_line="a + b", mutated_line="a - b")


def _row(score, failed=(), mistakes=(), status="graded"):
    return {"score": score, "max_score": 40.0, "message": "m", "failed_exercises": list(failed),
            "mistakes": [[1, "unroll", name] for name in mistakes], "status": status}


def test_classify_counts_caught_named_errors_survivors_and_equivalents():
    mutants = [_mutant(f"m{i}") for i in range(5)]
    rows = {MASTER_ID: _row(40), "m0": _row(36, ["lab1 unroll"], ["states_not_carried"]),
            "m1": _row(36, ["lab1 unroll"], status="graded (2 error)"), "m2": _row(38, ["lab1 unroll"]),
            "m3": _row(40), "m4": _row(40)}
    mutants_report.classify(mutants, rows, 1)
    mutants_report.add_equivalence(mutants, {"m3": _row(40), "m4": _row(38, ["lab1 unroll"])}, 1)
    summary = mutants_report.summarise(mutants, dict(labs=[1], count=5, seed=0, equivalence_seeds=1, seconds=1.0))
    total = summary["total"]
    assert (total["caught"], total["named"], total["error"], total["mismatch"]) == (3, 1, 1, 1)
    assert (total["survived"], total["equivalent"], total["not_equivalent"]) == (2, 1, 4)
    assert total["caught_rate"] == 0.75 and total["named_rate"] == 0.25
    text = mutants_report.render_markdown(summary)
    assert "**m3**" in text and "looks equivalent" in text
    assert "**m4**" in text and "NOT equivalent: seed 1's hidden cases catch it" in text
    json.dumps(summary)


def test_a_master_without_full_marks_stops_the_report():
    with pytest.raises(MutantsError, match="master does not get full marks"):
        mutants_report.classify([_mutant("m0")], {MASTER_ID: _row(38, ["lab1 unroll"]), "m0": _row(40)}, 1)


# -- one real run -------------------------------------------------------------------------------------
def test_a_small_run_grades_mutants_of_lab_1_and_writes_both_reports(tmp_path):
    """Four mutants of Lab 1 (one per exercise in turn), graded with the public and hidden tests."""
    lines = []
    summary = run_mutants(tmp_path, labs=[1], count=4, seed=0, workers=2, equivalence_seeds=1, log=lines.append)
    assert summary["total"]["made"] == 4
    assert {m["exercise"] for m in summary["mutants"]} == {"SimpleRNNCell", "clip_by_global_norm", "clip_by_value",
                                                          "irnn_cell"}
    for mutant in summary["mutants"]:
        assert mutant["result"]["verdict"] in ("caught", "survived"), mutant
    # lo and hi swapped in clip_by_value (this seed's pick) clips into the wrong interval: caught
    clip = next(m for m in summary["mutants"] if m["exercise"] == "clip_by_value")
    assert clip["edit"] == "swap_args: `lo, hi` -> `hi, lo`" and clip["result"]["verdict"] == "caught"
    saved = json.loads((tmp_path / "mutants.json").read_text())
    assert saved["total"] == summary["total"]
    text = (tmp_path / "mutants.md").read_text()
    assert "| lab 1 clip_by_value | 1 | 1 |" in text and "## Survivors" in text
    assert any("[lab 1] [5/5] " in line or "[lab 1] [" in line for line in lines)
    assert (tmp_path / "graded" / "lab1" / MASTER_ID / "results.json").exists()


def test_the_command_line_refuses_bad_numbers_before_grading_anything(tmp_path, capsys):
    from autograder.cli import EXIT_BAD_INPUT, main

    assert main(["mutants", "--count", "0", "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    assert main(["mutants", "--workers", "0", "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    assert "at least 1" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
    with pytest.raises(SystemExit):
        main(["mutants", "--lab", "99", "--out", str(tmp_path)])
