"""Lab 6: your cells on real data. Two models and two tools for them.

1. ``pixel_classifier(cell, num_classes)``: a digit read one pixel per step, classified from the
   last state h_T:

       Input (batch, T, 1) -> keras.layers.RNN(cell)  [return_sequences=False: h_T only]
                           -> Dense(num_classes)      [logits, shape (batch, num_classes)]

2. ``char_model(cell, vocab_size, embedding_dim)``: a character-level language model that
   predicts, at every step, the next character from the ones read so far:

       Input (batch, L) int token ids -> Embedding(vocab_size, embedding_dim, mask_zero=True)
           -> keras.layers.RNN(cell, return_sequences=True)  [h_t at every step]
           -> Dense(vocab_size)                              [logits, shape (batch, L, V)]

   Token 0 is padding. ``mask_zero=True`` makes the Embedding hand a mask to the RNN layer, which
   then copies the state unchanged across padded steps: a name padded on either side ends in the
   state it reaches alone. Your cell needs nothing for this.

3. ``bits_per_char(logits, targets, mask)``: the average cross-entropy in bits over the real
   (unpadded) predictions,

       bpc = sum_{b,t} m_bt * (-log2 softmax(z_bt)[y_bt]) / sum_{b,t} m_bt,

   -log2 p = -ln p / ln 2. A model that knows nothing about 27 equally likely tokens scores
   log2 27 = 4.75 bits; a perfect one 0.

4. ``sample(model, start, length, temperature, seed)``: new text, one token at a time, from
   p = softmax(z / temperature) at the last position (the draw is spelled out in its docstring).
   T < 1 sharpens the distribution towards the likeliest token, T > 1 flattens it.
"""

import keras
import numpy as np
import tensorflow as tf


def pixel_classifier(cell, num_classes=10, input_dim=1):
    """A classifier of sequences from their last state: Input -> RNN(cell) -> Dense (logits).

    Args:
        cell: a Keras RNN cell (yours from Labs 1 to 3).
        num_classes: the number of classes (10 digits).
        input_dim: features per step (1: one pixel).

    Returns:
        A ``keras.Sequential`` model mapping ``(batch, T, input_dim)`` to logits
        ``(batch, num_classes)``, computed from h_T alone: ``keras.layers.RNN(cell)`` with
        ``return_sequences=False`` (its default), then ``keras.layers.Dense(num_classes)`` with no
        activation. Any T works: give the Input shape ``(None, input_dim)``.
    """
    # TODO (pixel_classifier): your code here. The docstring above says what to compute.
    raise NotImplementedError("pixel_classifier: fill in this TODO in rnnlab/charmodel.py")


def char_model(cell, vocab_size, embedding_dim=16):
    """A next-character model: Embedding (mask_zero) -> RNN(cell, every step) -> Dense (logits).

    Args:
        cell: a Keras RNN cell.
        vocab_size: V, the number of tokens (token 0 is padding).
        embedding_dim: the width of each token's embedding vector.

    Returns:
        A ``keras.Sequential`` model mapping int token ids ``(batch, L)`` to logits
        ``(batch, L, V)``: ``keras.Input((None,), dtype="int32")``,
        ``keras.layers.Embedding(V, embedding_dim, mask_zero=True)``,
        ``keras.layers.RNN(cell, return_sequences=True)``, ``keras.layers.Dense(V)``.
    """
    # TODO (char_model): your code here. The docstring above says what to compute.
    raise NotImplementedError("char_model: fill in this TODO in rnnlab/charmodel.py")


def bits_per_char(logits, targets, mask):
    """Average cross-entropy in bits per character over the real steps.

    Args:
        logits: float ``(batch, L, V)``, the model's outputs before the softmax.
        targets: int ``(batch, L)``, the token to predict at each step.
        mask: ``(batch, L)``, 1 (or True) at real steps, 0 at padding.

    Returns:
        A scalar tensor: sum over real steps of -log2 softmax(logits)[target], divided by the
        number of real steps. Use ``keras.losses.sparse_categorical_crossentropy(..., from_logits=True)``
        (or ``tf.nn.log_softmax``) for the natural-log cross-entropy, then divide by ln 2.
    """
    # TODO (bits_per_char): your code here. The docstring above says what to compute.
    raise NotImplementedError("bits_per_char: fill in this TODO in rnnlab/charmodel.py")


def sample(model, start, length, temperature=1.0, seed=0):
    """Draw ``length`` new tokens after ``start``, feeding each one back in.

    Args:
        model: maps int token ids ``(batch, t)`` to logits ``(batch, t, V)``; call it as
            ``model(tokens)`` on the whole sequence so far.
        start: int array ``(batch, t0)``, the tokens to start from (t0 >= 1).
        length: how many tokens to draw.
        temperature: T > 0; the distribution of the next token is softmax(z / T), with z the
            logits at the **last** position, ``model(tokens)[:, -1, :]``.
        seed: seed of ``rng = np.random.default_rng(seed)``, the only source of randomness.

    Returns:
        int32 NumPy array ``(batch, length)``: the drawn tokens only (not ``start``).

    The draw, so that the same seed gives the same tokens everywhere: at each of the ``length``
    steps, p = softmax(z / T) in float64 (shape (batch, V)), then ``u = rng.random((batch, 1))``
    and the token is the first index whose cumulative probability exceeds u,
    ``np.minimum((np.cumsum(p, axis=-1) < u).sum(axis=-1), V - 1)`` (inverse-CDF sampling). Append
    it to the sequence, and feed the longer sequence to the model for the next step.
    """
    # TODO (sample): your code here. The docstring above says what to compute.
    raise NotImplementedError("sample: fill in this TODO in rnnlab/charmodel.py")
