"""Tests of the sequence-task generators in ``datasets/seqtasks`` (NumPy only, a few seconds).

For every task: shapes and dtypes, determinism, the layout that defines the task, the chance
baseline against its formula and measured on generated data, and the messages for bad arguments.
"""

import hashlib
import math

import numpy as np
import pytest

import seqtasks
from seqtasks import (
    AGREEMENT_VOCAB,
    RIGHT_CONTEXT_VOCAB,
    TEMPORAL_ORDER_SYMBOLS,
    adding_baseline,
    adding_baseline_mse,
    agreement_baseline,
    agreement_chance_cross_entropy,
    agreement_closest_noun_accuracy,
    agreement_length,
    copy_memory_baseline,
    copy_memory_length,
    copy_memory_memoryless_predictions,
    decode_agreement,
    decode_right_context,
    decode_temporal_order,
    make_adding_problem,
    make_agreement,
    make_agreement_varied,
    make_copy_memory,
    make_right_context,
    make_temporal_order,
    right_context_baseline,
    temporal_order_baseline,
    temporal_order_chance_accuracy,
    temporal_order_windows,
)

# One small call per task; every generator returns a tuple of arrays.
GENERATORS = {
    "adding": lambda seed: make_adding_problem(64, 12, seed=seed),
    "temporal_order": lambda seed: make_temporal_order(64, 20, seed=seed),
    "copy_memory": lambda seed: make_copy_memory(64, 5, seed=seed),
    "agreement": lambda seed: make_agreement(64, clause_len=4, seed=seed),
    "right_context": lambda seed: make_right_context(64, 10, seed=seed),
}

AGREEMENT_NOUNS = {"guy": 0, "student": 0, "friend": 0, "teacher": 0,
                   "guys": 1, "students": 1, "friends": 1, "teachers": 1}


def fingerprint(arrays):
    """A short hash of the arrays' dtypes, shapes and bytes, little-endian on every machine."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.asarray(array)
        array = array.astype(array.dtype.newbyteorder("<"))
        digest.update(array.dtype.str.encode())
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def held_out_lookup_accuracy(train_keys, train_labels, test_keys, test_labels, n_classes=2):
    """Fit "majority label per key" on one sample and score it on another.

    This is the best any predictor using only ``keys`` can do, up to sampling error: if the keys
    carry no information about the label it scores chance, if they determine it, 1.0.
    """
    n_keys = int(max(train_keys.max(), test_keys.max())) + 1
    counts = np.zeros((n_keys, n_classes))
    np.add.at(counts, (train_keys, train_labels), 1)
    majority = counts.argmax(axis=1)
    return float(np.mean(majority[test_keys] == test_labels))


# -- every task ----------------------------------------------------------------------------------

@pytest.mark.parametrize("task", sorted(GENERATORS))
def test_same_seed_gives_identical_arrays(task):
    first, second = GENERATORS[task](0), GENERATORS[task](0)
    assert len(first) == len(second)
    for a, b in zip(first, second):
        assert a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.parametrize("task", sorted(GENERATORS))
def test_different_seeds_give_different_inputs(task):
    assert not np.array_equal(GENERATORS[task](0)[0], GENERATORS[task](1)[0])


@pytest.mark.parametrize("task", sorted(GENERATORS))
def test_inputs_are_float32_and_seeding_does_not_touch_global_state(task):
    np.random.seed(123)
    expected_next = np.random.random()
    np.random.seed(123)
    x = GENERATORS[task](0)[0]
    assert x.dtype == np.float32 and x.ndim == 3
    assert np.random.random() == expected_next  # only the task's own Generator was used


# Frozen on NumPy 2.x: NumPy promises stable streams for default_rng (PCG64), so a change here means
# students on different machines would get different data.
FINGERPRINTS = {
    "adding": (lambda: make_adding_problem(8, 10, seed=0), "5dfe3673be32de50"),
    "temporal_order": (lambda: make_temporal_order(8, 20, seed=0), "c643c2b1a78757d9"),
    "copy_memory": (lambda: make_copy_memory(8, 5, seed=0), "454b26a484616203"),
    "agreement": (lambda: make_agreement(8, clause_len=3, seed=0), "23a056d4da050d45"),
    "right_context": (lambda: make_right_context(8, 10, seed=0), "fbf73d4b4e97aa97"),
}


@pytest.mark.parametrize("task", sorted(FINGERPRINTS))
def test_arrays_match_the_frozen_fingerprint(task):
    make, expected = FINGERPRINTS[task]
    assert fingerprint(make()) == expected


@pytest.mark.parametrize("make", [
    lambda **kw: make_adding_problem(**{"n": 4, "T": 10, **kw}),
    lambda **kw: make_temporal_order(**{"n": 4, "T": 20, **kw}),
    lambda **kw: make_copy_memory(**{"n": 4, "T": 5, **kw}),
    lambda **kw: make_agreement(**{"n": 4, "clause_len": 3, **kw}),
    lambda **kw: make_right_context(**{"n": 4, "T": 10, **kw}),
], ids=["adding", "temporal_order", "copy_memory", "agreement", "right_context"])
def test_bad_n_and_seed_are_rejected_with_a_hint(make):
    with pytest.raises(ValueError, match=(
            r"n must be at least 1 .*got 0 \(it is the number of sequences"
    )):
        make(n=0)
    with pytest.raises(ValueError, match=(
            r"n must be an integer .*got 2\.5 \(float\); pass e\.g\. n=1"
    )):
        make(n=2.5)
    with pytest.raises(ValueError, match=(
            r"seed must be a non-negative integer .*got None; pass e\.g\. seed=0"
    )):
        make(seed=None)
    with pytest.raises(ValueError, match=r"seed must be a non-negative integer .*got -1"):
        make(seed=-1)
    with pytest.raises(ValueError, match=r"seed must be .*got True"):
        make(seed=True)


def test_numpy_integers_are_accepted_as_sizes_and_seeds():
    x, _ = make_adding_problem(np.int64(3), np.int32(6), seed=np.uint8(7))
    assert x.shape == (3, 6, 2)
    assert np.array_equal(x, make_adding_problem(3, 6, seed=7)[0])


def test_package_exports_the_public_api():
    for name in ("make_adding_problem", "make_temporal_order", "make_copy_memory", "make_agreement",
                 "make_right_context"):
        assert name in seqtasks.__all__ and callable(getattr(seqtasks, name))
    for name in seqtasks.__all__:
        assert hasattr(seqtasks, name), name
    # The package must be ours, from datasets/, not Hugging Face's `datasets`.
    assert seqtasks.__file__.replace("\\", "/").endswith("datasets/seqtasks/__init__.py")


# -- adding problem ------------------------------------------------------------------------------

@pytest.mark.parametrize("T", [2, 7, 12])
def test_adding_shapes_and_marker_layout(T):
    n = 500
    x, y = make_adding_problem(n, T, seed=3)
    assert x.shape == (n, T, 2) and x.dtype == np.float32
    assert y.shape == (n, 1) and y.dtype == np.float32
    values, markers = x[:, :, 0], x[:, :, 1]
    assert values.min() >= 0.0 and values.max() < 1.0
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = T // 2
    assert np.all(markers[:, :half].sum(axis=1) == 1)  # exactly one marker in the first half
    assert np.all(markers[:, half:].sum(axis=1) == 1)  # and one in the second half
    # float32 sums of two values plus zeros are exact, so y must equal the marked sum exactly.
    assert np.array_equal(y[:, 0], (values * markers).sum(axis=1))


def test_adding_marker_positions_cover_each_half():
    T = 8
    x, _ = make_adding_problem(4000, T, seed=0)
    positions = np.argwhere(x[:, :, 1] == 1)[:, 1]
    assert set(positions) == set(range(T))
    counts = np.bincount(positions, minlength=T)
    assert counts.min() > 0.8 * 1000  # ~uniform: 1000 expected per position


def test_adding_baseline_formula_and_measured():
    assert adding_baseline() == pytest.approx(1 / 6, abs=1e-15)
    _, y = make_adding_problem(200_000, 10, seed=0)
    measured = adding_baseline_mse(y)
    assert abs(measured - 1 / 6) < 0.005
    # Predicting 1 is the best constant: the data's own mean is ~1 and does no better.
    assert abs(y.mean() - 1.0) < 0.005
    assert measured <= np.mean((y - y.mean()) ** 2) + 1e-4


def test_adding_baseline_mse_of_known_targets():
    assert adding_baseline_mse(np.array([[1.0], [0.0], [2.0]])) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="y is empty"):
        adding_baseline_mse(np.zeros((0, 1)))


def test_adding_rejects_bad_lengths():
    with pytest.raises(ValueError, match=(
            r"T must be at least 2 for the adding problem, got 1 \(one marker goes in each half"
    )):
        make_adding_problem(10, 1)
    with pytest.raises(ValueError, match=(
            r"T must be an integer for the adding problem, got 10\.0 \(float\)"
    )):
        make_adding_problem(10, 10.0)


# -- temporal order ------------------------------------------------------------------------------

def test_temporal_order_windows_scale_with_T():
    assert temporal_order_windows(100) == ((10, 20), (50, 60))  # Hochreiter & Schmidhuber's T
    assert temporal_order_windows(10) == ((1, 2), (5, 6))
    assert temporal_order_windows(55) == ((5, 11), (27, 33))


@pytest.mark.parametrize("T", [10, 37, 100])
def test_temporal_order_layout_and_labels(T):
    n = 400
    x, y = make_temporal_order(n, T, seed=2)
    assert x.shape == (n, T, 6) and x.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int32
    assert np.all(x.sum(axis=-1) == 1)  # one-hot
    ids = x.argmax(axis=-1)
    relevant = ids < 2  # X = 0, Y = 1
    assert np.all(relevant.sum(axis=1) == 2)
    (a, b), (c, d) = temporal_order_windows(T)
    where = np.argwhere(relevant)[:, 1].reshape(n, 2)
    assert np.all((a <= where[:, 0]) & (where[:, 0] < b))
    assert np.all((c <= where[:, 1]) & (where[:, 1] < d))
    rows = np.arange(n)
    assert np.array_equal(y, 2 * ids[rows, where[:, 0]] + ids[rows, where[:, 1]])
    assert np.array_equal(np.bincount(y, minlength=4), [n // 4] * 4)  # exactly balanced


def test_temporal_order_decode():
    x, y = make_temporal_order(3, 30, seed=0)
    text = decode_temporal_order(x[0])
    assert len(text) == 30 and set(text) <= set(TEMPORAL_ORDER_SYMBOLS)
    relevant = "".join(ch for ch in text if ch in "XY")
    assert relevant == seqtasks.TEMPORAL_ORDER_CLASSES[y[0]]
    assert decode_temporal_order(x[0].argmax(-1)) == text  # ids work too
    with pytest.raises(ValueError, match=(
            r"must have 6 features .*pass one sequence such as x\[0\]"
    )):
        decode_temporal_order(np.zeros((30, 5)))
    with pytest.raises(ValueError, match="decode x\\[i\\] for each i"):
        decode_temporal_order(x)


def test_temporal_order_baselines_formula_and_measured():
    assert temporal_order_baseline() == pytest.approx(math.log(4), abs=1e-15)
    assert temporal_order_chance_accuracy() == 0.25
    x, y = make_temporal_order(20_000, 20, seed=0)
    # Best constant prediction = the class frequencies: its cross-entropy is ln 4, its accuracy 1/4.
    freq = np.bincount(y, minlength=4) / len(y)
    assert -np.mean(np.log(freq[y])) == pytest.approx(math.log(4), abs=1e-12)
    assert np.mean(y == freq.argmax()) == pytest.approx(0.25, abs=1e-12)
    # The distractors carry no information: a predictor keyed on the last two symbols is at chance.
    x_test, y_test = make_temporal_order(20_000, 20, seed=1)
    keys, keys_test = (6 * v.argmax(-1)[:, -1] + v.argmax(-1)[:, -2] for v in (x, x_test))
    accuracy = held_out_lookup_accuracy(keys, y, keys_test, y_test, n_classes=4)
    assert abs(accuracy - 0.25) < 0.02


def test_temporal_order_rejects_short_sequences():
    with pytest.raises(ValueError, match=(
            r"T must be at least 10 for the temporal order task, got 9 \(shorter sequences"
    )):
        make_temporal_order(10, 9)


# -- copy memory ---------------------------------------------------------------------------------

@pytest.mark.parametrize("T", [1, 2, 15, 100])
def test_copy_memory_layout_is_the_papers(T):
    n = 300
    x, y = make_copy_memory(n, T, seed=4)
    length = T + 20
    assert copy_memory_length(T) == length
    assert x.shape == (n, length, 10) and x.dtype == np.float32
    assert y.shape == (n, length) and y.dtype == np.int32
    assert np.all(x.sum(axis=-1) == 1)
    ids = x.argmax(axis=-1)
    data = ids[:, :10]
    assert data.min() >= 1 and data.max() <= 8                        # 10 data symbols from 1..8
    assert np.all(ids[:, 10:10 + T - 1] == 0)                         # T - 1 blanks
    assert np.all(ids[:, T + 9] == 9)                                 # the delimiter
    assert np.all(ids[:, T + 10:] == 0)                               # 10 blanks
    assert np.all(y[:, :T + 10] == 0)                                 # T + 10 blank targets
    assert np.array_equal(y[:, T + 10:], data)                        # then the data, in order


def test_copy_memory_data_symbols_are_uniform_over_1_to_8():
    _, y = make_copy_memory(5000, 3, seed=0)
    counts = np.bincount(y[:, -10:].ravel(), minlength=10)
    assert counts[0] == 0 and counts[9] == 0
    assert np.all(np.abs(counts[1:9] / 50_000 - 1 / 8) < 0.01)


def test_copy_memory_baseline_formula():
    for T in (1, 100, 500):
        assert copy_memory_baseline(T) == pytest.approx(10 * math.log(8) / (T + 20), rel=1e-15)
    assert copy_memory_baseline(100) == pytest.approx(0.1732867951, abs=1e-9)


@pytest.mark.parametrize("T", [10, 100])
def test_copy_memory_baseline_measured_on_data(T):
    _, y = make_copy_memory(2000, T, seed=0)
    probs = copy_memory_memoryless_predictions(T)
    assert probs.shape == (T + 20, 10) and np.allclose(probs.sum(axis=1), 1.0)
    p_of_target = probs[np.arange(T + 20)[None, :], y]
    assert -np.mean(np.log(p_of_target)) == pytest.approx(copy_memory_baseline(T), abs=1e-6)
    # And it is the best memoryless predictor: the per-step target frequencies do no better.
    freq = np.stack([np.bincount(y[:, t], minlength=10) for t in range(T + 20)]) / len(y)
    memoryless_best = -np.mean(np.log(freq[np.arange(T + 20)[None, :], y]))
    assert memoryless_best == pytest.approx(copy_memory_baseline(T), abs=0.005)


def test_copy_memory_rejects_bad_delay():
    with pytest.raises(ValueError, match=(
            r"T must be at least 1 for the copy memory task, got 0 \(the input holds T - 1 blanks"
    )):
        make_copy_memory(10, 0)
    with pytest.raises(ValueError, match=r"T must be at least 1 for the copy memory task, got -5"):
        copy_memory_baseline(-5)


# -- agreement -----------------------------------------------------------------------------------

def agreement_ids(x):
    return x.argmax(axis=-1)


def number_of(ids):
    words = np.array(AGREEMENT_VOCAB)[ids]
    return np.vectorize(lambda w: AGREEMENT_NOUNS.get(w, -1))(words)


@pytest.mark.parametrize("clause_len", [1, 4, 20])
@pytest.mark.parametrize("attractor", ["random", "opposite"])
def test_agreement_layout_and_labels(clause_len, attractor):
    n = 400
    x, y = make_agreement(n, clause_len=clause_len, seed=5, attractor=attractor)
    T = agreement_length(clause_len)
    assert T == clause_len + 5
    assert x.shape == (n, T, len(AGREEMENT_VOCAB)) and x.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int32
    assert np.all(x.sum(axis=-1) == 1)
    words = np.array(AGREEMENT_VOCAB)[agreement_ids(x)]
    assert np.all(words[:, 0] == "the") and np.all(words[:, 2] == ",")
    assert np.all(words[:, 3] == "who") and np.all(words[:, -1] == ",")
    numbers = number_of(agreement_ids(x))
    assert np.array_equal(numbers[:, 1], y)                 # the subject's number is the label
    assert np.all(numbers[:, T - 2] >= 0)                   # the attractor is a noun
    assert np.all(numbers[:, 4:T - 2] == -1)                # the fillers are not
    assert np.array_equal(np.bincount(y, minlength=2), [n // 2, n // 2])
    if attractor == "opposite":
        assert np.array_equal(numbers[:, T - 2], 1 - y)
    else:
        agree = np.mean(numbers[:, T - 2] == y)
        assert 0.4 < agree < 0.6


@pytest.mark.parametrize("attractor", ["random", "opposite"])
def test_varied_agreement_pads_on_the_left_and_keeps_each_sentence_intact(attractor):
    n, low, high = 600, 2, 9
    x, y, clause_len = make_agreement_varied(n, low, high, seed=4, attractor=attractor)
    assert x.shape == (n, high + 5, len(AGREEMENT_VOCAB)) and x.dtype == np.float32 and y.dtype == np.int32
    assert clause_len.min() == low and clause_len.max() == high  # both ends included
    assert set(np.unique(clause_len)) == set(range(low, high + 1))
    real = x.any(axis=-1)
    for row, label, length, mask in zip(x, y, clause_len, real):
        T = int(length) + 5
        assert mask.sum() == T and not mask[:-T].any() and mask[-T:].all()  # zeros first, then the sentence
        ids = row[-T:].argmax(-1)
        numbers = number_of(ids)
        assert numbers[1] == label and numbers[T - 2] >= 0 and np.all(numbers[4:T - 2] == -1)
        if attractor == "opposite":
            assert numbers[T - 2] == 1 - label
    assert 0.45 < np.mean(y) < 0.55


def test_varied_agreement_is_seeded_and_checks_its_range():
    first, second = make_agreement_varied(40, 1, 5, seed=3), make_agreement_varied(40, 1, 5, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[0], make_agreement_varied(40, 1, 5, seed=4)[0])
    with pytest.raises(ValueError, match="max_clause_len"):
        make_agreement_varied(10, 5, 4)
    with pytest.raises(ValueError, match="min_clause_len"):
        make_agreement_varied(10, 0, 4)


def test_agreement_T_and_clause_len_are_two_ways_to_the_same_data():
    by_T = make_agreement(50, 9, seed=1)
    by_clause = make_agreement(50, clause_len=4, seed=1)
    for a, b in zip(by_T, by_clause):
        assert np.array_equal(a, b)


def test_agreement_attractor_modes_differ_only_at_the_attractor():
    x_random, y_random = make_agreement(300, clause_len=3, seed=0, attractor="random")
    x_opposite, y_opposite = make_agreement(300, clause_len=3, seed=0, attractor="opposite")
    assert np.array_equal(y_random, y_opposite)
    differ = np.any(x_random != x_opposite, axis=-1)
    assert differ.any() and not differ[:, :-2].any() and not differ[:, -1].any()


def test_agreement_baselines_and_the_closest_noun_heuristic():
    assert agreement_baseline() == 0.5
    assert agreement_chance_cross_entropy() == pytest.approx(math.log(2), abs=1e-15)

    x, y = make_agreement(20_000, clause_len=6, seed=0, attractor="opposite")
    assert agreement_closest_noun_accuracy(x, y) == 0.0
    assert np.mean(number_of(agreement_ids(x))[:, 1] == y) == 1.0  # the subject solves it
    assert np.mean(y == 0) == 0.5                                   # constant answer: chance

    x, y = make_agreement(20_000, clause_len=6, seed=0, attractor="random")
    assert abs(agreement_closest_noun_accuracy(x, y) - 0.5) < 0.02
    assert agreement_closest_noun_accuracy(x.argmax(-1), y) == agreement_closest_noun_accuracy(x, y)
    # Without the subject nothing helps: a predictor keyed on the attractor and the last filler is
    # at chance on held-out data.
    x_test, y_test = make_agreement(20_000, clause_len=6, seed=1, attractor="random")
    V = len(AGREEMENT_VOCAB)
    keys, keys_test = (V * v.argmax(-1)[:, -2] + v.argmax(-1)[:, -3] for v in (x, x_test))
    assert abs(held_out_lookup_accuracy(keys, y, keys_test, y_test) - 0.5) < 0.02


def test_agreement_decode():
    x, y = make_agreement(4, clause_len=3, seed=0)
    text = decode_agreement(x[0])
    words = [AGREEMENT_VOCAB[i] for i in x[0].argmax(-1)]
    assert text.startswith(f"the {words[1]}, who ") and text.endswith(f"{words[-2]},")
    assert decode_agreement(x[0], y[0]) == text + " " + ("was" if y[0] == 0 else "were")
    assert decode_agreement(x[0].argmax(-1)) == text
    with pytest.raises(ValueError, match=(
            r"label must be 0 \(singular, 'was'\) or 1 \(plural, 'were'\), got 2"
    )):
        decode_agreement(x[0], 2)


def test_agreement_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"pass exactly one of T .* or clause_len"):
        make_agreement(10)
    with pytest.raises(ValueError, match=r"pass exactly one of T .* Got T=9, clause_len=4"):
        make_agreement(10, 9, clause_len=4)
    with pytest.raises(ValueError, match=(
            r"clause_len must be at least 1 for the agreement task, got 0"
    )):
        make_agreement(10, clause_len=0)
    with pytest.raises(ValueError, match=(
            r"T must be at least 6 for the agreement task, got 5 .*T = clause_len \+ 5"
    )):
        make_agreement(10, 5)
    with pytest.raises(ValueError, match=(
            r"attractor must be one of 'random', 'opposite' .*got 'same'"
    )):
        make_agreement(10, clause_len=2, attractor="same")
    x, y = make_agreement(10, clause_len=2)
    with pytest.raises(ValueError, match=r"y must have shape \(10,\) to match x, got \(9,\)"):
        agreement_closest_noun_accuracy(x, y[:9])
    with pytest.raises(ValueError, match=r"one-hot \(n, T, 21\) or integer ids \(n, T\)"):
        agreement_closest_noun_accuracy(x[0], y)


# -- right context -------------------------------------------------------------------------------

DEEP, LEARNING, SEA = (RIGHT_CONTEXT_VOCAB.index(w) for w in ("deep", "learning", "sea"))


@pytest.mark.parametrize("T, distance", [(2, 1), (10, None), (30, 7), (30, 29)])
def test_right_context_layout_and_labels(T, distance):
    n = 600
    x, y, mask = make_right_context(n, T, seed=6, distance=distance)
    distance = T // 2 if distance is None else distance
    assert x.shape == (n, T, len(RIGHT_CONTEXT_VOCAB)) and x.dtype == np.float32
    assert y.shape == (n, T) and y.dtype == np.int32
    assert mask.shape == (n, T) and mask.dtype == bool
    assert np.all(x.sum(axis=-1) == 1)
    assert np.all(mask.sum(axis=1) == 1)                   # one scored step per sequence
    assert np.all(y[~mask] == 0)                            # placeholders elsewhere
    ids = x.argmax(axis=-1)
    rows, p = np.nonzero(mask)
    assert np.all(ids[rows, p] == DEEP)
    later = ids[rows, p + distance]
    assert np.all((later == LEARNING) | (later == SEA))
    assert np.array_equal(y[rows, p], (later == SEA).astype(int))  # decided by the later word
    assert np.all((ids == DEEP).sum(axis=1) == 1)
    assert np.all(((ids == LEARNING) | (ids == SEA)).sum(axis=1) == 1)
    assert set(p) == set(range(T - distance))               # "deep" can sit anywhere it fits
    assert np.array_equal(np.bincount(y[mask], minlength=2), [n // 2, n // 2])


def test_right_context_causal_best_is_chance_and_right_context_solves_it():
    assert right_context_baseline() == 0.5
    T, distance = 12, 4

    def features(seed):
        x, y, mask = make_right_context(40_000, T, seed=seed, distance=distance)
        ids = x.argmax(-1)
        rows, p = np.nonzero(mask)
        before = np.where(p > 0, ids[rows, np.maximum(p - 1, 0)], len(RIGHT_CONTEXT_VOCAB))
        causal = p * (len(RIGHT_CONTEXT_VOCAB) + 1) + before  # what a left-to-right model knows
        right = ids[rows, p + distance]                       # what a bidirectional one also sees
        return causal, right, y[rows, p]

    causal, right, labels = features(0)
    causal_test, right_test, labels_test = features(1)
    # sigma of an accuracy over 40k coin flips is 0.0025: allow 6 sigma.
    assert abs(held_out_lookup_accuracy(causal, labels, causal_test, labels_test) - 0.5) < 0.015
    assert np.mean(labels_test == 0) == 0.5
    assert held_out_lookup_accuracy(right, labels, right_test, labels_test) == 1.0


def test_right_context_decode():
    x, y, mask = make_right_context(3, 8, seed=0, distance=3)
    text = decode_right_context(x[0])
    words = text.split(" ")
    assert len(words) == 8 and words.count("deep") == 1
    p = words.index("deep")
    assert bool(mask[0, p]) and words[p + 3] == seqtasks.RIGHT_CONTEXT_LABELS[y[0, p]]
    assert decode_right_context(x[0].argmax(-1)) == text
    with pytest.raises(ValueError, match=(
            r"token ids for the right-context task must lie in 0\.\.12, got values from 0 to 13"
    )):
        decode_right_context(np.array([0, 13]))


def test_right_context_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"T must be at least 2 for the right-context task, got 1"):
        make_right_context(10, 1)
    with pytest.raises(ValueError, match=(
            r"distance must be at most T - 1 = 9 .*got 10; pass a smaller distance or a larger T"
    )):
        make_right_context(10, 10, distance=10)
    with pytest.raises(ValueError, match=(
            r"distance must be at least 1 for the right-context task, got 0"
    )):
        make_right_context(10, 10, distance=0)
