"""The processes that run student code. Started only by ``session.Zygote``.

``python -I child.py --control-fd N`` is a *zygote*: it imports TensorFlow once (the slow part,
~3-5 s), then waits on a Unix socket for requests to start a child. For each request it forks;
the fork confines itself (``confine.py``), adds the submission folder to the *end* of
``sys.path`` (so ``import rnnlab`` finds the student's package while a stray ``numpy.py`` beside it
shadows nothing) and answers probe requests on its own pipes until they close. A fork is ready in
~0.2 s. Neither process ever decides a score: they send arrays, the grader judges them.

Isolated mode (``-I``) means no user site-packages, no PYTHON* variables, no script folder on
``sys.path``.
"""

import json
import os
import re
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[2]


def _student_location(error, submission):
    """The innermost traceback frame inside the submission: (relative path, line, function)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        try:
            relative = Path(frame.filename).resolve().relative_to(submission)
        except ValueError:
            continue
        return str(relative), frame.lineno, frame.name
    return None


def _graph_location(text, submission):
    """The last ``File "...", line N, in f`` of a tf.function error's text that is inside the
    submission: the traceback of an error raised while tracing points into TensorFlow instead."""
    for path, line, function in reversed(re.findall(r'File "([^"]+)", line (\d+), in (\w+)', text)):
        try:
            return [str(Path(path).resolve().relative_to(submission)), int(line), function]
        except ValueError:
            continue
    return None


def _describe(error, submission):
    from autograder.sandbox.probes import (
        SYMBOLIC_TENSOR_TO_NUMPY, ContractError, describe_stage_error, plain_message)

    message = plain_message((error.msg if isinstance(error, SyntaxError) else str(error)).strip())
    graph_where = None
    if message.startswith("in user code"):
        # Raised while tf.function traced student code: the real error is the text's last line.
        graph_where = _graph_location(message, submission)
        stage = describe_stage_error(error)
        message, error_type = stage["message"], stage["type"]
    else:
        error_type = type(error).__name__
    message = message.splitlines()[0] if message else ""
    if isinstance(error, ContractError):
        kind = "contract"
    elif isinstance(error, NotImplementedError) and not message.startswith(SYMBOLIC_TENSOR_TO_NUMPY):
        kind = "not_implemented"  # the release's "fill this in"
    elif getattr(error, "_rnnlab_import", False):
        kind = "import"
    else:
        kind = "exception"
    described = {"kind": kind, "type": error_type, "message": message[:2000]}
    if kind == "contract" and isinstance(getattr(error, "mistake", None), str):
        described["mistake"] = error.mistake[:100]
    if isinstance(error, SyntaxError) and error.filename:
        try:
            described["where"] = [str(Path(error.filename).resolve().relative_to(submission)), error.lineno, ""]
        except ValueError:
            pass
    location = graph_where or _student_location(error, submission)
    if location and "where" not in described:
        described["where"] = list(location)
    return described


def serve(submission, request_fd, response_fd, layers):
    """Answer probe requests until the grader closes the pipe."""
    import keras
    import tensorflow as tf

    from autograder.sandbox import probes, wire

    keras.config.disable_interactive_logging()
    # Keras and TensorFlow wrap every layer call and op in a handler that rewrites the traceback of
    # an error; the grader reads its own traceback and message (``_describe``), so that work, ~8% of
    # a submission's grading time (bench/bench_grade.py), buys nothing here.
    keras.config.disable_traceback_filtering()
    tf.debugging.disable_traceback_filtering()
    wire.write_frame(response_fd, wire.encode({"status": "ready", "sandbox": layers}))
    while True:
        try:
            meta, arrays = wire.decode(wire.read_frame(request_fd))
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
            payload = wire.encode({"status": "error", "error": {
                "kind": "exception", "type": type(error).__name__, "message": f"could not send results: {error}"}})
        wire.write_frame(response_fd, payload)


def _forked_child(request, fds, control):
    """In the fork: confine, then serve. Never returns."""
    code = 0
    try:
        control.close()
        request_fd, response_fd, log_fd = fds
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        workdir = request["workdir"]
        os.chdir(workdir)
        from autograder.sandbox.confine import confine

        submission = Path(request["submission"]).resolve()
        layers = confine(request.get("hidden", []), workdir=workdir,
                         needed_paths=[KIT_ROOT, submission])
        from autograder.sandbox.probes import refuse_imports

        refuse_imports(request.get("blocked_imports", {}))
        sys.path.append(str(submission))
        serve(submission, request_fd, response_fd, layers)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


# Keras imports these when they are installed, for features the grader never uses (its
# scikit-learn wrappers, its file editor's notebook display, its image-gallery plots): ~2.5 s of
# every zygote's start on a 2-core machine, where the kit installs all three (scikit-learn for
# Lab 6's data, IPython with the notebook kernel, Matplotlib for the labs' plots; pyplot alone is
# ~0.5 s). Keras guards each import with `except ImportError`. Hidden only while Keras imports;
# student code can still import them.
KERAS_OPTIONAL_IMPORTS = ("sklearn", "IPython", "matplotlib")


def _import_tensorflow_and_keras():
    """The slow import, paid once per zygote."""
    hidden = [name for name in KERAS_OPTIONAL_IMPORTS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # `import name` raises ImportError, which Keras expects
    try:
        import tensorflow  # noqa: F401
        import keras  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


def zygote(control_fd):
    from autograder.sandbox.confine import die_with_parent

    die_with_parent()  # a grader killed by any signal, even SIGKILL, takes its zygote along
    control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=control_fd)
    _import_tensorflow_and_keras()

    from autograder.sandbox import probes

    probes.load_all()  # every probe module, so forks start with nothing left to import

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    control.send(json.dumps({"status": "ready"}).encode())
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, 3)
        except OSError:
            return
        if not message:
            return
        request = json.loads(message.decode())
        pid = os.fork()
        if pid == 0:
            _forked_child(request, fds, control)
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"pid": pid}).encode())


def main():
    sys.path.insert(0, str(KIT_ROOT))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if len(sys.argv) == 3 and sys.argv[1] == "--control-fd":
        zygote(int(sys.argv[2]))
    else:
        raise SystemExit("usage: child.py --control-fd N (started by autograder.sandbox.session)")


if __name__ == "__main__":
    main()
