"""``engine.diagnose``'s rules on shapes: a matmul, an elementwise op, a split or a slice whose
shapes TensorFlow names in its message, read against the named shapes of the case (``Facts``)."""

import re

from autograder.engine.diagnose import (
    BATCH_AND_UNITS_SWAPPED, CELL_GOT_INPUT_AS_STATE, CELL_GOT_STATE_AS_INPUT, CELL_MODULES, GATE_WIDTH_MISMATCH,
    INPUT, INPUT_TIMES_RECURRENT_KERNEL, KERNEL, MATMUL_OPERANDS_REVERSED, RECURRENT, SPLIT_ALONG_BATCH_AXIS, STATE,
    STATE_TIMES_KERNEL, TIME_INDEX_OUT_OF_RANGE, TIME_SIZE_AS_BATCH, WEIGHT_INDEX_OUT_OF_RANGE, WRONG_NUMBER_OF_GATES,
    Diagnosis, dims, fmt, state_count, where_file)

# Each rule: ``rule(error, case, facts) -> Diagnosis | None``.
_MATMUL = re.compile(r"Matrix size-incompatible: In\[0\]: \[([\d,]+)\], In\[1\]: \[([\d,]+)\]")


def matmul_shapes(error, case, facts):
    """In[0] @ In[1] with inner sizes that differ, each operand's shape that of exactly one named tensor:
    in the student's cell, the pairing or the order of x_t, h_{t-1} and the kernels; inside a built-in
    cell (``facts.builtin_cells``), what the student handed the cell."""
    found = _MATMUL.search(error.get("message", ""))
    if not found:
        return None
    left, right = dims(found[1]), dims(found[2])
    a, b = facts.role_of(left), facts.role_of(right)
    if b is None or (a is None and not facts.builtin_cells):
        return None
    (role_a, name_a), (role_b, name_b) = a or (None, None), b
    said = f"this matmul multiplied a {fmt(left)} by a {fmt(right)}: {name_a} is {fmt(left)}, {name_b} {fmt(right)}"
    in_cell = where_file(error) in CELL_MODULES and not facts.builtin_cells
    if facts.builtin_cells and where_file(error) not in CELL_MODULES:
        # Keras's own cells compute inputs @ kernel and h_{t-1} @ recurrent_kernel: what is wrong
        # is what the student's code handed to the cell.
        states = state_count(case, facts)
        if (role_b == KERNEL and len(left) == 2 and left[1] in facts.units and left[1] not in facts.input_dims
                and role_a in (None, STATE)):
            if role_a == STATE:
                got = f"{fmt(left)}, the shape of the state h_{{t-1}} (batch, units)"
            elif states > 1 and left[0] == states * facts.batch and left[0] != facts.steps:
                got = (f"{fmt(left)}: {states} x batch rows of width units, the list of the {states} states "
                       f"(each ({facts.batch}, {left[1]})) taken as one tensor")
            else:
                got = f"{fmt(left)}, {left[1]} wide like a state (units), where x_t has input_dim = {right[0]} columns"
            return Diagnosis(CELL_GOT_STATE_AS_INPUT.name,
                             f"the cell multiplied its input by {name_b} {fmt(right)}, but the input it got is {got}, "
                             "not x_t: call a cell as cell(x_t, states)")
        if role_a == INPUT and role_b == RECURRENT:
            return Diagnosis(CELL_GOT_INPUT_AS_STATE.name,
                             f"the cell multiplied its state by {name_b} {fmt(right)}, but the state it got is "
                             f"{fmt(left)}, the shape of x_t (batch, input_dim): call a cell as cell(x_t, states)")
        return None
    if not in_cell:
        return None
    if role_a in (KERNEL, RECURRENT) and role_b in (INPUT, STATE):
        pair = {INPUT: "kernel", STATE: "recurrent_kernel"}[role_b]
        tail = "" if (role_a, role_b) in ((KERNEL, INPUT), (RECURRENT, STATE)) else \
            f"; and {name_b} goes with `{pair}`, not `{name_a.split(' of ')[-1]}`"
        return Diagnosis(MATMUL_OPERANDS_REVERSED.name,
                         f"{said}. The (batch, ...) tensor comes first and the weight second: "
                         f"matmul({name_b}, {name_a.split(' of ')[-1]}), not the other way round{tail}")
    if role_a == INPUT and role_b == RECURRENT:
        return Diagnosis(INPUT_TIMES_RECURRENT_KERNEL.name,
                         f"{said}. The input x_t (batch, input_dim) goes with `kernel` (input_dim, ...), "
                         "the state h_{t-1} with `recurrent_kernel`")
    if role_a == STATE and role_b == KERNEL:
        return Diagnosis(STATE_TIMES_KERNEL.name,
                         f"{said}. The state h_{{t-1}} (batch, units) goes with `recurrent_kernel` (units, ...), "
                         "the input x_t with `kernel`")
    return None


_INCOMPATIBLE = re.compile(r"Incompatible shapes: \[([\d,]*)\] vs\. \[([\d,]*)\]")


def incompatible_shapes(error, case, facts):
    """Two tensors of different shapes met in an elementwise op (AddV2, Sub, Mul...)."""
    found = _INCOMPATIBLE.search(error.get("message", ""))
    if not found or facts.batch is None or not facts.units:
        return None
    first, second = dims(found[1]), dims(found[2])
    if len(first) != 2 or len(second) != 2:
        return None
    batch, steps = facts.batch, facts.steps
    state_shapes = {(batch, h) for h in facts.units}
    said = f"an elementwise operation met a {fmt(first)} and a {fmt(second)} tensor"
    where = where_file(error)
    # (B, w) against (T, w), w the width of a state or of a cell's gates together: outside a cell
    # (a sequence function), a state or zeros made with T rows where B belongs.
    widths = set(facts.units) | {g * h for h, gs in facts.gates.items() for g in gs if g}
    sizes = {*facts.units, *facts.input_dims, *widths}
    for right, other in ((first, second), (second, first)):
        if (right[0] == batch and other[0] == steps and right[1] == other[1] and right[1] in widths
                and where not in CELL_MODULES and steps not in sizes | {batch}):
            kind = "(batch, units)" if right[1] in facts.units else f"(batch, {right[1]}), a cell's gates together,"
            return Diagnosis(TIME_SIZE_AS_BATCH.name,
                             f"{said}: {fmt(right)} is {kind} but {fmt(other)} has {steps} rows, the sequence "
                             f"length T of x {fmt(facts.shapes['x'])} = (batch, T, input_dim), where the batch "
                             f"size {batch} belongs: the batch size is x.shape[0], T is x.shape[1]")
    # The state-shaped one (batch, units), and the other.
    pairs = [(s, o) for s, o in ((first, second), (second, first)) if s in state_shapes and o not in state_shapes]
    if len(pairs) != 1:
        return None
    right, other = pairs[0]
    units = right[1]
    # (H, B): the two axes of a (batch, units) tensor in the opposite order.
    if other == (units, batch) and units != batch:
        return Diagnosis(BATCH_AND_UNITS_SWAPPED.name,
                         f"{said}: {fmt(right)} is (batch, units) and {fmt(other)} has the same two sizes in the "
                         "opposite order (units, batch): one of them was built or reshaped with its axes swapped")
    if other[0] == batch and other[1] != units and where in CELL_MODULES and not facts.builtin_cells:
        width = other[1]
        gates = {g for g in facts.gates.get(units, set()) if g}
        together = [k for k in range(2, max(gates, default=1) + 1) if width == k * units]
        if width == 0:
            detail = "a (batch, 0) tensor has no columns: the slice (or split) that made it selects nothing; check its bounds"
        elif together and together[0] in gates:
            detail = f"{width} = {width // units} x units is the width of all the gates together (x_t @ kernel): split it first"
        elif together:
            detail = (f"{width} = {together[0]} x units is {together[0]} gates' blocks together: a gate is one block of "
                      f"units = {units} columns")
        elif width in (units - 1, units + 1):
            detail = (f"{width} is units {'-' if width < units else '+'} 1: check the bounds of the slice (or "
                      "split) that made it")
        elif any(g * units % width == 0 and g * units // width in (g - 1, g + 1) for g in gates):
            g = next(g for g in gates if g * units % width == 0 and g * units // width in (g - 1, g + 1))
            detail = (f"{width} = {g * units} / {g * units // width}: as if the pre-activations (x_t @ kernel, "
                      f"{g * units} wide) were split into {g * units // width} parts instead of {g} gates of {units}")
        else:
            return None
        if width in facts.input_dims or width == batch:
            return None  # a width that is also D or B could be another tensor entirely
        return Diagnosis(GATE_WIDTH_MISMATCH.name,
                         f"{said}: in a cell every gate and state is (batch, units) = {fmt(right)}, and {detail}")
    return None


_SLICE = re.compile(r"slice index (-?\d+) of dimension (\d+) out of bounds")


def time_index_out_of_range(error, case, facts):
    """x[:, T]: TensorFlow names the index and the axis; it is x's time axis when the index is T
    (one past the last step) on axis 1 and T is no other size of the case."""
    found = _SLICE.search(error.get("message", ""))
    if not found or facts.steps is None:
        return None
    index, axis = int(found[1]), int(found[2])
    steps = facts.steps
    if axis != 1 or index != steps or steps in {facts.batch, *facts.units, *facts.input_dims}:
        return None
    return Diagnosis(TIME_INDEX_OUT_OF_RANGE.name,
                     f"your code read index {index} on axis 1, past the end of that axis; x is "
                     f"{fmt(facts.shapes['x'])} = (batch, T, input_dim), and its T = {steps} steps have indices 0 to "
                     f"T - 1 = {steps - 1}, as in range(T)")


def weight_index_out_of_range(error, case, facts):
    """bias[2] of the reset-after GRU's (2, 3H) bias, in a cell: an index on axis 0 past the rows of
    exactly one of the cell's weights, while every (batch, ...) tensor has more rows than that."""
    found = _SLICE.search(error.get("message", ""))
    if not found or where_file(error) not in CELL_MODULES or facts.builtin_cells or facts.batch is None:
        return None
    index, axis = int(found[1]), int(found[2])
    if axis != 0 or index < 0 or facts.batch <= index:
        return None
    short = [(key[2:], shape) for key, shape in facts.shapes.items()
             if key.startswith("w.") and shape and shape[0] <= index]
    if len(short) != 1:
        return None
    name, shape = short[0]
    rows = shape[0]
    why = (": with reset_after=True the bias holds bias[0] for x_t K and bias[1] for h_{t-1} U"
           if name == "bias" and len(shape) == 2 and rows == 2 else "")
    return Diagnosis(WEIGHT_INDEX_OUT_OF_RANGE.name,
                     f"your code read index {index} on axis 0, and of this cell's tensors only `{name}` {fmt(shape)} "
                     f"has so few rows: its rows are 0 to {rows - 1}{why}")


_SPLIT = re.compile(r"Number of ways to split should evenly divide the split dimension, but got split_dim (\d+) "
                    r"\(size = (\d+)\) and num_split (\d+)")


def split_shapes(error, case, facts):
    """ops.split(z, n, axis) of the (batch, gH) pre-activations in a cell: along the batch axis, or
    into n != g parts."""
    found = _SPLIT.search(error.get("message", ""))
    if not found or where_file(error) not in CELL_MODULES or facts.builtin_cells or facts.batch is None:
        return None
    axis, size, parts = (int(found[i]) for i in (1, 2, 3))
    widths = {g * h: (g, h) for h, gs in facts.gates.items() for g in gs if g and g > 1}
    if axis == 0 and size == facts.batch and size not in widths and parts in {g for g, _ in widths.values()}:
        return Diagnosis(SPLIT_ALONG_BATCH_AXIS.name,
                         f"the split into {parts} ran along axis 0, whose size {size} is the batch size: "
                         f"the gates sit side by side along the last axis of the (batch, {parts} x units) "
                         "pre-activations, so split with axis=-1")
    if axis == 1 and size in widths and size != facts.batch and parts != widths[size][0]:
        gates, units = widths[size]
        return Diagnosis(WRONG_NUMBER_OF_GATES.name,
                         f"the split cut a width of {size} = {gates} x units ({units}) into {parts} parts: this cell "
                         f"has {gates} gates, one block of {units} columns each, so split into {gates}")
    return None


RULES = (matmul_shapes, split_shapes, incompatible_shapes, time_index_out_of_range, weight_index_out_of_range)
