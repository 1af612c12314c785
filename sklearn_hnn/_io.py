"""Files written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def _mode_of_new(path: Path) -> int:
    """Permissions of a file written at ``path`` by ``open(path, "w")``."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    umask = os.umask(0o077)  # elsewhere, set and restore at once
    os.umask(umask)
    return umask


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; on success, rename it onto ``path``.

    The data are flushed to disk before the rename, so a reader (or a crash)
    sees either the old file, or no file, or the whole new one, never a part.
    On any error the temporary file is removed and the error propagates.

    Parameters
    ----------
    path : str or os.PathLike
        Final location; its directory is created with its parents if missing.

    Yields
    ------
    file object
        Binary, writable.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}-", suffix=".tmp", delete=False
    )
    try:
        with tmp:
            # The temporary file is private (0o600); give it the mode that
            # open(path, "w") would: the old file's, or 0o666 less the umask.
            os.chmod(tmp.name, _mode_of_new(path))
            yield tmp
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
