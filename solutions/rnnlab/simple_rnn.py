"""Lab 1: the simple (Elman) recurrent cell, written as a Keras layer.

The cell computes one time step:

    h_t = act(x_t K + h_{t-1} U + b)

with ``x_t`` of shape (batch, D), ``h_{t-1}`` of shape (batch, H) and the weights

    kernel            K  (D, H)   input  -> hidden
    recurrent_kernel  U  (H, H)   hidden -> hidden
    bias              b  (H,)

Names and shapes match ``keras.layers.SimpleRNNCell``, so a trained cell can be swapped for the
built-in (and the autograder checks yours that way). A cell only knows one step; to run a whole
sequence, wrap it: ``keras.layers.RNN(SimpleRNNCell(32))(x)``.
"""

import keras
from keras import ops


# Registering the class lets Keras rebuild it from a saved `.keras` file and lets wrappers such as
# `keras.layers.Bidirectional` clone it (they serialise the cell and deserialise a copy).
@keras.saving.register_keras_serializable(package="rnnlab")
class SimpleRNNCell(keras.layers.Layer):
    """One step of a simple RNN: ``h_t = act(x_t K + h_{t-1} U + b)``.

    Args:
        units: H, the size of the hidden state.
        activation: the nonlinearity ``act`` (default ``"tanh"``); any name or callable that
            ``keras.activations.get`` accepts.
        kernel_initializer, recurrent_initializer, bias_initializer: how ``build`` fills the
            weights (Keras's defaults: Glorot uniform, orthogonal, zeros).

    The Keras cell contract, which ``keras.layers.RNN`` relies on:
        state_size:  H (one state tensor, the hidden state)
        output_size: H (the output *is* the new hidden state)
        call(inputs, states) -> (output, new_states), with ``states`` a list ``[h_{t-1}]``
    """

    def __init__(
        self,
        units,
        activation="tanh",
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        self.units = units
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        """Create the three weights. ``input_shape`` is (batch, D); only D = input_shape[-1] matters.

        Use ``self.add_weight(shape=..., initializer=..., name=...)`` with exactly these names:
        ``kernel`` (D, H), ``recurrent_kernel`` (H, H), ``bias`` (H,).
        """
        input_dim = input_shape[-1]
        # BEGIN SOLUTION
        self.kernel = self.add_weight(
            shape=(input_dim, self.units), initializer=self.kernel_initializer, name="kernel"
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units),
            initializer=self.recurrent_initializer,
            name="recurrent_kernel",
        )
        self.bias = self.add_weight(
            shape=(self.units,), initializer=self.bias_initializer, name="bias"
        )
        self.built = True
        # END SOLUTION

    def call(self, inputs, states, training=False):
        """One time step.

        Args:
            inputs: x_t, shape (batch, D).
            states: the list ``[h_{t-1}]``; h_{t-1} has shape (batch, H).

        Returns:
            ``(h_t, [h_t])``: the output and the list of new states (the same tensor twice).
        """
        # Keras passes the state as a list; a bare tensor can arrive when a cell is called by hand.
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        # BEGIN SOLUTION
        h = self.activation(
            ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias
        )
        return h, [h]
        # END SOLUTION

    def get_config(self):
        """Everything ``__init__`` needs to rebuild this cell (used by `.keras` save/load)."""
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": keras.activations.serialize(self.activation),
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config


def irnn_cell(units):
    """An identity RNN (IRNN, Le, Jaitly and Hinton 2015): ReLU units, recurrent kernel = identity.

    With U = I and no input, ``h_t = relu(h_{t-1}) = h_{t-1}`` for positive units: the cell
    remembers by default, and the Jacobian dh_t/dh_{t-1} is (close to) the identity, so gradients
    neither vanish nor explode at initialisation. Input kernel and bias keep their defaults
    (Glorot uniform, zeros).

    Returns:
        A ``SimpleRNNCell`` of ``units`` units with ``activation="relu"`` and
        ``recurrent_initializer="identity"``: the initializer named ``"identity"``
        (``keras.initializers.Identity()``, gain 1) starts the ``recurrent_kernel`` as I; every
        other argument keeps its default.
    """
    # BEGIN SOLUTION
    return SimpleRNNCell(units, activation="relu", recurrent_initializer="identity")
    # END SOLUTION
