"""Checks shared by the cell labs (1-3): the contract, gradients, Keras's wrappers, own code, config.

Grading tests call these with their own case ids and class names; each raises ``Feedback`` with a
message a student can act on, or returns. Staged as the labs grade a cell: own code (no Keras
built-in inside) -> contract -> forward values -> gradients -> get_config -> keras.layers.RNN,
tf.function, .keras save/load -> Bidirectional -> equals the Keras built-in.
"""

import numpy as np

from autograder.engine.compare import check_array
from autograder.engine.feedback import Feedback
from autograder.labs.shared import mistakes as plumbing
from autograder.sandbox import static_scan

SEQ_AXES = ["batch", "t", "unit"]


# -- contract, gradients, keras.layers.RNN -------------------------------------------------------
def _weights_text(weights):
    return ", ".join(f"{name} {tuple(shape)}" for name, shape in weights)


def _sentence(mistake):
    return f"{mistake.message[0].upper()}{mistake.message[1:]}."


def _weights_hint(got, want):
    """(" hint", mistake name) when the wrong weights are a known mistake: one of them transposed, or
    the right shapes under the wrong names; ("", None) otherwise."""
    wrong = [(n, s) for n, s in got if (n, s) not in want]
    wanted = dict(want)
    transposed = [(n, s) for n, s in wrong if n in wanted and len(s) == 2 and s == wanted[n][::-1]]
    if transposed and len(got) == len(want):
        name, shape = transposed[0]
        return (f" `{name}` is {shape}, the transpose of {wanted[name]}. {_sentence(plumbing.WEIGHT_TRANSPOSED)}",
                plumbing.WEIGHT_TRANSPOSED.name)
    if wrong and sorted(s for _, s in got) == sorted(s for _, s in want):
        missing = [(n, s) for n, s in want if (n, s) not in got]
        name, shape = wrong[0]
        right = next((n for n, s in missing if s == shape), None)
        if right is not None:
            return (f" Your {shape} weight is named {name!r}; name it {right!r}. {_sentence(plumbing.WEIGHT_MISNAMED)}",
                    plumbing.WEIGHT_MISNAMED.name)
    return "", None


def check_cell_contract(grader, case_id, class_name):
    """Weight names and shapes, state_size, output_size: the facts Keras's wrappers rely on."""
    case = grader.case(case_id)
    facts = grader.run(case).values
    expected = case.expected_values
    got_weights = sorted(map(tuple, [(n, tuple(s)) for n, s in facts["weights"]]))
    want_weights = sorted(map(tuple, [(n, tuple(s)) for n, s in expected["weights"]]))
    if got_weights != want_weights:
        names = {n for n, _ in got_weights}
        hint, mistake = "", None
        if any(n.startswith("variable") for n in names):
            hint = " Give every weight its name: self.add_weight(..., name=\"kernel\")."
        else:
            hint, mistake = _weights_hint(got_weights, want_weights)
        raise Feedback(
            f"after build({case.params['input_dim']}), {class_name} should have the weights "
            f"[{_weights_text(want_weights)}]; yours has [{_weights_text(got_weights)}].{hint}",
            kind="mistake" if mistake else "contract", mistake=mistake,
        )
    if "state_size_error" in facts:
        raise Feedback(f"{class_name}.state_size could not be read: {facts['state_size_error']}", kind="contract")
    if facts["state_size"] != expected["state_size"]:
        raise Feedback(f"{class_name}.state_size is {facts['state_size']}; expected {expected['state_size']} "
                       "(one entry per state tensor)", kind="contract")
    if facts["output_size"] != expected["output_size"]:
        raise Feedback(f"{class_name}.output_size is {facts['output_size']}; expected {expected['output_size']}",
                       kind="contract")


def check_gradients(grader, case, class_name):
    outcome = grader.run(case)
    missing = [n for n in outcome.values.get("none_gradients", []) if f"grad.{n}" in case.expected_arrays]
    if missing:
        raise Feedback(f"no gradient reaches {missing}: every weight must take part in call "
                       "(and nothing may go through NumPy or tf.stop_gradient)", kind="mismatch")
    for key in sorted(case.expected_arrays):
        what = "dL/dx (the gradient w.r.t. the inputs)" if key == "grad.x" else f"dL/d{key[5:]}"
        check_array(outcome.arrays.get(key, np.zeros(0)), case.expected_arrays[key],
                    f"{class_name}: {what}", rtol=1e-3, atol=1e-4)


def keras_stage_message(stage, error, class_name):
    text = error.get("full") or error.get("message", "")
    if stage == "save_load" and ("Could not locate class" in text or "register_keras_serializable" in text):
        return (f"saving and loading a model that uses {class_name} fails because Keras cannot find the class "
                f"by name: decorate it with @keras.saving.register_keras_serializable(package=\"rnnlab\"). "
                f"Wrappers such as keras.layers.Bidirectional need this too: they copy a cell by saving its "
                f"config and rebuilding it from the registered class.")
    if stage == "save_load" and ("get_config" in text or "__init__" in text):
        return (f"{class_name} could not be rebuilt from its config: get_config must return every argument "
                f"__init__ needs (units, activation, ...). Keras said: {error.get('type')}: {error.get('message')}")
    where = {"tf_function": "inside tf.function", "save_load": "after .keras save and load"}[stage]
    return f"{class_name} fails {where}: {error.get('type')}: {error.get('message')}"


def check_in_keras(grader, case_id, class_name):
    case = grader.case(case_id)
    outcome = grader.run(case)
    expected = case.expected_arrays["rnn"]
    check_array(outcome.arrays["rnn"], expected, f"{class_name} inside keras.layers.RNN", time_axis=1,
                axis_names=SEQ_AXES)
    errors = outcome.values.get("errors", {})
    for stage in ("tf_function", "save_load"):
        if stage in errors:
            raise Feedback(keras_stage_message(stage, errors[stage], class_name), kind="contract")
        label = {"tf_function": "inside tf.function", "save_load": "after .keras save and load"}[stage]
        check_array(outcome.arrays[stage], expected, f"{class_name} {label}", time_axis=1, axis_names=SEQ_AXES)


# -- own code: no Keras built-in cell inside -----------------------------------------------------
def own_code_findings(grader, case_id, module, class_name):
    """(static findings, runtime values or None, Feedback from the runtime probe or None), once per
    grader run: every test of an exercise asks, the probe runs once."""
    def find():
        try:
            static = static_scan.scan_class(grader.package_dir, module, class_name)
        except Exception:  # a source the scanner cannot follow: the runtime probe still looks
            static = []
        runtime, failure = None, None
        try:
            runtime = grader.run(grader.case(case_id)).values
        except Feedback as error:
            failure = error
        return static, runtime, failure

    return grader.memo(("own_code", grader.lab, case_id), find)


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
    return f"{'; '.join(found)}: {plumbing.WRAPS_KERAS_BUILTIN.message}"


def require_own_code(grader, case_id, module, class_name):
    """Raise Feedback (0 points) when the class wraps a Keras built-in; otherwise do nothing."""
    static, runtime, _ = own_code_findings(grader, case_id, module, class_name)
    message = wrapping_message(static, runtime, class_name)
    if message:
        raise Feedback(message, kind="mistake", mistake=plumbing.WRAPS_KERAS_BUILTIN.name)


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
    # The variants are computed only if the outputs are wrong (check_array calls the function).
    check_array(outcome.arrays["outputs"], case.expected_arrays["outputs"], what, time_axis=1,
                axis_names=SEQ_AXES, mistakes=lambda: variants(case))
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
            raise Feedback(error.message, kind="mistake", mistake=plumbing.NOT_REGISTERED.name) from None
        if error.mistake is None and "could not be rebuilt from its config" in error.message:
            raise Feedback(error.message, kind="mistake", mistake=plumbing.INCOMPLETE_CONFIG.name) from None
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
                ), plumbing.NOT_REGISTERED.name
    cause = error.get("cause") or _innermost(text)
    return (f"{why} Rebuilding it from get_config() failed ({cause.splitlines()[0][:300]}): "
            f"{plumbing.INCOMPLETE_CONFIG.message}"), plumbing.INCOMPLETE_CONFIG.name


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
        raise Feedback(f"{plumbing.NOT_REGISTERED.message}. Keras finds a class by its registered name "
                       f"('rnnlab>{class_name}') when it loads a .keras file and when keras.layers.Bidirectional "
                       "copies a layer; an unregistered class cannot be found.",
                       kind="mistake", mistake=plumbing.NOT_REGISTERED.name)
    made_with = ", ".join(f"{k}={v!r}" for k, v in case.params.get("kwargs", {}).items())
    if values.get("missing"):
        raise Feedback(f"get_config leaves out {values['missing']} (the cell was made with {made_with}): "
                       f"{plumbing.INCOMPLETE_CONFIG.message}", kind="mistake", mistake=plumbing.INCOMPLETE_CONFIG.name)
    error = values.get("error")
    if error:
        raise Feedback(f"{class_name}.from_config(cell.get_config()) fails: {error.get('type')}: "
                       f"{_innermost(error.get('full') or error.get('message', ''))}: {plumbing.INCOMPLETE_CONFIG.message}",
                       kind="mistake", mistake=plumbing.INCOMPLETE_CONFIG.name)
    expected, rebuilt = case.expected_values["rebuilt"], values.get("rebuilt", {})
    wrong = [f"{key} is {rebuilt.get(key)!r}, not {value!r}" for key, value in expected.items()
             if rebuilt.get(key) != value]
    if wrong:
        raise Feedback(f"{class_name}.from_config(cell.get_config()) gives a different cell: {'; '.join(wrong)} "
                       f"(the cell was made with {made_with}): {plumbing.INCOMPLETE_CONFIG.message}",
                       kind="mistake", mistake=plumbing.INCOMPLETE_CONFIG.name)
