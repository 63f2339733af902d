"""engine.diagnose: each rule on real TensorFlow/Keras/Python messages (copied from graded runs),
the ambiguous and unreadable cases that must stay unnamed, and the wiring into feedback. TF-free."""

from types import SimpleNamespace

import numpy as np
import pytest

from autograder.engine import diagnose as dg
from autograder.engine.cases import Case
from autograder.engine.feedback import from_outcome

FN = "{{function_node __wrapped__%s_device_/job:localhost/replica:0/task:0/device:CPU:0}} "


def zeros(*shape):
    return np.zeros(shape, np.float32)


def cell_case(b=3, t=6, d=4, h=5, gates=1, probe="cell_forward", state=True, cell="simple_rnn"):
    inputs = {"x": zeros(b, t, d), "w.kernel": zeros(d, gates * h), "w.recurrent_kernel": zeros(h, gates * h),
              "w.bias": zeros(gates * h)}
    if state:
        inputs["h0.0"] = zeros(b, h)
    return Case("c", probe, {"cell": cell, "units": h}, inputs)


def error(message, type_="InvalidArgumentError", where=("rnnlab/simple_rnn.py", 97, "call")):
    return {"kind": "exception", "type": type_, "message": message, "where": list(where) if where else None}


def matmul(a, b):
    return FN % "MatMul" + f"Matrix size-incompatible: In[0]: [{a}], In[1]: [{b}] [Op:MatMul] name: "


def incompatible(a, b, op="AddV2"):
    return FN % op + f"Incompatible shapes: [{a}] vs. [{b}] [Op:{op}] name: "


def named(err, case, lab=None):
    found = dg.diagnose(err, case, lab)
    return found.mistake if found else None


# -- matmul ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("message, mistake", [
    (matmul("3,4", "5,5"), "input_times_recurrent_kernel"),  # matmul(inputs, self.recurrent_kernel)
    (matmul("3,5", "4,5"), "state_times_kernel"),  # matmul(h_prev, self.kernel)
    (matmul("4,5", "3,4"), "matmul_operands_reversed"),  # matmul(self.kernel, inputs)
    (matmul("5,5", "3,5"), "matmul_operands_reversed"),  # matmul(self.recurrent_kernel, h_prev)
])
def test_matmul_in_a_cell(message, mistake):
    assert named(error(message), cell_case()) == mistake


def test_matmul_sentence_states_the_shapes():
    found = dg.diagnose(error(matmul("3,4", "5,5")), cell_case())
    assert "x_t is (3, 4), recurrent_kernel (5, 5)" in found.sentence
    reversed_ = dg.diagnose(error(matmul("5,20", "3,5")), cell_case(gates=4, cell="lstm"))
    assert reversed_.mistake == "matmul_operands_reversed" and "matmul(h_{t-1}, recurrent_kernel)" in reversed_.sentence


def test_matmul_of_a_gated_cell_and_a_gate_block():
    lstm = cell_case(gates=4, cell="lstm")
    assert named(error(matmul("3,5", "4,20")), lstm) == "state_times_kernel"
    assert named(error(matmul("3,4", "5,5")), lstm) == "input_times_recurrent_kernel"  # one gate's block


def test_matmul_with_two_gates_of_a_kernel():
    """The GRU's gates_recurrent = h_{t-1} @ recurrent_kernel[:, : 2 * units], written with kernel."""
    gru = cell_case(b=2, gates=3, cell="gru")
    found = dg.diagnose(error(matmul("2,5", "4,10"), where=("rnnlab/gru.py", 127, "call")), gru)
    assert found.mistake == "state_times_kernel" and "2 gates' blocks of kernel (4, 10)" in found.sentence


def test_reset_after_bias_row_past_the_end():
    gru = cell_case(b=3, gates=3, cell="gru")
    gru.inputs["w.bias"] = zeros(2, 15)
    slice_ = error(FN % "StridedSlice" + "slice index 2 of dimension 0 out of bounds. [Op:StridedSlice] name: "
                   "gru_cell_8/strided_slice/", where=("rnnlab/gru.py", 151, "call_reset_after"))
    found = dg.diagnose(slice_, gru)
    assert found.mistake == "weight_index_out_of_range" and "`bias` (2, 15)" in found.sentence
    assert dg.diagnose(slice_, cell_case(b=2, gates=3, cell="gru")) is None  # B = 2: a (batch, ...) tensor too
    gru.inputs["w.kernel"] = zeros(2, 15)  # D = 2: the kernel is as short
    assert dg.diagnose(slice_, gru) is None


def test_matmul_with_coinciding_sizes_stays_unnamed():
    # B == D: x_t (4, 4) and ... kernel (4, 6) is also h_{t-1} (4, 6): no unique reading
    assert named(error(matmul("4,6", "4,6")), cell_case(b=4, d=4, h=6)) is None
    # B == D in an LSTM: (4, 20) is the kernel and also x_t @ kernel, the pre-activations
    assert named(error(matmul("4,20", "4,4")), cell_case(b=4, d=4, h=5, gates=4, cell="lstm")) is None
    # D == H: x_t and h_{t-1} are both (3, 5)
    assert named(error(matmul("3,5", "5,5")), cell_case(d=5, h=5)) is None


def test_matmul_unknown_shapes_or_message_stay_unnamed():
    assert named(error(matmul("7,7", "2,9")), cell_case()) is None
    assert named(error("Matrix size-incompatible: In[0]: [3"), cell_case()) is None
    assert named(error(matmul("3,5", "4,5")), Case("c", "cell_forward", {}, {})) is None


def test_matmul_inside_a_builtin_cell_names_the_call():
    """lab 1's unroll runs Keras's cell: cell(states, x_t) shows as the cell's x_t @ kernel on a state."""
    case = cell_case(probe="unroll", state=False)
    where = ("rnnlab/gradients.py", 52, "unroll")
    assert named(error(matmul("3,5", "4,5"), where=where), case, lab=1) == "cell_got_state_as_input"
    # without the lab's table the engine does not know the cell is Keras's: no guess
    assert named(error(matmul("3,5", "4,5"), where=where), case) is None


def test_matmul_inside_a_builtin_lstm_on_the_list_of_states():
    """cell([h, c], x_t) on Keras's LSTM: the list of two (3, 5) states arrives as a (6, 5) input."""
    case = cell_case(gates=4, probe="unroll", cell="lstm")
    case.inputs["h0.1"] = zeros(3, 5)
    where = ("rnnlab/gradients.py", 52, "unroll")
    found = dg.diagnose(error(matmul("6,5", "4,20"), where=where), case, lab=1)
    assert found.mistake == "cell_got_state_as_input" and "(6, 5), 5 wide like a state" in found.sentence  # 6 is T too
    case.inputs["x"] = zeros(3, 7, 4)
    assert "the list of the 2 states" in dg.diagnose(error(matmul("6,5", "4,20"), where=where), case, lab=1).sentence
    # an input as wide as x_t's input_dim says nothing
    assert named(error(matmul("6,4", "4,20"), where=where), case, lab=1) is None


def test_irnn_case_without_recurrent_kernel_input():
    case = Case("irnn", "irnn", {"units": 5}, {"x": zeros(3, 6, 4), "w.kernel": zeros(4, 5), "w.bias": zeros(5)})
    assert named(error(matmul("4,5", "3,4")), case) == "matmul_operands_reversed"


def test_step_contract_probe_shapes_come_from_the_lab_table():
    """cell_step_contract calls the cell on its own zeros (batch 2): no inputs in the case."""
    case = Case("lstm.contract", "cell_step_contract", {"cell": "lstm", "units": 5, "input_dim": 4})
    assert named(error(matmul("2,5", "4,20"), where=("rnnlab/lstm.py", 133, "call")), case, lab=2) == "state_times_kernel"
    assert named(error(matmul("2,5", "4,20"), where=("rnnlab/lstm.py", 133, "call")), case) is None
    wrapping = Case("lstm.wrapping", "cell_builtin_check", {"cell": "lstm", "units": 5, "input_dim": 4})
    assert named(error(matmul("5,20", "2,5"), where=("rnnlab/lstm.py", 133, "call")), wrapping, lab=2) \
        == "matmul_operands_reversed"


# -- elementwise shapes ---------------------------------------------------------------------------
def test_time_rows_where_batch_belongs():
    norms = cell_case(t=12, probe="state_gradient_norms", state=False)
    where = ("rnnlab/gradients.py", 96, "state_gradient_norms")
    assert named(error(incompatible("3,5", "12,5"), where=where), norms) == "time_size_as_batch"
    lstm = cell_case(t=12, gates=4, probe="state_gradient_norms", state=False, cell="lstm")
    assert named(error(incompatible("3,20", "12,20"), where=where), lstm) == "time_size_as_batch"
    # T equal to the units: 5 rows could be anything
    assert named(error(incompatible("3,5", "5,5"), where=where), cell_case(t=5, state=False)) is None


def test_axes_swapped_and_gate_widths():
    where = ("rnnlab/gradients.py", 128, "_probe_pass")
    assert named(error(incompatible("3,5", "5,3"), where=where), cell_case()) == "batch_and_units_swapped"
    lstm, in_lstm = cell_case(gates=4, cell="lstm"), ("rnnlab/lstm.py", 139, "call")
    assert named(error(incompatible("3,20", "3,5", "Mul"), where=in_lstm), lstm) == "gate_width_mismatch"  # unsplit z
    assert named(error(incompatible("3,5", "3,6", "Sub"), where=in_lstm), lstm) == "gate_width_mismatch"  # slice + 1
    gru, in_gru = cell_case(gates=3, cell="gru"), ("rnnlab/gru.py", 129, "call")
    found = dg.diagnose(error(incompatible("3,5", "3,10"), where=in_gru), gru)  # gates_recurrent[:, :2 * units]
    assert found.mistake == "gate_width_mismatch" and "2 gates' blocks together" in found.sentence
    found = dg.diagnose(error(incompatible("3,5", "3,0"), where=in_gru), gru)  # [:, 3 * units:] of 2 * units
    assert found.mistake == "gate_width_mismatch" and "selects nothing" in found.sentence
    assert named(error(incompatible("3,5", "3,2"), where=in_gru), gru) is None  # 2 columns: no reading
    # ops.split(z, 5): widths 4, but D is 4 too: (3, 4) could be x_t
    assert named(error(incompatible("3,4", "3,5", "Mul"), where=in_lstm), lstm) is None
    assert named(error(incompatible("3,4", "3,5", "Mul"), where=in_lstm), cell_case(d=3, gates=4)) == "gate_width_mismatch"


def test_split_rules():
    lstm, where = cell_case(b=2, gates=4, cell="lstm"), ("rnnlab/lstm.py", 134, "call")
    batch = (FN % "Split_num_split_4" + "Number of ways to split should evenly divide the split dimension, but got "
             "split_dim 0 (size = 2) and num_split 4 [Op:Split] name: split")
    assert named(error(batch, where=where), lstm) == "split_along_batch_axis"
    count = batch.replace("split_dim 0 (size = 2) and num_split 4", "split_dim 1 (size = 20) and num_split 5")
    assert named(error(count, where=where), lstm) == "wrong_number_of_gates"
    assert named(error(count.replace("num_split 5", "num_split 3"), where=where), lstm) == "wrong_number_of_gates"


# -- Python-level mistakes ------------------------------------------------------------------------
def test_attributes():
    case = cell_case()
    kernel = error("'SimpleRNNCell' object has no attribute 'kernel'", "AttributeError")
    assert named(kernel, case) == "weight_not_assigned"
    other = error("'SimpleRNNCell' object has no attribute 'recurrent_activation'", "AttributeError",
                  ("rnnlab/simple_rnn.py", 96, "call"))
    found = dg.diagnose(other, case)
    assert found.mistake == "attribute_not_set" and "`recurrent_activation`" in found.sentence
    as_cell = error("'int' object has no attribute 'state_size'", "AttributeError",
                    ("rnnlab/gradients.py", 28, "zero_states"))
    assert named(as_cell, case) == "wrong_argument_type"
    assert named(error("'list' object has no attribute 'shape'", "AttributeError"), case) == "list_used_as_tensor"
    optimizer = error("'tensorflow.python.framework.ops.EagerTensor' object has no attribute '_unique_id'",
                      "AttributeError", ("rnnlab/training.py", 83, "train_step"))
    assert named(optimizer, case) == "optimizer_got_tensor_as_variable"
    numpy_method = error("'tensorflow.python.framework.ops.EagerTensor' object has no attribute 'max'",
                         "AttributeError", ("rnnlab/charmodel.py", 132, "sample"))
    found = dg.diagnose(numpy_method, case)
    assert found.mistake == "tensor_used_as_numpy_array" and "keras.ops.max" in found.sentence
    # Keras's own private attributes (no super().__init__()) and other objects say nothing exact
    assert named(error("'SimpleRNNCell' object has no attribute '_tracker'", "AttributeError",
                       ("rnnlab/simple_rnn.py", 52, "__init__")), case) is None
    assert named(error("'float' object has no attribute 'ndim'", "AttributeError"), case) is None
    assert named(error("module 'keras.ops' has no attribute 'sigmod'", "AttributeError"), case) is None


@pytest.mark.parametrize("type_, message, mistake", [
    ("ValueError", "Cannot convert '(4, -5)' to a shape. Negative dimensions are not allowed.", "negative_dimension"),
    ("InvalidArgumentError", FN % "Fill" + "Dimension -3 must be >= 0 [Op:Fill] name: ", "negative_dimension"),
    ("TypeError", "bad operand type for unary -: 'list'", "arithmetic_on_list"),
    ("TypeError", "unsupported operand type(s) for -: 'float' and 'list'", "arithmetic_on_list"),
    ("TypeError", "list indices must be integers or slices, not tuple", "list_used_as_tensor"),
    ("ValueError", "Attempt to convert a value (<SimpleRNNCell name=simple_rnn_cell_8, built=True>) with an "
                   "unsupported type (<class 'keras.src.layers.rnn.simple_rnn.SimpleRNNCell'>) to a Tensor.",
     "wrong_argument_type"),
    ("ValueError", "Cannot convert '(None, -1)' to a shape. Negative dimensions are not allowed.", "negative_dimension"),
    ("ValueError", "Passed in object <function state_gradient_norms.<locals>.loss_fn at 0x7f18bd475bc0> of type "
                   "'function', not tf.Tensor or tf.Variable or ExtensionType.", "wrong_argument_type"),
    ("TypeError", "`t_list` should be a sequence of tensors. Received <class 'float'>.", "wrong_argument_type"),
    ("ValueError", "Layers added to a Sequential model should have a single positional argument, the input tensor. "
                   "Layer InputLayer has no positional arguments.", "input_not_first"),
    ("InvalidArgumentError", "Value for attr 'T' of bool is not in the list of allowed values: float, double",
     "bool_in_arithmetic"),
    ("InvalidArgumentError", FN % "StridedSlice" + "slice index 6 of dimension 1 out of bounds. [Op:StridedSlice] "
                             "name: strided_slice/", "time_index_out_of_range"),
    ("ValueError", "Argument `output` must have rank (ndim) `target.ndim - 1`. Received: target.shape=(4, 3), "
                   "output.shape=(4,)", "loss_arguments_swapped"),
    # Eager-only code under tf.function (Lab 4's compiled train_step), as the child reports it
    ("AttributeError", "'SymbolicTensor' object has no attribute 'numpy'", "value_of_compiled_tensor"),
    ("NotImplementedError", "Cannot convert a symbolic tf.Tensor (global_norm/global_norm:0) to a numpy array. "
                            "This error may indicate that you're trying to pass a Tensor to a NumPy call, which is "
                            "not supported.", "value_of_compiled_tensor"),
])
def test_python_and_keras_messages(type_, message, mistake):
    case = cell_case()
    case.inputs["y"] = np.zeros(4, np.int32)
    assert named(error(message, type_), case) == mistake


def test_negative_shape_names_the_weight():
    found = dg.diagnose(error("Cannot convert '(4, -5)' to a shape. Negative dimensions are not allowed.",
                              "ValueError", ("rnnlab/simple_rnn.py", 69, "build")), cell_case())
    assert "`kernel` is (4, 5)" in found.sentence


@pytest.mark.parametrize("type_, message", [
    ("ValueError", "Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) to a Tensor."),
    ("NameError", "name 'z_f' is not defined"),
    ("IndexError", "list index out of range"),
    ("ValueError", "duplicate value in 'axis'"),
    ("InvalidArgumentError", FN % "StridedSlice" + "slice index -1 of dimension 1 out of bounds."),
    ("ValueError", "Argument `output` must have rank (ndim) `target.ndim - 1`. Received: target.shape=(4, 3), "
                   "output.shape=(9,)"),  # not the labels' shape
    ("RuntimeError", ""),
])
def test_unclear_messages_stay_unnamed(type_, message):
    case = cell_case()
    case.inputs["y"] = np.zeros(4, np.int32)
    assert named(error(message, type_), case) is None


def test_lab_rules():
    clip = Case("clip_by_value", "clip_by_value", {"lo": -0.5, "hi": 0.75}, {"g.0": zeros(4, 5), "g.1": zeros(5)})
    shapes = error("Shapes () and (4, 5) are incompatible", "ValueError", ("rnnlab/gradients.py", 146, "<listcomp>"))
    assert named(shapes, clip, lab=1) == "clip_arguments_order"
    assert named(shapes.copy() | {"message": "Shapes () and (7, 7) are incompatible"}, clip, lab=1) is None
    tbptt = Case("tbptt", "truncated_bptt", {"k": 4}, {"x": zeros(4, 13, 3), "y": zeros(4, 13, 1)})
    sub = error(incompatible("4,4,1", "4,0,1", "Sub"), where=("rnnlab/training.py", 199, "truncated_bptt_step"))
    assert named(sub, tbptt, lab=4) == "chunk_steps_mismatch"
    assert named(error(incompatible("4,4,2", "4,0,1", "Sub")), tbptt, lab=4) is None


def test_lab6_rules_and_loss_order_on_named_labels():
    bits = Case("bits", "lab6_bits_per_char", {}, {"logits": zeros(3, 8, 9), "targets": np.zeros((3, 8), np.int32),
                                                  "mask": zeros(3, 8)})
    loss = error("Argument `output` must have rank (ndim) `target.ndim - 1`. Received: target.shape=(3, 8, 9), "
                 "output.shape=(3, 8)", "ValueError", ("rnnlab/charmodel.py", 100, "bits_per_char"))
    found = dg.diagnose(loss, bits, lab=6)
    assert found.mistake == "loss_arguments_swapped" and "`targets` (3, 8)" in found.sentence
    # the float mask has the labels' shape too, but only an integer array (or y) counts as labels
    cast = error("Cannot convert the argument `type_value`: <tf.Tensor: shape=(3, 8), dtype=float32, numpy=",
                 "TypeError", ("rnnlab/charmodel.py", 99, "bits_per_char"))
    assert named(cast, bits, lab=6) == "wrong_argument_type"
    model = Case("char_model.masking", "lab6_char_model", {"vocab": 7, "embedding": 4, "units": 5},
                 {"tokens": np.zeros((3, 9), np.int32)})
    gather = error(FN % "GatherV2" + "indices[0,0] = 6 is not in [0, 4) [Op:GatherV2]", where=None)
    assert named(gather, model, lab=6) == "embedding_arguments_swapped"
    # a table of vocab rows with an id past it is another story
    assert named(error(FN % "GatherV2" + "indices[0,0] = 9 is not in [0, 7) [Op:GatherV2]"), model, lab=6) is None


def test_a_none_without_initial_state_is_a_hint_not_a_name():
    none = error("Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) to a Tensor.",
                 "ValueError", ("rnnlab/gradients.py", 52, "unroll"))
    found = dg.diagnose(none, cell_case(probe="unroll", state=False), lab=1)
    assert found.mistake is None and "initial_state=None" in found.sentence
    told = from_outcome(outcome(none), case=cell_case(probe="unroll", state=False), lab=1)
    assert told.mistake is None and told.message.endswith(found.sentence[1:]) and "(rnnlab/gradients.py, line 52" in told.message
    t_list = error("`t_list` should be a sequence of tensors. Received <class 'NoneType'>.", "TypeError")
    assert dg.diagnose(t_list, cell_case()).mistake is None and "tape.gradient" in dg.diagnose(t_list, cell_case()).sentence
    # with an initial state given, or in a cell probe, nothing to say
    assert dg.diagnose(none, cell_case(probe="unroll"), lab=1) is None
    assert dg.diagnose(none, cell_case(state=False), lab=1) is None


def test_never_raises():
    class Broken:
        @property
        def inputs(self):
            raise RuntimeError("boom")

    assert dg.diagnose(error(matmul("3,4", "5,5")), Broken()) is None


def test_a_broken_rule_leaves_the_others_to_try(monkeypatch):
    def broken(error, case, facts):
        raise KeyError("a rule with a bug")

    rules = dg._engine_rules()
    monkeypatch.setattr(dg, "_engine_rules", lambda: (broken, *rules))
    assert dg.diagnose(error("bad operand type for unary -: 'list'", "TypeError"), cell_case()).mistake \
        == "arithmetic_on_list"
    assert dg.diagnose({}, cell_case()) is None
    assert dg.diagnose({"message": None}, cell_case()) is None


def test_mistake_names_are_unique_across_catalogues():
    """A name counts one mistake in a class's summary: no diagnosis shares one with a catalogue."""
    from autograder.engine.labs import content_modules

    seen = {}
    for module in [dg, *content_modules("diagnoses"), *content_modules("mistakes")]:
        for name in getattr(module, "CATALOGUE", {}):
            assert name not in seen, f"{name} is in {module.__name__} and {seen[name]}"
            seen[name] = module.__name__
    assert "clip_arguments_order" in seen and "chunk_steps_mismatch" in seen and "embedding_arguments_swapped" in seen


# -- feedback wiring ------------------------------------------------------------------------------
def outcome(err):
    return SimpleNamespace(status="error", error=err, ok=False)


def test_feedback_keeps_the_exception_and_adds_the_diagnosis():
    err = error(matmul("3,4", "5,5"))
    plain = from_outcome(outcome(err))
    assert plain.mistake is None and plain.kind == "error"
    told = from_outcome(outcome(err), case=cell_case(), lab=1)
    assert told.kind == "error" and told.mistake == "input_times_recurrent_kernel"
    assert told.message.startswith(plain.message + ". This matmul multiplied a (3, 4) by a (5, 5)")
    # TensorFlow's graph-node prefix and op suffix are dropped, the exception and its line kept
    assert plain.message == ("your code raised InvalidArgumentError: Matrix size-incompatible: In[0]: [3,4], In[1]: "
                             "[5,5] (rnnlab/simple_rnn.py, line 97 in call)")
    # a message that ends with its own period (no line to show) gets no second one
    sequential = error("Layers added to a Sequential model should have a single positional argument, the input "
                       "tensor. Layer InputLayer has no positional arguments.", "ValueError", where=None)
    assert "arguments. Keras met keras.Input" in from_outcome(outcome(sequential), case=cell_case()).message
    # other paths unchanged
    assert from_outcome(outcome({"kind": "contract", "message": "m"}), case=cell_case()).mistake is None
    timeout = SimpleNamespace(status="timeout", error={"message": "60 s"}, ok=False)
    assert from_outcome(timeout, case=cell_case()).kind == "timeout"
