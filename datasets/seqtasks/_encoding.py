"""One-hot encoding and decoding of token sequences."""

import numpy as np


def one_hot(ids, depth):
    """float32 one-hot vectors of shape ``ids.shape + (depth,)``."""
    return np.eye(depth, dtype=np.float32)[ids]


def row_token_ids(row, vocab_size, task):
    """Token ids of one sequence, given as one-hot ``(T, V)`` or as ids ``(T,)``.

    Decoders accept both so a lab can print ``x[0]`` straight from a generator or the argmax of a
    model's output.
    """
    row = np.asarray(row)
    if row.ndim == 2:
        if row.shape[-1] != vocab_size:
            raise ValueError(
                f"a one-hot row for {task} must have {vocab_size} features (the vocabulary size), "
                f"got shape {row.shape}; pass one sequence such as x[0]"
            )
        return row.argmax(axis=-1)
    if row.ndim == 1:
        if not np.issubdtype(row.dtype, np.integer):
            raise ValueError(
                f"a row of token ids for {task} must hold integers, got dtype {row.dtype}; "
                f"pass one-hot x[0] or integer ids"
            )
        if row.size and (row.min() < 0 or row.max() >= vocab_size):
            raise ValueError(
                f"token ids for {task} must lie in 0..{vocab_size - 1}, "
                f"got values from {row.min()} to {row.max()}"
            )
        return row
    raise ValueError(
        f"pass one sequence for {task}: one-hot (T, {vocab_size}) or ids (T,), "
        f"got shape {row.shape} (for a whole batch, decode x[i] for each i)"
    )


def batch_token_ids(x, vocab_size, task):
    """Token ids of a batch, given as one-hot ``(n, T, V)`` or as ids ``(n, T)``."""
    x = np.asarray(x)
    if x.ndim == 3 and x.shape[-1] == vocab_size:
        return x.argmax(axis=-1)
    if x.ndim == 2 and np.issubdtype(x.dtype, np.integer):
        return x
    raise ValueError(
        f"pass a batch for {task}: one-hot (n, T, {vocab_size}) or integer ids (n, T), "
        f"got shape {x.shape} and dtype {x.dtype}"
    )
