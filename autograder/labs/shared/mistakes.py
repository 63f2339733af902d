"""Mistakes in a cell's plumbing that any lab with a cell can name (a Keras built-in inside, no
registration, an incomplete get_config, a weight built transposed or under another's name), the
gate-order variants of the gated cells, and the helpers that turn a lab's table of one-equation
edits (``equations.py``) into named variants."""

import itertools

from autograder.engine.mistakes import Mistake, catalogue
from autograder.labs.shared.reference import split_as_written

CATALOGUE, _mistake = catalogue()

WRAPS_KERAS_BUILTIN = _mistake(
    "wraps_keras_builtin",
    "this exercise asks you to write the cell's equations yourself; a class that uses Keras's built-in "
    "cell or layer (subclassing it, holding one, or calling it) earns no points for it",
)
NOT_REGISTERED = _mistake(
    "not_registered",
    "the class is not registered with Keras: put @keras.saving.register_keras_serializable(package=\"rnnlab\") "
    "on the line above `class`",
)
INCOMPLETE_CONFIG = _mistake(
    "incomplete_get_config",
    "get_config must return the arguments of __init__ (units, the activations, the flags, the initializers), "
    "all of them and nothing else, because Keras rebuilds the cell by calling __init__ with them (from_config)",
)

WEIGHT_TRANSPOSED = _mistake(
    "weight_transposed",
    "a weight is created transposed: Keras's weights are (inputs, outputs), so that x_t (batch, D) @ kernel "
    "(D, H) gives (batch, H): SimpleRNNCell's kernel is shape=(input_dim, self.units)",
)
WEIGHT_MISNAMED = _mistake(
    "weight_misnamed",
    "a weight has another weight's name: the grader (and Keras) find weights by name, "
    "self.add_weight(..., name=\"kernel\") for K, name=\"recurrent_kernel\" for U, name=\"bias\" for b",
)


def specific(mistake, message):
    """The catalogued ``mistake`` (its stable name) with the message for one instance of it: which
    gate, which block, which term."""
    return Mistake(mistake.name, message)


def sum_edits(equation, written, subtracted, bias_subtracted, multiplied, only_bias):
    """``(Mistake, edits)`` for one term of ``equation`` = x_t K + h_{t-1} U + b subtracted, two terms
    multiplied, or both matmuls gone; ``written`` is how the lab writes the sum ("z = x_t K + ...")."""
    return [
        (subtracted, {equation: lambda v: v.xK - v.hU + v.bias}),
        (bias_subtracted, {equation: lambda v: v.xK + v.hU - v.bias}),
        (specific(multiplied, f"x_t K and h_{{t-1}} U are multiplied: {written} adds them"),
         {equation: lambda v: v.xK * v.hU + v.bias}),
        (specific(multiplied, f"the bias multiplies h_{{t-1}} U: {written} adds it"),
         {equation: lambda v: v.xK + v.hU * v.bias}),
        (specific(multiplied, f"the bias multiplies x_t K + h_{{t-1}} U: {written} adds it"),
         {equation: lambda v: (v.xK + v.hU) * v.bias}),
        (only_bias, {equation: lambda v: v.bias + 0.0 * v.xK}),  # 0 * xK: the bias broadcast to (batch, width)
    ]


def edited_variants(table, run):
    """``(Mistake, outputs)`` for each ``(Mistake, edits)`` of ``table``, computed one at a time as
    ``run(edits)`` (``equations.run`` on the case's inputs): a generator, so ``check_array`` stops
    computing at the first variant that matches."""
    for mistake, edits in table:
        yield mistake, run(edits)


def gate_order_variants(mistake, names, run, describe, named=()):
    """``(Mistake, outputs)`` for every wrong order of a gated cell's blocks (a generator).

    ``names`` are the blocks in the right order ("z_i", "z_f", ...); ``run(order=...)`` computes the
    outputs of a cell that takes them in another order; ``describe(written)`` says how that order
    reads in code; ``named`` are orders that have a mistake of their own (the identity never counts).
    """
    right = tuple(range(len(names)))
    for order in itertools.permutations(right):
        if order != right and order not in named:
            message = f"{mistake.message}. {describe(split_as_written(order, names))}"
            yield Mistake(mistake.name, message), run(order=order)
