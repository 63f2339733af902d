"""Probes: the small, fixed programs the child runs against student code.

A probe takes named input arrays and JSON params, calls the student's code in a controlled way and
returns ``(values, arrays)``: JSON-able facts and named output arrays. Probes run *inside the
child*, so they only gather what student code produced; judging it is the parent's job.
Probes raise ``ContractError`` when student code breaks the exercise contract (wrong weight
names, wrong return structure); the parent turns that into feedback.

Lab folders hold the probes (``autograder/labs/*/probes.py``); each registers its own with
``@probe("name")``, and ``load_all`` imports them all in the zygote, before any fork.
"""

import importlib
import importlib.abc
import re
import sys
from pathlib import Path

PROBES = {}


KERAS_CONTEXT = "Exception encountered when calling"
# How TensorFlow's NotImplementedError starts when NumPy is handed a graph tensor (code written for
# eager mode, run under tf.function): a bug to explain, not the release's "not implemented yet".
SYMBOLIC_TENSOR_TO_NUMPY = "Cannot convert a symbolic tf.Tensor"
_BOLD = re.compile(r"\x1b\[1m(.*?)\x1b\[0m", re.DOTALL)


def plain_message(text):
    """The student's own error message, without the context Keras wraps around it.

    Keras 3 re-raises an error from inside a layer's ``call`` with the same type but a message that
    starts "Exception encountered when calling X.call()." and holds the original in bold; a student
    who raised ``NotImplementedError("fill in this TODO")`` should read that, not Keras's wrapper.
    """
    if not text.startswith(KERAS_CONTEXT):
        return text
    found = _BOLD.search(text)
    parts = text.split("\n\n")
    return (found.group(1) if found else parts[1] if len(parts) > 1 else text).strip()


def describe_stage_error(error):
    """Type and one-line message of an error caught in a stage (tf.function, save/load...).

    A tf.function error reads "in user code:", a stack, and last the line that says what went wrong
    ("SomeError: ..."), itself perhaps wrapped by Keras; Keras's own messages can run over several
    lines: keep their first paragraph.
    """
    text, kind = str(error).strip(), type(error).__name__
    if text.startswith("in user code"):
        said = list(re.finditer(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception)): ", text, re.MULTILINE))
        if said:
            kind, text = said[-1].group(1).rsplit(".", 1)[-1], text[said[-1].end():].strip()
    text = plain_message(text)
    paragraph = " ".join(line.strip() for line in re.split(r"\n\s*\n", text)[0].splitlines())
    return {"type": kind, "message": paragraph[:500], "full": text[:2000]}


class ContractError(Exception):
    """Student code exists but does not have the names, shapes or structure the exercise asks for.

    ``mistake`` names a known mistake when the probe can tell which one broke the contract (the two
    results returned in the wrong order, say); the feedback row carries it like a matched variant.
    """

    def __init__(self, message, mistake=None):
        super().__init__(message)
        self.mistake = mistake


def probe(name):
    def register(function):
        PROBES[name] = function
        return function

    return register


def load_all():
    from autograder.engine.labs import content_modules

    content_modules("probes")


def run(name, arrays, params):
    if not PROBES:
        load_all()
    if name not in PROBES:
        raise KeyError(f"unknown probe {name!r}")
    return PROBES[name](arrays, params)


def student_module(name):
    """Import ``rnnlab.<name>`` from the submission; import failures are marked as such."""
    try:
        module = importlib.import_module(f"rnnlab.{name}")
    except ModuleNotFoundError as error:
        if error.name in ("rnnlab", f"rnnlab.{name}"):
            raise ContractError(f"rnnlab/{name}.py is missing from your submission") from None
        error._rnnlab_import = True
        raise
    except (ImportError, SyntaxError) as error:
        error._rnnlab_import = True
        raise
    except Exception as error:
        # Code at the top level of the module failed while importing it.
        error._rnnlab_import = True
        raise
    if getattr(module, "__file__", None) is None or Path(module.__file__).parent.name != "rnnlab":
        raise ContractError(f"rnnlab/{name}.py is missing from your submission")
    return module


def student_attribute(module_name, attribute):
    module = student_module(module_name)
    if not hasattr(module, attribute):
        raise ContractError(f"rnnlab/{module_name}.py has no `{attribute}`; the exercise asks for one with that name")
    return getattr(module, attribute)


class _RefuseImports(importlib.abc.MetaPathFinder):
    """Makes ``import rnnlab.<module>`` fail at once, with the grader's reason, for the modules it
    has found to hang or crash on import: one timeout for the whole submission, not one per test."""

    def __init__(self, blocked):
        self.blocked = dict(blocked)

    def find_spec(self, fullname, path=None, target=None):
        module = "rnnlab" if fullname == "rnnlab" else fullname[len("rnnlab."):] if fullname.startswith("rnnlab.") else None
        if module in self.blocked:
            raise ImportError(self.blocked[module])
        return None


def refuse_imports(blocked):
    """Install the refusals for ``blocked`` ({module: reason}) in this (child) process."""
    if blocked:
        sys.meta_path.insert(0, _RefuseImports(blocked))


@probe("import_module")
def import_module(arrays, params):
    """Import one student module (``rnnlab`` for the package itself): the grader's import check."""
    module = params["module"]
    importlib.import_module("rnnlab") if module == "rnnlab" else student_module(module)
    return {}, {}
