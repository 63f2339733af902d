"""Diagnose: name the mistake behind an exception, from its message and the case's inputs.

When a probe call ends in an exception, the child sends back its type, its first line and the
innermost line of the student's code (``sandbox.child._describe``). The grader also knows the case
that was run: its named input arrays (``x`` (B, T, D), initial states ``h0.0``..., weights
``w.kernel`` or ``<prefix>.kernel``...) and params. Many exceptions are then exact statements about
the student's code::

    Matrix size-incompatible: In[0]: [3,4], In[1]: [5,5]
        x_t is (3, 4) and recurrent_kernel (5, 5): the input was multiplied by the recurrent kernel

``diagnose(error, case, lab)`` returns a ``Diagnosis`` (a mistake name and one sentence) when a rule
can say exactly what went wrong, or None. It runs in the grader (parent) process on the strings
and arrays it already holds: NumPy and the standard library only, never student code, and it
never raises (a message it cannot read gives today's feedback).

Every rule names a mistake only when the evidence admits one reading: a shape in a message counts
as, say, "x_t" only when no other tensor of the case has that shape (hidden cases draw sizes that
can coincide: B == D, D == H...). The sentence states the evidence (the shapes, and what has them),
so it is right for every student who triggers it, not only for the mistake we had in mind.

A lab may add its own rules in ``autograder/labs/labN/diagnoses.py`` (optional, TF-free):
``RULES``, a list of ``rule(error, case, facts) -> Diagnosis | None`` tried after the engine's,
and ``BUILTIN_CELL_PROBES``, the probes that run the student's function on Keras's *built-in*
cells (so a matmul error inside them is about what the student passed to the cell).
"""

import re
from dataclasses import dataclass, field

from autograder.engine.mistakes import catalogue

CATALOGUE, _mistake = catalogue()

MATMUL_OPERANDS_REVERSED = _mistake(
    "matmul_operands_reversed",
    "a matmul has its operands in the wrong order: the (batch, ...) tensor comes first, the weight matrix second "
    "(x_t @ kernel, h_{t-1} @ recurrent_kernel)")
INPUT_TIMES_RECURRENT_KERNEL = _mistake(
    "input_times_recurrent_kernel",
    "the input x_t was multiplied by the recurrent kernel: x_t goes with `kernel`, h_{t-1} with `recurrent_kernel`")
STATE_TIMES_KERNEL = _mistake(
    "state_times_kernel",
    "the state h_{t-1} was multiplied by the input kernel: h_{t-1} goes with `recurrent_kernel`, x_t with `kernel`")
CELL_GOT_STATE_AS_INPUT = _mistake(
    "cell_got_state_as_input",
    "a cell received the state where its input x_t goes: a Keras cell is called as cell(x_t, states)")
CELL_GOT_INPUT_AS_STATE = _mistake(
    "cell_got_input_as_state",
    "a cell received the input x_t where its states go: a Keras cell is called as cell(x_t, states)")
GATE_WIDTH_MISMATCH = _mistake(
    "gate_width_mismatch",
    "a gate or state has the wrong width: every gate, h_t and c_t is (batch, units)")
TIME_SIZE_AS_BATCH = _mistake(
    "time_size_as_batch",
    "a tensor has the sequence length T where the batch size belongs: x is (batch, T, input_dim), "
    "so the batch size is x.shape[0] and T is x.shape[1]")
BATCH_AND_UNITS_SWAPPED = _mistake(
    "batch_and_units_swapped",
    "a tensor has its two axes in the wrong order: states and outputs are (batch, units)")
ATTRIBUTE_NOT_SET = _mistake(
    "attribute_not_set",
    "the code reads an attribute of the cell that nothing assigned (not __init__, not build)")
WEIGHT_NOT_ASSIGNED = _mistake(
    "weight_not_assigned",
    "call reads a weight that build never stored under that name: keep each weight as "
    "`self.<name> = self.add_weight(..., name=\"<name>\")`")
NEGATIVE_DIMENSION = _mistake(
    "negative_dimension",
    "a shape was given a negative size: every dimension of a weight or a tensor of zeros must be positive")
WRONG_ARGUMENT_TYPE = _mistake(
    "wrong_argument_type",
    "a value of the wrong kind reached a call (an int or a cell where a tensor goes, or the reverse): "
    "check the order of the arguments")
ARITHMETIC_ON_LIST = _mistake(
    "arithmetic_on_list",
    "arithmetic was applied to a Python list (states and gradients are lists of tensors): apply it to each tensor")
TIME_INDEX_OUT_OF_RANGE = _mistake(
    "time_index_out_of_range",
    "a time index ran past the end of the sequence: x has T steps, at indices 0 to T - 1")
LOSS_ARGUMENTS_SWAPPED = _mistake(
    "loss_arguments_swapped",
    "the loss got its arguments the other way round: a Keras loss is called as loss_fn(y_true, y_pred)")
LIST_USED_AS_TENSOR = _mistake(
    "list_used_as_tensor",
    "a Python list (such as the states [h, c]) was used like a tensor: indexed as `value[:, t]` or asked for "
    "its `.shape`")
SPLIT_ALONG_BATCH_AXIS = _mistake(
    "split_along_batch_axis",
    "the pre-activations were split along the batch axis: split them into the gates along the last axis (axis=-1)")
WRONG_NUMBER_OF_GATES = _mistake(
    "wrong_number_of_gates",
    "the pre-activations were split into the wrong number of parts: one block of `units` columns per gate")
OPTIMIZER_GOT_TENSOR_AS_VARIABLE = _mistake(
    "optimizer_got_tensor_as_variable",
    "the optimizer got a tensor where a variable goes: apply_gradients takes (gradient, variable) pairs, "
    "zip(grads, variables)")
BOOL_IN_ARITHMETIC = _mistake(
    "bool_in_arithmetic",
    "a boolean tensor went into arithmetic: cast it first, tf.cast(mask, tf.float32)")

CELL_MODULES = ("simple_rnn.py", "lstm.py", "gru.py")


@dataclass(frozen=True)
class Diagnosis:
    mistake: str  # a name from CATALOGUE or a lab's own
    sentence: str  # what went wrong, with the evidence, for the student


# -- what the case's inputs say: which tensors have which shapes ----------------------------------
INPUT, STATE, KERNEL, RECURRENT, OTHER = "input", "state", "kernel", "recurrent", "other"
_WEIGHT_KEY = re.compile(r"^(?:(?P<prefix>[A-Za-z]\w*)\.)(?P<name>kernel|recurrent_kernel)$")


@dataclass
class Facts:
    """Sizes and named shapes read from a case's inputs and params."""
    batch: int = None
    steps: int = None
    roles: dict = field(default_factory=dict)  # shape -> {(role, label)}
    units: set = field(default_factory=set)
    gates: dict = field(default_factory=dict)  # units -> set of gate counts (1 simple, 3 GRU, 4 LSTM)
    input_dims: set = field(default_factory=set)
    shapes: dict = field(default_factory=dict)  # every named array's shape: the case's and a probe's own
    builtin_cells: bool = False  # the probe runs Keras's built-in cells on the student's function

    def add(self, shape, role, label):
        self.roles.setdefault(tuple(int(d) for d in shape), set()).add((role, label))

    def role_of(self, shape):
        """``(role, label)`` when every tensor of the case with this shape plays the same role, else None."""
        found = self.roles.get(tuple(shape), set())
        if len({role for role, _ in found}) != 1:
            return None
        return sorted(found, key=lambda item: (len(item[1]), item[1]))[0]


def _shape(value):
    return tuple(int(d) for d in getattr(value, "shape", ()))


def case_facts(case, builtin_cell_probes=(), extra_shapes=None):
    """The ``Facts`` of ``case``: B and T from ``x`` (B, T, D) (or B from ``h0.0``); D, H and the gate
    count of every cell from its ``kernel`` (D, gH) and ``recurrent_kernel`` (H, gH); the roles of
    x_t (B, D), h_{t-1} (B, H), the kernels and (for a gated cell) one gate's block of each.
    ``extra_shapes`` ({name: shape}) stands for arrays a probe makes itself (a lab's ``case_shapes``)."""
    facts = Facts(builtin_cells=getattr(case, "probe", None) in set(builtin_cell_probes))
    shapes = {key: _shape(value) for key, value in (getattr(case, "inputs", None) or {}).items()}
    shapes.update(extra_shapes or {})
    facts.shapes = shapes
    x = shapes.get("x")
    if x is not None and len(x) == 3:
        facts.batch, facts.steps, _ = x
    elif len(shapes.get("h0.0", ())) == 2:
        facts.batch = shapes["h0.0"][0]
    cells = {}
    for key, shape in shapes.items():
        found = _WEIGHT_KEY.match(key)
        if found and len(shape) == 2:
            cells.setdefault(found["prefix"], {})[found["name"]] = shape
    # A cell has a recurrent kernel; the probe's own cell ("w.") may leave it to the initializer
    # (irnn_cell), its width then in params["units"]. Any other kernel is a Dense's.
    params = getattr(case, "params", None) or {}
    cells = {prefix: weights for prefix, weights in cells.items()
             if "recurrent_kernel" in weights or (prefix == "w" and isinstance(params.get("units"), int))}
    prefix_label = len(cells) > 1
    for prefix, weights in sorted(cells.items()):
        kernel, recurrent = weights.get("kernel"), weights.get("recurrent_kernel")
        units = recurrent[0] if recurrent else params["units"]
        if not recurrent:
            facts.add((units, units), RECURRENT, "recurrent_kernel")
        if recurrent and recurrent[1] % units == 0:
            gates = recurrent[1] // units
        elif kernel and units:
            gates = kernel[1] // units if kernel[1] % units == 0 else None
        else:
            gates = None
        name = (lambda n: f"{prefix}.{n}") if prefix_label else (lambda n: n)
        if kernel:
            facts.add(kernel, KERNEL, name("kernel"))
            facts.input_dims.add(kernel[0])
            if gates and gates > 1:
                facts.add((kernel[0], units), KERNEL, f"one gate's block of {name('kernel')}")
        if recurrent:
            facts.add(recurrent, RECURRENT, name("recurrent_kernel"))
            if gates and gates > 1:
                facts.add((units, units), RECURRENT, f"one gate's block of {name('recurrent_kernel')}")
        if units:
            facts.units.add(units)
            facts.gates.setdefault(units, set()).add(gates)
        if facts.batch is not None:
            if kernel:
                facts.add((facts.batch, kernel[0]), INPUT, "x_t")
            if units:
                facts.add((facts.batch, units), STATE, "h_{t-1}")
            if gates and gates > 1 and units:
                # x_t @ kernel, the gates' pre-activations side by side: no operand a rule names, but
                # a shape it must not be mistaken for (B == D makes it the kernel's shape).
                facts.add((facts.batch, gates * units), OTHER, "the pre-activations")
    for key, shape in shapes.items():
        if key.startswith("h0.") and len(shape) == 2:
            facts.add(shape, STATE, "h_{t-1}")
    return facts


def _fmt(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"  # None stays None


def _dims(text):
    return tuple(int(d) for d in text.split(",") if d.strip()) if text.strip() else ()


# -- the rules: each returns a Diagnosis or None --------------------------------------------------
_MATMUL = re.compile(r"Matrix size-incompatible: In\[0\]: \[([\d,]+)\], In\[1\]: \[([\d,]+)\]")


def matmul_shapes(error, case, facts):
    found = _MATMUL.search(error.get("message", ""))
    if not found:
        return None
    left, right = _dims(found[1]), _dims(found[2])
    a, b = facts.role_of(left), facts.role_of(right)
    if b is None or (a is None and not facts.builtin_cells):
        return None
    (role_a, name_a), (role_b, name_b) = a or (None, None), b
    said = f"this matmul multiplied a {_fmt(left)} by a {_fmt(right)}: {name_a} is {_fmt(left)}, {name_b} {_fmt(right)}"
    in_cell = _where_file(error) in CELL_MODULES and not facts.builtin_cells
    if facts.builtin_cells and _where_file(error) not in CELL_MODULES:
        # Keras's own cells compute inputs @ kernel and h_{t-1} @ recurrent_kernel: what is wrong
        # is what the student's code handed to the cell.
        states = _state_count(case, facts)
        if (role_b == KERNEL and len(left) == 2 and left[1] in facts.units and left[1] not in facts.input_dims
                and (role_a in (None, STATE))):
            if role_a == STATE:
                got = f"{_fmt(left)}, the shape of the state h_{{t-1}} (batch, units)"
            elif states > 1 and left[0] == states * facts.batch and left[0] != facts.steps:
                got = (f"{_fmt(left)}: {states} x batch rows of width units, the list of the {states} states "
                       f"(each ({facts.batch}, {left[1]})) taken as one tensor")
            else:
                got = f"{_fmt(left)}, {left[1]} wide like a state (units), where x_t has input_dim = {right[0]} columns"
            return Diagnosis(CELL_GOT_STATE_AS_INPUT.name,
                             f"the cell multiplied its input by {name_b} {_fmt(right)}, but the input it got is {got}, "
                             "not x_t: call a cell as cell(x_t, states)")
        if role_a == INPUT and role_b == RECURRENT:
            return Diagnosis(CELL_GOT_INPUT_AS_STATE.name,
                             f"the cell multiplied its state by {name_b} {_fmt(right)}, but the state it got is "
                             f"{_fmt(left)}, the shape of x_t (batch, input_dim): call a cell as cell(x_t, states)")
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
    first, second = _dims(found[1]), _dims(found[2])
    if len(first) != 2 or len(second) != 2:
        return None
    batch, steps = facts.batch, facts.steps
    state_shapes = {(batch, h) for h in facts.units}
    said = f"an elementwise operation met a {_fmt(first)} and a {_fmt(second)} tensor"
    where = _where_file(error)
    # (B, w) against (T, w), w the width of a state or of a cell's gates together: outside a cell
    # (a sequence function), a state or zeros made with T rows where B belongs.
    widths = set(facts.units) | {g * h for h, gs in facts.gates.items() for g in gs if g}
    sizes = {*facts.units, *facts.input_dims, *widths}
    for right, other in ((first, second), (second, first)):
        if (right[0] == batch and other[0] == steps and right[1] == other[1] and right[1] in widths
                and where not in CELL_MODULES and steps not in sizes | {batch}):
            kind = "(batch, units)" if right[1] in facts.units else f"(batch, {right[1]}), a cell's gates together,"
            return Diagnosis(TIME_SIZE_AS_BATCH.name,
                             f"{said}: {_fmt(right)} is {kind} but {_fmt(other)} has {steps} rows, the sequence "
                             f"length T of x {_fmt(facts.shapes['x'])} = (batch, T, input_dim), where the batch "
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
                         f"{said}: {_fmt(right)} is (batch, units) and {_fmt(other)} has the same two sizes in the "
                         "opposite order (units, batch): one of them was built or reshaped with its axes swapped")
    if other[0] == batch and other[1] != units and where in CELL_MODULES and not facts.builtin_cells:
        width = other[1]
        gates = {g for g in facts.gates.get(units, set()) if g}
        if any(width == g * units for g in gates if g > 1):
            detail = f"{width} = {width // units} x units is the width of all the gates together (x_t @ kernel): split it first"
        elif width in (units - 1, units + 1):
            detail = (f"{width} is units {'-' if width < units else '+'} 1: check the bounds of the slice (or "
                      "split) that made it")
        elif any(g * units % width == 0 and g * units // width > 1 for g in gates):
            parts = [g * units // width for g in gates if g * units % width == 0][0]
            detail = (f"{width} is {parts * width} / {parts}: the pre-activations were split into {parts} parts of "
                      f"{width} instead of into one block of {units} per gate")
        else:
            return None
        if width in facts.input_dims or width == batch:
            return None  # a width that is also D or B could be another tensor entirely
        return Diagnosis(GATE_WIDTH_MISMATCH.name,
                         f"{said}: in a cell every gate, h_t and c_t is (batch, units) = {_fmt(right)}, and {detail}")
    return None


_NO_ATTRIBUTE = re.compile(r"^'([\w.]+)' object has no attribute '(\w+)'$")
_CELL_ATTRIBUTES = ("state_size", "output_size", "build", "call", "units", "get_config")


def missing_attribute(error, case, facts):
    if error.get("type") != "AttributeError":
        return None
    found = _NO_ATTRIBUTE.match(error.get("message", "").strip())
    if not found:
        return None
    owner, attribute = found[1], found[2]
    function = _where_function(error)
    if owner == "list" and attribute in ("shape", "dtype", "numpy", "ndim"):
        return Diagnosis(LIST_USED_AS_TENSOR.name,
                         f"your code read `.{attribute}` of a Python list: a list (such as the states [h] or [h, c]) "
                         f"has no `{attribute}`, only the tensors in it do. Check that the value here is the tensor "
                         "you mean (and the order of the arguments that brought it)")
    if owner.endswith("EagerTensor") and attribute == "_unique_id":
        return Diagnosis(OPTIMIZER_GOT_TENSOR_AS_VARIABLE.name,
                         "Keras looked for a variable's id on a plain tensor: the optimizer got a tensor where a "
                         "variable goes. apply_gradients takes (gradient, variable) pairs: "
                         "optimizer.apply_gradients(zip(grads, variables))")
    if owner in ("int", "float", "list", "tuple", "NoneType", "str") and attribute in _CELL_ATTRIBUTES:
        return Diagnosis(WRONG_ARGUMENT_TYPE.name,
                         f"your code read `.{attribute}` of a Python {owner}, where a cell goes "
                         f"(a cell has `{attribute}`, a {owner} does not): check the order of the arguments "
                         "wherever this value was passed along as the cell")
    if owner.endswith("Cell") and _where_file(error) in CELL_MODULES:
        weights = {key[2:] for key in facts.shapes if key.startswith("w.")}
        if attribute in weights and function in ("call", "call_reset_after"):
            return Diagnosis(WEIGHT_NOT_ASSIGNED.name,
                             f"`{function}` reads `self.{attribute}`, but build did not assign `self.{attribute}`: "
                             f"store the weight as `self.{attribute} = self.add_weight(..., name=\"{attribute}\")` "
                             "(each weight under its own name)")
        return Diagnosis(ATTRIBUTE_NOT_SET.name,
                         f"your {owner} has no attribute `{attribute}` when `{function or 'your code'}` reads it: "
                         f"nothing assigned `self.{attribute}` before (not __init__, not build)")
    return None


_NEGATIVE_SHAPE = re.compile(r"Cannot convert '\(([-\d, ]*(?:None[-\d, ]*)*)\)' to a shape\. Negative dimensions are not allowed")
_NEGATIVE_FILL = re.compile(r"Dimension (-\d+) must be >= 0")


def negative_dimension(error, case, facts):
    message = error.get("message", "")
    found = _NEGATIVE_SHAPE.search(message)
    if found:
        shape = tuple(None if d.strip() == "None" else int(d) for d in found[1].split(",") if d.strip())
        fixed = tuple(d if d is None else abs(d) for d in shape)
        named = [key[2:] for key, shape in facts.shapes.items() if key.startswith("w.") and shape == fixed]
        which = f" `{named[0]}` is {_fmt(fixed)}" if len(named) == 1 else ""
        return Diagnosis(NEGATIVE_DIMENSION.name,
                         f"your code asked Keras for the shape {_fmt(shape)}: sizes must be positive"
                         + (f";{which} in this test" if which else ""))
    found = _NEGATIVE_FILL.search(message)
    if found and "Fill" in message:
        return Diagnosis(NEGATIVE_DIMENSION.name,
                         f"your code asked for a tensor with a dimension of size {found[1]} (tf.zeros or tf.fill): "
                         "sizes must be positive")
    return None


_UNARY_LIST = re.compile(r"bad operand type for unary (\S+): '(list|tuple)'")
_BINARY_LIST = re.compile(r"unsupported operand type\(s\) for (\S+): '(\w+)' and '(\w+)'")


def arithmetic_on_list(error, case, facts):
    if error.get("type") != "TypeError":
        return None
    message = error.get("message", "")
    found = _UNARY_LIST.search(message)
    if found:
        return Diagnosis(ARITHMETIC_ON_LIST.name,
                         f"your code applied unary `{found[1]}` to a Python {found[2]}: a list of tensors (like the "
                         f"states [h] or a list of gradients) has no arithmetic; apply it to each tensor "
                         f"([{found[1]}s for s in ...])")
    found = _BINARY_LIST.search(message)
    if found and "list" in (found[2], found[3]) and found[2] in ("list", "int", "float") \
            and found[3] in ("list", "int", "float"):
        return Diagnosis(ARITHMETIC_ON_LIST.name,
                         f"your code used `{found[1]}` between a {found[2]} and a {found[3]}: a Python list "
                         "of tensors has no arithmetic; apply it to each tensor of the list")
    if "list indices must be integers or slices, not tuple" in message:
        return Diagnosis(LIST_USED_AS_TENSOR.name,
                         "your code indexed a Python list with several indices (like `value[:, t]`): only a tensor "
                         "takes those; a list (such as the states [h, c]) takes one integer. Check that the value "
                         "indexed here is the tensor you mean")
    return None


_CONVERT = re.compile(r"Attempt to convert a value \((.*)\) with an unsupported type \(<class '([\w.]+)'>\) to a Tensor")


_PASSED_FUNCTION = re.compile(r"^Passed in object <function ([\w.<>]+) at 0x[0-9a-f]+> of type 'function', "
                              r"not tf\.Tensor or tf\.Variable")


def not_a_tensor(error, case, facts):
    message = error.get("message", "")
    passed = _PASSED_FUNCTION.search(message)
    if passed:
        name = passed[1].rsplit(".", 1)[-1]
        return Diagnosis(WRONG_ARGUMENT_TYPE.name,
                         f"your code passed the function `{name}` where the GradientTape expected a tensor or a "
                         "variable to watch or differentiate: check the order of the arguments on this line and of "
                         "the calls that brought the values here")
    found = _CONVERT.search(message)
    if not found:
        return None
    kind = found[2].rsplit(".", 1)[-1]
    if kind.endswith("Cell") or kind in ("function",):
        what = f"a {kind} (a cell)" if kind.endswith("Cell") else "a function"
        return Diagnosis(WRONG_ARGUMENT_TYPE.name,
                         f"your code passed {what} where TensorFlow expected a tensor: check the order of the "
                         "arguments of the call on this line")
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
                     f"{_fmt(facts.shapes['x'])} = (batch, T, input_dim), and its T = {steps} steps have indices 0 to "
                     f"T - 1 = {steps - 1}, as in range(T)")


_LOSS_RANK = re.compile(r"Argument `output` must have rank \(ndim\) `target\.ndim - 1`\. "
                        r"Received: target\.shape=\(([\d, ]*)\), output\.shape=\(([\d, ]*)\)")


def loss_arguments_swapped(error, case, facts):
    """A sparse loss called as loss_fn(y_pred, y_true): its ``output`` (y_pred) has the shape of the
    case's labels (an integer input, or ``y``) and its ``target`` one more axis."""
    found = _LOSS_RANK.search(error.get("message", ""))
    if not found:
        return None
    target, output = _dims(found[1]), _dims(found[2])
    inputs = getattr(case, "inputs", None) or {}
    labels = [key for key, value in inputs.items()
              if (key == "y" or getattr(getattr(value, "dtype", None), "kind", "") in "iu") and _shape(value) == output]
    if len(labels) != 1 or target[:len(output)] != output or len(target) != len(output) + 1:
        return None
    return Diagnosis(LOSS_ARGUMENTS_SWAPPED.name,
                     f"the loss got a {_fmt(target)} tensor as its target and the labels `{labels[0]}` {_fmt(output)} "
                     "as its predictions: a Keras loss is called as loss_fn(y_true, y_pred), labels first")


_DTYPE_ARGUMENT = re.compile(r"^Cannot convert the argument `type_value`: <tf\.Tensor")


def tensor_as_dtype(error, case, facts):
    """tf.cast(tf.float32, x): TensorFlow tried to read the tensor as a dtype."""
    if not _DTYPE_ARGUMENT.search(error.get("message", "")):
        return None
    return Diagnosis(WRONG_ARGUMENT_TYPE.name,
                     "your code passed a tensor where a dtype goes (TensorFlow tried to read the tensor as a type): "
                     "tf.cast takes the tensor first and the dtype second, tf.cast(x, tf.float32)")


_SPLIT = re.compile(r"Number of ways to split should evenly divide the split dimension, but got split_dim (\d+) "
                    r"\(size = (\d+)\) and num_split (\d+)")


def split_shapes(error, case, facts):
    """ops.split(z, n, axis) of the (batch, gH) pre-activations in a cell: along the batch axis, or
    into n != g parts."""
    found = _SPLIT.search(error.get("message", ""))
    if not found or _where_file(error) not in CELL_MODULES or facts.builtin_cells or facts.batch is None:
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


_T_LIST = re.compile(r"^`t_list` should be a sequence of tensors\. Received <class '(int|float)'>")
_BOOL_ATTR = re.compile(r"Value for attr 'T' of bool is not in the list of allowed values")


def wrong_first_argument(error, case, facts):
    message = error.get("message", "")
    found = _T_LIST.search(message)
    if found:
        return Diagnosis(WRONG_ARGUMENT_TYPE.name,
                         f"a {found[1]} went where TensorFlow wants a list of tensors (`t_list`, the first argument of "
                         "tf.clip_by_global_norm and tf.linalg.global_norm): the list comes first, "
                         "tf.clip_by_global_norm(grads, clip_norm)")
    if _BOOL_ATTR.search(message):
        return Diagnosis(BOOL_IN_ARITHMETIC.name,
                         "an operation that needs numbers got a boolean tensor (dtype bool): cast it first, "
                         "e.g. tf.cast(mask, tf.float32)")
    return None


RULES = (matmul_shapes, split_shapes, wrong_first_argument, incompatible_shapes, missing_attribute, negative_dimension, arithmetic_on_list, not_a_tensor,
         time_index_out_of_range, loss_arguments_swapped, tensor_as_dtype)


# -- entry point ------------------------------------------------------------------------------------
def _state_count(case, facts):
    """How many state tensors the case's cell carries: its ``h0.*`` inputs, else 2 for an LSTM."""
    given = sum(1 for key in facts.shapes if key.startswith("h0."))
    if given:
        return given
    return 2 if (getattr(case, "params", None) or {}).get("cell") in ("lstm", "peephole_lstm") else 1


def _where_file(error):
    where = error.get("where") or []
    return str(where[0]).rsplit("/", 1)[-1] if where else None


def _where_function(error):
    where = list(error.get("where") or []) + [None, None, None]
    return where[2] or None


def _lab_table(lab):
    if lab is None:
        return None
    from autograder.engine.labs import lab_module

    try:
        return lab_module(lab, "diagnoses")
    except ModuleNotFoundError:
        return None


def diagnose(error, case, lab=None):
    """A ``Diagnosis`` of ``error`` (the child's ``{"type", "message", "where"}``) on ``case``, or None.

    Never raises: a rule that fails on an unexpected message counts as no diagnosis."""
    try:
        table = _lab_table(lab)
        extra = getattr(table, "case_shapes", None)
        facts = case_facts(case, getattr(table, "BUILTIN_CELL_PROBES", ()), extra(case) if extra else None)
        for rule in (*RULES, *getattr(table, "RULES", ())):
            found = rule(error, case, facts)
            if found is not None:
                return found
    except Exception:  # a diagnosis is a bonus; the plain feedback stands without it
        return None
    return None
