"""Lab 3: the gated recurrent unit (GRU), written as a Keras layer.

A GRU (Cho et al. 2014) keeps one state, h, and two gates. One step, with ``reset_after=False``
(the original GRU, reset *before* the recurrent matmul):

    z  = sigmoid(x_t K_z + h_{t-1} U_z + b_z)             update gate: how much of h_{t-1} to keep
    r  = sigmoid(x_t K_r + h_{t-1} U_r + b_r)             reset gate:  how much of h_{t-1} the
                                                          candidate may read
    h~ = tanh(x_t K_h + (r * h_{t-1}) U_h + b_h)          candidate
    h_t = z * h_{t-1} + (1 - z) * h~

With ``reset_after=True`` (Keras's default, and what CuDNN computes) the reset gate multiplies the
recurrent term *after* the matmul, and the recurrent part has its own bias:

    h~ = tanh(x_t K_h + b_h^in + r * (h_{t-1} U_h + b_h^rec))
    (and b_h^rec is also added inside z and r: z = sigmoid(x_t K_z + b_z^in + h_{t-1} U_z + b_z^rec))

The weights, with their Keras names and shapes (columns in the gate order z, r, h):

    kernel            K  (D, 3H)
    recurrent_kernel  U  (H, 3H)
    bias              b  (3H,)  with reset_after=False
                         (2, 3H) with reset_after=True: row 0 is b^in (added to x_t K), row 1 is
                         b^rec (added to h_{t-1} U)

Names, shapes, gate order and both conventions match ``keras.layers.GRUCell``.

**Which way round is z?** Keras and Cho et al. keep the *old* state with z: h_t = z * h_{t-1} +
(1 - z) * h~. Some notes write c_t = z * c~ + (1 - z) * c_{t-1}, with z on the *new* value. The two
are the same model: negate the update gate's weights and bias, since 1 - sigmoid(a) = sigmoid(-a).
This kit uses Keras's convention.

Compared with an LSTM: no separate memory c (h is the memory), no output gate, and the update
gate ties "forget" and "input" together: keep z of the old state, write 1 - z of the new one.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="rnnlab")
class GRUCell(keras.layers.Layer):
    """One step of a GRU, like ``keras.layers.GRUCell(units, reset_after=...)``.

    Args:
        units: H, the size of the hidden state.
        reset_after: False (default here: Cho et al. 2014) applies the reset gate to h_{t-1}
            before the recurrent matmul; True (Keras's default) applies it after, and uses a
            bias of shape (2, 3H).
        activation: for the candidate h~ (default ``"tanh"``).
        recurrent_activation: for the gates z and r (default ``"sigmoid"``).
        kernel_initializer, recurrent_initializer, bias_initializer: how ``build`` fills the
            weights (Keras's defaults: Glorot uniform, orthogonal, zeros).

    The Keras cell contract:
        state_size:  H (one state, h)
        output_size: H
        call(inputs, states) -> (h_t, [h_t]), with ``states`` the list ``[h_{t-1}]``
    """

    def __init__(
        self,
        units,
        reset_after=False,
        activation="tanh",
        recurrent_activation="sigmoid",
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        self.units = units
        self.reset_after = bool(reset_after)
        self.activation = keras.activations.get(activation)
        self.recurrent_activation = keras.activations.get(recurrent_activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        """Create ``kernel`` (D, 3H), ``recurrent_kernel`` (H, 3H), ``bias``. Written for you."""
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(input_dim, 3 * self.units), initializer=self.kernel_initializer, name="kernel"
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, 3 * self.units),
            initializer=self.recurrent_initializer,
            name="recurrent_kernel",
        )
        # reset_after=True keeps separate input and recurrent biases: r must scale the recurrent
        # one together with h_{t-1} U_h, so the two cannot be merged into one vector.
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self.bias = self.add_weight(shape=bias_shape, initializer=self.bias_initializer, name="bias")
        self.built = True

    def call(self, inputs, states, training=False):
        """One time step.

        Args:
            inputs: x_t, shape (batch, D).
            states: the list ``[h_{t-1}]``; h_{t-1} has shape (batch, H).

        Returns:
            ``(h_t, [h_t])``.

        Your part is the original GRU, ``reset_after=False`` (the module docstring has the
        equations). Slice the weights into the blocks z, r, h along their last axis (e.g.
        ``self.kernel[:, :H]`` is K_z). z and r can share one matmul each for x_t and h_{t-1};
        the candidate needs its own recurrent matmul, because it multiplies r * h_{t-1}, not
        h_{t-1}. Use ``self.recurrent_activation`` for the gates and ``self.activation`` for h~.
        ``reset_after=True`` is a follow-up exercise in ``call_reset_after``.
        """
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        if self.reset_after:
            h = self.call_reset_after(inputs, h_prev)
            return h, [h]
        units = self.units
        # BEGIN SOLUTION
        x_z, x_r, x_h = ops.split(ops.matmul(inputs, self.kernel) + self.bias, 3, axis=-1)
        # One matmul gives both gates' recurrent terms; the candidate's comes after the reset.
        gates_recurrent = ops.matmul(h_prev, self.recurrent_kernel[:, : 2 * units])
        z = self.recurrent_activation(x_z + gates_recurrent[:, :units])
        r = self.recurrent_activation(x_r + gates_recurrent[:, units:])
        candidate = self.activation(x_h + ops.matmul(r * h_prev, self.recurrent_kernel[:, 2 * units :]))
        h = z * h_prev + (1.0 - z) * candidate
        return h, [h]
        # END SOLUTION

    def call_reset_after(self, inputs, h_prev):
        """Follow-up exercise: one step with ``reset_after=True``; returns h_t (batch, H).

        The bias has shape (2, 3H): ``self.bias[0]`` is added to x_t K and ``self.bias[1]`` to
        h_{t-1} U, for all three blocks. Then

            z  = sigmoid(x_z + h_z)           with x = x_t K + b^in, h = h_{t-1} U + b^rec,
            r  = sigmoid(x_r + h_r)           each cut into blocks z, r, h
            h~ = tanh(x_h + r * h_h)          the reset gate scales the recurrent term after the matmul
            h_t = z * h_{t-1} + (1 - z) * h~

        Now one matmul of h_{t-1} serves all three blocks; that is why CuDNN (and Keras's default)
        uses this form.
        """
        # BEGIN SOLUTION
        x_z, x_r, x_h = ops.split(ops.matmul(inputs, self.kernel) + self.bias[0], 3, axis=-1)
        h_z, h_r, h_h = ops.split(ops.matmul(h_prev, self.recurrent_kernel) + self.bias[1], 3, axis=-1)
        z = self.recurrent_activation(x_z + h_z)
        r = self.recurrent_activation(x_r + h_r)
        candidate = self.activation(x_h + r * h_h)
        return z * h_prev + (1.0 - z) * candidate
        # END SOLUTION

    def get_config(self):
        """Everything ``__init__`` needs to rebuild this cell (used by `.keras` save/load and by
        ``keras.layers.Bidirectional``). ``reset_after`` matters: it decides the bias's shape."""
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "reset_after": self.reset_after,
                "activation": keras.activations.serialize(self.activation),
                "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config
