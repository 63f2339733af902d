"""engine.diagnose end to end: broken copies of the master whose code raises, graded, name the
mistake behind the exception in the feedback (``TestResult.mistake``) and keep the student's own
exception and line. One submission carries several broken exercises (grading costs seconds)."""

from graderkit import grade_folder, make_submission

LSTM_SPLIT = "z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)\n        i = self.recurrent_activation(z_i)\n"
PEEPHOLE_MATMUL = ("z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias\n"
                   "        z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)\n"
                   "        i = self.recurrent_activation(z_i + self.peephole_i * c_prev)")

EDITS = [
    ("simple_rnn.py", "ops.matmul(inputs, self.kernel)", "ops.matmul(inputs, self.recurrent_kernel)"),
    ("gradients.py", "for t in range(x.shape[1]):\n        output, states = cell(x[:, t, :], states)",
     "for t in range(x.shape[1]):\n        output, states = cell(states, x[:, t, :])"),
    ("gradients.py", "tf.clip_by_value(g, lo, hi)", "tf.clip_by_value(lo, g, hi)"),
    ("lstm.py", LSTM_SPLIT, LSTM_SPLIT.replace("axis=-1", "axis=-2")),
    ("lstm.py", PEEPHOLE_MATMUL, PEEPHOLE_MATMUL.replace("ops.matmul(h_prev, self.recurrent_kernel)",
                                                         "ops.matmul(self.recurrent_kernel, h_prev)", 1)),
]

EXPECTED = {  # test: (mistake, a piece of the sentence, the student's own line)
    "test_simple_rnn_forward": ("input_times_recurrent_kernel", "x_t is (3, 4), recurrent_kernel (5, 5)",
                                "(rnnlab/simple_rnn.py, line 97 in call)"),
    "test_unroll": ("cell_got_state_as_input", "call a cell as cell(x_t, states)", "rnnlab/gradients.py, line 52 in unroll"),
    "test_clip_by_value": ("clip_arguments_order", "tf.clip_by_value(g, lo, hi)", "rnnlab/gradients.py, line 146"),
    "test_lstm_contract": ("split_along_batch_axis", "split with axis=-1", "rnnlab/lstm.py, line 134 in call"),
    "test_peephole_contract": ("matmul_operands_reversed", "matmul(h_{t-1}, recurrent_kernel)",
                               "rnnlab/lstm.py, line 210 in call"),
}


def test_exceptions_are_named_in_the_feedback(tmp_path):
    results = grade_folder(make_submission(tmp_path, EDITS), [1, 2])
    for test, (mistake, sentence, line) in EXPECTED.items():
        result = results[test]
        assert result.score == 0 and result.status == "error", (test, result.status, result.output)
        assert result.mistake == mistake, (test, result.mistake, result.output)
        assert result.output.startswith("your code raised ") and line in result.output, (test, result.output)
        assert sentence in result.output, (test, result.output)
    # an exercise left alone still passes: a diagnosis changes words, never scores
    assert results["test_clip_by_global_norm"].status == "passed"
    assert results["test_lstm_get_config"].status == "passed"
