"""Open a file only if it is a regular file, without blocking and without following a final symlink.

A pipe opened for reading blocks until a writer comes (a scan would hang on a FIFO planted in the tree), a
device never ends, and a path checked with `lstat` can be swapped for a link before it is opened. Opening with
O_NONBLOCK and O_NOFOLLOW, then checking the open descriptor, closes all three.
"""

from __future__ import annotations

import errno
import os
import stat
from io import FileIO

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegular(OSError):
    """The path is a pipe, socket, device or directory: it is not read."""


def open_regular(path: str | os.PathLike[str]) -> FileIO:
    """The file opened for binary reading, unbuffered (read it with `read_at_most`). Raises NotRegular if it is
    not a regular file, OSError (ELOOP) if it is a symlink, or any other OSError of opening it."""
    descriptor = os.open(path, _FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file (a device, socket or pipe is not read)")
        return FileIO(descriptor, "rb")  # os.fdopen's buffered reader costs more than the read, per small file
    except BaseException:
        os.close(descriptor)
        raise


def read_at_most(handle: FileIO, limit: int) -> bytes:
    """The first `limit` bytes of an open file (all of a smaller one). Each read asks for what the file's size
    says is left (and one byte more, to see its end): asking for `limit` bytes allocates that much for every
    file, which costs a 6 KiB template more than reading it does. A file that grows meanwhile is read on."""
    size = os.fstat(handle.fileno()).st_size
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = handle.read(min(max(size + 1 - total, 1 << 16), limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
