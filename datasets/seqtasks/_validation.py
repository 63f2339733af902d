"""Argument checks shared by the generators.

Every message says which argument was wrong, what it got and what to pass instead, because the
person reading it is usually a student in a notebook cell, not the author of the call.
"""

import numbers


def _is_int(value):
    # bool is an int subclass, but `T=True` is always a slip, never a length.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(name, value, minimum, task, reason=None):
    """Return ``value`` as an ``int`` if it is an integer >= ``minimum``, else raise ValueError."""
    if not _is_int(value):
        raise ValueError(
            f"{name} must be an integer for {task}, got {value!r} ({type(value).__name__}); "
            f"pass e.g. {name}={minimum}"
        )
    if value < minimum:
        why = f" ({reason})" if reason else ""
        raise ValueError(f"{name} must be at least {minimum} for {task}, got {value}{why}")
    return int(value)


def check_count(n, task):
    """``n``, the number of sequences, must be a positive integer."""
    return check_int("n", n, 1, task, reason="it is the number of sequences to generate")


def check_seed(seed):
    """Only a plain non-negative int is accepted: it is what makes a data set reproducible.

    ``None`` (fresh OS entropy) or a shared ``Generator`` would make two calls with the "same"
    arguments differ, which is exactly what these generators promise never happens.
    """
    if not _is_int(seed) or seed < 0:
        raise ValueError(
            f"seed must be a non-negative integer so the data can be regenerated exactly, "
            f"got {seed!r}; pass e.g. seed=0"
        )
    return int(seed)


def check_choice(name, value, choices, task):
    """``value`` must be one of ``choices`` (strings)."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options} for {task}, got {value!r}")
    return value
