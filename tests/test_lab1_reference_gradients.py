"""Edge cases of the reference ``rnnlab/gradients.py`` that the lab never prints but students hit."""

import numpy as np


def test_clip_by_global_norm_with_no_gradients_matches_tensorflow():
    import tensorflow as tf
    from rnnlab.gradients import clip_by_global_norm

    clipped, norm = clip_by_global_norm([None, None], 1.0)
    _, tf_norm = tf.clip_by_global_norm([None, None], 1.0)
    assert clipped == [None, None]
    assert float(norm) == float(tf_norm) == 0.0


def test_state_gradient_norms_do_not_underflow_for_vanished_gradients():
    """||dL/dh_t|| of about 1e-25 squares to 1e-50, below float32's smallest number: sum in float64."""
    import keras
    from rnnlab.gradients import state_gradient_norms

    cell = keras.layers.SimpleRNNCell(4, activation=None, use_bias=False)
    cell.build((None, 1))
    cell.kernel.assign(np.zeros((1, 4), "float32"))
    cell.recurrent_kernel.assign(0.1 * np.eye(4, dtype="float32"))
    x = np.zeros((1, 30, 1), "float32")
    norms = state_gradient_norms(cell, x, lambda h: 1e5 * keras.ops.sum(h))
    # dL/dh_t = 1e5 * 0.1^(T-t) per unit, over 4 units: the exact profile, down to 2e-24.
    expected = 1e5 * 0.1 ** (30 - np.arange(1, 31)) * 2.0
    assert norms.dtype == np.float64
    assert np.all(norms > 0)
    np.testing.assert_allclose(norms, expected, rtol=1e-4)
