"""The temporal order task (Hochreiter & Schmidhuber, 1997).

A sequence of T random distractor symbols hides two relevant symbols, each an X or a Y. The class
is their order: XX, XY, YX or YY. Both relevant symbols sit early, so the model must keep them
while reading the rest of the sequence and answer at the end.

The original is experiment 6a of Hochreiter & Schmidhuber (1997, "Long short-term memory"), with
length ~100 and the relevant symbols at positions 10..20 and 50..60. Martens & Sutskever (2011)
and Pascanu, Mikolov & Bengio (2013, "On the difficulty of training recurrent neural networks")
scale those windows with T, as done here.

Choices made here:
    * Alphabet of 6 symbols, one-hot in this order: X, Y (relevant) and a, b, c, d (distractors).
      The original also had start/end markers B and E; they carry no information when the answer
      is read at the last step, so they are left out.
    * First relevant symbol uniform in ``[T//10, 2T//10)``, second in ``[5T//10, 6T//10)``
      (half-open; see ``temporal_order_windows``). Every other position is a uniform distractor.
    * Classes 0..3 = XX, XY, YX, YY (first symbol, then second), exactly balanced up to n % 4 and
      shuffled.
"""

import math

import numpy as np

from ._encoding import one_hot, row_token_ids
from ._validation import check_count, check_int, check_seed

TASK = "the temporal order task"

TEMPORAL_ORDER_SYMBOLS = ["X", "Y", "a", "b", "c", "d"]
TEMPORAL_ORDER_CLASSES = ["XX", "XY", "YX", "YY"]
_FIRST_DISTRACTOR = 2  # symbols 2.. are distractors


def temporal_order_windows(T):
    """The half-open position windows of the two relevant symbols: ``((a, b), (c, d))``.

    ``(T//10, 2T//10)`` and ``(5T//10, 6T//10)``; for T = 100 that is [10, 20) and [50, 60).
    """
    T = check_int("T", T, 10, TASK, reason="shorter sequences leave the windows [T/10, 2T/10) and "
                  "[5T/10, 6T/10) for the relevant symbols empty")
    return (T // 10, 2 * T // 10), (5 * T // 10, 6 * T // 10)


def make_temporal_order(n, T, seed=0):
    """Generate ``n`` temporal-order sequences of length ``T``.

    Args:
        n: number of sequences.
        T: sequence length, at least 10 (so both windows hold at least one position).
        seed: seed of ``np.random.default_rng``; the same seed gives the same arrays.

    Returns:
        x: float32 ``(n, T, 6)``, one-hot over ``TEMPORAL_ORDER_SYMBOLS``.
        y: int32 ``(n,)``, the class in 0..3 (``TEMPORAL_ORDER_CLASSES``): 2 * [first is Y] +
            [second is Y].
    """
    n = check_count(n, TASK)
    (a, b), (c, d) = temporal_order_windows(T)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)

    # Balanced classes make the chance baselines exact on the data, not just in expectation.
    labels = rng.permutation(np.arange(n) % 4)
    symbols = rng.integers(_FIRST_DISTRACTOR, len(TEMPORAL_ORDER_SYMBOLS), size=(n, T))
    first = rng.integers(a, b, size=n)
    second = rng.integers(c, d, size=n)

    rows = np.arange(n)
    symbols[rows, first] = labels // 2  # 0 = X, 1 = Y
    symbols[rows, second] = labels % 2
    return one_hot(symbols, len(TEMPORAL_ORDER_SYMBOLS)), labels.astype(np.int32)


def decode_temporal_order(x_row):
    """One sequence (one-hot ``(T, 6)`` or ids ``(T,)``) as a string such as ``"cadXbb...Ydca"``."""
    ids = row_token_ids(x_row, len(TEMPORAL_ORDER_SYMBOLS), TASK)
    return "".join(TEMPORAL_ORDER_SYMBOLS[i] for i in ids)


def temporal_order_baseline():
    """Cross-entropy of the uniform prediction over the 4 classes: ln 4 ~= 1.386 nats.

    Derivation: the distractors are independent of the class and the classes are equally likely,
    so without the relevant symbols the best prediction is p = 1/4 for each class, whose
    cross-entropy is -ln(1/4) = ln 4 on every example.
    """
    return math.log(4.0)


def temporal_order_chance_accuracy():
    """Accuracy of guessing (or of any constant answer) on balanced classes: 1/4."""
    return 0.25
