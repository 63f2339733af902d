"""The child process that imports and runs student code. Started only by ``sandbox.Session``.

It is launched as ``python -I _child.py`` (isolated: no user site-packages, no PYTHON* variables,
no script folder on ``sys.path``). It puts the kit's root first on ``sys.path`` and the submission
folder *last*, so ``import rnnlab`` finds the student's package while a stray ``numpy.py`` or
``autograder/`` beside it shadows nothing. It imports TensorFlow once, says "ready", then answers
one request per frame: run a probe, send back arrays. It never decides a score.
"""

import argparse
import os
import resource
import sys
import time
import traceback
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
MAX_FILE_BYTES = 64 * 1024 * 1024  # generous for a .keras file, fatal for an output flood


def _limit_resources():
    # Soft and hard together, so student code cannot raise them back.
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _student_location(error, submission):
    """The innermost traceback frame inside the submission: (relative path, line, function)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        try:
            relative = Path(frame.filename).resolve().relative_to(submission)
        except ValueError:
            continue
        return str(relative), frame.lineno, frame.name
    return None


def _describe(error, submission):
    from autograder.probes import ContractError

    message = (error.msg if isinstance(error, SyntaxError) else str(error)).strip()
    # Keras adds "Exception encountered when calling ..." context; the first line is the student's.
    message = message.splitlines()[0] if message else ""
    if isinstance(error, ContractError):
        kind = "contract"
    elif isinstance(error, NotImplementedError):
        kind = "not_implemented"
    elif isinstance(error, (ImportError, SyntaxError)) and getattr(error, "_rnnlab_import", False):
        kind = "import"
    else:
        kind = "exception"
    described = {"kind": kind, "type": type(error).__name__, "message": message[:2000]}
    if isinstance(error, SyntaxError) and error.filename:
        try:
            described["where"] = [str(Path(error.filename).resolve().relative_to(submission)), error.lineno, ""]
        except ValueError:
            pass
    location = _student_location(error, submission)
    if location and "where" not in described:
        described["where"] = list(location)
    return described


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submission", required=True)
    parser.add_argument("--request-fd", type=int, required=True)
    parser.add_argument("--response-fd", type=int, required=True)
    args = parser.parse_args()

    _limit_resources()
    submission = Path(args.submission).resolve()
    sys.path.insert(0, str(KIT_ROOT))
    sys.path.append(str(submission))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from autograder import wire

    started = time.perf_counter()
    import tensorflow  # noqa: F401  (the slow import, done once before any request)
    import keras

    from autograder import probes

    keras.config.disable_interactive_logging()
    wire.write_frame(args.response_fd, wire.encode({"status": "ready", "import_s": time.perf_counter() - started}))

    while True:
        try:
            meta, arrays = wire.decode(wire.read_frame(args.request_fd))
        except EOFError:
            return
        started = time.perf_counter()
        try:
            values, out_arrays = probes.run(meta["probe"], arrays, meta.get("params", {}))
            reply = {"status": "ok", "values": values}
        except BaseException as error:  # SystemExit and KeyboardInterrupt from student code too
            reply, out_arrays = {"status": "error", "error": _describe(error, submission)}, {}
        reply["seconds"] = time.perf_counter() - started
        try:
            payload = wire.encode(reply, out_arrays)
        except Exception as error:
            payload = wire.encode({"status": "error", "error": {"kind": "exception", "type": type(error).__name__,
                                                                 "message": f"could not send results: {error}"}})
        wire.write_frame(args.response_fd, payload)


if __name__ == "__main__":
    main()
