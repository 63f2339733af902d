"""The copy memory task of Arjovsky, Shah & Bengio (2016, "Unitary evolution recurrent neural
networks", ICML), from Hochreiter & Schmidhuber (1997).

Alphabet of 10 categories: 0 is the blank, 1..8 are data, 9 is the delimiter ("go").

    input  (length T + 20):  d1 .. d10 | 0 x (T - 1) | 9 | 0 x 10
    target (length T + 20):  0 x (T + 10)                 | d1 .. d10

with d1..d10 drawn independently and uniformly from 1..8. The model must remember 10 symbols for
T steps and write them out, in order, after the delimiter. The loss is the cross-entropy averaged
over all T + 20 output steps, which is why the baseline shrinks as T grows.
"""

import math

import numpy as np

from ._encoding import one_hot
from ._validation import check_count, check_int, check_seed

TASK = "the copy memory task"

COPY_MEMORY_BLANK = 0
COPY_MEMORY_DELIMITER = 9
COPY_MEMORY_CATEGORIES = 10  # one-hot depth of x and number of output classes
COPY_MEMORY_DATA_SYMBOLS = 8  # data symbols are 1..8
COPY_MEMORY_COPY_LENGTH = 10  # how many symbols to remember


def copy_memory_length(T):
    """Input and target length for delay ``T``: ``T + 20``."""
    T = check_int("T", T, 1, TASK,
                  reason="the input holds T - 1 blanks between the data and the delimiter")
    return T + 2 * COPY_MEMORY_COPY_LENGTH


def make_copy_memory(n, T, seed=0):
    """Generate ``n`` copy-memory sequences with delay ``T`` (length ``T + 20``).

    Args:
        n: number of sequences.
        T: the delay of the paper, at least 1: the delimiter comes exactly T steps after the
            last data symbol (T - 1 blanks between them).
        seed: seed of ``np.random.default_rng``; the same seed gives the same arrays.

    Returns:
        x: float32 ``(n, T + 20, 10)``, the input symbols one-hot.
        y: int32 ``(n, T + 20)``, the target category at every step.
    """
    n = check_count(n, TASK)
    length = copy_memory_length(T)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)

    k = COPY_MEMORY_COPY_LENGTH
    data = rng.integers(1, COPY_MEMORY_DATA_SYMBOLS + 1, size=(n, k))

    inputs = np.full((n, length), COPY_MEMORY_BLANK)
    inputs[:, :k] = data
    inputs[:, k + T - 1] = COPY_MEMORY_DELIMITER  # after the data and T - 1 blanks

    targets = np.full((n, length), COPY_MEMORY_BLANK, dtype=np.int32)
    targets[:, T + k:] = data
    return one_hot(inputs, COPY_MEMORY_CATEGORIES), targets


def copy_memory_memoryless_predictions(T):
    """The baseline's predicted distribution at every step: float64 ``(T + 20, 10)``.

    Rows ``0 .. T + 9`` put probability 1 on the blank; the last 10 rows put 1/8 on each data
    symbol 1..8. Broadcast it against a batch to score it like a model's softmax output.
    """
    length = copy_memory_length(T)
    probs = np.zeros((length, COPY_MEMORY_CATEGORIES))
    probs[: T + COPY_MEMORY_COPY_LENGTH, COPY_MEMORY_BLANK] = 1.0
    data_symbols = slice(1, COPY_MEMORY_DATA_SYMBOLS + 1)
    probs[T + COPY_MEMORY_COPY_LENGTH:, data_symbols] = 1.0 / COPY_MEMORY_DATA_SYMBOLS
    return probs


def copy_memory_baseline(T):
    """Cross-entropy of the memoryless strategy: ``10 ln 8 / (T + 20)`` nats per step.

    Derivation (Arjovsky et al. 2016): a model with no memory still knows the layout. The first
    T + 10 targets are always the blank, so it predicts the blank with probability 1 and pays
    -ln 1 = 0 there. The last 10 targets are independent uniform draws from 8 data symbols that it
    cannot recall, so the best it can do is 1/8 each, paying ln 8 per step. Averaged over all
    T + 20 steps: (T + 10) * 0 + 10 ln 8, divided by T + 20.
    """
    return COPY_MEMORY_COPY_LENGTH * math.log(COPY_MEMORY_DATA_SYMBOLS) / copy_memory_length(T)
