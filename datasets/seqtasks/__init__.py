"""Offline, seeded sequence tasks for the RNN labs.

Every generator is ``make_<task>(n, T, seed=0, ...)``: it draws from ``np.random.default_rng(seed)``
only, so the same arguments give the same arrays on every machine, and returns float32 inputs
``x`` of shape ``(n, length, D)`` with their targets. Each task comes with its chance baseline, the
number a model must beat before it has learnt anything; the docstrings derive them.

==============  ===================  =====================  ============================
task            generator / x shape  targets                chance baseline
==============  ===================  =====================  ============================
adding          make_adding_problem  y (n, 1) float32       MSE 1/6 ~= 0.167 (predict 1)
                (n, T, 2)
temporal order  make_temporal_order  y (n,) int32 in 0..3   cross-entropy ln 4 ~= 1.386;
                (n, T, 6)                                   accuracy 1/4
copy memory     make_copy_memory     y (n, T + 20) int32    cross-entropy
                (n, T + 20, 10)                             10 ln 8 / (T + 20)
agreement       make_agreement       y (n,) int32 0/1       accuracy 0.5 (cross-entropy
                (n, T, 21),                                 ln 2); closest-noun heuristic
                T = clause_len + 5                          0.5 (random) or 0 (opposite)
                make_agreement_varied: clause lengths mixed, left-padded with zero rows
right context   make_right_context   y (n, T) int32,        accuracy 0.5 at the masked
                (n, T, 13)           mask (n, T) bool       steps for any causal model
digits (real)   load_sequential_     y (n,) int32 in 0..9   accuracy 1/10
                digits (n, 64, 1)
names (real)    load_names,          y (n, L) int32, mask   unigram / bigram bits per
                encode_names (n, L)  (n, L)                 char (ngram_bits_per_char)
==============  ===================  =====================  ============================

The folder is ``datasets/`` but the package is ``seqtasks``: a top-level ``datasets`` package would
shadow Hugging Face's ``datasets``. Labs get it on ``sys.path`` from ``rnnlab.labtools.start``.
"""

from .adding import adding_baseline, adding_baseline_mse, make_adding_problem
from .agreement import (
    AGREEMENT_ATTRACTORS,
    AGREEMENT_VERBS,
    AGREEMENT_VOCAB,
    agreement_baseline,
    agreement_chance_cross_entropy,
    agreement_closest_noun_accuracy,
    agreement_closest_noun_predictions,
    agreement_length,
    decode_agreement,
    make_agreement,
    make_agreement_varied,
)
from .copy_memory import (
    COPY_MEMORY_BLANK,
    COPY_MEMORY_CATEGORIES,
    COPY_MEMORY_DELIMITER,
    copy_memory_baseline,
    copy_memory_length,
    copy_memory_memoryless_predictions,
    make_copy_memory,
)
from .digits import (
    DIGITS_CLASSES,
    DIGITS_STEPS,
    digits_chance_accuracy,
    digits_permutation,
    load_sequential_digits,
)
from .names import (
    BOUNDARY,
    NAMES_VOCAB,
    PAD,
    decode_names,
    encode_name,
    encode_names,
    load_names,
    ngram_bits_per_char,
    real_name_share,
    split_names,
)
from .right_context import (
    RIGHT_CONTEXT_LABELS,
    RIGHT_CONTEXT_VOCAB,
    decode_right_context,
    make_right_context,
    right_context_baseline,
)
from .temporal_order import (
    TEMPORAL_ORDER_CLASSES,
    TEMPORAL_ORDER_SYMBOLS,
    decode_temporal_order,
    make_temporal_order,
    temporal_order_baseline,
    temporal_order_chance_accuracy,
    temporal_order_windows,
)

__all__ = [
    # adding problem
    "make_adding_problem",
    "adding_baseline",
    "adding_baseline_mse",
    # temporal order
    "make_temporal_order",
    "temporal_order_baseline",
    "temporal_order_chance_accuracy",
    "temporal_order_windows",
    "decode_temporal_order",
    "TEMPORAL_ORDER_SYMBOLS",
    "TEMPORAL_ORDER_CLASSES",
    # copy memory
    "make_copy_memory",
    "copy_memory_baseline",
    "copy_memory_length",
    "copy_memory_memoryless_predictions",
    "COPY_MEMORY_BLANK",
    "COPY_MEMORY_DELIMITER",
    "COPY_MEMORY_CATEGORIES",
    # agreement
    "make_agreement",
    "make_agreement_varied",
    "agreement_length",
    "agreement_baseline",
    "agreement_chance_cross_entropy",
    "agreement_closest_noun_accuracy",
    "agreement_closest_noun_predictions",
    "decode_agreement",
    "AGREEMENT_VOCAB",
    "AGREEMENT_VERBS",
    "AGREEMENT_ATTRACTORS",
    # right context
    "make_right_context",
    "right_context_baseline",
    "decode_right_context",
    "RIGHT_CONTEXT_VOCAB",
    "RIGHT_CONTEXT_LABELS",
    # real data, offline: sequential digits (scikit-learn) and census first names (bundled)
    "load_sequential_digits",
    "digits_chance_accuracy",
    "digits_permutation",
    "DIGITS_STEPS",
    "DIGITS_CLASSES",
    "load_names",
    "split_names",
    "encode_name",
    "encode_names",
    "decode_names",
    "ngram_bits_per_char",
    "real_name_share",
    "NAMES_VOCAB",
    "PAD",
    "BOUNDARY",
]
