"""Feedback: the one exception grading tests raise, and the wording of every runtime failure.

A grading test fails by raising ``Feedback(message, kind=..., mistake=...)``. ``kind`` sorts the
failure for reports ("not_implemented", "contract", "mismatch", "mistake", "error", "timeout",
"crash", "blocked"); ``mistake`` names an entry of the known-mistakes catalogue when one matched,
so a TA's summary can count them.
"""


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


def from_outcome(outcome, timeout_s=None):
    """Turn a failed probe call (see ``sandbox.Outcome``) into a message a student can act on."""
    error = outcome.error or {}
    if outcome.status == "timeout":
        return Feedback(
            f"your code did not finish in time ({error.get('message', 'time limit')}): "
            "look for a loop that never ends, or a far too large computation",
            kind="timeout",
        )
    if outcome.status == "crashed":
        code = error.get("exit_code")
        detail = f" (exit code {code})" if code is not None else ""
        return Feedback(
            f"the process running your code stopped without answering{detail}: does your code call "
            "sys.exit/os._exit, use too much memory, or print without end?",
            kind="crash",
        )
    kind = error.get("kind", "exception")
    message = error.get("message", "")
    if kind == "not_implemented":
        # The release's message reads "SimpleRNNCell.call: fill in this TODO in rnnlab/simple_rnn.py".
        exercise = message.split(": fill in this TODO")[0] if message else "this exercise"
        return Feedback(f"not implemented yet: {exercise}{_where(error)}: fill in its TODO",
                        kind="not_implemented")
    if kind == "contract":
        return Feedback(message, kind="contract")
    if kind == "import":
        return Feedback(
            f"your code could not be imported: {error.get('type')}: {message}{_where(error)}", kind="error"
        )
    return Feedback(f"your code raised {error.get('type', 'an error')}: {message}{_where(error)}", kind="error")
