"""Mistakes in a cell's plumbing that any lab with a cell can name: a Keras built-in inside,
no registration, an incomplete get_config."""

from autograder.engine.mistakes import catalogue

CATALOGUE, _mistake = catalogue()

WRAPS_KERAS_BUILTIN = _mistake(
    "wraps_keras_builtin",
    "this exercise asks you to write the cell's equations yourself; a class that uses Keras's built-in "
    "cell or layer (subclassing it, holding one, or calling it) earns no points for it",
)
NOT_REGISTERED = _mistake(
    "not_registered",
    "the class is not registered with Keras: put @keras.saving.register_keras_serializable(package=\"rnnlab\") "
    "on the line above `class`",
)
INCOMPLETE_CONFIG = _mistake(
    "incomplete_get_config",
    "get_config must return the arguments of __init__ (units, the activations, the flags, the initializers), "
    "all of them and nothing else, because Keras rebuilds the cell by calling __init__ with them (from_config)",
)
