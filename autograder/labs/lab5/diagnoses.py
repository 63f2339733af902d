"""Lab 5's readings of exceptions (``engine.diagnose``): TF-free, run in the grader."""

# The wrappers always run Keras's built-in cells (probes.py): a matmul error inside one is about
# what the student's wrapper passed to the cell.
BUILTIN_CELL_PROBES = ("wrapper_forward", "wrapper_gradients", "wrapper_in_keras")
