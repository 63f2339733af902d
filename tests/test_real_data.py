"""The offline real data of Lab 6 (``datasets/seqtasks``): scikit-learn's digits read pixel by
pixel, and the bundled 1990 census first names with their exact n-gram baselines. NumPy and
scikit-learn only, a few seconds; one test loads everything with the network unavailable."""

import collections
import math
import subprocess
import sys

import numpy as np
import pytest
from conftest import DATASETS

import seqtasks

N_DIGITS, N_NAMES = 1797, 5163


# -- digits --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    return seqtasks.load_sequential_digits()


def test_digits_shapes_range_and_split(digits):
    x_train, y_train, x_test, y_test = digits
    assert x_train.shape == (N_DIGITS - 500, 64, 1) and x_test.shape == (500, 64, 1)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int32
    assert 0.0 <= x_train.min() and x_train.max() == 1.0  # ink 0..16 scaled to [0, 1]
    assert set(np.unique(y_test)) == set(range(10))
    # train and test are disjoint and together the whole set (compare the images as rows)
    rows = {row.tobytes() for row in np.concatenate([x_train, x_test])[:, :, 0]}
    assert len({r.tobytes() for r in x_test[:, :, 0]} & {r.tobytes() for r in x_train[:, :, 0]}) <= 5  # a few duplicate images
    assert len(rows) >= N_DIGITS - 10


def test_digits_are_the_images_read_row_by_row(digits):
    from sklearn.datasets import load_digits

    images = load_digits().images / 16.0
    x_train = digits[0]
    first = x_train[0, :, 0].reshape(8, 8)
    assert any(np.allclose(first, image) for image in images)


def test_digits_split_is_seeded(digits):
    again = seqtasks.load_sequential_digits(seed=0)
    other = seqtasks.load_sequential_digits(seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(digits, again))
    assert not np.array_equal(digits[3], other[3])


def test_permuted_digits_use_one_fixed_permutation(digits):
    permutation = seqtasks.digits_permutation()
    assert sorted(permutation) == list(range(64)) and not np.array_equal(permutation, np.arange(64))
    assert np.array_equal(permutation, seqtasks.digits_permutation())
    permuted = seqtasks.load_sequential_digits(permuted=True)
    assert np.array_equal(permuted[0], digits[0][:, permutation])  # the same images, the same split
    assert np.array_equal(permuted[1], digits[1])


def test_digits_chance_is_one_in_ten_and_the_classes_are_balanced(digits):
    assert seqtasks.digits_chance_accuracy() == 0.1
    counts = np.bincount(np.concatenate([digits[1], digits[3]]))
    assert counts.sum() == N_DIGITS and counts.min() >= 174 and counts.max() <= 183
    assert counts.max() / N_DIGITS < 0.102  # always answering one digit is no better than chance


def test_digits_reject_a_bad_test_size():
    with pytest.raises(ValueError, match="test_size must be an integer between 1 and 1796"):
        seqtasks.load_sequential_digits(test_size=N_DIGITS)


# -- names ---------------------------------------------------------------------------------------
def test_names_are_the_census_lists_lower_cased():
    names = seqtasks.load_names()
    assert len(names) == N_NAMES == len(set(names)) and names == sorted(names)
    assert all(n.isalpha() and n.islower() and n.isascii() and 2 <= len(n) <= 11 for n in names)
    assert {"mary", "james", "emma", "john"} <= set(names)
    lines = sum(len((DATASETS / "seqtasks" / "data" / f).read_text().splitlines())
                for f in ("dist.male.first", "dist.female.first"))
    assert lines == 1219 + 4275  # some names are in both lists: 331 of them


def test_names_split_is_seeded_and_disjoint():
    train, test = seqtasks.split_names()
    assert len(test) == 1000 and len(train) == N_NAMES - 1000 and not set(train) & set(test)
    assert (train, test) == seqtasks.split_names(seed=0) and test != seqtasks.split_names(seed=1)[1]


def test_encode_and_decode_names():
    x, y, mask = seqtasks.encode_names(["emma", "al"])
    e, m, a = (seqtasks.NAMES_VOCAB.index(c) for c in "ema")
    assert x.tolist() == [[1, e, m, m, a], [1, a, seqtasks.NAMES_VOCAB.index("l"), 0, 0]]
    assert y.tolist() == [[e, m, m, a, 1], [a, seqtasks.NAMES_VOCAB.index("l"), 1, 0, 0]]
    assert mask.tolist() == [[1] * 5, [1, 1, 1, 0, 0]]
    assert seqtasks.decode_names(y) == ["emma", "al"] and seqtasks.decode_names(x[:, 1:]) == ["emma", "al"]
    assert len(seqtasks.NAMES_VOCAB) == 28 and seqtasks.NAMES_VOCAB[:2] == ("<pad>", ".")
    with pytest.raises(ValueError, match="outside a..z"):
        seqtasks.encode_names(["Zoe"])


def _ngram_by_hand(train, test, order):
    """The same add-one estimate, counted with dictionaries: p over the 27 tokens '.', a..z."""
    alphabet = "." + "abcdefghijklmnopqrstuvwxyz"
    pairs = lambda name: list(zip("." + name, name + "."))  # (previous, next) for every prediction
    if order == 1:
        counts = collections.Counter(nxt for n in train for _, nxt in pairs(n))
        total = sum(counts.values()) + 27
        p = lambda prev, nxt: (counts[nxt] + 1) / total
    else:
        counts = collections.Counter(pair for n in train for pair in pairs(n))
        rows = {a: sum(counts[a, b] for b in alphabet) + 27 for a in alphabet}
        p = lambda prev, nxt: (counts[prev, nxt] + 1) / rows[prev]
    bits = [-math.log2(p(prev, nxt)) for n in test for prev, nxt in pairs(n)]
    return sum(bits) / len(bits)


@pytest.mark.parametrize("order", [1, 2])
def test_ngram_baselines_are_computed_exactly(order):
    train, test = seqtasks.split_names()
    assert seqtasks.ngram_bits_per_char(train, test, order) == pytest.approx(_ngram_by_hand(train, test, order),
                                                                             rel=1e-12)


def test_ngram_baselines_order_and_values():
    train, test = seqtasks.split_names()
    unigram, bigram = (seqtasks.ngram_bits_per_char(train, test, k) for k in (1, 2))
    assert bigram < unigram < math.log2(27)
    assert unigram == pytest.approx(4.078, abs=1e-3) and bigram == pytest.approx(3.421, abs=1e-3)
    # a bigram counted on the test names themselves does better still: the estimate is honest
    assert seqtasks.ngram_bits_per_char(test, test, 2) < bigram
    with pytest.raises(ValueError, match="order must be 1"):
        seqtasks.ngram_bits_per_char(train, test, 3)


def test_real_name_share():
    assert seqtasks.real_name_share(["emma", "xq", "john", "emma"], ["emma", "john"]) == 0.75
    assert seqtasks.real_name_share([], ["emma"]) == 0.0


# -- offline -------------------------------------------------------------------------------------
OFFLINE = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network disabled by the kit's offline test")
socket.socket.connect = socket.socket.connect_ex = refuse
socket.create_connection = socket.getaddrinfo = refuse
sys.path.insert(0, sys.argv[1])
import seqtasks
digits = seqtasks.load_sequential_digits(permuted=True)
train, test = seqtasks.split_names()
print(len(digits[0]) + len(digits[2]), len(train) + len(test))
"""


def test_lab6_data_loads_with_the_network_unavailable():
    result = subprocess.run([sys.executable, "-c", OFFLINE, str(DATASETS)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [str(N_DIGITS), str(N_NAMES)]
