"""Named mistakes: what a known wrong answer is called, and what to tell the student.

Each lab keeps its own catalogue in ``autograder/labs/labN/mistakes.py``::

    CATALOGUE, mistake = catalogue()
    MISSING_BIAS = mistake("missing_bias", "the bias is missing: h_t = act(x_t K + h_{t-1} U + b) adds `self.bias`")

and NumPy functions that compute what each mistake would output on a case's inputs, as
``(Mistake, variant_array)`` pairs for ``compare.check_array``: when a submission's output equals
a variant, the feedback names the mistake. A ``Mistake``'s ``name`` is stable (a class's summary
counts it); its ``message`` says what the student did and what to do instead.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    name: str
    message: str


def catalogue():
    """``(CATALOGUE, mistake)``: a module's own catalogue and the function that adds a named
    ``Mistake`` to it, ``MISSING_BIAS = mistake("missing_bias", "the bias is missing: ...")``."""
    entries = {}

    def mistake(name, message):
        if name in entries:
            raise ValueError(f"mistake {name!r} is already in this catalogue")
        entries[name] = Mistake(name, message)
        return entries[name]

    return entries, mistake
