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

The rules live in ``engine.diagnose_shapes`` (a matmul, an elementwise op, a split, a slice) and
``engine.diagnose_types`` (attributes, lists, argument order, negative sizes, a loss's order); this
module holds what they share: the mistake names, the ``Facts`` of a case and the entry point.

A lab may add its own rules in ``autograder/labs/labN/diagnoses.py`` (optional, TF-free):
``RULES``, a list of ``rule(error, case, facts) -> Diagnosis | None`` tried after the engine's,
and ``BUILTIN_CELL_PROBES``, the probes that run the student's function on Keras's *built-in*
cells (so a matmul error inside them is about what the student passed to the cell), and
``case_shapes(case) -> {name: shape}`` for the arrays a probe makes itself (a contract probe's zeros).
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
    "a gate or state has the wrong width: every gate and state is (batch, units)")
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
WEIGHT_INDEX_OUT_OF_RANGE = _mistake(
    "weight_index_out_of_range",
    "an index past the rows of a weight: a weight of n rows has rows 0 to n - 1")
TENSOR_USED_AS_NUMPY_ARRAY = _mistake(
    "tensor_used_as_numpy_array",
    "a NumPy array method was called on a TensorFlow tensor: convert it first (np.asarray(t)), or use the "
    "keras.ops / tf function")
VALUE_OF_COMPILED_TENSOR = _mistake(
    "value_of_compiled_tensor",
    "under tf.function a tensor is symbolic and has no value yet: `.numpy()`, float(t) and NumPy functions "
    "on it work only eagerly; keep the step in TensorFlow ops (tf.* or keras.ops) and return tensors")
INPUT_NOT_FIRST = _mistake(
    "input_not_first",
    "keras.Input must come first in keras.Sequential([...]): it declares the shape the layers after it read")
BOOL_IN_ARITHMETIC = _mistake(
    "bool_in_arithmetic",
    "a boolean tensor went into arithmetic: cast it first, tf.cast(mask, tf.float32)")

CELL_MODULES = ("simple_rnn.py", "lstm.py", "gru.py")


@dataclass(frozen=True)
class Diagnosis:
    mistake: str  # a name from CATALOGUE or a lab's own; None for a hint (evidence, no named mistake)
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


def shape_of(value):
    return tuple(int(d) for d in getattr(value, "shape", ()))


def case_facts(case, builtin_cell_probes=(), extra_shapes=None):
    """The ``Facts`` of ``case``: B and T from ``x`` (B, T, D) (or B from ``h0.0``); D, H and the gate
    count of every cell from its ``kernel`` (D, gH) and ``recurrent_kernel`` (H, gH); the roles of
    x_t (B, D), h_{t-1} (B, H), the kernels and (for a gated cell) one gate's block of each.
    ``extra_shapes`` ({name: shape}) stands for arrays a probe makes itself (a lab's ``case_shapes``)."""
    facts = Facts(builtin_cells=getattr(case, "probe", None) in set(builtin_cell_probes))
    shapes = {key: shape_of(value) for key, value in (getattr(case, "inputs", None) or {}).items()}
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
        _add_cell(facts, weights, recurrent_units=params.get("units"),
                  name=(lambda n, p=prefix: f"{p}.{n}") if prefix_label else (lambda n: n))
    for key, shape in shapes.items():
        if key.startswith("h0.") and len(shape) == 2:
            facts.add(shape, STATE, "h_{t-1}")
    return facts


def _add_cell(facts, weights, recurrent_units, name):
    """The roles of one cell's tensors: its kernels (and one gate's block of each), x_t and h_{t-1}."""
    kernel, recurrent = weights.get("kernel"), weights.get("recurrent_kernel")
    units = recurrent[0] if recurrent else recurrent_units
    if not recurrent:
        facts.add((units, units), RECURRENT, "recurrent_kernel")
    if recurrent and recurrent[1] % units == 0:
        gates = recurrent[1] // units
    elif kernel and units:
        gates = kernel[1] // units if kernel[1] % units == 0 else None
    else:
        gates = None
    blocks = range(1, gates) if gates else ()  # kernel[:, :units], kernel[:, : 2 * units], ...
    if kernel:
        facts.add(kernel, KERNEL, name("kernel"))
        facts.input_dims.add(kernel[0])
        for count in blocks:
            facts.add((kernel[0], count * units), KERNEL, f"{_blocks(count)} of {name('kernel')}")
    if recurrent:
        facts.add(recurrent, RECURRENT, name("recurrent_kernel"))
        for count in blocks:
            facts.add((units, count * units), RECURRENT, f"{_blocks(count)} of {name('recurrent_kernel')}")
    facts.units.add(units)
    facts.gates.setdefault(units, set()).add(gates)
    if facts.batch is not None:
        if kernel:
            facts.add((facts.batch, kernel[0]), INPUT, "x_t")
        facts.add((facts.batch, units), STATE, "h_{t-1}")
        if gates and gates > 1:
            # x_t @ kernel, the gates' pre-activations side by side: no operand a rule names, but
            # a shape it must not be mistaken for (B == D makes it the kernel's shape).
            facts.add((facts.batch, gates * units), OTHER, "the pre-activations")


def _blocks(count):
    return "one gate's block" if count == 1 else f"{count} gates' blocks"


def fmt(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"  # None stays None


def dims(text):
    return tuple(int(d) for d in text.split(",") if d.strip()) if text.strip() else ()


def state_count(case, facts):
    """How many state tensors the case's cell carries: its ``h0.*`` inputs, else 2 for an LSTM."""
    given = sum(1 for key in facts.shapes if key.startswith("h0."))
    if given:
        return given
    return 2 if (getattr(case, "params", None) or {}).get("cell") in ("lstm", "peephole_lstm") else 1


def where_file(error):
    where = error.get("where") or []
    return str(where[0]).rsplit("/", 1)[-1] if where else None


def where_function(error):
    where = list(error.get("where") or []) + [None, None, None]
    return where[2] or None


# -- entry point ------------------------------------------------------------------------------------
def _engine_rules():
    from autograder.engine import diagnose_shapes, diagnose_types

    return (*diagnose_shapes.RULES, *diagnose_types.RULES)


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

    Never raises: a rule that fails on an unexpected message counts as no diagnosis from it."""
    try:
        table = _lab_table(lab)
        extra = getattr(table, "case_shapes", None)
        facts = case_facts(case, getattr(table, "BUILTIN_CELL_PROBES", ()), extra(case) if extra else None)
        rules = (*_engine_rules(), *getattr(table, "RULES", ()))
    except Exception:  # a diagnosis is a bonus; the plain feedback stands without it
        return None
    for rule in rules:
        try:
            found = rule(error, case, facts)
        except Exception:
            continue
        if found is not None:
            return found
    return None
