"""Lab 5: bidirectional and deep RNNs, two ways of wiring cells together.

Both layers take any cells that follow the Keras cell contract (your own, or Keras's built-ins)
and let ``keras.layers.RNN`` run the time loop over each of them; what you write is the wiring.

Bidirectional (Schuster and Paliwal, 1997). One cell reads the sequence left to right, another
right to left, and every step gets both:

    ->h_t = f(x_t, ->h_{t-1})        forward: has seen x_1 .. x_t
    <-h_t = g(x_t, <-h_{t+1})        backward: has seen x_t .. x_T
    y_t   = [->h_t, <-h_t]           concatenated on the feature axis, so y_t sees the whole sequence

In "I think, 'Deep learning is fun'" and "I think, 'Deep sea is dangerous'" the word "Deep" reads
the same until the next word; only <-h_t at "Deep" has seen it.

Deep (stacked). Layer l reads the output sequence of layer l - 1 (layer 0 reads the inputs):

    h_t^(l) = f_l(h_t^(l-1), h_{t-1}^(l)),     h_t^(0) = x_t

Shapes throughout: inputs (batch, T, D); a cell of ``units`` H outputs (batch, H) per step.
"""

import keras
from keras import ops


def _output_size(cell):
    """The width of what ``cell`` outputs per step (``output_size``, else its first state size)."""
    size = getattr(cell, "output_size", None)
    if size is None:
        size = cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) else cell.state_size
    return int(size)


@keras.saving.register_keras_serializable(package="rnnlab")
class BidirectionalRNN(keras.layers.Layer):
    """Run one cell forward in time and another backward, and concatenate their outputs.

    Equals ``keras.layers.Bidirectional(keras.layers.RNN(forward_cell, return_sequences=...),
    merge_mode="concat")`` with the same weights.

    Args:
        forward_cell: a Keras RNN cell of width Hf, run over x_1, x_2, ..., x_T.
        backward_cell: a Keras RNN cell of width Hb, run over x_T, x_{T-1}, ..., x_1.
        return_sequences: True (default) for every step's output, False for one vector.

    Call:
        inputs: (batch, T, D). Sequences are assumed unpadded (no masking).

    Returns:
        return_sequences=True: (batch, T, Hf + Hb). Row t is [->h_t, <-h_t]: both halves describe
            the same time step t (the backward outputs are put back in time order).
        return_sequences=False: (batch, Hf + Hb), each direction's *final* output:
            [->h_T, <-h_1]. ->h_T has read x_1 .. x_T and <-h_1 has read x_T .. x_1. (That is
            what Keras returns; note that <-h_1 sits at time 0 of the realigned sequence.)
    """

    def __init__(self, forward_cell, backward_cell, return_sequences=True, **kwargs):
        super().__init__(**kwargs)
        self.return_sequences = bool(return_sequences)
        # keras.layers.RNN does each direction's time loop; both always return the full sequence
        # (batch, T, H) so that `call` can choose what to keep.
        self.forward_rnn = keras.layers.RNN(forward_cell, return_sequences=True, name="forward")
        self.backward_rnn = keras.layers.RNN(backward_cell, return_sequences=True, name="backward")

    @property
    def forward_cell(self):
        return self.forward_rnn.cell

    @property
    def backward_cell(self):
        return self.backward_rnn.cell

    def build(self, input_shape):
        # Both directions read D features per step, so both build from the same shape.
        self.forward_rnn.build(input_shape)
        self.backward_rnn.build(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        """[forward, backward] outputs, aligned in time. See the class docstring for shapes.

        Steps:
            1. forward:  ``self.forward_rnn(inputs)``, (batch, T, Hf); row t is ->h_t.
            2. backward: reverse the inputs *in time* (axis 1: ``ops.flip(inputs, axis=1)``) and
               run ``self.backward_rnn`` on them. Its row s is <-h_{T-s}: it runs backwards.
            3. return_sequences=True: reverse the backward outputs in time again, so that row t
               is <-h_t, and concatenate [forward, backward] on the last axis.
               return_sequences=False: concatenate the last step of each run (the step each
               direction finished on).

        Pass ``training=training`` on to both RNNs (cells with dropout need it).
        """
        # TODO (BidirectionalRNN.call): your code here. The docstring above says what to compute.
        raise NotImplementedError("BidirectionalRNN.call: fill in this TODO in rnnlab/bidirectional.py")

    def compute_output_shape(self, input_shape):
        width = _output_size(self.forward_cell) + _output_size(self.backward_cell)
        if self.return_sequences:
            return (input_shape[0], input_shape[1], width)
        return (input_shape[0], width)

    def get_config(self):
        """The two cells' configs and ``return_sequences``: enough to rebuild the layer."""
        config = super().get_config()
        config.update(
            {
                "forward_cell": keras.saving.serialize_keras_object(self.forward_cell),
                "backward_cell": keras.saving.serialize_keras_object(self.backward_cell),
                "return_sequences": self.return_sequences,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        forward_cell = keras.saving.deserialize_keras_object(config.pop("forward_cell"))
        backward_cell = keras.saving.deserialize_keras_object(config.pop("backward_cell"))
        return cls(forward_cell, backward_cell, **config)


@keras.saving.register_keras_serializable(package="rnnlab")
class DeepRNN(keras.layers.Layer):
    """A stack of recurrent layers: each layer's full output sequence is the next layer's input.

    Equals ``keras.layers.RNN(keras.layers.StackedRNNCells(cells), return_sequences=...)``.
    StackedRNNCells loops over time outside and layers inside (step t through every layer, then
    step t + 1); this layer loops over layers outside and time inside (layer 1 over every step,
    then layer 2). Both orders give the same numbers, because h_t^(l) only needs h_t^(l-1) and
    h_{t-1}^(l), and both are ready in either order.

    Args:
        cells: the cells bottom to top, ``[cell_1, ..., cell_L]``, of widths H_1 .. H_L.
            cell_1 reads the inputs (D features); cell_l reads H_{l-1} features.
        return_sequences: False (default, as in ``keras.layers.RNN``) for the top layer's last
            output h_T^(L), (batch, H_L); True for all of them, (batch, T, H_L).

    Call:
        inputs: (batch, T, D), unpadded.
    """

    def __init__(self, cells, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        if not cells:
            raise ValueError("DeepRNN needs at least one cell")
        self.return_sequences = bool(return_sequences)
        # One keras.layers.RNN per layer, each returning its whole sequence (batch, T, H_l).
        self.rnns = [keras.layers.RNN(cell, return_sequences=True, name=f"layer_{number}")
                     for number, cell in enumerate(cells, start=1)]

    @property
    def cells(self):
        return [rnn.cell for rnn in self.rnns]

    def build(self, input_shape):
        # Layer l is built for the width of what it reads: D for the first, H_{l-1} after that.
        shape = tuple(input_shape)
        for rnn in self.rnns:
            rnn.build(shape)
            shape = shape[:2] + (_output_size(rnn.cell),)
        self.built = True

    def call(self, inputs, training=None):
        """The top layer's outputs.

        Steps:
            1. Feed ``inputs`` (batch, T, D) to the first RNN in ``self.rnns``; feed each RNN's
               whole output sequence (batch, T, H_l) to the next one.
            2. return_sequences=True: return the top layer's sequence (batch, T, H_L).
               return_sequences=False: return its output at the last step, h_T^(L), (batch, H_L).

        Pass ``training=training`` on to every RNN.
        """
        # TODO (DeepRNN.call): your code here. The docstring above says what to compute.
        raise NotImplementedError("DeepRNN.call: fill in this TODO in rnnlab/bidirectional.py")

    def compute_output_shape(self, input_shape):
        width = _output_size(self.cells[-1])
        if self.return_sequences:
            return (input_shape[0], input_shape[1], width)
        return (input_shape[0], width)

    def get_config(self):
        """The cells' configs (bottom to top) and ``return_sequences``."""
        config = super().get_config()
        config.update(
            {
                "cells": [keras.saving.serialize_keras_object(cell) for cell in self.cells],
                "return_sequences": self.return_sequences,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cells = [keras.saving.deserialize_keras_object(cell) for cell in config.pop("cells")]
        return cls(cells, **config)
