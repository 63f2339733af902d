"""Lab 2: the long short-term memory cell (LSTM), written as a Keras layer.

An LSTM (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al. 2000) keeps two
states: the hidden state h (what the cell outputs) and the cell state c (its memory). One step:

    z = x_t K + h_{t-1} U + b                     one matmul each for all four blocks, (batch, 4H)
    i = sigmoid(z_i)    input gate:  how much of the candidate to write
    f = sigmoid(z_f)    forget gate: how much of the old memory to keep
    g = tanh(z_g)       candidate:   what to write (Keras calls this block "c")
    o = sigmoid(z_o)    output gate: how much of the memory to show
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

``*`` is elementwise. The weights, with their Keras names and shapes:

    kernel            K  (D, 4H)   columns in the gate order i, f, c (= g), o
    recurrent_kernel  U  (H, 4H)   same column order
    bias              b  (4H,)     same order; ``unit_forget_bias=True`` starts the f block at 1

Names, shapes and gate order match ``keras.layers.LSTMCell``, so a trained cell can be swapped for
the built-in (the autograder checks yours that way). The gates are soft switches in [0, 1]:

    i = 0, f = 1   remember   c_t = c_{t-1}
    i = 1, f = 1   add        c_t = c_{t-1} + g
    i = 0, f = 0   erase      c_t = 0
    i = 1, f = 0   overwrite  c_t = g

Because c_t depends on c_{t-1} only through ``f *``, the gradient flowing back along the memory is
multiplied by f at each step and by no weight matrix: with f = 1 it passes through unchanged (the
"constant error carousel").
"""

import keras
from keras import ops


# Registering the class lets Keras rebuild it from its config: when it loads a `.keras` file, and
# when keras.layers.Bidirectional makes the backward copy of the layer it wraps.
@keras.saving.register_keras_serializable(package="rnnlab")
class LSTMCell(keras.layers.Layer):
    """One step of an LSTM. States ``[h, c]``, gate order i, f, c (g), o, like ``keras.layers.LSTMCell``.

    Args:
        units: H, the size of the hidden state and of the cell state.
        activation: for the candidate g and for tanh(c_t) in the output (default ``"tanh"``).
        recurrent_activation: for the gates i, f, o (default ``"sigmoid"``).
        unit_forget_bias: if True (default), the forget block of the bias starts at 1, so that
            f = sigmoid(1) = 0.73 and the cell remembers by default (Jozefowicz et al. 2015).
        kernel_initializer, recurrent_initializer, bias_initializer: how ``build`` fills the
            weights (Keras's defaults: Glorot uniform, orthogonal, zeros).

    The Keras cell contract:
        state_size:  [H, H] (two state tensors, h and c)
        output_size: H (the output is h_t)
        call(inputs, states) -> (h_t, [h_t, c_t]), with ``states`` the list ``[h_{t-1}, c_{t-1}]``
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        unit_forget_bias=True,
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
        self.recurrent_activation = keras.activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        """Create ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H) and ``bias`` (4H,). Written for you."""
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(input_dim, 4 * self.units), initializer=self.kernel_initializer, name="kernel"
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, 4 * self.units),
            initializer=self.recurrent_initializer,
            name="recurrent_kernel",
        )
        self.bias = self.add_weight(
            shape=(4 * self.units,), initializer=self._bias_initializer(), name="bias"
        )
        self.built = True

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer

        def forget_bias_one(shape, dtype=None):
            # Blocks i, f, c, o: the usual initializer everywhere except ones for the forget gate.
            units = self.units
            return ops.concatenate(
                [
                    self.bias_initializer((units,), dtype=dtype),
                    ops.ones((units,), dtype=dtype),
                    self.bias_initializer((2 * units,), dtype=dtype),
                ]
            )

        return forget_bias_one

    def call(self, inputs, states, training=False):
        """One time step.

        Args:
            inputs: x_t, shape (batch, D).
            states: the list ``[h_{t-1}, c_{t-1}]``, each (batch, H).

        Returns:
            ``(h_t, [h_t, c_t])``.

        Compute all four blocks with one matmul per weight, z = x_t K + h_{t-1} U + b of shape
        (batch, 4H), and cut it into four (batch, H) pieces in the order i, f, c (g), o
        (``ops.split(z, 4, axis=-1)``). Use ``self.recurrent_activation`` for the gates and
        ``self.activation`` for g and for the tanh in h_t, so that ``activation=...`` works as in
        Keras.
        """
        h_prev, c_prev = states[0], states[1]
        # TODO (LSTMCell.call): your code here. The docstring above says what to compute.
        raise NotImplementedError("LSTMCell.call: fill in this TODO in rnnlab/lstm.py")

    def get_config(self):
        """Everything ``__init__`` needs to rebuild this cell, as plain Python values.

        Keras calls it to save a model (``model.save("m.keras")``) and to copy a layer
        (``keras.layers.Bidirectional`` rebuilds a backward twin with ``LSTMCell.from_config``).
        Start from ``super().get_config()`` (name, dtype, trainable), then add every argument of
        ``__init__``: ``units``, ``unit_forget_bias``, the two activations (as names:
        ``keras.activations.serialize``) and the three initializers
        (``keras.initializers.serialize``).
        """
        config = super().get_config()
        # TODO (LSTMCell.get_config): your code here. The docstring above says what to compute.
        raise NotImplementedError("LSTMCell.get_config: fill in this TODO in rnnlab/lstm.py")


@keras.saving.register_keras_serializable(package="rnnlab")
class PeepholeLSTMCell(LSTMCell):
    """Bonus: an LSTM whose gates also look at the cell state ("peephole connections").

    Gers and Schmidhuber (2000) let the gates see the memory itself, through one weight per unit
    (a diagonal matrix, so an elementwise product):

        i   = sigmoid(z_i + p_i * c_{t-1})
        f   = sigmoid(z_f + p_f * c_{t-1})
        g   = tanh(z_g)
        c_t = f * c_{t-1} + i * g
        o   = sigmoid(z_o + p_o * c_t)          the output gate sees the *new* memory
        h_t = o * tanh(c_t)

    with z = x_t K + h_{t-1} U + b cut into i, f, c (g), o as in ``LSTMCell``. As there, sigmoid
    means ``self.recurrent_activation`` (for i, f and o) and tanh means ``self.activation`` (for
    g and for tanh(c_t)): a ``PeepholeLSTMCell(activation="relu")`` uses relu in both places.
    The output gate reads c_t, the memory after this step's update (Gers and Schmidhuber 2000;
    Keras 2's ``PeepholeLSTMCell``); the notes' slide, which feeds it c_{t-1}, is another model.
    Weights: those of
    ``LSTMCell`` plus ``peephole_i``, ``peephole_f``, ``peephole_o``, each (H,). Keras 3 has no
    built-in peephole cell (``tf.keras.experimental.PeepholeLSTMCell`` was Keras 2 only); the
    autograder compares yours with the master solution and with a NumPy version.
    """

    def build(self, input_shape):
        """The LSTM weights, then the three peephole vectors (H,). Written for you."""
        super().build(input_shape)
        # Like Keras 2's PeepholeLSTMCell, the peepholes start from the kernel's initializer.
        for gate in ("i", "f", "o"):
            weight = self.add_weight(
                shape=(self.units,), initializer=self.kernel_initializer, name=f"peephole_{gate}"
            )
            setattr(self, f"peephole_{gate}", weight)

    def call(self, inputs, states, training=False):
        """One step with peepholes: i and f see c_{t-1}, o sees c_t. Returns ``(h_t, [h_t, c_t])``."""
        h_prev, c_prev = states[0], states[1]
        # TODO (PeepholeLSTMCell.call): your code here. The docstring above says what to compute.
        raise NotImplementedError("PeepholeLSTMCell.call: fill in this TODO in rnnlab/lstm.py")
