"""Files written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


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
            yield tmp
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
