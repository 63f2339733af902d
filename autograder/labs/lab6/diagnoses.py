"""Lab 6's readings of exceptions (``engine.diagnose``): TF-free, run in the grader."""

import re

from autograder.engine.diagnose import Diagnosis
from autograder.engine.mistakes import catalogue

CATALOGUE, _mistake = catalogue()

EMBEDDING_ARGUMENTS_SWAPPED = _mistake(
    "embedding_arguments_swapped",
    "the Embedding has embedding_dim rows instead of vocab_size: keras.layers.Embedding(vocab_size, embedding_dim)")

_GATHER = re.compile(r"indices\[[\d,]+\] = (\d+) is not in \[0, (\d+)\)")


def embedding_arguments_swapped(error, case, facts):
    """A token id past a table of ``embedding`` rows (params vocab and embedding differ): the table
    was made as Embedding(embedding_dim, vocab_size)."""
    found = _GATHER.search(error.get("message", ""))
    params = case.params or {}
    vocab, embedding = params.get("vocab"), params.get("embedding")
    if not found or not isinstance(vocab, int) or not isinstance(embedding, int) or vocab == embedding:
        return None
    token, rows = int(found[1]), int(found[2])
    if rows != embedding or token >= vocab:
        return None
    return Diagnosis(EMBEDDING_ARGUMENTS_SWAPPED.name,
                     f"token id {token} is past the embedding table's {rows} rows, and {rows} is embedding_dim: the "
                     f"table needs one row per character of the vocabulary ({vocab}). keras.layers.Embedding takes "
                     "(input_dim=vocab_size, output_dim=embedding_dim), in that order")


RULES = (embedding_arguments_swapped,)
