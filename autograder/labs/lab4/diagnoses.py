"""Lab 4's readings of exceptions (``engine.diagnose``): TF-free, run in the grader."""

import re

from autograder.engine.diagnose import Diagnosis, fmt
from autograder.engine.mistakes import catalogue

CATALOGUE, _mistake = catalogue()

# truncated_bptt_step runs on Keras's built-in cells (probes.py): a matmul error inside one is about
# what the student's code passed to the cell.
BUILTIN_CELL_PROBES = ("truncated_bptt",)

CHUNK_STEPS_MISMATCH = _mistake(
    "chunk_steps_mismatch",
    "in truncated BPTT a chunk's predictions and its labels cover different steps: both are "
    "[:, start:start + k] of x and y")

_INCOMPATIBLE = re.compile(r"Incompatible shapes: \[(\d+),(\d+),(\d+)\] vs\. \[(\d+),(\d+),(\d+)\]")


def chunk_steps_mismatch(error, case, facts):
    """(B, n, O) against (B, m, O), n != m, in truncated_bptt_step: a prediction chunk against a label
    chunk of another length (x and y are (B, T, D) and (B, T, O))."""
    found = _INCOMPATIBLE.search(error.get("message", ""))
    y, k = case.inputs.get("y"), (case.params or {}).get("k")
    if case.probe != "truncated_bptt" or not found or y is None or y.ndim != 3 or not isinstance(k, int):
        return None
    first, second = tuple(map(int, found.groups()[:3])), tuple(map(int, found.groups()[3:]))
    batch, steps, outputs = y.shape
    if first[0] != batch or second[0] != batch or first[2] != outputs or second[2] != outputs \
            or first[1] == second[1]:
        return None
    return Diagnosis(CHUNK_STEPS_MISMATCH.name,
                     f"an elementwise operation (the loss) met a {fmt(first)} and a {fmt(second)} tensor: chunks "
                     f"of {first[1]} and {second[1]} steps. With k = {k} and T = {steps}, each chunk's predictions "
                     "and labels must cover the same steps, x[:, start:end] and y[:, start:end] with "
                     "end = min(start + k, T)")


RULES = (chunk_steps_mismatch,)
