"""Run student code in a child process and get arrays back, with time limits.

A ``Zygote`` imports TensorFlow once and forks a confined child per request (``child.py``,
``confine.py``). ``Session(submission)`` gets a child on its first call, keeps it for the calls
that follow, and replaces it after a crash or a timeout, so one bad exercise cannot take the others
down with it. The child's output goes to a log file that is kept for the feedback's tail but never
parsed: only the framed ``.npz`` replies on a private pipe count.
"""

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox import wire

CHILD_SCRIPT = Path(__file__).resolve().parent / "child.py"
STARTUP_TIMEOUT_S = 180.0  # a cold TensorFlow import on a loaded 2-core machine can take 30 s+
CALL_TIMEOUT_S = 60.0
# A whole submission's grading (public and hidden) takes 3-10 s on a 2-core machine; a budget of
# 120 s leaves 10x for a slow machine and caps what a submission that hangs in every test costs.
SUBMISSION_BUDGET_S = 120.0
# Importing a student module takes well under a second (TensorFlow is already imported).
IMPORT_TIMEOUT_S = 10.0
LOG_TAIL_BYTES = 2000

# Every zygote and session this process has open, so that a signal handler can end them all.
_LIVE = weakref.WeakSet()


def stop_all():
    """Kill every child and zygote this process started (for SIGTERM/SIGINT handlers)."""
    for owner in list(_LIVE):
        owner.kill()


@dataclass
class Outcome:
    """What one probe call produced.

    status: "ok", "error" (the child reported an exception), "timeout", "crashed", or
    "over_budget" (the submission's time budget ran out before or during the call).
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


def _read_frame_before(fd, deadline):
    """One reply frame, or ``_Deadline`` once ``deadline`` (``time.monotonic()``) has passed."""
    def wait(fd):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise _Deadline()

    return wire.read_frame(fd, wait)


def child_environment():
    """The environment a child starts with: ours minus Python's hooks, TensorFlow kept quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(
        {
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "CUDA_VISIBLE_DEVICES": "-1",  # grading is CPU-only and identical on every machine
            # Plain Eigen kernels: the grader's tensors are tiny, and oneDNN's per-shape setup made a
            # submission ~8% slower to grade (bench/bench_grade.py). Results differ only in rounding.
            "TF_ENABLE_ONEDNN_OPTS": "0",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",  # never write __pycache__ into a student's folder
            "MPLBACKEND": "Agg",
        }
    )
    return env


class Zygote:
    """A warm process with TensorFlow imported that forks one confined child per request.

    Starting it costs one TensorFlow import; each ``fork_child`` after that costs ~0.2 s.
    """

    def __init__(self, startup_timeout=STARTUP_TIMEOUT_S):
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._forking = threading.Lock()
        self._log = tempfile.TemporaryFile(prefix="rnnlab-zygote-")
        self._process = subprocess.Popen(
            [sys.executable, "-I", str(CHILD_SCRIPT), "--control-fd", str(child_end.fileno())],
            pass_fds=(child_end.fileno(),), stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            env=child_environment(), start_new_session=True,
        )
        child_end.close()
        _LIVE.add(self)
        self._control = parent_end
        self._control.settimeout(startup_timeout)
        try:
            ready = json.loads(self._control.recv(1 << 16).decode() or "{}")
        except (OSError, ValueError):
            ready = {}
        if ready.get("status") != "ready":
            self.close()
            self._log.seek(0)
            raise RuntimeError("the grading process could not start TensorFlow:\n"
                               + self._log.read()[-3000:].decode("utf-8", "replace"))
        self._control.settimeout(30)

    def fork_child(self, request, fds):
        """Ask for a child serving ``request`` on ``fds`` (request, response, log); returns its pid.

        Thread-safe: two sessions of one zygote (``engine.prefetch``) may start children at once, and
        each request must get its own reply."""
        with self._forking:
            socket.send_fds(self._control, [json.dumps(request).encode()], list(fds))
            reply = json.loads(self._control.recv(1 << 16).decode() or "{}")
        if "pid" not in reply:
            raise RuntimeError("the grading process did not start a child")
        return reply["pid"]

    @property
    def alive(self):
        return self._process.poll() is None

    def kill(self):
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def close(self):
        try:
            self._control.close()
        except OSError:
            pass
        self.kill()
        self._process.wait()
        self._log.close()
        _LIVE.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class Session:
    """A confined child bound to one submission folder (the folder that holds ``rnnlab/``).

    The submission's ``rnnlab/`` is copied into a private folder first: student code never runs in
    (or writes to) the folder it was handed in from. ``hidden`` lists folders the child must not
    see (solutions, hidden cases, output, other submissions).
    """

    def __init__(self, submission, call_timeout=CALL_TIMEOUT_S, zygote=None, hidden=(),
                 startup_timeout=STARTUP_TIMEOUT_S, budget=None, import_timeout=IMPORT_TIMEOUT_S):
        self.call_timeout = call_timeout
        self.budget = budget  # seconds for every call of this session together; None: no limit
        self.import_timeout = import_timeout
        self.blocked_imports = {}  # module -> why it is not imported again (see find_broken_imports)
        self._deadline = None if budget is None else time.monotonic() + budget
        self._imports_checked = False
        self.sandbox_layers = []
        self._own_zygote = zygote is None
        self._zygote = zygote if zygote is not None else Zygote(startup_timeout)
        self._hidden = [str(Path(p).resolve()) for p in hidden]
        self._pid = None
        self._workdir = tempfile.TemporaryDirectory(prefix="rnnlab-session-")
        os.chmod(self._workdir.name, 0o755)
        self.submission = Path(self._workdir.name) / "submission"
        shutil.copytree(Path(submission) / "rnnlab", self.submission / "rnnlab", symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        self._log_path = Path(self._workdir.name) / "child-output.log"
        _LIVE.add(self)

    def sibling(self):
        """A second session on the same submission, with the same settings and zygote, and a child of
        its own (``engine.prefetch`` makes calls on it beside this one's)."""
        return Session(self.submission, call_timeout=self.call_timeout, zygote=self._zygote, hidden=self._hidden,
                       budget=self.budget, import_timeout=self.import_timeout)

    # -- lifecycle ---------------------------------------------------------------------------
    def _start(self):
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        run_dir = Path(self._workdir.name) / "cwd"
        run_dir.mkdir(exist_ok=True)
        log_fd = os.open(self._log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
        try:
            self._pid = self._zygote.fork_child(
                {"submission": str(self.submission), "workdir": str(run_dir), "hidden": self._hidden,
                 "blocked_imports": self.blocked_imports},
                (request_read, response_write, log_fd),
            )
        finally:
            for fd in (request_read, response_write, log_fd):
                os.close(fd)
        self._request_fd, self._response_fd = request_write, response_read
        meta, _ = wire.decode(_read_frame_before(self._response_fd, time.monotonic() + 60))
        if meta.get("status") != "ready":
            raise wire.WireError("child did not start properly")
        self.sandbox_layers = meta.get("sandbox", [])

    def interrupt(self):
        """Kill the child (its whole process group), leaving its pipes to the thread that may be
        reading them: that call ends at once as "crashed" (and closes them). For ``engine.prefetch``."""
        pid = self._pid
        if pid is None:
            return
        for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                target()
            except (ProcessLookupError, PermissionError):
                pass

    def kill(self):
        """Kill the child now (its whole process group); the next call starts a new one."""
        if self._pid is None:
            return
        self.interrupt()
        for fd in (self._request_fd, self._response_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._pid = None

    def close(self):
        self.kill()
        if self._own_zygote:
            self._zygote.close()
        self._workdir.cleanup()
        _LIVE.discard(self)

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
        """Run ``probe`` in the child on ``arrays``; never raises for anything the child does.

        The first call that hangs or kills the child also checks the student's imports once
        (``find_broken_imports``); when that finds a module that cannot be imported, the call is
        made again, and it and every later call that needs the module fail at once, naming it.
        """
        outcome = self._call(probe, arrays, params, timeout)
        if outcome.status in ("timeout", "crashed") and not self._imports_checked:
            self._imports_checked = True
            if self.find_broken_imports():
                outcome = self._call(probe, arrays, params, timeout)
        return outcome

    def find_broken_imports(self):
        """Import every student module alone, dependencies first; record the ones that hang or kill
        the child in ``blocked_imports``, which every later child refuses to import. True if any."""
        from autograder.sandbox.static_scan import import_order

        for module in import_order(self.submission / "rnnlab"):
            path = "rnnlab/__init__.py" if module == "rnnlab" else f"rnnlab/{module}.py"
            outcome = self._call("import_module", params={"module": module}, timeout=self.import_timeout)
            if outcome.status == "over_budget":
                break
            if outcome.status == "timeout":
                self.blocked_imports[module] = (
                    f"{path} did not finish importing within {self.import_timeout:g} s: look for code that runs "
                    "when the module is imported (a loop, a long computation, input()) and move it into a function")
            elif outcome.status == "crashed":
                self.blocked_imports[module] = (
                    f"{path} stopped the process that imported it: look for sys.exit(), os._exit() or a crash "
                    "in code that runs when the module is imported")
        return bool(self.blocked_imports)

    def _remaining(self):
        return None if self._deadline is None else self._deadline - time.monotonic()

    def _over_budget(self, started):
        return Outcome("over_budget", seconds=time.monotonic() - started, error={"message": f"{self.budget:g} s"})

    def _call(self, probe, arrays=None, params=None, timeout=None):
        started = time.monotonic()
        timeout = self.call_timeout if timeout is None else timeout
        remaining = self._remaining()
        if remaining is not None and remaining <= 0:
            return self._over_budget(started)
        cut_by_budget = remaining is not None and remaining < timeout
        timeout = min(timeout, remaining) if remaining is not None else timeout
        try:
            if self._pid is None:
                self._start()
            request = wire.encode({"probe": probe, "params": params or {}}, arrays or {})
            wire.write_frame(self._request_fd, request)
            meta, out_arrays = wire.decode(_read_frame_before(self._response_fd, time.monotonic() + timeout))
        except _Deadline:
            self.kill()
            if cut_by_budget:
                return self._over_budget(started)
            return Outcome("timeout", seconds=time.monotonic() - started,
                           error={"message": f"no answer within {timeout:.0f} s"})
        except (EOFError, OSError, wire.WireError) as error:
            self.kill()
            return Outcome("crashed", seconds=time.monotonic() - started,
                           error={"message": f"{type(error).__name__}: {error}"})
        seconds = time.monotonic() - started
        if meta.get("status") == "ok":
            values = meta.get("values")
            return Outcome("ok", values=values if isinstance(values, dict) else {}, arrays=out_arrays, seconds=seconds)
        error = meta.get("error") if isinstance(meta.get("error"), dict) else {}
        return Outcome("error", error=error, seconds=seconds)
