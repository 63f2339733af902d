"""Grading tests for Lab 5: BidirectionalRNN and DeepRNN (``rnnlab/bidirectional.py``).

The wrappers run on Keras's built-in cells, and the expected values come from Keras's own
``Bidirectional(merge_mode="concat")`` and ``RNN(StackedRNNCells(cells))`` with the same weights.
"""

import numpy as np

from autograder.engine.compare import check_array, close
from autograder.engine.feedback import Feedback
from autograder.engine.manifest import points
from autograder.labs.lab5 import mistakes
from autograder.labs.shared.checks import SEQ_AXES
from autograder.sandbox import static_scan

VECTOR_AXES = ["batch", "unit"]
KERAS_EQUIVALENT = {
    "BidirectionalRNN": 'keras.layers.Bidirectional(keras.layers.RNN(cell), merge_mode="concat")',
    "DeepRNN": "keras.layers.RNN(keras.layers.StackedRNNCells(cells))",
}


def _describe(case, name):
    """What was run, in the student's terms, e.g. "BidirectionalRNN(SimpleRNNCell(4), SimpleRNNCell(4), ...)"."""
    def cell(spec):
        return f"{'GRUCell' if spec['cell'] == 'gru' else 'SimpleRNNCell'}({spec['units']})"

    params = case.params
    if name == "BidirectionalRNN":
        cells = f"{cell(params['forward'])}, {cell(params['backward'])}"
    else:
        cells = "[" + ", ".join(cell(spec) for spec in params["cells"]) + "]"
    return f"{name}({cells}, return_sequences={params['return_sequences']})"


def check_output(got, case, key, name, what, variants=(), uncalled=()):
    """Shape first (a layout mistake is named from the shape alone), then values against Keras.

    ``uncalled``: the cells the wrapper was given and never ran (from the probe); wrong values that
    no known mistake explains are then put down to that."""
    expected = case.expected_arrays[key]
    got = np.asarray(got)
    if got.shape != expected.shape:
        wrapper = "bidirectional" if name == "BidirectionalRNN" else "deep"
        mistake = mistakes.shape_mistake(got.shape, expected.shape, wrapper)
        if mistake is not None:
            raise Feedback(f"{what} has shape {got.shape}; expected {expected.shape}: {mistake.message}",
                           kind="mistake", mistake=mistake.name)
    sequences = expected.ndim == 3
    try:
        check_array(got, expected, what, time_axis=1 if sequences else None,
                    axis_names=SEQ_AXES if sequences else VECTOR_AXES, mistakes=variants)
    except Feedback as feedback:
        if feedback.kind == "mismatch" and uncalled:
            raise Feedback(f"{name} never called {', '.join(uncalled)}: it must run the cells it was given "
                           "(through self.forward_rnn / self.backward_rnn or self.rnns), because the grader "
                           "sets their weights", kind="contract") from None
        if feedback.kind == "mismatch" and name == "BidirectionalRNN" and "forward" in case.params:
            feedback.message += _which_half(got, expected, case.params["forward"]["units"])
            feedback.args = (feedback.message,)
        raise


def _which_half(got, expected, forward_units):
    """Say which half of [forward, backward] is right, when one is: it narrows the search."""
    right = [close(got[..., part], expected[..., part])
             for part in (slice(None, forward_units), slice(forward_units, None))]
    if right == [True, False]:
        return f". The forward half (units 0..{forward_units - 1}) is right; the backward half is not"
    if right == [False, True]:
        return f". The backward half (units {forward_units} on) is right; the forward half is not"
    return ""


def require_own_wiring(grader, name):
    """0 points, with the reason, for a wrapper that hands the exercise to Keras's own wrapper.

    Read statically (the source is never run here); a wrapper that reaches Keras's by a route the
    scan cannot follow still has to match Keras's numbers, which is what the exercise teaches."""
    def scan():
        try:
            return static_scan.scan_class(grader.package_dir, "bidirectional", name, names=mistakes.KERAS_WRAPPERS)
        except Exception:  # a source the scanner cannot follow: the value checks still run
            return []

    found = grader.memo(("own_wiring", name), scan)  # every test asks; read each class once
    if found:
        raise Feedback(f"{static_scan.describe(found, name)}: {mistakes.WRAPS_KERAS_WRAPPER.message}",
                       kind="mistake", mistake=mistakes.WRAPS_KERAS_WRAPPER.name)


def check_forward(grader, case_id, name, variants):
    require_own_wiring(grader, name)
    case = grader.case(case_id)
    outcome = grader.run(case)
    check_output(outcome.arrays["outputs"], case, "outputs", name,
                 f"the output of {_describe(case, name)} (checked against {KERAS_EQUIVALENT[name]})",
                 variants(case.inputs, case.params["return_sequences"]), outcome.values.get("uncalled", ()))


def check_gradients(grader, case_id, name):
    require_own_wiring(grader, name)
    case = grader.case(case_id)
    outcome = grader.run(case)
    # The forward pass first (these cells differ from the forward-value cases), so that a gradient
    # mismatch below can only mean a cut or altered path back.
    check_output(outcome.arrays["outputs"], case, "outputs", name, f"the output of {_describe(case, name)}",
                 uncalled=outcome.values.get("uncalled", ()))
    missing = [n for n in outcome.values.get("none_gradients", []) if f"grad.{n}" in case.expected_arrays]
    if missing:
        raise Feedback(f"no gradient reaches {missing} through {name}: run every cell on tensors (keras.ops or "
                       "tf), never through NumPy or tf.stop_gradient", kind="mismatch")
    for key in sorted((k for k in case.expected_arrays if k.startswith("grad.")), key=lambda k: (k != "grad.x", k)):
        # grad.x first: a broken path from the inputs shows there, with the step where it starts.
        inputs = key == "grad.x"
        what = "dL/dx (the gradient w.r.t. the inputs)" if inputs else f"dL/d{key[5:]}"
        try:
            check_array(outcome.arrays.get(key, np.zeros(0)), case.expected_arrays[key],
                        f"{_describe(case, name)}: {what}", rtol=1e-3, atol=1e-4, time_axis=1 if inputs else None,
                        axis_names=["batch", "t", "feature"] if inputs else None)
        except Feedback as feedback:
            if feedback.kind == "mismatch":  # the outputs were right, so a path was cut on the way back
                feedback.message += (". The outputs are right, so some path back to the inputs or weights is cut: "
                                     "keep every step on tensors (ops.flip, ops.concatenate, slicing), never NumPy")
                feedback.args = (feedback.message,)
            raise


def keras_stage_message(stage, error, name):
    text = error.get("full") or error.get("message", "")
    if stage == "save_load" and ("Could not locate class" in text or "register_keras_serializable" in text):
        return (f"a model that uses {name} cannot be loaded back, because Keras cannot find the class by name: "
                f"keep @keras.saving.register_keras_serializable(package=\"rnnlab\") above `class {name}`")
    if stage == "save_load" and ("get_config" in text or "from_config" in text or "__init__" in text):
        return (f"{name} could not be rebuilt from its config: get_config must return every argument __init__ "
                f"needs, and from_config must rebuild the cells. Keras said: {error.get('type')}: "
                f"{error.get('message')}")
    if stage == "tf_function":
        return (f"{name} fails inside tf.function ({error.get('type')}: {error.get('message', '').rstrip('.')}): "
                "use keras.ops (or tf) on the tensors, not NumPy calls or Python `if`s on tensor values")
    return f"{name} fails after .keras save and load: {error.get('type')}: {error.get('message')}"


def check_in_keras(grader, case_id, name):
    require_own_wiring(grader, name)
    case = grader.case(case_id)
    outcome = grader.run(case)
    described = _describe(case, name)
    check_output(outcome.arrays["model"], case, "model", name, f"{described} inside a keras.Model",
                 uncalled=outcome.values.get("uncalled", ()))
    errors = outcome.values.get("errors", {})
    for stage, label in (("tf_function", "inside tf.function"), ("save_load", "after .keras save and load")):
        if stage in errors:
            raise Feedback(keras_stage_message(stage, errors[stage], name), kind="contract")
        check_output(outcome.arrays[stage], case, stage, name, f"{described} {label}")


# -- BidirectionalRNN ----------------------------------------------------------------------------
@points(3, exercise="BidirectionalRNN", stage="return_sequences=True: [forward, backward] aligned in time")
def test_bidirectional_sequences(grader):
    check_forward(grader, "bidirectional.sequences", "BidirectionalRNN", mistakes.bidirectional_variants)


@points(2, exercise="BidirectionalRNN", stage="return_sequences=False: each direction's final step")
def test_bidirectional_last_step(grader):
    check_forward(grader, "bidirectional.last", "BidirectionalRNN", mistakes.bidirectional_variants)


@points(1, exercise="BidirectionalRNN", stage="gradients",
        requires=["return_sequences=True: [forward, backward] aligned in time"])
def test_bidirectional_gradients(grader):
    check_gradients(grader, "bidirectional.gradients", "BidirectionalRNN")


@points(2, exercise="BidirectionalRNN", stage="keras.Model, tf.function, .keras save/load",
        requires=["return_sequences=True: [forward, backward] aligned in time"], public_only=True)
def test_bidirectional_in_keras(grader):
    check_in_keras(grader, "bidirectional.keras", "BidirectionalRNN")


# -- DeepRNN -------------------------------------------------------------------------------------
@points(3, exercise="DeepRNN", stage="return_sequences=True: the top layer's sequence")
def test_deep_sequences(grader):
    check_forward(grader, "deep.sequences", "DeepRNN", mistakes.deep_variants)


@points(2, exercise="DeepRNN", stage="return_sequences=False: the top layer's last step")
def test_deep_last_step(grader):
    check_forward(grader, "deep.last", "DeepRNN", mistakes.deep_variants)


@points(1, exercise="DeepRNN", stage="gradients", requires=["return_sequences=True: the top layer's sequence"])
def test_deep_gradients(grader):
    check_gradients(grader, "deep.gradients", "DeepRNN")


@points(2, exercise="DeepRNN", stage="keras.Model, tf.function, .keras save/load",
        requires=["return_sequences=True: the top layer's sequence"], public_only=True)
def test_deep_in_keras(grader):
    check_in_keras(grader, "deep.keras", "DeepRNN")
