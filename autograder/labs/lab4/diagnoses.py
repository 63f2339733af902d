"""Lab 4's readings of exceptions (``engine.diagnose``): TF-free, run in the grader."""

# truncated_bptt_step runs on Keras's built-in cells (probes.py): a matmul error inside one is about
# what the student's code passed to the cell.
BUILTIN_CELL_PROBES = ("truncated_bptt",)
