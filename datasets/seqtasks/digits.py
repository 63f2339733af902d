"""Sequential digits: scikit-learn's 8x8 handwritten digits read one pixel per step.

The offline, small version of the "pixel-by-pixel MNIST" task of Le, Jaitly & Hinton (2015, "A
simple way to initialize recurrent networks of rectified linear units"): each image is flattened
row by row into a sequence of T = 64 steps with one feature, the pixel's intensity scaled from
0..16 to [0, 1], and the model answers the digit (10 classes) after the last pixel. In the
*permuted* variant every image's pixels go through the same fixed random permutation, which spreads
the informative pixels over the whole sequence (the centre of the image is no longer in the middle
of the sequence).

The images are the 1,797 of the UCI "Optical Recognition of Handwritten Digits" test set that
scikit-learn ships inside its wheel (``sklearn.datasets.load_digits``): nothing is downloaded.
The classes are balanced (174 to 183 images each), so chance accuracy is 1/10.
"""

import numpy as np

from ._validation import check_seed

TASK = "sequential digits"
DIGITS_STEPS = 64
DIGITS_CLASSES = 10
DIGITS_TEST_SIZE = 500
PERMUTATION_SEED = 1234  # fixed, like the permutation of Le et al.: the same for every image and run


def digits_permutation():
    """The fixed pixel order of the permuted task: ``x_permuted = x[:, digits_permutation()]``."""
    return np.random.default_rng(PERMUTATION_SEED).permutation(DIGITS_STEPS)


def load_sequential_digits(permuted=False, seed=0, test_size=DIGITS_TEST_SIZE):
    """The digits as sequences, split into train and test sets.

    Args:
        permuted: read the pixels in the fixed random order ``digits_permutation()`` instead of
            row by row.
        seed: seed of ``np.random.default_rng`` for the split (the same seed, the same split).
        test_size: how many images go to the test set (the rest, 1,797 - test_size, train).

    Returns:
        x_train, y_train, x_test, y_test: x float32 ``(n, 64, 1)`` in [0, 1], y int32 ``(n,)``
        in 0..9.
    """
    from sklearn.datasets import load_digits  # ships inside scikit-learn: no download

    seed = check_seed(seed)
    digits = load_digits()
    n = len(digits.target)
    if not isinstance(test_size, (int, np.integer)) or not 0 < test_size < n:
        raise ValueError(f"test_size must be an integer between 1 and {n - 1} for {TASK}, got {test_size!r}")
    x = (digits.data / 16.0).astype(np.float32)
    if permuted:
        x = x[:, digits_permutation()]
    x = x.reshape(n, DIGITS_STEPS, 1)
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:test_size], order[test_size:]
    return x[train], y[train], x[test], y[test]


def digits_chance_accuracy():
    """1/10: with ten classes, guessing (or always answering one digit) is right 1 time in 10."""
    return 1.0 / DIGITS_CLASSES
