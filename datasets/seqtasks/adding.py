"""The adding problem (Hochreiter & Schmidhuber, 1997).

Each sequence has two input channels. Channel 0 holds T numbers drawn from U(0, 1); channel 1 is a
0/1 marker that is 1 at exactly two positions, one in each half of the sequence. The target is the
sum of the two marked numbers. A model has to notice the first marker and carry that number across
up to T steps of distractors, which makes T a dial for how long the memory must last.

This is the version used by Le, Jaitly & Hinton (2015, "A simple way to initialize recurrent
networks of rectified linear units") and Arjovsky, Shah & Bengio (2016, "Unitary evolution
recurrent neural networks"); the original is experiment 4 of Hochreiter & Schmidhuber (1997,
"Long short-term memory", Neural Computation 9(8)).
"""

import numpy as np

from ._validation import check_count, check_int, check_seed

TASK = "the adding problem"


def make_adding_problem(n, T, seed=0):
    """Generate ``n`` adding-problem sequences of length ``T``.

    Args:
        n: number of sequences.
        T: sequence length, at least 2. The first half is positions ``0 .. T//2 - 1`` and the
            second half ``T//2 .. T - 1`` (for odd T the second half is one step longer).
        seed: seed of ``np.random.default_rng``; the same seed gives the same arrays.

    Returns:
        x: float32 ``(n, T, 2)``. ``x[:, :, 0]`` ~ U(0, 1); ``x[:, :, 1]`` is 1 at one position of
            each half and 0 elsewhere, both positions uniform within their half.
        y: float32 ``(n, 1)``, the sum of the two marked values, in [0, 2).
    """
    n = check_count(n, TASK)
    T = check_int("T", T, 2, TASK, reason="one marker goes in each half of the sequence")
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)

    values = rng.random((n, T), dtype=np.float32)
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)

    rows = np.arange(n)
    markers = np.zeros((n, T), dtype=np.float32)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0

    x = np.stack([values, markers], axis=-1)
    # Summed in float32 from the stored values, so y equals the marked sum of x exactly.
    y = (values[rows, first] + values[rows, second])[:, None]
    return x, y


def adding_baseline():
    """MSE of the best input-blind predictor: always answer 1. Equals 1/6 ~= 0.1667.

    Derivation: with U, V independent U(0, 1), the target is S = U + V. A predictor that ignores
    the input minimises E[(S - c)^2] at c = E[S] = 1/2 + 1/2 = 1, and its MSE is then
    Var(S) = Var(U) + Var(V) = 1/12 + 1/12 = 1/6. A model has learnt something only once its MSE
    is clearly below 1/6 (Le et al. 2015 and Arjovsky et al. 2016 plot this line).
    """
    return 1.0 / 6.0


def adding_baseline_mse(y):
    """MSE of always predicting 1 on the given targets ``y`` (any shape): the empirical baseline."""
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        raise ValueError("y is empty; pass the targets returned by make_adding_problem")
    return float(np.mean((y - 1.0) ** 2))
