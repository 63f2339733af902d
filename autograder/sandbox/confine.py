"""The layers of defence a freshly forked child puts around itself before it imports student code.

1. Its own session and process group (the parent kills the whole group on a timeout), and death
   with its parent: a grader that is killed takes the child along.
2. Resource limits that student code cannot raise back: file size (an output flood), core dumps,
   address space (a memory bomb becomes a MemoryError), CPU seconds.
3. When the kernel allows it: new user, mount and network namespaces. There is no network at all,
   and the folders the child must not see (solutions/, the hidden cases, the output folder, the
   other submissions) are covered by empty read-only tmpfs mounts.
4. When running as root: drop to the unprivileged ``nobody`` user first, so signals to the
   grader's processes and writes to its files are refused by the kernel.
5. Python audit hooks as a second layer everywhere: opening the hidden paths, starting processes,
   sockets and signals to other processes raise ``PermissionError``.

``confine`` reports which layers are active so that results can say so.
"""

import ctypes
import os
import resource
import signal
import sys
from pathlib import Path

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
PR_SET_PDEATHSIG, PR_GET_DUMPABLE, PR_SET_DUMPABLE = 1, 3, 4
MS_RDONLY, MS_NOSUID, MS_NODEV = 1, 2, 4
NOBODY = 65534

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ADDRESS_SPACE = 16 * 1024 ** 3  # TensorFlow maps ~4 GB of virtual memory on import
MAX_CPU_SECONDS = 900

BLOCKED_EVENTS = {
    "subprocess.Popen": "starting programs",
    "os.system": "starting programs",
    "os.exec": "starting programs",
    "os.posix_spawn": "starting programs",
    "os.spawn": "starting programs",
    "os.fork": "starting processes",
    "os.forkpty": "starting processes",
    "socket.connect": "network access",
    "socket.bind": "network access",
    "socket.getaddrinfo": "network access",
    "ctypes.dlopen": "loading native libraries",
}


def _set_limit(kind, value):
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def _enter_namespaces(hidden):
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) != 0:
        return f"namespaces unavailable ({os.strerror(ctypes.get_errno())})"
    # After a drop to ``nobody`` the process is not dumpable, which makes /proc/self/* belong to
    # root and the maps unwritable: dumpable only while writing them.
    dumpable = libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
    except OSError as error:
        # Still in a new network namespace: no network. Only the hidden folders stay visible.
        return f"network namespace only (user map refused: {error.strerror})"
    finally:
        libc.prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0)
    for path in hidden:
        if Path(path).is_dir():
            if libc.mount(b"tmpfs", os.fsencode(path), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, b"size=4k") != 0:
                return f"could not hide {path} ({os.strerror(ctypes.get_errno())})"
    return "namespaces"


def die_with_parent():
    """Ask the kernel to SIGKILL this process when its parent dies (Linux ``PR_SET_PDEATHSIG``).

    A grader stopped by any signal, SIGKILL included, so never leaves a child running student code.
    The kernel forgets the setting when the process changes its user, so ``confine`` sets it last.
    """
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    return True


def _install_audit_hook(hidden):
    hidden = tuple(str(Path(p).resolve()) + os.sep for p in hidden)
    me = os.getpid()

    def hook(event, args):
        if event in BLOCKED_EVENTS:
            raise PermissionError(f"{BLOCKED_EVENTS[event]} is not allowed while grading ({event})")
        if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.path.realpath(os.fsdecode(args[0])) + os.sep
            if path.startswith(hidden):
                raise PermissionError(f"reading {args[0]!r} is not allowed while grading")
        if event in ("os.kill", "os.killpg") and args and args[0] not in (me, 0):
            raise PermissionError("sending signals to other processes is not allowed while grading")

    sys.addaudithook(hook)


def _world_readable(path):
    """True if ``nobody`` can reach ``path``: every folder on the way is world-executable."""
    path = Path(path).resolve()
    for folder in [path, *path.parents]:
        try:
            if not folder.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def confine(hidden_paths=(), workdir=None, needed_paths=()):
    """Apply every available layer; returns a list of the ones in force (for the results)."""
    os.setsid()
    _set_limit(resource.RLIMIT_FSIZE, MAX_FILE_BYTES)
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_AS, MAX_ADDRESS_SPACE)
    _set_limit(resource.RLIMIT_CPU, MAX_CPU_SECONDS)
    layers = ["process group", "limits"]
    hidden = [str(Path(p).resolve()) for p in hidden_paths if p]
    # Dropping to nobody only works if nobody can still import Python's and the kit's modules.
    # A venv's prefix is not enough: its standard library lives under the base prefix.
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    reachable = all(_world_readable(p) for p in (*prefixes, *needed_paths))
    if os.getuid() == 0 and reachable:
        try:
            if workdir:
                os.chown(workdir, NOBODY, NOBODY)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            layers.append("unprivileged user")
        except OSError:
            pass
    try:
        namespaces = _enter_namespaces(hidden)
    except Exception as error:  # an optional layer that fails must not take the child down
        namespaces = f"namespaces unavailable ({type(error).__name__}: {error})"
    layers.append(namespaces)
    die_with_parent()  # after the change of user and namespaces, which reset it; before the hook blocks ctypes
    _install_audit_hook(hidden)
    layers.append("audit hooks")
    return layers
