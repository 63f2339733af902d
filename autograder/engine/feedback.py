"""Feedback: the one exception grading tests raise, and the wording of every runtime failure.

A grading test fails by raising ``Feedback(message, kind=..., mistake=...)``. ``kind`` sorts the
failure for reports ("not_implemented", "contract", "mismatch", "mistake", "error", "timeout",
"crash", "blocked"); ``mistake`` names an entry of the known-mistakes catalogue when one matched,
so a TA's summary can count them.
"""


import re

from autograder.engine.diagnose import diagnose

_TF_NODE = re.compile(r"^\{\{function_node [^}]*\}\}\s*")
_TF_OP = re.compile(r"\s*\[Op:\w+\](\s*name:.*)?$")  # "... [Op:MatMul] name: ": the op the message already names

# The release turns every solution block into ``raise NotImplementedError(todo_pointer(...))``;
# ``from_outcome`` reads the exercise back out of that message. One sentence, both ends.
TODO_POINTER = "{exercise}: fill in this TODO in {path}"
_TODO_SPLIT = TODO_POINTER.split("{exercise}")[1].split("{path}")[0]  # ": fill in this TODO in "


def todo_pointer(exercise, path):
    """The ``NotImplementedError`` message of a stripped exercise: "Cell.call: fill in this TODO in rnnlab/x.py"."""
    return TODO_POINTER.format(exercise=exercise, path=path)


def exercise_of_pointer(message):
    """The exercise a ``todo_pointer`` message names ("Cell.call"), or None for another message."""
    exercise, found, _ = message.partition(_TODO_SPLIT)
    return exercise if found else None


class Feedback(AssertionError):
    def __init__(self, message, kind="mismatch", mistake=None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.mistake = mistake


def _where(error):
    where = error.get("where")
    if not where:
        return ""
    path, line, function = (list(where) + [None, None, None])[:3]
    inside = f" in {function}" if function and function != "<module>" else ""
    return f" ({path}, line {line}{inside})"


def from_outcome(outcome, case=None, lab=None):
    """Turn a failed probe call (see ``sandbox.session.Outcome``) into a message a student can act on.

    For an exception in the student's code, ``case`` (the ``Case`` that was run, with the params
    it ran with) and ``lab`` let ``engine.diagnose`` name the mistake behind it when the message
    and the case's shapes say exactly what went wrong; the student's own exception and line stay.
    """
    error = outcome.error or {}
    if outcome.status == "timeout":
        return Feedback(
            f"your code did not finish in time ({error.get('message', 'time limit')}): "
            "look for a loop that never ends, or a far too large computation",
            kind="timeout",
        )
    if outcome.status == "over_budget":
        return Feedback(
            f"not run: your submission used up its time budget of {error.get('message', 'its time')} for all "
            "the tests together before this one (an earlier test hung or ran very long: look for a loop that "
            "never ends, and fix that test first)",
            kind="timeout",
        )
    if outcome.status == "crashed":
        return Feedback(
            "the process running your code stopped without answering: does your code call "
            "sys.exit/os._exit, use too much memory, or print without end?",
            kind="crash",
        )
    kind = error.get("kind", "exception")
    message = error.get("message", "")
    if kind == "not_implemented":
        # The release's message names the exercise (``todo_pointer``); a student's own may not.
        exercise = exercise_of_pointer(message) or message or "this exercise"
        return Feedback(f"not implemented yet: {exercise}{_where(error)}: fill in its TODO",
                        kind="not_implemented")
    if kind == "contract":
        return Feedback(message, kind="contract", mistake=error.get("mistake"))
    if kind == "import":
        return Feedback(
            f"your code could not be imported: {error.get('type')}: {message}{_where(error)}", kind="error"
        )
    # TensorFlow prefixes an op's error with the graph node that ran it ("{{function_node
    # __wrapped__MatMul_device_/job:localhost/...}} "): noise to a student, who keeps the rest.
    message = _TF_OP.sub("", _TF_NODE.sub("", message)).strip()
    raised = f"your code raised {error.get('type', 'an error')}: {message}{_where(error)}"
    found = diagnose(error, case, lab) if case is not None else None  # a mistake name, or a hint (None)
    if found is None:
        return Feedback(raised, kind="error")
    sentence = found.sentence[:1].upper() + found.sentence[1:]
    joint = " " if raised.endswith((".", "!", "?")) else ". "  # a message without a line may end with a period
    return Feedback(f"{raised}{joint}{sentence}", kind="error", mistake=found.mistake)
