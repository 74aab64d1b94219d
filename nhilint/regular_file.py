"""Open a file only if it is a regular file, without blocking and without following a final symlink.

A pipe opened for reading blocks until a writer comes (a scan would hang on a FIFO planted in the tree), a
device never ends, and a path checked with `lstat` can be swapped for a link before it is opened. Opening with
O_NONBLOCK and O_NOFOLLOW, then checking the open descriptor, closes all three.
"""

from __future__ import annotations

import errno
import os
import stat
from io import BufferedReader

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegular(OSError):
    """The path is a pipe, socket, device or directory: it is not read."""


def open_regular(path: str | os.PathLike[str]) -> BufferedReader:
    """The file opened for binary reading. Raises NotRegular if it is not a regular file, OSError (ELOOP) if
    it is a symlink, or any other OSError of opening it."""
    descriptor = os.open(path, _FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file (a device, socket or pipe is not read)")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
