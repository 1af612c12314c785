"""On-disk cache of simulated datasets: keyed, checksummed, written atomically.

A cache file is an ``.npz`` archive, never pickled, named
``<name>-<key>.npz``. The key hashes the dataset's name, every parameter, the
cache format, and the versions of this package, numpy (whose random
generators may change between versions) and scipy (which integrates the
trajectories). Beside the arrays, a ``__meta__`` entry
holds a JSON record of the name, the parameters, the key and a SHA-256 checksum
of every array. A file that cannot be read, or does not hold what its key
promises, is reported with a :class:`CacheWarning` and rebuilt. Files are
written to a temporary file in the same directory and renamed into place, so a
reader sees either a whole file or none.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Callable, Mapping
from numbers import Integral
from pathlib import Path

import numpy as np
import scipy

import sklearn_hnn
from sklearn_hnn._io import atomic_write
from sklearn_hnn._validation import check_path
from sklearn_hnn.exceptions import CacheWarning

#: Version of the file layout and of the data behind a key. Bump it when a
#: change to the code makes the same parameters give different arrays.
CACHE_FORMAT = 1
#: Name of the archive entry holding the JSON record.
META = "__meta__"
#: dtype kinds that may be stored: bool, integers, floats, complex, unicode.
STORABLE_KINDS = "biufcU"
#: Hexadecimal digits of the key in a file name.
KEY_DIGITS = 20
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class _Mismatch(ValueError):
    """A readable cache file that does not hold what its key promises."""


def check_cache_arguments(cache_dir, random_state) -> Path | None:
    """Check the cache arguments of a dataset before anything is simulated.

    Parameters
    ----------
    cache_dir : str, os.PathLike or None
        The dataset's ``cache_dir`` argument; None means no cache.
    random_state : object
        The dataset's ``random_state`` argument, which must be an int whenever
        ``cache_dir`` is given.

    Returns
    -------
    pathlib.Path or None
        The directory of the cache, ``~`` expanded, to pass to
        :func:`load_or_build`; None when ``cache_dir`` is None.
    """
    if cache_dir is None:
        return None
    if isinstance(cache_dir, str) and not cache_dir:
        raise ValueError(
            "cache_dir must not be empty; pass None for no cache, or '.' for the "
            "current directory."
        )
    directory = Path(check_path(cache_dir, "cache_dir")).expanduser()
    if directory.exists() and not directory.is_dir():
        raise ValueError(
            f"cache_dir must be a directory; {str(cache_dir)!r} is a file."
        )
    if isinstance(random_state, bool) or not isinstance(random_state, Integral):
        raise ValueError(
            f"random_state must be an int when cache_dir is given; got "
            f"{random_state!r}. A cached dataset is only valid for a reproducible "
            "seed: None or a RandomState instance give different data at each call."
        )
    return directory


def load_or_build(
    name: str,
    params: Mapping,
    build: Callable[[], dict[str, np.ndarray]],
    directory: Path,
) -> dict[str, np.ndarray]:
    """Read the arrays of a dataset from the cache, or build and cache them.

    Parameters
    ----------
    name : str
        Name of the dataset: letters, digits, ``_``, ``.`` and ``-``.
    params : mapping of str to JSON-like values
        Every parameter that changes the data: numbers, strings, None, and
        lists, tuples or mappings of them. numpy scalars count as the Python
        numbers they hold and tuples as lists.
    build : callable
        ``build()`` returns the arrays, ``{array name: ndarray}``, each of a
        numeric, bool or unicode dtype. Called only when the cache has no
        usable file.
    directory : pathlib.Path
        Directory of the cache, created with its parents when missing: the
        one :func:`check_cache_arguments` returns, which checks it.

    Returns
    -------
    dict of str to ndarray
        The arrays ``build`` returns, bit for bit.

    Warns
    -----
    CacheWarning
        When the file exists but is truncated, corrupted, or written for other
        parameters; it is then rebuilt and rewritten.
    """
    params = _normalise(params)
    key = _key(name, params)
    path = Path(directory) / f"{name}-{key[:KEY_DIGITS]}.npz"
    try:
        return _read(path, key, params)
    except FileNotFoundError:
        pass
    # Whatever a damaged file raises (zipfile, numpy's format parser, JSON, the
    # checks of _read): a cache is a convenience, never a reason to fail.
    except Exception as exc:
        warnings.warn(
            f"Dataset cache file {path} is unusable ({type(exc).__name__}: {exc}); "
            "rebuilding it.",
            CacheWarning,
            stacklevel=4,  # the caller of the dataset function
        )
    arrays = build()
    _write(path, {"name": name, "key": key, "params": params}, arrays)
    return arrays


def _normalise(params: Mapping):
    """``params`` as they read back from JSON; raise on anything else."""
    return json.loads(_canonical(_plain(params)))


def _plain(value):
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError(f"Cache parameter names must be strings; got {value!r}.")
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(
        "Cache parameters must be numbers, strings, None, or lists and mappings "
        f"of them; got {value!r}."
    )


def _canonical(record) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _key(name: str, params) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(
            f"A cache name must be letters, digits, '_', '.' and '-'; got {name!r}."
        )
    record = {
        "name": name,
        "params": params,
        "format": CACHE_FORMAT,
        "version": sklearn_hnn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    return hashlib.sha256(_canonical(record).encode()).hexdigest()


def _checksum(array: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and bytes (in C order)."""
    digest = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    digest.update(array.tobytes(order="C"))
    return digest.hexdigest()


def _read(path: Path, key: str, params) -> dict[str, np.ndarray]:
    """The arrays of a cache file, after checking its record and checksums."""
    # Our own handle: np.load leaves its file open when the archive is damaged.
    with (
        open(path, "rb") as file,
        _as_npz(np.load(file, allow_pickle=False)) as archive,
    ):
        meta = json.loads(archive[META].item())
        if not isinstance(meta, dict):
            raise _Mismatch(f"its {META} record is not a JSON object")
        if meta.get("key") != key:
            raise _Mismatch(f"it was written for key {meta.get('key')!r}, not {key!r}")
        if meta.get("params") != params:
            raise _Mismatch(
                f"it was written for parameters {meta.get('params')!r}, not {params!r}"
            )
        checksums = meta["checksums"]
        stored = set(archive.files) - {META}
        if stored != set(checksums):
            raise _Mismatch(
                f"it holds arrays {sorted(stored)} but its record lists "
                f"{sorted(checksums)}"
            )
        arrays = {}
        for name, checksum in checksums.items():
            array = archive[name]
            if _checksum(array) != checksum:
                raise _Mismatch(f"the checksum of array {name!r} does not match")
            arrays[name] = array
    return arrays


def _as_npz(archive) -> np.lib.npyio.NpzFile:
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise _Mismatch("it is not an .npz archive")
    return archive


def _write(path: Path, record: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` and ``record`` to ``path`` atomically: a temporary file
    in the same directory, flushed to disk, then renamed onto ``path``."""
    for name, array in arrays.items():
        if name == META or not _NAME.fullmatch(name):
            raise ValueError(f"Cannot cache an array named {name!r}.")
        if not isinstance(array, np.ndarray) or array.dtype.kind not in STORABLE_KINDS:
            raise TypeError(
                f"Only numeric, bool or unicode arrays are cached (no pickling); "
                f"{name!r} is {type(array).__name__} of dtype "
                f"{getattr(array, 'dtype', None)}."
            )
    record = {
        **record,
        "format": CACHE_FORMAT,
        "checksums": {name: _checksum(array) for name, array in arrays.items()},
    }
    with atomic_write(path) as file:
        np.savez(file, **arrays, **{META: np.array(_canonical(record))})
