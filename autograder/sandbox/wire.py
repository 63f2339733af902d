"""How messages cross between the grader and the child process that runs student code.

A message is one ``.npz`` archive: named arrays plus a ``__meta__`` entry holding UTF-8 JSON
(strings, numbers, lists). Frames are an 8-byte big-endian length followed by the archive.
Everything is read back with ``allow_pickle=False``: a hostile child can send wrong numbers, but it
can never make this process run code.
"""

import io
import json
import os
import struct

import numpy as np

META_KEY = "__meta__"
MAX_FRAME_BYTES = 256 * 1024 * 1024
_HEADER = struct.Struct(">Q")


class WireError(Exception):
    """A frame that is truncated, too large or not a valid archive."""


def encode(meta, arrays=None):
    """Pack a JSON-able ``meta`` dict and a ``{name: array}`` dict into archive bytes."""
    buffer = io.BytesIO()
    payload = {name: np.asarray(value) for name, value in (arrays or {}).items()}
    for name, value in payload.items():
        if value.dtype == object:
            raise TypeError(f"array {name!r} has dtype object; only numeric arrays cross the wire")
    payload[META_KEY] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(buffer, **payload)
    return buffer.getvalue()


def decode(data):
    """Inverse of ``encode``: returns ``(meta, arrays)``; raises ``WireError`` on anything odd."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(arrays.pop(META_KEY).tobytes().decode("utf-8"))
    except Exception as error:  # any malformed payload is the child's fault, never ours
        raise WireError(f"malformed message: {type(error).__name__}: {error}") from None
    if not isinstance(meta, dict):
        raise WireError("malformed message: metadata is not a JSON object")
    return meta, arrays


def write_frame(fd, data):
    """Write one length-prefixed frame to a file descriptor."""
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exact(fd, size, wait=None):
    """Read exactly ``size`` bytes or raise ``EOFError`` (the other side closed the pipe).

    ``wait(fd)``, if given, is called before each read and may raise (the grader's deadline).
    """
    chunks = []
    while size:
        if wait is not None:
            wait(fd)
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd, wait=None):
    """Read one frame; blocks, unless ``wait`` (see ``read_exact``) raises first."""
    (size,) = _HEADER.unpack(read_exact(fd, _HEADER.size, wait))
    if size > MAX_FRAME_BYTES:
        raise WireError(f"frame of {size} bytes is over the {MAX_FRAME_BYTES} byte limit")
    return read_exact(fd, size, wait)
