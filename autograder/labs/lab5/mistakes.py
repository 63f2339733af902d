"""Known mistakes in Lab 5's wrappers (``BidirectionalRNN``, ``DeepRNN``), and what each one outputs.

NumPy only, run in the grader process. The wrapper cases use Keras's built-in ``SimpleRNNCell``
(tanh) wherever a mistake is to be recognised, so ``shared.reference.simple_rnn`` gives
every direction and every layer; weights arrive as ``<prefix>.kernel`` etc. with prefix ``fw``/``bw``
(bidirectional) or ``l0``, ``l1``, ... (deep, bottom to top).

Two kinds of mistake: value mistakes, where the output has the right shape and matches a variant
(``bidirectional_variants``, ``deep_variants``), and layout mistakes, where the shape alone tells
(``shape_mistake``).
"""

import numpy as np

from autograder.engine.mistakes import catalogue
from autograder.labs.shared.reference import simple_rnn

CATALOGUE, _mistake = catalogue()

# The wrappers are given their cells and may run each with keras.layers.RNN; what they may not use
# is the Keras wrapper that does the whole exercise (read by sandbox.static_scan.scan_class).
KERAS_WRAPPERS = frozenset({"Bidirectional", "StackedRNNCells", "SimpleRNN", "LSTM", "GRU"})


# -- BidirectionalRNN ----------------------------------------------------------------------------
WRAPS_KERAS_WRAPPER = _mistake(
    "wraps_keras_wrapper",
    "this exercise asks you to wire the cells yourself (keras.layers.RNN for each cell's time loop is fine); "
    "a class that uses keras.layers.Bidirectional or StackedRNNCells earns no points for it",
)
NOT_REALIGNED = _mistake(
    "backward_not_realigned",
    "the backward outputs are still in reading order (row t holds <-h_{T-t+1}, not <-h_t): flip them back "
    "in time (ops.flip(..., axis=1)) before concatenating, so both halves of row t describe step t",
)
SWAPPED_DIRECTIONS = _mistake(
    "directions_swapped",
    "forward and backward are concatenated in the wrong order: the forward outputs come first, "
    "ops.concatenate([forward, backward], axis=-1)",
)
INPUT_NOT_REVERSED = _mistake(
    "backward_input_not_reversed",
    "the backward cell read the sequence in forward order: flip the inputs along the time axis "
    "(ops.flip(inputs, axis=1), not axis 0, the batch) before self.backward_rnn",
)
FORWARD_CELL_BOTH_WAYS = _mistake(
    "forward_cell_both_ways",
    "the backward direction ran the forward cell: run the flipped inputs through self.backward_rnn, "
    "which holds the backward cell and its own weights",
)
FLIPPED_FEATURES = _mistake(
    "flipped_feature_axis",
    "you flipped the feature axis (axis=-1), not time: reverse along axis=1 for inputs of shape (batch, T, D)",
)
BACKWARD_LAST_WRONG_END = _mistake(
    "backward_last_wrong_end",
    "with return_sequences=False the backward half is the backward cell's *final* step, <-h_1, the one that has "
    "read the whole sequence (the last row of its run before you flip it back, row 0 after); yours is another "
    "step (<-h_T has read only x_T)",
)
FORWARD_LAST_WRONG_END = _mistake(
    "forward_last_wrong_end",
    "with return_sequences=False the forward half is the forward cell's final step, ->h_T (forward[:, -1]), the "
    "one that has read the whole sequence; yours is an earlier step (->h_1 has read only x_1)",
)

ONE_DIRECTION_TWICE = _mistake(
    "one_direction_twice",
    "both halves hold the same direction: concatenate the forward outputs and the (re-aligned) backward ones, "
    "ops.concatenate([forward, backward], axis=-1)",
)
BACKWARD_CELL_FORWARD = _mistake(
    "backward_cell_runs_forward",
    "the forward half ran the backward cell: forward = self.forward_rnn(inputs) on the inputs as they are; "
    "self.backward_rnn reads the flipped ones",
)
HALF_NEGATED = _mistake("half_negated", "one half of the output has the wrong sign: concatenate the directions' "
                        "outputs as they are, ops.concatenate([forward, backward], axis=-1)")

# -- DeepRNN -------------------------------------------------------------------------------------
EVERY_LAYER_READS_INPUTS = _mistake(
    "deep_every_layer_reads_inputs",
    "every layer read the original inputs: feed each layer's output sequence to the next layer "
    "(sequence = rnn(sequence)), so only the first one reads the inputs",
)
WRONG_LAYER_OUTPUT = _mistake(
    "deep_wrong_layer_output",
    "this is a lower layer's output: return the top layer's (the output of the last RNN in self.rnns)",
)
ONLY_LAST_STEP_FED = _mistake(
    "deep_only_last_step_fed",
    "only the last step of each layer reached the next one: feed the whole output sequence "
    "(batch, T, H) upwards, so step t of layer l reads h_t of layer l-1, and take the last step at the very end",
)
DEEP_LAST_WRONG_END = _mistake(
    "deep_last_wrong_end",
    "with return_sequences=False return the top layer's output at the last step, h_T (sequence[:, -1]); "
    "yours is an earlier step",
)

# -- layouts (recognised from the shape) ---------------------------------------------------------
ALL_STEPS_RETURNED = _mistake(
    "all_steps_returned",
    "with return_sequences=False return one vector per sequence, shape (batch, width), not every step",
)
ONE_STEP_RETURNED = _mistake(
    "one_step_returned",
    "with return_sequences=True return every step, shape (batch, T, width), not one vector per sequence",
)
ONE_DIRECTION_ONLY = _mistake(
    "one_direction_only",
    "the output has the width of one direction: concatenate [forward, backward] on the last axis",
)
CONCATENATED_ON_TIME = _mistake(
    "concatenated_on_time_axis",
    "forward and backward were concatenated along time (axis=1): concatenate on the feature axis, axis=-1",
)
CONCATENATED_ON_BATCH = _mistake(
    "concatenated_on_batch_axis",
    "forward and backward were concatenated along the batch (axis=0): concatenate on the feature axis, axis=-1",
)


def _weights(inputs, prefix):
    return inputs[f"{prefix}.kernel"], inputs[f"{prefix}.recurrent_kernel"], inputs[f"{prefix}.bias"]


def _cat(*parts):
    return np.concatenate(parts, axis=-1)


def bidirectional_parts(inputs):
    """(forward, backward_in_reading_order): (batch, T, H) each; row s of the second is <-h_{T-s}."""
    x = np.asarray(inputs["x"], np.float64)
    forward = simple_rnn(x, *_weights(inputs, "fw"))
    backward_reading = simple_rnn(x[:, ::-1], *_weights(inputs, "bw"))
    return forward, backward_reading


def bidirectional(inputs, return_sequences):
    """The right answer, in NumPy (for the kit's tests of this module)."""
    forward, reading = bidirectional_parts(inputs)
    if return_sequences:
        return _cat(forward, reading[:, ::-1])
    return _cat(forward[:, -1], reading[:, -1])


def bidirectional_variants(inputs, return_sequences):
    """``[(Mistake, output)]`` for a BidirectionalRNN of two tanh SimpleRNNCells."""
    x = np.asarray(inputs["x"], np.float64)
    forward, reading = bidirectional_parts(inputs)
    backward = reading[:, ::-1]
    # The backward cell run left to right, as if the inputs were never flipped in time.
    unflipped = simple_rnn(x, *_weights(inputs, "bw"))
    feature_flipped = simple_rnn(x[..., ::-1], *_weights(inputs, "bw"))
    forward_cell_reading = simple_rnn(x[:, ::-1], *_weights(inputs, "fw"))
    if return_sequences:
        return [
            (NOT_REALIGNED, _cat(forward, reading)),
            (SWAPPED_DIRECTIONS, _cat(backward, forward)),
            (SWAPPED_DIRECTIONS, _cat(reading, forward)),
            (INPUT_NOT_REVERSED, _cat(forward, unflipped)),
            (INPUT_NOT_REVERSED, _cat(forward, unflipped[:, ::-1])),
            # Inputs flipped on the batch axis, outputs flipped back in time: rows of other sequences.
            (INPUT_NOT_REVERSED, _cat(forward, unflipped[::-1, ::-1])),
            (FORWARD_CELL_BOTH_WAYS, _cat(forward, forward_cell_reading[:, ::-1])),
            (FLIPPED_FEATURES, _cat(forward, feature_flipped)),
            (FLIPPED_FEATURES, _cat(forward, feature_flipped[..., ::-1])),
            (FLIPPED_FEATURES, _cat(forward, reading[..., ::-1])),
            (ONE_DIRECTION_TWICE, _cat(forward, forward)),
            (ONE_DIRECTION_TWICE, _cat(backward, backward)),
            (BACKWARD_CELL_FORWARD, _cat(unflipped, backward)),
            (HALF_NEGATED, _cat(forward, -backward)),
            (HALF_NEGATED, _cat(-forward, backward)),
        ]
    steps = x.shape[1]
    return [
        (BACKWARD_LAST_WRONG_END, _cat(forward[:, -1], backward[:, -1])),
        (FORWARD_LAST_WRONG_END, _cat(forward[:, 0], backward[:, 0])),
        # Each direction's output at another step than the one it finished on.
        *[(FORWARD_LAST_WRONG_END, _cat(forward[:, s], backward[:, 0])) for s in range(steps - 1)],
        *[(BACKWARD_LAST_WRONG_END, _cat(forward[:, -1], reading[:, s])) for s in range(steps - 1)],
        (SWAPPED_DIRECTIONS, _cat(backward[:, 0], forward[:, -1])),
        (INPUT_NOT_REVERSED, _cat(forward[:, -1], unflipped[:, -1])),
        (INPUT_NOT_REVERSED, _cat(forward[:, -1], unflipped[:, 0])),
        (INPUT_NOT_REVERSED, _cat(forward[:, -1], unflipped[::-1, -1])),
        (FORWARD_CELL_BOTH_WAYS, _cat(forward[:, -1], forward_cell_reading[:, -1])),
        (FLIPPED_FEATURES, _cat(forward[:, -1], feature_flipped[:, -1])),
        (ONE_DIRECTION_TWICE, _cat(forward[:, -1], forward[:, -1])),
        (ONE_DIRECTION_TWICE, _cat(backward[:, 0], backward[:, 0])),
        (BACKWARD_CELL_FORWARD, _cat(unflipped[:, -1], backward[:, 0])),
        (HALF_NEGATED, _cat(forward[:, -1], -backward[:, 0])),
        (HALF_NEGATED, _cat(-forward[:, -1], backward[:, 0])),
    ]


def _deep_prefixes(inputs):
    count = len({key.split(".")[0] for key in inputs if key.startswith("l") and key.endswith(".kernel")})
    return [f"l{index}" for index in range(count)]


def deep_layer_outputs(inputs):
    """Every layer's output sequence, bottom to top, for a stack of tanh SimpleRNNCells."""
    sequence, outputs = np.asarray(inputs["x"], np.float64), []
    for prefix in _deep_prefixes(inputs):
        sequence = simple_rnn(sequence, *_weights(inputs, prefix))
        outputs.append(sequence)
    return outputs


def deep(inputs, return_sequences):
    """The right answer, in NumPy (for the kit's tests of this module)."""
    top = deep_layer_outputs(inputs)[-1]
    return top if return_sequences else top[:, -1]


def deep_variants(inputs, return_sequences):
    """``[(Mistake, output)]`` for a DeepRNN of tanh SimpleRNNCells.

    Variants that need a layer to read a width it was not built for (every layer reading the
    inputs when D differs from a layer's input width) are left out.
    """
    x = np.asarray(inputs["x"], np.float64)
    prefixes = _deep_prefixes(inputs)
    layers = deep_layer_outputs(inputs)
    top_weights = _weights(inputs, prefixes[-1])
    variants = [(WRONG_LAYER_OUTPUT, out) for out in layers[:-1]]
    if top_weights[0].shape[0] == x.shape[-1]:
        variants.append((EVERY_LAYER_READS_INPUTS, simple_rnn(x, *top_weights)))
    if return_sequences:
        return variants
    # Each layer above the first reads only the previous layer's last step, as a 1-step sequence.
    sequence = x
    for index, prefix in enumerate(prefixes):
        sequence = simple_rnn(sequence if index == 0 else sequence[:, -1:], *_weights(inputs, prefix))
    last = [(mistake, out[:, -1]) for mistake, out in variants]
    return last + [(DEEP_LAST_WRONG_END, layers[-1][:, s]) for s in range(x.shape[1] - 1)] + \
        [(ONLY_LAST_STEP_FED, sequence[:, -1])]


def shape_mistake(got_shape, expected_shape, wrapper):
    """The layout mistake that explains an output of ``got_shape`` instead of ``expected_shape``, or None.

    ``wrapper`` is "bidirectional" or "deep".
    """
    got, want = tuple(got_shape), tuple(expected_shape)
    if len(want) == 2 and len(got) == 3 and (got[0], got[2]) == want:
        return ALL_STEPS_RETURNED
    if len(want) == 3 and len(got) == 2 and got == (want[0], want[2]):
        return ONE_STEP_RETURNED
    if wrapper == "deep" and len(want) == 3 and got == (want[0], 1, want[2]):
        return ONLY_LAST_STEP_FED
    if wrapper == "bidirectional" and len(got) == len(want) and want[-1] % 2 == 0:
        half = want[-1] // 2
        if got == want[:-1] + (half,):
            return ONE_DIRECTION_ONLY
        if len(want) == 3 and got == (want[0], 2 * want[1], half):
            return CONCATENATED_ON_TIME
        if got == (2 * want[0],) + want[1:-1] + (half,):
            return CONCATENATED_ON_BATCH
    return None
