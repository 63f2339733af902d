"""Lab 1's own readings of exceptions (``engine.diagnose``): TF-free, run in the grader."""

import re

from autograder.engine.diagnose import Diagnosis, fmt, shape_of
from autograder.engine.mistakes import catalogue

CATALOGUE, _mistake = catalogue()

# unroll and state_gradient_norms run the student's function on Keras's built-in cells (probes.py).
BUILTIN_CELL_PROBES = ("unroll", "state_gradient_norms")

CLIP_ARGUMENTS_ORDER = _mistake(
    "clip_arguments_order",
    "tf.clip_by_value takes the tensor first: tf.clip_by_value(g, lo, hi)")

_SHAPES = re.compile(r"^Shapes \(\) and \(([\d, ]+)\) are incompatible$")


def clip_arguments_order(error, case, facts):
    """tf.clip_by_value(lo, g, hi): TensorFlow checks that the clipped value (a scalar here) keeps
    its shape against a bound of the gradient's shape, and says "Shapes () and (4, 5) are incompatible"."""
    found = _SHAPES.match(error.get("message", "").strip())
    if case.probe != "clip_by_value" or not found:
        return None
    shape = tuple(int(d) for d in found[1].split(","))
    if shape not in {shape_of(value) for key, value in case.inputs.items() if key.startswith("g.")}:
        return None
    return Diagnosis(CLIP_ARGUMENTS_ORDER.name,
                     f"TensorFlow compared a scalar's shape () with a gradient's {fmt(shape)}: tf.clip_by_value "
                     "keeps the shape of its first argument, the tensor it clips, so the gradient goes first: "
                     "tf.clip_by_value(g, lo, hi)")


RULES = (clip_arguments_order,)

from autograder.labs.shared.diagnoses import case_shapes  # noqa: E402,F401  (the contract probes' own arrays)
