"""A tagging task that only the right context can solve: what does "deep" mean here?

"I think, 'Deep learning is fun'" and "I think, 'Deep sea is dangerous'" read the same up to
"Deep": its sense is only settled by a later word. Each sequence here is T tokens of filler words
with one ambiguous token "deep" at a position p and one disambiguating token at p + distance:

    we the deep so i said sea and ...      -> at position p: label 1 ("deep" as in "deep sea")
    we the deep so i said learning and ... -> at position p: label 0 ("deep" as in "deep learning")

The model tags every step (y is ``(n, T)``), but only the "deep" position is scored (``mask``).

Why a left-to-right model is stuck at exactly 0.5 there: its output at step p is a function of
tokens 0..p only. Those (the fillers, the position p, the token "deep" itself) are drawn
independently of the label, and the two labels are equally likely, so for any causal model
P(correct at p) = 1/2 exactly, in expectation over the data. A bidirectional model sees token
p + distance and can be 100% right. ``distance`` sets how far ahead the backward pass must look.

Bidirectional RNNs: Schuster & Paliwal (1997, "Bidirectional recurrent neural networks", IEEE
Trans. Signal Processing 45(11)).
"""

import numpy as np

from ._encoding import one_hot, row_token_ids
from ._validation import check_count, check_int, check_seed

TASK = "the right-context task"

RIGHT_CONTEXT_VOCAB = ["deep", "learning", "sea",
                       "i", "think", "that", "the", "is", "very", "so", "and", "we", "said"]
RIGHT_CONTEXT_LABELS = ["learning", "sea"]  # label 0/1: the sense of "deep" at the scored step
_DEEP = 0
_FIRST_SENSE_WORD = 1  # "learning" = 1 + label 0, "sea" = 1 + label 1
_FIRST_FILLER = 3
_VOCAB_SIZE = len(RIGHT_CONTEXT_VOCAB)


def make_right_context(n, T, seed=0, *, distance=None):
    """Generate ``n`` right-context tagging sequences of length ``T``.

    Args:
        n: number of sequences.
        T: sequence length, at least 2.
        seed: seed of ``np.random.default_rng``; the same seed gives the same arrays.
        distance: steps from "deep" to the word that decides its sense, 1 .. T - 1;
            default ``T // 2``. "deep" sits at a position p uniform in ``0 .. T - 1 - distance``.

    Returns:
        x: float32 ``(n, T, 13)``, one-hot over ``RIGHT_CONTEXT_VOCAB``. Every position except
            p and p + distance is a filler word drawn uniformly (never "deep", "learning", "sea").
        y: int32 ``(n, T)``. At p: 0 if the word at p + distance is "learning", 1 if "sea".
            Everywhere else 0, a placeholder that is not scored.
        mask: bool ``(n, T)``, True only at p (one scored step per sequence). Pass it as
            ``sample_weight`` so the loss and the accuracy count the ambiguous steps only.

    Labels are exactly balanced (up to n % 2) and shuffled.
    """
    n = check_count(n, TASK)
    T = check_int("T", T, 2, TASK,
                  reason='the sequence holds "deep" and, later, the word that decides its sense')
    if distance is None:
        distance = T // 2
    distance = check_int("distance", distance, 1, TASK,
                         reason='the deciding word comes after "deep"')
    if distance > T - 1:
        raise ValueError(
            f"distance must be at most T - 1 = {T - 1} so the deciding word fits after \"deep\" "
            f"in a sequence of length T = {T}, got {distance}; pass a smaller distance or a "
            f"larger T"
        )
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)

    labels = rng.permutation(np.arange(n) % 2)
    tokens = rng.integers(_FIRST_FILLER, _VOCAB_SIZE, size=(n, T))
    position = rng.integers(0, T - distance, size=n)

    rows = np.arange(n)
    tokens[rows, position] = _DEEP
    tokens[rows, position + distance] = _FIRST_SENSE_WORD + labels

    y = np.zeros((n, T), dtype=np.int32)
    y[rows, position] = labels
    mask = np.zeros((n, T), dtype=bool)
    mask[rows, position] = True
    return one_hot(tokens, _VOCAB_SIZE), y, mask


def decode_right_context(x_row):
    """One sequence (one-hot ``(T, 13)`` or ids ``(T,)``) as text.

    For example ``"we the deep so i said sea and"``.
    """
    ids = row_token_ids(x_row, _VOCAB_SIZE, TASK)
    return " ".join(RIGHT_CONTEXT_VOCAB[i] for i in ids)


def right_context_baseline():
    """Best accuracy of any causal (left-to-right) model at the scored steps: 0.5.

    Derivation: at step p a causal model has seen tokens 0..p, all drawn independently of the
    label, and both labels are equally likely, so P(correct) = 1/2 whatever it predicts. The
    matching cross-entropy is ln 2. A bidirectional model can reach 1.0.
    """
    return 0.5
