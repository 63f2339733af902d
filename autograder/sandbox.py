"""Run student code in a child process and get arrays back, with time limits.

``Session(submission)`` starts a child (``_child.py``) on the first call, keeps it for the calls
that follow, and replaces it after a crash or a timeout, so one bad exercise cannot take the others
down with it. The child's output goes to a log file that is kept for the feedback's tail but never
parsed: only the framed ``.npz`` replies on a private pipe count.
"""

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder import wire

CHILD_SCRIPT = Path(__file__).resolve().parent / "_child.py"
STARTUP_TIMEOUT_S = 180.0  # a cold TensorFlow import on a loaded 2-core machine can take 30 s+
CALL_TIMEOUT_S = 60.0
LOG_TAIL_BYTES = 2000


@dataclass
class Outcome:
    """What one probe call produced.

    status: "ok", "error" (the child reported an exception), "timeout" or "crashed".
    """

    status: str
    values: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    error: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self):
        return self.status == "ok"


class _Deadline(Exception):
    pass


def _read_exact_before(fd, size, deadline):
    chunks = []
    while size:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Deadline()
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            raise _Deadline()
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("child closed its pipe")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame_before(fd, deadline):
    header = _read_exact_before(fd, 8, deadline)
    size = int.from_bytes(header, "big")
    if size > wire.MAX_FRAME_BYTES:
        raise wire.WireError(f"reply of {size} bytes is over the limit")
    return _read_exact_before(fd, size, deadline)


def child_environment():
    """The environment a child starts with: ours minus Python's hooks, TensorFlow kept quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(
        {
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "CUDA_VISIBLE_DEVICES": "-1",  # grading is CPU-only and identical on every machine
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",  # never write __pycache__ into a student's folder
            "MPLBACKEND": "Agg",
        }
    )
    return env


class Session:
    """A child process bound to one submission folder (the folder that holds ``rnnlab/``)."""

    def __init__(self, submission, call_timeout=CALL_TIMEOUT_S, startup_timeout=STARTUP_TIMEOUT_S):
        self.submission = Path(submission).resolve()
        self.call_timeout = call_timeout
        self.startup_timeout = startup_timeout
        self.restarts = 0
        self.import_seconds = None
        self._process = None
        self._workdir = tempfile.TemporaryDirectory(prefix="rnnlab-child-")
        self._log_path = Path(self._workdir.name) / "child-output.log"

    # -- lifecycle ---------------------------------------------------------------------------
    def _start(self):
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        run_dir = Path(self._workdir.name) / "cwd"
        run_dir.mkdir(exist_ok=True)
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-I", str(CHILD_SCRIPT), "--submission", str(self.submission),
                 "--request-fd", str(request_read), "--response-fd", str(response_write)],
                pass_fds=(request_read, response_write),
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                cwd=run_dir, env=child_environment(),
                start_new_session=True,  # its own process group: one kill ends it and its children
            )
        os.close(request_read)
        os.close(response_write)
        self._request_fd, self._response_fd = request_write, response_read
        deadline = time.monotonic() + self.startup_timeout
        meta, _ = wire.decode(_read_frame_before(self._response_fd, deadline))
        if meta.get("status") != "ready":
            raise wire.WireError("child did not start properly")
        self.import_seconds = meta.get("import_s")

    def _kill(self):
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._process.wait()
        for fd in (self._request_fd, self._response_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._process = None

    def close(self):
        self._kill()
        self._workdir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- calls -------------------------------------------------------------------------------
    def output_tail(self):
        """The last lines the child printed (student prints, TensorFlow logs); for feedback only."""
        try:
            with open(self._log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - LOG_TAIL_BYTES))
                return log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def call(self, probe, arrays=None, params=None, timeout=None):
        """Run ``probe`` in the child on ``arrays``; never raises for anything the child does."""
        started = time.monotonic()
        timeout = self.call_timeout if timeout is None else timeout
        try:
            if self._process is None:
                self._start()
            request = wire.encode({"probe": probe, "params": params or {}}, arrays or {})
            wire.write_frame(self._request_fd, request)
            meta, out_arrays = wire.decode(_read_frame_before(self._response_fd, time.monotonic() + timeout))
        except _Deadline:
            self._kill()
            self.restarts += 1
            return Outcome("timeout", seconds=time.monotonic() - started,
                           error={"message": f"no answer within {timeout:.0f} s"})
        except (EOFError, BrokenPipeError, OSError, wire.WireError) as error:
            code = self._process.poll() if self._process is not None else None
            self._kill()
            self.restarts += 1
            return Outcome("crashed", seconds=time.monotonic() - started,
                           error={"message": f"{type(error).__name__}: {error}", "exit_code": code})
        seconds = time.monotonic() - started
        if meta.get("status") == "ok":
            values = meta.get("values")
            return Outcome("ok", values=values if isinstance(values, dict) else {}, arrays=out_arrays, seconds=seconds)
        error = meta.get("error") if isinstance(meta.get("error"), dict) else {}
        return Outcome("error", error=error, seconds=seconds)
