"""US first names, for a character-level language model (Karpathy's char-rnn / makemore, small).

The list is bundled in ``data/``: ``dist.male.first`` (1,219 names) and ``dist.female.first``
(4,275 names), the first-name files of the 1990 US Census, as the Census Bureau published them
(name, frequency in per cent, cumulative per cent, rank). A work of the US Government: public
domain. Copied unchanged from the ``names`` package on PyPI (version 0.3.0, 2013), which is not
needed at run time (``data/README.md`` says why and how). Lower-cased and merged, they give
5,163 distinct names of 2 to 11 letters a..z.

Encoding. Token 0 pads, token 1 is ``"."``, the boundary that starts and ends every name (as in
makemore), tokens 2..27 are ``a``..``z``: a vocabulary of V = 28. A name of n letters becomes the
input ``. c_1 .. c_n`` and the target ``c_1 .. c_n .``: n + 1 predictions, the end included.
"""

from pathlib import Path

import numpy as np

from ._validation import check_seed

TASK = "names"
DATA_DIR = Path(__file__).resolve().parent / "data"
NAMES_FILES = ("dist.male.first", "dist.female.first")
PAD, BOUNDARY = 0, 1
NAMES_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
NAMES_VOCAB = ("<pad>", ".") + tuple(NAMES_ALPHABET)
NAMES_TEST_SIZE = 1000


def load_names():
    """Every distinct first name, lower-case, sorted: a list of 5,163 strings."""
    names = set()
    for filename in NAMES_FILES:
        for line in (DATA_DIR / filename).read_text().splitlines():
            if line.strip():
                names.add(line.split()[0].lower())
    return sorted(names)


def split_names(seed=0, test_size=NAMES_TEST_SIZE):
    """``(train, test)``: two disjoint lists of names, a seeded random split."""
    seed = check_seed(seed)
    names = load_names()
    if not isinstance(test_size, (int, np.integer)) or not 0 < test_size < len(names):
        raise ValueError(f"test_size must be an integer between 1 and {len(names) - 1} for {TASK}, got {test_size!r}")
    order = np.random.default_rng(seed).permutation(len(names))
    return [names[i] for i in order[test_size:]], [names[i] for i in order[:test_size]]


def encode_name(name):
    """Token ids of ``name``'s letters (2..27)."""
    try:
        return [NAMES_ALPHABET.index(c) + 2 for c in name]
    except ValueError:
        raise ValueError(f"{name!r} has a character outside a..z; names are lower-case letters only") from None


def decode_names(tokens):
    """Token ids back to text: letters up to the first boundary or padding token."""
    out = []
    for row in np.atleast_2d(np.asarray(tokens)):
        letters = []
        for token in row:
            if token < 2:
                break
            letters.append(NAMES_ALPHABET[int(token) - 2])
        out.append("".join(letters))
    return out


def encode_names(names, length=None):
    """Inputs, targets and mask for next-character prediction, padded on the right with 0.

    Returns:
        x int32 ``(n, L)``: ``. c_1 .. c_k`` then padding; y int32 ``(n, L)``: ``c_1 .. c_k .``
        then padding; mask float32 ``(n, L)``: 1 at the k + 1 real predictions. L = ``length``, or
        the longest name plus one.
    """
    encoded = [encode_name(name) for name in names]
    longest = max(len(e) for e in encoded) + 1
    length = longest if length is None else length
    if length < longest:
        raise ValueError(f"length={length} is too short: the longest name needs {longest} steps")
    x = np.zeros((len(names), length), np.int32)
    y = np.zeros((len(names), length), np.int32)
    for i, e in enumerate(encoded):
        x[i, :len(e) + 1] = [BOUNDARY] + e
        y[i, :len(e) + 1] = e + [BOUNDARY]
    return x, y, (y > 0).astype(np.float32)


def _counts(train, order):
    """Counts with add-one smoothing: unigram (V,) or bigram (V, V) over tokens 1..27."""
    vocab = len(NAMES_VOCAB)
    x, y, mask = encode_names(train)
    counts = np.ones((vocab,) * order)
    counts[..., PAD] = 0  # padding is never predicted
    if order == 2:
        counts[PAD] = 0
    real = mask > 0
    np.add.at(counts, (y[real],) if order == 1 else (x[real], y[real]), 1)
    return counts


def ngram_bits_per_char(train, test, order):
    """Bits per character on ``test`` of the unigram (``order=1``) or bigram (``order=2``) model
    counted on ``train`` with add-one smoothing, computed exactly.

    p(c) = (count(c) + 1) / sum_c' (count(c') + 1) for the unigram; p(c | a) the same within the
    row of the previous token a for the bigram (the boundary "." counts as a token, so the first
    letter and the end of a name are predicted too). Bits per character is the average of
    -log2 p over every prediction of every test name: sum over names of (letters + 1) predictions.
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 (unigram) or 2 (bigram), got {order!r}")
    counts = _counts(train, order)
    probs = counts / np.maximum(counts.sum(axis=-1, keepdims=True), 1)  # the padding row stays 0
    x, y, mask = encode_names(test)
    real = mask > 0
    p = probs[y[real]] if order == 1 else probs[x[real], y[real]]
    return float(np.mean(-np.log2(p)))


def real_name_share(samples, names):
    """The share of ``samples`` (strings) that are names of the list ``names``."""
    known = set(names)
    return float(np.mean([s in known for s in samples])) if len(samples) else 0.0
