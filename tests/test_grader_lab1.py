"""The autograder on Lab 1: full marks for the master, zero for the release, and broken copies of
the master losing exactly the right points with the right message."""

import pytest
from conftest import LABS, SOLUTIONS
from graderkit import grade_folder, lost, make_submission

LAB1_POINTS = 21


def test_master_scores_full_marks():
    results = grade_folder(SOLUTIONS, [1])
    assert lost(results) == {}, {n: r.output for n, r in results.items() if r.status != "passed"}
    assert sum(r.max_score for r in results.values()) == LAB1_POINTS


def test_untouched_release_scores_zero_with_not_implemented_messages():
    results = grade_folder(LABS, [1])
    assert sum(r.score for r in results.values()) == 0
    for name, result in results.items():
        assert result.status in ("not_implemented", "blocked"), (name, result.status, result.output)
        if result.status == "not_implemented":
            assert result.output.startswith("not implemented yet: "), result.output
            assert "Traceback" not in result.output
    # Every exercise says which function to fill in, and where.
    assert "SimpleRNNCell.build (rnnlab/simple_rnn.py, line" in results["test_simple_rnn_contract"].output
    assert "state_gradient_norms (rnnlab/gradients.py" in results["test_state_gradient_norms"].output


# Each variant: (edits, {test: substring of its message}, points lost). Edits to simple_rnn.py and
# to gradients.py are independent (the sequence functions are graded on Keras's own cells), so
# each run pairs one of each.
VARIANTS = {
    "missing bias + per-tensor clipping": (
        [("simple_rnn.py", "ops.matmul(h_prev, self.recurrent_kernel) + self.bias",
          "ops.matmul(h_prev, self.recurrent_kernel)"),
         ("gradients.py", "scale = max_norm / tf.maximum(global_norm, max_norm)\n"
                          "    clipped = [None if g is None else tf.convert_to_tensor(g, dtype=tf.float32) * scale for g in grads]",
          "clipped = [None if g is None else tf.clip_by_norm(g, max_norm) for g in grads]")],
        {"test_simple_rnn_forward": "the bias is missing",
         "test_simple_rnn_gradients": "must pass 'forward values' first",
         "test_irnn_cell": "the bias is missing",
         "test_clip_by_global_norm": "clipped by its own norm"},
        3 + 2 + 2 + 1 + 2 + 2,
    ),
    "hard-coded tanh + direct path only": (
        [("simple_rnn.py", "h = self.activation(", "h = ops.tanh("),
         ("gradients.py", "states = [h] + _as_state_list(states)[1:]", "states = _as_state_list(states)")],
        {"test_simple_rnn_matches_builtin": "always apply tanh",
         "test_irnn_cell": "",
         "test_state_gradient_norms": "total derivative through every later state",
         "test_state_gradient_norms_vanished": "must pass 'tanh SimpleRNNCell' first"},
        1 + 2 + 2 + 1 + 1,
    ),
    "transposed recurrent kernel + wrong unroll layout": (
        [("simple_rnn.py", "ops.matmul(h_prev, self.recurrent_kernel)", "ops.matmul(h_prev, ops.transpose(self.recurrent_kernel))"),
         ("gradients.py", "return tf.stack(outputs, axis=1), states", "return tf.stack(outputs, axis=0), states")],
        {"test_simple_rnn_forward": "recurrent kernel is transposed",
         "test_unroll": "stacked along the wrong axis"},
        3 + 2 + 2 + 1 + 1 + 1,  # irnn_cell passes: the identity is its own transpose
    ),
    "state not carried + clip_by_value not implemented": (
        [("simple_rnn.py", "return h, [h]", "return h, [h_prev]"),
         ("gradients.py", "return [None if g is None else tf.clip_by_value(g, lo, hi) for g in grads]",
          "raise NotImplementedError(\"clip_by_value: fill in this TODO in rnnlab/gradients.py\")")],
        {"test_simple_rnn_forward": "new state is not passed on",
         "test_clip_by_value": "not implemented yet: clip_by_value"},
        3 + 2 + 2 + 1 + 2 + 1,
    ),
    "unnamed weight + gradients.py does not import": (
        [("simple_rnn.py", 'shape=(self.units,), initializer=self.bias_initializer, name="bias"',
          "shape=(self.units,), initializer=self.bias_initializer"),
         ("gradients.py", "def unroll(cell, x, initial_state=None):", "def unroll(cell, x, initial_state=None)")],
        {"test_simple_rnn_contract": "Give every weight its name",
         "test_unroll": "could not be imported: SyntaxError",
         "test_clip_by_global_norm": "could not be imported"},
        LAB1_POINTS,
    ),
    # A float32 sum of squares: right down to ~1e-19, 0 or a denormal below (Lab 2 would print 0).
    "norms summed in float32": (
        [("gradients.py", "np.square(grads.numpy().astype(np.float64))", "np.square(grads.numpy())")],
        {"test_state_gradient_norms_vanished": "square and sum in float64"},
        1,
    ),
    "not registered + IRNN with tanh": (
        [("simple_rnn.py", '@keras.saving.register_keras_serializable(package="rnnlab")\n', ""),
         ("simple_rnn.py", 'SimpleRNNCell(units, activation="relu", recurrent_initializer="identity")',
          'SimpleRNNCell(units, activation="tanh", recurrent_initializer="identity")')],
        {"test_simple_rnn_in_keras": "register_keras_serializable",
         "test_irnn_cell": "IRNN uses ReLU units"},
        2 + 2,
    ),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_copy_loses_the_right_points(tmp_path, name):
    edits, messages, points_lost = VARIANTS[name]
    results = grade_folder(make_submission(tmp_path, edits), [1])
    for test, fragment in messages.items():
        assert results[test].score == 0, (test, results[test].output)
        assert fragment in results[test].output, (test, results[test].output)
    assert sum(lost(results).values()) == points_lost, {n: (r.score, r.output) for n, r in results.items()}
    assert not [r for r in results.values() if r.status in ("grader_error", "not_run")], \
        [(n, r.output) for n, r in results.items() if r.status in ("grader_error", "not_run")]


def test_hang_and_exit_cost_only_their_own_points(tmp_path):
    """An endless loop times out and a sys.exit kills the child: both are contained."""
    root = make_submission(tmp_path, [
        ("gradients.py", "    outputs = []\n    for t in range(x.shape[1]):", "    outputs = []\n    while True:\n        pass\n    for t in range(x.shape[1]):"),
        ("gradients.py", "    return [None if g is None else tf.clip_by_value(g, lo, hi) for g in grads]",
         "    import sys\n    sys.exit(3)"),
    ])
    from autograder.engine import grading
    from autograder.engine.cases import load_fixture
    from autograder.engine.cases import fixture_path

    report = grading.grade(root, {1: load_fixture(fixture_path(1))}, [1], call_timeout=8)
    results = {r.test: r for r in report.results}
    assert results["test_unroll"].status == "timeout" and "did not finish in time" in results["test_unroll"].output
    assert results["test_clip_by_value"].status == "error" and "SystemExit" in results["test_clip_by_value"].output
    assert results["test_simple_rnn_forward"].score == 3  # unaffected
    assert results["test_clip_by_global_norm"].score == 2  # the child was replaced and went on
    assert report.score == LAB1_POINTS - 2 - 1


def test_rounding_differences_get_full_marks_and_a_wrong_bias_in_one_unit_does_not(tmp_path):
    """One matmul over [x, h] and [K; U] sums in another order than two matmuls: the outputs
    differ from the master's in the last bits only, which is not a mistake. A bias off by 1e-3 in
    one of the five units is."""
    one_matmul = make_submission(tmp_path / "one_matmul", [(
        "simple_rnn.py",
        "ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias",
        "ops.matmul(ops.concatenate([inputs, h_prev], axis=-1),\n"
        "                       ops.concatenate([self.kernel, self.recurrent_kernel], axis=0)) + self.bias",
    )])
    results = grade_folder(one_matmul, [1])
    assert lost(results) == {}, {n: r.output for n, r in results.items() if r.status != "passed"}

    wrong_bias = make_submission(tmp_path / "wrong_bias", [(
        "simple_rnn.py",
        "ops.matmul(h_prev, self.recurrent_kernel) + self.bias",
        "ops.matmul(h_prev, self.recurrent_kernel) + self.bias\n"
        "            + 1e-3 * ops.one_hot(0, self.units)",
    )])
    results = grade_folder(wrong_bias, [1])
    assert results["test_simple_rnn_forward"].score == 0
    assert "wrong values" in results["test_simple_rnn_forward"].output, results["test_simple_rnn_forward"].output


def test_weak_spots_found_by_the_mutation_tester(tmp_path):
    """Two mutants that kept full marks before (``python -m autograder mutants``): the kernel drawn
    from the recurrent initializer, and a global norm of 1 for a list of Nones."""
    from autograder.labs.lab1 import mistakes

    results = grade_folder(make_submission(tmp_path, [
        ("simple_rnn.py", 'initializer=self.kernel_initializer, name="kernel"',
         'initializer=self.recurrent_initializer, name="kernel"'),
        ("gradients.py", "if present else tf.constant(0.0)", "if present else tf.constant(1.0)"),
    ]), [1])
    assert lost(results) == {"test_simple_rnn_matches_builtin": 1, "test_clip_by_global_norm": 2}
    builtin = results["test_simple_rnn_matches_builtin"]
    assert builtin.mistake == mistakes.INITIALIZERS_MIXED_UP.name and "kernel holds [2.0]" in builtin.output
    assert "global norm of [None, None]" in results["test_clip_by_global_norm"].output


@pytest.mark.parametrize("edits, test, mistake", [
    ([("gradients.py", "tf.clip_by_value(g, lo, hi)", "tf.clip_by_value(g, hi, lo)")],
     "test_clip_by_value", "clip_bounds_swapped"),
    ([("gradients.py", "global_norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in present]))",
       "global_norm = tf.add_n([tf.reduce_sum(tf.square(g)) for g in present])")],
     "test_clip_by_global_norm", "global_norm_not_rooted"),
    ([("gradients.py", "tf.reduce_sum(tf.square(g))", "tf.reduce_mean(tf.square(g))")],
     "test_clip_by_global_norm", "global_norm_of_means"),
], ids=["bounds swapped", "norm not rooted", "mean of squares"])
def test_clipping_mistakes_are_named(tmp_path, edits, test, mistake):
    results = grade_folder(make_submission(tmp_path, edits), [1])
    assert set(lost(results)) == {test} and results[test].mistake == mistake, results[test].output


def test_a_missing_input_term_is_named(tmp_path):
    results = grade_folder(make_submission(tmp_path, [
        ("simple_rnn.py", "ops.matmul(inputs, self.kernel) + ops.matmul(h_prev", "ops.matmul(h_prev")]), [1])
    assert results["test_simple_rnn_forward"].mistake == "no_input_term", results["test_simple_rnn_forward"].output


# One edited equation, or one weight built wrong (issue 17: caught by the mutation tester, not named before).
# {test: (mistake name, fragment of its message)}; irnn_cell runs the same cell from a zero state.
@pytest.mark.parametrize("edit, named", [
    (("ops.matmul(inputs, self.kernel) + ops.matmul(h_prev", "ops.matmul(inputs, self.kernel) * ops.matmul(h_prev"),
     {"test_simple_rnn_forward": ("terms_multiplied", "x_t K and h_{t-1} U are multiplied"),
      "test_irnn_cell": ("terms_multiplied", "x_t K and h_{t-1} U are multiplied")}),
    (("return h, [h]", "return h, [-h]"),
     {"test_simple_rnn_forward": ("returned_negated", "the state is negated"),
      "test_irnn_cell": ("recurrent_term_subtracted", "or call passes -h_t on as the state")}),
    (('shape=(input_dim, self.units), initializer=self.kernel_initializer, name="kernel"',
      'shape=(self.units, input_dim), initializer=self.kernel_initializer, name="kernel"'),
     {"test_simple_rnn_contract": ("weight_transposed", "`kernel` is (5, 4), the transpose of (4, 5)")}),
    (('name="recurrent_kernel",', 'name="kernel",'),
     {"test_simple_rnn_contract": ("weight_misnamed", "Your (5, 5) weight is named 'kernel'; name it 'recurrent_kernel'")}),
], ids=["matmuls multiplied", "state negated", "kernel transposed", "recurrent kernel named kernel"])
def test_one_equation_and_build_mistakes_are_named(tmp_path, edit, named):
    results = grade_folder(make_submission(tmp_path, [("simple_rnn.py", *edit)]), [1])
    for test, (mistake, fragment) in named.items():
        assert results[test].mistake == mistake and fragment in results[test].output, (test, results[test].output)
    assert not [r for r in results.values() if r.status in ("grader_error", "not_run")]


# One edit per exercise (unroll, clip_by_value, clip_by_global_norm) in each submission: mistakes the
# mutation tester found caught but unnamed, named now.
STACK = "return tf.stack(outputs, axis=1), states"
CLIP_CALL = "tf.clip_by_value(g, lo, hi)"
CLIP_RETURN = "return clipped, global_norm"
SCALE = "scale = max_norm / tf.maximum(global_norm, max_norm)"


@pytest.mark.parametrize("edits, named", [
    ([(STACK, "return states, tf.stack(outputs, axis=1)"), (CLIP_CALL, "tf.clip_by_value(g, hi, hi)"),
      (CLIP_RETURN, "return global_norm, clipped")],
     {"test_unroll": "unroll_returns_swapped", "test_unroll_two_states": "unroll_returns_swapped",
      "test_clip_by_value": "clip_bounds_swapped", "test_clip_by_global_norm": "clip_returns_swapped"}),
    ([(STACK, "return tf.stack(outputs, axis=2), states"), (CLIP_RETURN, "return clipped, -global_norm")],
     {"test_unroll": "unroll_stacked_on_wrong_axis", "test_unroll_two_states": "unroll_stacked_on_wrong_axis",
      "test_clip_by_global_norm": "global_norm_negated"}),
    ([(CLIP_CALL, "tf.clip_by_value(g, lo, lo)"), ("* scale for g in grads", "+ scale for g in grads")],
     {"test_clip_by_value": "clip_bounds_swapped", "test_clip_by_global_norm": "clip_scale_added"}),
    ([(SCALE, "scale = max_norm / tf.minimum(global_norm, max_norm)")],
     {"test_clip_by_global_norm": "clip_scale_by_minimum"}),
    ([(SCALE, "scale = max_norm * tf.maximum(global_norm, max_norm)")],
     {"test_clip_by_global_norm": "clip_scale_multiplied"}),
    ([("tf.reduce_sum(tf.square(g))", "tf.reduce_sum(g)")], {"test_clip_by_global_norm": "global_norm_not_squared"}),
    ([("for g in grads if g is not None]", "for g in grads if g is None]")],
     {"test_clip_by_global_norm": "global_norm_counts_no_gradient"}),
    ([("* scale for g in grads", "for g in grads"), ("for t in range(x.shape[1]):", "for t in range(x.shape[2]):"),
      ("None if g is None else tf.clip_by_value", "None if g is not None else tf.clip_by_value")],
     {"test_clip_by_global_norm": "clip_factor_not_applied", "test_unroll": "unroll_wrong_step_count",
      "test_unroll_two_states": "unroll_wrong_step_count", "test_clip_by_value": "real_gradient_became_none"}),
    ([("if present else tf.constant(0.0)", "if present else tf.constant(1.0)")],
     {"test_clip_by_global_norm": "global_norm_of_nothing_not_zero"}),
], ids=["returns swapped, one bound", "stack axis, negated norm", "scale added", "scale by minimum",
        "scale multiplied", "norm not squared", "no gradient counted", "not scaled, step count, None kept",
        "norm of nothing"])
def test_unroll_and_clipping_mistakes_are_named(tmp_path, edits, named):
    from autograder.labs.lab1 import mistakes

    results = grade_folder(make_submission(tmp_path, [("gradients.py", old, new) for old, new in edits]), [1])
    assert set(lost(results)) == set(named), {n: r.output for n, r in results.items() if r.status != "passed"}
    for test, name in named.items():
        message = mistakes.CATALOGUE[name].message
        assert results[test].mistake == name and message in results[test].output, (test, results[test].output)
