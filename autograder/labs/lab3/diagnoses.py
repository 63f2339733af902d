"""Readings of exceptions for this lab's cells (``engine.diagnose``): TF-free, run in the grader."""

from autograder.labs.shared.diagnoses import case_shapes  # noqa: F401  (the contract probes' own arrays)
