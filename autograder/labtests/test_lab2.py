"""Grading tests for Lab 2: LSTMCell and the bonus PeepholeLSTMCell (``rnnlab/lstm.py``).

Each exercise is staged: own code (no Keras built-in inside) -> contract -> forward values ->
gradients -> get_config -> keras.layers.RNN, tf.function, .keras save/load -> Bidirectional ->
equals the Keras built-in after weight transplant. Every test first checks that the class is the
student's own code: a class that wraps or subclasses a Keras built-in scores nothing for that
exercise. The helpers below are shared with Lab 3 (``test_lab3.py`` imports them).
"""

from pathlib import Path

import numpy as np

from autograder import mistakes_gated as gated
from autograder import static_scan
from autograder.compare import check_array
from autograder.feedback import Feedback
from autograder.grading import points
from autograder.labtests.test_lab1 import check_cell_contract, check_gradients, check_in_keras

SEQ_AXES = ["batch", "t", "unit"]


# -- own code: no Keras built-in cell inside -----------------------------------------------------
def own_code_findings(grader, case_id, module, class_name):
    """(static findings, runtime values or None, Feedback from the runtime probe or None), cached
    per grader run: every test of an exercise asks, the probe runs once."""
    cache = grader.__dict__.setdefault("_own_code", {})
    key = (grader.lab, case_id)
    if key not in cache:
        package = Path(grader.session.submission) / "rnnlab"
        try:
            static = static_scan.scan_class(package, module, class_name)
        except Exception:  # a source the scanner cannot follow: the runtime probe still looks
            static = []
        runtime, failure = None, None
        try:
            runtime = grader.run(grader.case(case_id)).values
        except Feedback as error:
            failure = error
        cache[key] = (static, runtime, failure)
    return cache[key]


def wrapping_message(static, runtime, class_name):
    """What the student's class borrows from Keras, or None when it is its own code."""
    found = []
    if static:
        found.append(static_scan.describe(static, class_name))
    if runtime:
        if runtime.get("subclasses"):
            found.append(f"{class_name} subclasses {', '.join(runtime['subclasses'])}")
        if runtime.get("holds"):
            found.append(f"{class_name} holds a {', '.join(runtime['holds'])}")
        used = [name for name in runtime.get("used", []) if name not in runtime.get("holds", [])]
        if used and not runtime.get("holds"):
            found.append(f"{class_name} calls {', '.join(used)} when it runs")
    if not found:
        return None
    return f"{'; '.join(found)}: {gated.WRAPS_KERAS_BUILTIN.message}"


def require_own_code(grader, case_id, module, class_name):
    """Raise Feedback (0 points) when the class wraps a Keras built-in; otherwise do nothing."""
    static, runtime, _ = own_code_findings(grader, case_id, module, class_name)
    message = wrapping_message(static, runtime, class_name)
    if message:
        raise Feedback(message, kind="mistake", mistake=gated.WRAPS_KERAS_BUILTIN.name)


def check_own_code(grader, case_id, module, class_name):
    """The test of its own: wrapping is a mistake, and a class that cannot run one step fails too."""
    require_own_code(grader, case_id, module, class_name)
    _, _, failure = own_code_findings(grader, case_id, module, class_name)
    if failure is not None:
        raise failure


# -- contract, values, Keras wrappers ------------------------------------------------------------
def check_step_contract(grader, case_id, class_name):
    """Weights, state_size, output_size (``check_cell_contract``), one call's return structure, and
    the initial bias ``build`` makes (e.g. the LSTM's forget block of ones)."""
    check_cell_contract(grader, case_id, class_name)
    case = grader.case(case_id)
    outcome = grader.run(case)
    if "init.bias" in case.expected_arrays:
        check_array(outcome.arrays.get("init.bias", np.zeros(0)), case.expected_arrays["init.bias"],
                    f"{class_name}'s bias as build() initialises it (unit_forget_bias: the forget block starts at 1)")


def check_values(grader, case_id, class_name, what, variants, n_states):
    """Outputs over time (naming a known mistake if one matches), then every final state."""
    case = grader.case(case_id)
    outcome = grader.run(case)
    check_array(outcome.arrays["outputs"], case.expected_arrays["outputs"], what, time_axis=1,
                axis_names=SEQ_AXES, mistakes=variants(case))
    names = ["h_T", "c_T"]
    for index in range(n_states):
        check_array(outcome.arrays.get(f"state.{index}", np.zeros(0)), case.expected_arrays[f"state.{index}"],
                    f"{class_name}'s final state {index} ({names[index]})")


def check_keras_stages(grader, case_id, class_name):
    """In keras.layers.RNN, under tf.function, after .keras save/load (``check_in_keras`` from Lab 1),
    naming a missing registration or an incomplete get_config as catalogued mistakes."""
    try:
        check_in_keras(grader, case_id, class_name)
    except Feedback as error:
        if error.mistake is None and "register_keras_serializable" in error.message:
            raise Feedback(error.message, kind="mistake", mistake=gated.NOT_REGISTERED.name) from None
        if error.mistake is None and "could not be rebuilt from its config" in error.message:
            raise Feedback(error.message, kind="mistake", mistake=gated.INCOMPLETE_CONFIG.name) from None
        raise


def _innermost(text):
    """Keras nests "Exception encountered: ..." once per layer of (de)serialisation; the last one is the cause."""
    inner = text.rsplit("Exception encountered: ", 1)[-1].strip()
    return inner.split("\n")[0][:300]


def bidirectional_message(error, registered, class_name):
    text = error.get("full") or error.get("message", "")
    why = (f"keras.layers.Bidirectional could not make the backward copy of your {class_name}. Bidirectional "
           f"copies the layer it wraps: it saves the layer's config (get_config) and rebuilds a twin from the "
           f"class's registered name, 'rnnlab>{class_name}'.")
    if not registered or "Could not locate class" in text:
        return (f"{why} Keras cannot find {class_name} by that name, which is what its '... could not be "
                f"deserialized properly ... Could not locate class' means: "
                f"put @keras.saving.register_keras_serializable(package=\"rnnlab\") above `class {class_name}`."
                ), gated.NOT_REGISTERED.name
    cause = error.get("cause") or _innermost(text)
    return (f"{why} Rebuilding it from get_config() failed ({cause.splitlines()[0][:300]}): "
            f"{gated.INCOMPLETE_CONFIG.message}"), gated.INCOMPLETE_CONFIG.name


def check_bidirectional(grader, case_id, class_name, builtin):
    case = grader.case(case_id)
    outcome = grader.run(case)
    error = outcome.values.get("errors", {}).get("bidirectional")
    if error is not None:
        message, mistake = bidirectional_message(error, outcome.values.get("registered", True), class_name)
        raise Feedback(message, kind="mistake", mistake=mistake)
    check_array(outcome.arrays["outputs"], case.expected_arrays["outputs"],
                f"keras.layers.Bidirectional(keras.layers.RNN({class_name}(...), return_sequences=True)), "
                f"compared with the same model around {builtin} (forward half first, then backward)",
                time_axis=1, axis_names=SEQ_AXES)


def check_config(grader, case_id, class_name):
    """get_config + registration: Keras must find the class by name and rebuild an equal cell."""
    case = grader.case(case_id)
    values = grader.run(case).values
    if not values.get("registered"):
        raise Feedback(f"{gated.NOT_REGISTERED.message}. Keras finds a class by its registered name "
                       f"('rnnlab>{class_name}') when it loads a .keras file and when keras.layers.Bidirectional "
                       "copies a layer; an unregistered class cannot be found.",
                       kind="mistake", mistake=gated.NOT_REGISTERED.name)
    made_with = ", ".join(f"{k}={v!r}" for k, v in case.params.get("kwargs", {}).items())
    if values.get("missing"):
        raise Feedback(f"get_config leaves out {values['missing']} (the cell was made with {made_with}): "
                       f"{gated.INCOMPLETE_CONFIG.message}", kind="mistake", mistake=gated.INCOMPLETE_CONFIG.name)
    error = values.get("error")
    if error:
        raise Feedback(f"{class_name}.from_config(cell.get_config()) fails: {error.get('type')}: "
                       f"{_innermost(error.get('full') or error.get('message', ''))}: {gated.INCOMPLETE_CONFIG.message}",
                       kind="mistake", mistake=gated.INCOMPLETE_CONFIG.name)
    expected, rebuilt = case.expected_values["rebuilt"], values.get("rebuilt", {})
    wrong = [f"{key} is {rebuilt.get(key)!r}, not {value!r}" for key, value in expected.items()
             if rebuilt.get(key) != value]
    if wrong:
        raise Feedback(f"{class_name}.from_config(cell.get_config()) gives a different cell: {'; '.join(wrong)} "
                       f"(the cell was made with {made_with}): {gated.INCOMPLETE_CONFIG.message}",
                       kind="mistake", mistake=gated.INCOMPLETE_CONFIG.name)


# -- LSTMCell ------------------------------------------------------------------------------------
def _lstm_variants(case):
    kwargs = case.params.get("kwargs", {})
    return gated.lstm_variants(case.inputs, kwargs.get("activation", "tanh"),
                               kwargs.get("recurrent_activation", "sigmoid"))


def _lstm_own_code(grader):
    require_own_code(grader, "lstm.wrapping", "lstm", "LSTMCell")


@points(1, exercise="LSTMCell", stage="own code: no Keras built-in cell inside")
def test_lstm_no_builtin_wrapping(grader):
    check_own_code(grader, "lstm.wrapping", "lstm", "LSTMCell")


@points(2, exercise="LSTMCell", stage="contract")
def test_lstm_contract(grader):
    _lstm_own_code(grader)
    check_step_contract(grader, "lstm.contract", "LSTMCell")


@points(3, exercise="LSTMCell", stage="forward values", requires=["contract"])
def test_lstm_forward(grader):
    _lstm_own_code(grader)
    check_values(grader, "lstm.forward", "LSTMCell", "LSTMCell's outputs h_1..h_T", _lstm_variants, n_states=2)


@points(2, exercise="LSTMCell", stage="gradients", requires=["forward values"])
def test_lstm_gradients(grader):
    _lstm_own_code(grader)
    check_gradients(grader, grader.case("lstm.gradients"), "LSTMCell")


@points(1, exercise="LSTMCell", stage="get_config and registration")
def test_lstm_get_config(grader):
    _lstm_own_code(grader)
    check_config(grader, "lstm.config", "LSTMCell")


@points(2, exercise="LSTMCell", stage="keras.layers.RNN, tf.function, .keras save/load",
        requires=["forward values", "get_config and registration"], public_only=True)
def test_lstm_in_keras(grader):
    _lstm_own_code(grader)
    check_keras_stages(grader, "lstm.keras", "LSTMCell")


@points(1, exercise="LSTMCell", stage="keras.layers.Bidirectional",
        requires=["forward values", "get_config and registration"], public_only=True)
def test_lstm_bidirectional(grader):
    _lstm_own_code(grader)
    check_bidirectional(grader, "lstm.bidirectional", "LSTMCell", "keras.layers.LSTMCell")


@points(1, exercise="LSTMCell", stage="equals keras.layers.LSTMCell", requires=["forward values"])
def test_lstm_matches_builtin(grader):
    _lstm_own_code(grader)
    check_values(grader, "lstm.builtin", "LSTMCell",
                 "LSTMCell(activation='relu', recurrent_activation='hard_sigmoid') compared with "
                 "keras.layers.LSTMCell", _lstm_variants, n_states=2)


# -- PeepholeLSTMCell (bonus) --------------------------------------------------------------------


def _peephole_variants(case):
    return gated.peephole_variants(case.inputs)


def _peephole_own_code(grader):
    require_own_code(grader, "peephole.wrapping", "lstm", "PeepholeLSTMCell")


@points(1, exercise="PeepholeLSTMCell (bonus)", stage="own code: no Keras built-in cell inside")
def test_peephole_no_builtin_wrapping(grader):
    check_own_code(grader, "peephole.wrapping", "lstm", "PeepholeLSTMCell")


@points(1, exercise="PeepholeLSTMCell (bonus)", stage="contract")
def test_peephole_contract(grader):
    _peephole_own_code(grader)
    check_step_contract(grader, "peephole.contract", "PeepholeLSTMCell")


@points(2, exercise="PeepholeLSTMCell (bonus)", stage="forward values", requires=["contract"])
def test_peephole_forward(grader):
    _peephole_own_code(grader)
    check_values(grader, "peephole.forward", "PeepholeLSTMCell", "PeepholeLSTMCell's outputs h_1..h_T", _peephole_variants, n_states=2)


@points(1, exercise="PeepholeLSTMCell (bonus)", stage="gradients", requires=["forward values"])
def test_peephole_gradients(grader):
    _peephole_own_code(grader)
    check_gradients(grader, grader.case("peephole.gradients"), "PeepholeLSTMCell")


@points(1, exercise="PeepholeLSTMCell (bonus)", stage="keras.layers.RNN, tf.function, .keras save/load",
        requires=["forward values"], public_only=True)
def test_peephole_in_keras(grader):
    _peephole_own_code(grader)
    check_keras_stages(grader, "peephole.keras", "PeepholeLSTMCell")
