"""``engine.diagnose``'s rules on Python and Keras errors: a missing attribute, a list used as a
tensor, an argument of the wrong kind or in the wrong place, a negative size, a loss's argument order."""

import re

from autograder.engine.diagnose import (
    ARITHMETIC_ON_LIST, ATTRIBUTE_NOT_SET, BOOL_IN_ARITHMETIC, CELL_MODULES, INPUT_NOT_FIRST, LIST_USED_AS_TENSOR,
    LOSS_ARGUMENTS_SWAPPED, NEGATIVE_DIMENSION, OPTIMIZER_GOT_TENSOR_AS_VARIABLE, TENSOR_USED_AS_NUMPY_ARRAY,
    VALUE_OF_COMPILED_TENSOR, WEIGHT_NOT_ASSIGNED, WRONG_ARGUMENT_TYPE, Diagnosis, dims, fmt, shape_of, where_file,
    where_function)
from autograder.sandbox.probes import SYMBOLIC_TENSOR_TO_NUMPY


# Both readings of eager-only code run under tf.function end with the same advice.
_KEEP_IT_IN_TENSORFLOW = ("Keep the step in TensorFlow ops (tf.* or keras.ops) and return tensors; it then runs "
                          "eagerly and compiled")
_NO_ATTRIBUTE = re.compile(r"^'([\w.]+)' object has no attribute '(\w+)'$")
_CELL_ATTRIBUTES = ("state_size", "output_size", "build", "call", "units", "get_config")
# NumPy array methods a TensorFlow tensor lacks, and those keras.ops has a function for.
_NUMPY_METHODS = ("max", "min", "sum", "mean", "std", "var", "prod", "argmax", "argmin", "cumsum", "astype",
                  "reshape", "flatten", "ravel", "item", "tolist", "clip", "round", "any", "all", "copy", "T")
_OPS_FUNCTIONS = ("max", "min", "sum", "mean", "std", "var", "prod", "argmax", "argmin", "cumsum", "reshape",
                  "clip", "round", "any", "all")


def missing_attribute(error, case, facts):
    """'<owner>' object has no attribute '<name>': a list or a plain value where a tensor or a cell goes,
    a tensor where the optimizer wants a variable, or a cell attribute nothing assigned."""
    if error.get("type") != "AttributeError":
        return None
    found = _NO_ATTRIBUTE.match(error.get("message", "").strip())
    if not found:
        return None
    owner, attribute = found[1], found[2]
    function = where_function(error)
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
    if owner == "SymbolicTensor" and attribute in ("numpy", *_NUMPY_METHODS):
        return Diagnosis(VALUE_OF_COMPILED_TENSOR.name,
                         f"`.{attribute}` needs a tensor's value, and this code ran compiled (under tf.function), "
                         f"where a tensor is symbolic: it has no value until the graph runs. {_KEEP_IT_IN_TENSORFLOW}")
    if owner.endswith("EagerTensor") and attribute in _NUMPY_METHODS:
        instead = f"np.asarray(value)) or use keras.ops.{attribute}" if attribute in _OPS_FUNCTIONS else "np.asarray(value))"
        return Diagnosis(TENSOR_USED_AS_NUMPY_ARRAY.name,
                         f"`.{attribute}` is a NumPy array method, and this value is a TensorFlow tensor, which has "
                         f"no `.{attribute}`: convert it first ({instead}")
    if owner in ("int", "float", "list", "tuple", "NoneType", "str") and attribute in _CELL_ATTRIBUTES:
        return Diagnosis(WRONG_ARGUMENT_TYPE.name,
                         f"your code read `.{attribute}` of a Python {owner}, where a cell goes "
                         f"(a cell has `{attribute}`, {'an' if owner[0] in 'aeiou' else 'a'} {owner} does not): "
                         "check the order of the arguments "
                         "wherever this value was passed along as the cell")
    # A private name ("_tracker") is Keras's own bookkeeping (a missing super().__init__(), say): no guess.
    if owner.endswith("Cell") and where_file(error) in CELL_MODULES and not attribute.startswith("_"):
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
        which = f" `{named[0]}` is {fmt(fixed)}" if len(named) == 1 else ""
        return Diagnosis(NEGATIVE_DIMENSION.name,
                         f"your code asked Keras for the shape {fmt(shape)}: sizes must be positive"
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
    if found[1] == "None":
        return _none_hint(case, facts)
    kind = found[2].rsplit(".", 1)[-1]
    if kind.endswith("Cell") or kind in ("function",):
        what = f"a {kind} (a cell)" if kind.endswith("Cell") else "a function"
        return Diagnosis(WRONG_ARGUMENT_TYPE.name,
                         f"your code passed {what} where TensorFlow expected a tensor: check the order of the "
                         "arguments of the call on this line")
    return None


def _none_hint(case, facts):
    """A None reached TensorFlow: where the probe passed initial_state=None, say so (a hint: the None
    may come from elsewhere, so no mistake is named)."""
    states = any(key.startswith("h0.") for key in facts.shapes)
    if not facts.builtin_cells or states or "x" not in facts.shapes:
        return None
    return Diagnosis(None, "this test calls your function without an initial state (initial_state=None): if "
                           "that None is what reached TensorFlow here, start from zero_states(cell, batch) when "
                           "initial_state is None, and use initial_state only when it is given")


_LOSS_RANK = re.compile(r"Argument `output` must have rank \(ndim\) `target\.ndim - 1`\. "
                        r"Received: target\.shape=\(([\d, ]*)\), output\.shape=\(([\d, ]*)\)")


def loss_arguments_swapped(error, case, facts):
    """A sparse loss called as loss_fn(y_pred, y_true): its ``output`` (y_pred) has the shape of the
    case's labels (an integer input, or ``y``) and its ``target`` one more axis."""
    found = _LOSS_RANK.search(error.get("message", ""))
    if not found:
        return None
    target, output = dims(found[1]), dims(found[2])
    inputs = getattr(case, "inputs", None) or {}
    labels = [key for key, value in inputs.items()
              if (key == "y" or getattr(getattr(value, "dtype", None), "kind", "") in "iu") and shape_of(value) == output]
    if len(labels) != 1 or target[:len(output)] != output or len(target) != len(output) + 1:
        return None
    return Diagnosis(LOSS_ARGUMENTS_SWAPPED.name,
                     f"the loss got a {fmt(target)} tensor as its target and the labels `{labels[0]}` {fmt(output)} "
                     "as its predictions: a Keras loss is called as loss_fn(y_true, y_pred), labels first")


_DTYPE_ARGUMENT = re.compile(r"^Cannot convert the argument `type_value`: <tf\.Tensor")


def tensor_as_dtype(error, case, facts):
    """tf.cast(tf.float32, x): TensorFlow tried to read the tensor as a dtype."""
    if not _DTYPE_ARGUMENT.search(error.get("message", "")):
        return None
    return Diagnosis(WRONG_ARGUMENT_TYPE.name,
                     "your code passed a tensor where a dtype goes (TensorFlow tried to read the tensor as a type): "
                     "tf.cast takes the tensor first and the dtype second, tf.cast(x, tf.float32)")


_INPUT_LATER = re.compile(r"Layers added to a Sequential model should have a single positional argument, the input "
                          r"tensor\. Layer InputLayer has no positional arguments")


def input_not_first(error, case, facts):
    """keras.Sequential([layer, keras.Input(...), ...]): Keras calls every entry after the first on
    the tensor before it, and an InputLayer takes none."""
    if not _INPUT_LATER.search(error.get("message", "")):
        return None
    return Diagnosis(INPUT_NOT_FIRST.name,
                     "Keras met keras.Input after another layer of the Sequential list: keras.Input(shape) declares "
                     "what the model reads, so it comes first, keras.Sequential([keras.Input(...), layer, ...])")


_T_LIST = re.compile(r"^`t_list` should be a sequence of tensors\. Received <class '(int|float|NoneType)'>")
_BOOL_ATTR = re.compile(r"Value for attr 'T' of bool is not in the list of allowed values")


def wrong_first_argument(error, case, facts):
    message = error.get("message", "")
    found = _T_LIST.search(message)
    if found and found[1] == "NoneType":  # a hint: where the None came from is not in the message
        return Diagnosis(None, "None went where TensorFlow wants a list of tensors (`t_list`, the first argument "
                               "of tf.clip_by_global_norm and tf.linalg.global_norm): if it is your gradients, note "
                               "that tape.gradient(loss, variables) takes the loss first and gives None for what "
                               "the loss does not depend on")
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


def compiled_tensor_value(error, case, facts):
    """NumPy given a symbolic tensor: code written for eager mode, run under tf.function
    (``np.asarray(t)`` raises "Cannot convert a symbolic tf.Tensor ... to a numpy array"). ``float(t)``
    raises a TypeError too generic to name ("Expected any non-tensor type, but got a tensor")."""
    if error.get("type") != "NotImplementedError":
        return None
    if not error.get("message", "").strip().startswith(SYMBOLIC_TENSOR_TO_NUMPY):
        return None
    return Diagnosis(VALUE_OF_COMPILED_TENSOR.name,
                     "this code ran compiled (under tf.function), where a tensor is symbolic: it has no value "
                     f"until the graph runs, so NumPy cannot read it. {_KEEP_IT_IN_TENSORFLOW}")


RULES = (compiled_tensor_value, wrong_first_argument, missing_attribute, negative_dimension, arithmetic_on_list,
         not_a_tensor, loss_arguments_swapped, tensor_as_dtype, input_not_first)
