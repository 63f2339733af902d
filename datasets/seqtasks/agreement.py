"""Subject-verb number agreement across a relative clause with an attractor.

"That guy, who we met at the airport, was one of my students": the verb agrees with "guy", not
with the noun nearest to it. This task is a tiny synthetic version. Each sentence is

    token     the  SUBJECT  ,  who  FILLER x (clause_len - 1)  ATTRACTOR       ,
    position  0    1        2  3    4 .. clause_len + 2        clause_len + 3  clause_len + 4

    then the model predicts the verb: "was" (label 0) or "were" (label 1).

* SUBJECT is a singular or plural noun; its number is the label (0 = singular "was",
  1 = plural "were"). Labels are exactly balanced (up to n % 2) and shuffled.
* The relative clause after "who" has ``clause_len`` tokens: ``clause_len - 1`` fillers drawn
  uniformly from a list of non-nouns, then the ATTRACTOR noun, the noun closest to the verb.
  Its number is set by ``attractor``:

    "random" (default, for training): an independent fair coin. The attractor then says nothing
        about the label, so the only way to be right is to carry the subject's number across the
        clause. The closest-noun heuristic scores 50%, i.e. chance.
    "opposite" (for evaluation): always the other number than the subject's, as in the
        sentences with attractors of Linzen et al. A model that agrees with the closest noun
        scores 0%; one that tracks the subject scores 100%. Do not train on it alone: there
        "answer the opposite of the last noun" is a 100% shortcut that needs no memory.
* ``make_agreement_varied`` mixes clause lengths in one batch (left-padded with zero rows, for
  ``keras.layers.Masking``), as natural text mixes sentence lengths.
* The sentence stops at the closing comma; the verb is not in x. The model answers at the last
  step. Length: ``agreement_length(clause_len) = clause_len + 5``.

Subject and attractor nouns are drawn independently from the same four lemmas. The fillers form
word salad rather than grammatical clauses: what matters is that they carry no number information.

Attractors come from the agreement studies of Linzen, Dupoux & Goldberg (2016, "Assessing the
ability of LSTMs to learn syntax-sensitive dependencies", TACL).
"""

import math

import numpy as np

from ._encoding import batch_token_ids, one_hot, row_token_ids
from ._validation import check_choice, check_count, check_int, check_seed

TASK = "the agreement task"

_SINGULAR_NOUNS = ["guy", "student", "friend", "teacher"]
_PLURAL_NOUNS = ["guys", "students", "friends", "teachers"]  # same lemmas, same order
_FILLERS = ["we", "you", "met", "saw", "knew", "at", "near", "with", "yesterday", "often"]

AGREEMENT_VOCAB = ["the", ",", "who"] + _SINGULAR_NOUNS + _PLURAL_NOUNS + _FILLERS
AGREEMENT_VERBS = ["was", "were"]  # indexed by the label: 0 = singular, 1 = plural
AGREEMENT_OVERHEAD = 5  # "the", subject, ",", "who", and the closing ","
AGREEMENT_ATTRACTORS = ("random", "opposite")

_THE, _COMMA, _WHO = 0, 1, 2
_NOUN_START = 3
_N_LEMMAS = len(_SINGULAR_NOUNS)
_FILLER_START = _NOUN_START + 2 * _N_LEMMAS
_VOCAB_SIZE = len(AGREEMENT_VOCAB)

# Grammatical number of every token: 0 singular, 1 plural, -1 for non-nouns.
_NUMBER_OF_TOKEN = np.full(_VOCAB_SIZE, -1)
_NUMBER_OF_TOKEN[_NOUN_START:_NOUN_START + _N_LEMMAS] = 0
_NUMBER_OF_TOKEN[_NOUN_START + _N_LEMMAS:_FILLER_START] = 1


def _noun_id(lemma, number):
    return _NOUN_START + number * _N_LEMMAS + lemma


def agreement_length(clause_len):
    """Sentence length T for a relative clause of ``clause_len`` tokens: ``clause_len + 5``."""
    clause_len = check_int("clause_len", clause_len, 1, TASK,
                           reason="the relative clause holds at least the attractor noun")
    return clause_len + AGREEMENT_OVERHEAD


def _resolve_clause_len(T, clause_len):
    if (T is None) == (clause_len is None):
        raise ValueError(
            f"pass exactly one of T (the sentence length, at least {AGREEMENT_OVERHEAD + 1}) or "
            f"clause_len (the relative clause's length, at least 1); T = clause_len + "
            f"{AGREEMENT_OVERHEAD}. Got T={T!r}, clause_len={clause_len!r}"
        )
    if clause_len is not None:
        agreement_length(clause_len)  # validates
        return int(clause_len)
    T = check_int("T", T, AGREEMENT_OVERHEAD + 1, TASK,
                  reason=f"a sentence is 'the', subject, ',', 'who', a clause of at least one "
                         f"token and ',', so T = clause_len + {AGREEMENT_OVERHEAD}")
    return T - AGREEMENT_OVERHEAD


def make_agreement(n, T=None, seed=0, *, clause_len=None, attractor="random"):
    """Generate ``n`` agreement sentences; give their length ``T`` or their ``clause_len``.

    Args:
        n: number of sentences.
        T: sentence length, at least 6. Give this or ``clause_len``, not both.
        seed: seed of ``np.random.default_rng``; the same seed gives the same arrays.
        clause_len: tokens in the relative clause (fillers + attractor), at least 1; the
            distance the subject's number must be carried is ``clause_len + 3`` steps.
        attractor: ``"random"`` (default; the attractor's number is an independent fair coin)
            or ``"opposite"`` (always the other number than the subject's; an evaluation set
            that exposes the closest-noun heuristic). With the same seed the two modes differ only
            in the attractor's number.

    Returns:
        x: float32 ``(n, T, V)``, one-hot over ``AGREEMENT_VOCAB`` (V = 21).
        y: int32 ``(n,)``, 0 = singular verb "was", 1 = plural verb "were".
    """
    n = check_count(n, TASK)
    clause_len = _resolve_clause_len(T, clause_len)
    seed = check_seed(seed)
    check_choice("attractor", attractor, AGREEMENT_ATTRACTORS, TASK)
    T = clause_len + AGREEMENT_OVERHEAD
    rng = np.random.default_rng(seed)

    labels = rng.permutation(np.arange(n) % 2)
    subject_lemma = rng.integers(0, _N_LEMMAS, size=n)
    attractor_lemma = rng.integers(0, _N_LEMMAS, size=n)
    fillers = rng.integers(_FILLER_START, _VOCAB_SIZE, size=(n, clause_len - 1))
    # Drawn last and always, so "opposite" and "random" share everything else for a given seed.
    coin = rng.integers(0, 2, size=n)
    attractor_number = 1 - labels if attractor == "opposite" else coin

    tokens = np.empty((n, T), dtype=np.int64)
    tokens[:, 0] = _THE
    tokens[:, 1] = _noun_id(subject_lemma, labels)
    tokens[:, 2] = _COMMA
    tokens[:, 3] = _WHO
    tokens[:, 4:T - 2] = fillers
    tokens[:, T - 2] = _noun_id(attractor_lemma, attractor_number)
    tokens[:, T - 1] = _COMMA
    return one_hot(tokens, _VOCAB_SIZE), labels.astype(np.int32)


def make_agreement_varied(n, min_clause_len, max_clause_len, seed=0, *, attractor="random"):
    """``n`` agreement sentences whose clause length varies, left-padded to one length.

    Each sentence draws its clause length uniformly from ``min_clause_len .. max_clause_len``
    (both included) and is then built exactly as by ``make_agreement``. Sentences shorter than the
    longest are padded on the *left* with all-zero rows, so every sentence ends at the last step,
    where the answer is read. Put ``keras.layers.Masking(mask_value=0.0)`` before the RNN: a masked
    step leaves the state unchanged, so a padded sentence gives exactly the state it gives unpadded
    (no real token is all zeros: every one-hot row holds a 1).

    Args:
        n: number of sentences.
        min_clause_len, max_clause_len: the range of clause lengths, 1 <= min <= max.
        seed: seed of ``np.random.default_rng``; the same seed gives the same arrays.
        attractor: ``"random"`` or ``"opposite"``, as in ``make_agreement``.

    Returns:
        x: float32 ``(n, max_clause_len + 5, V)``, one-hot rows after the padding.
        y: int32 ``(n,)``, 0 = "was", 1 = "were".
        clause_len: int64 ``(n,)``, each sentence's clause length; the subject's number travels
            ``clause_len + 3`` steps to the answer.
    """
    n = check_count(n, TASK)
    min_clause_len = check_int("min_clause_len", min_clause_len, 1, TASK,
                               reason="the relative clause holds at least the attractor noun")
    max_clause_len = check_int("max_clause_len", max_clause_len, min_clause_len, TASK,
                               reason="the range min_clause_len .. max_clause_len must not be empty")
    seed = check_seed(seed)
    check_choice("attractor", attractor, AGREEMENT_ATTRACTORS, TASK)
    rng = np.random.default_rng(seed)
    clause_len = rng.integers(min_clause_len, max_clause_len + 1, size=n)
    T = max_clause_len + AGREEMENT_OVERHEAD
    x = np.zeros((n, T, _VOCAB_SIZE), dtype=np.float32)
    y = np.zeros(n, dtype=np.int32)
    for length in np.unique(clause_len):
        rows = np.flatnonzero(clause_len == length)
        x_len, y_len = make_agreement(len(rows), clause_len=int(length), seed=int(rng.integers(2**31)),
                                      attractor=attractor)
        x[rows, T - x_len.shape[1]:] = x_len
        y[rows] = y_len
    return x, y, clause_len


def decode_agreement(x_row, label=None):
    """One sentence (one-hot ``(T, V)`` or ids ``(T,)``) as text, e.g.
    ``"the guy, who we met near students,"``; with ``label`` the verb is appended (``"... was"``).
    """
    ids = row_token_ids(x_row, _VOCAB_SIZE, TASK)
    words = [AGREEMENT_VOCAB[i] for i in ids]
    if label is not None:
        if label not in (0, 1):
            raise ValueError(
                f"label must be 0 (singular, 'was') or 1 (plural, 'were'), got {label!r}")
        words.append(AGREEMENT_VERBS[int(label)])
    return " ".join(words).replace(" ,", ",")


def agreement_closest_noun_predictions(x):
    """The "closest noun" heuristic: predict the number of the last noun before the verb.

    ``x`` is a batch, one-hot ``(n, T, V)`` or ids ``(n, T)``; returns int32 ``(n,)``. On this
    grammar the last noun is always the attractor.
    """
    ids = batch_token_ids(x, _VOCAB_SIZE, TASK)
    number = _NUMBER_OF_TOKEN[ids]
    is_noun = number >= 0
    if not is_noun.any(axis=1).all():
        raise ValueError("every sentence must contain a noun; pass x from make_agreement")
    last_noun = ids.shape[1] - 1 - np.argmax(is_noun[:, ::-1], axis=1)
    return number[np.arange(len(ids)), last_noun].astype(np.int32)


def agreement_closest_noun_accuracy(x, y):
    """Accuracy of the closest-noun heuristic on data ``(x, y)`` from ``make_agreement``.

    It is 0 for ``attractor="opposite"`` (the closest noun always has the wrong number) and about
    0.5 for ``attractor="random"``: the heuristic is worse than, or no better than, chance. A model
    scoring near 0 has learnt the heuristic; one near 1 tracks the subject across the clause.
    """
    predictions = agreement_closest_noun_predictions(x)
    y = np.asarray(y)
    if y.shape != predictions.shape:
        raise ValueError(f"y must have shape {predictions.shape} to match x, got {y.shape}")
    return float(np.mean(predictions == y))


def agreement_baseline():
    """Chance accuracy: 0.5.

    Derivation: the two labels are exactly balanced, so any constant answer, or a guess, is
    right half the time. With ``attractor="random"`` nothing but the subject carries information
    about the label (fillers, lemmas and the attractor's number are drawn independently of it),
    so no model that forgets the subject can beat 0.5 in expectation.
    """
    return 0.5


def agreement_chance_cross_entropy():
    """Cross-entropy of predicting 1/2 for each verb form: ln 2 ~= 0.693 nats."""
    return math.log(2.0)
