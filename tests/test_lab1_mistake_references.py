"""The NumPy references behind the known-mistakes catalogue agree with the master's fixtures.

If they did not, a variant could be computed against the wrong convention and a correct submission
could be told it made a mistake. No TensorFlow here: this is the grader's parent-side maths.
"""

import numpy as np
import pytest

from autograder.engine.cases import fixture_path, load_fixture
from autograder.engine.compare import close
from autograder.labs.lab1 import mistakes
from autograder.labs.shared.reference import simple_rnn


@pytest.fixture(scope="module")
def lab1():
    return load_fixture(fixture_path(1))


def test_simple_rnn_reference_matches_master(lab1):
    case = lab1["simple_rnn.forward"]
    i = case.inputs
    ours = simple_rnn(i["x"], i["w.kernel"], i["w.recurrent_kernel"], i["w.bias"], i["h0.0"])
    assert close(ours, case.expected_arrays["outputs"])
    relu = lab1["simple_rnn.builtin"].inputs
    assert close(simple_rnn(relu["x"], relu["w.kernel"], relu["w.recurrent_kernel"], relu["w.bias"],
                                     activation="relu"), lab1["simple_rnn.builtin"].expected_arrays["outputs"])


def test_no_mistake_variant_equals_the_right_answer(lab1):
    """Every variant must differ from the truth on the public case, or it could never be told apart."""
    forward = lab1["simple_rnn.forward"]
    for mistake, variant in mistakes.simple_rnn_variants(forward.inputs):
        assert not close(variant, forward.expected_arrays["outputs"]), mistake.name
    norms = lab1["norms.simple_rnn"]
    for mistake, variant in mistakes.state_norm_variants(norms.inputs):
        assert not close(variant, norms.expected_arrays["norms"], rtol=1e-3), mistake.name


def test_numpy_bptt_matches_master_gradient_norms(lab1):
    case = lab1["norms.simple_rnn"]
    grad_h, _ = mistakes.simple_rnn_state_gradients(case.inputs)
    ours = np.array([np.linalg.norm(g) for g in grad_h[1:]])
    assert np.allclose(ours, case.expected_arrays["norms"], rtol=1e-4)


def test_global_norm_variants_differ_from_tf_semantics(lab1):
    large = lab1["clip_by_global_norm.large"]
    grads = [large.inputs[f"g.{i}"] for i in range(3)]
    total = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads))
    assert np.isclose(large.expected_arrays["norm"], total, rtol=1e-5)
    # Each mistake must give a wrong answer on at least one of the two graded cases (above and
    # below max_norm); "always rescale" is only wrong below it, for instance.
    told_apart = set()
    for case_id in ("clip_by_global_norm.large", "clip_by_global_norm.small"):
        case = lab1[case_id]
        grads = [case.inputs[f"g.{i}"] for i in range(len(case.inputs))]
        for mistake, (variant, norm) in mistakes.global_norm_variants(grads, case.params["max_norm"]).items():
            same = all(close(v, case.expected_arrays[f"out.{i}"]) for i, v in enumerate(variant))
            if not (same and close(norm, case.expected_arrays["norm"])):
                told_apart.add(mistake.name)
    assert told_apart == {m.name for m in mistakes.global_norm_variants(grads, 1.0)}
