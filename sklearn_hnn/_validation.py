"""Input checks shared by estimators, integrators and datasets.

Every check raises before anything is modified, and its message names the
argument at fault and what is wrong with it.
"""

from __future__ import annotations

import os
import re
from numbers import Integral, Real
from pathlib import PurePath

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

FLOAT_DTYPES = (np.float64, np.float32)


def shape_of(value) -> tuple[int, ...] | None:
    """The shape of an array-like, or None when numpy cannot tell (ragged, etc.)."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return tuple(shape)
    try:
        return np.shape(value)
    except (TypeError, ValueError):
        pass
    try:  # objects that only implement __array__
        return np.asarray(value).shape
    except (TypeError, ValueError):
        return None


def backend_missing(device: torch.device) -> bool:
    """Whether ``device`` needs a backend (CUDA, MPS) that is not available."""
    available = {
        "cuda": torch.cuda.is_available,
        "mps": torch.backends.mps.is_available,
    }.get(device.type)
    return available is not None and not available()


def check_float_array(value, name: str, dtype=FLOAT_DTYPES, **kwargs) -> np.ndarray:
    """:func:`sklearn.utils.validation.check_array` with ``name`` in every error.

    Finite, real, floating-point values only (``dtype`` as in ``check_array``;
    integers and booleans are converted). Complex, non-numeric and ragged input
    raise a ``ValueError`` or ``TypeError`` that names the argument, as do NaN
    and infinity.
    """
    if isinstance(value, torch.Tensor):  # read as data, wherever it lives
        value = value.detach().cpu()
        if value.dtype == torch.bfloat16:  # numpy has no bfloat16
            value = value.float()
        value = value.numpy()  # keeps float32 float32, as for arrays
    try:
        return check_array(value, dtype=dtype, input_name=name, **kwargs)
    except (TypeError, ValueError, OverflowError) as exc:
        message = str(exc)
        if re.search(rf"\b{re.escape(name)}\b", message):
            raise
        # An int too large for a float is a value out of range, not a fault of
        # the arithmetic: it gets the ValueError of any other non-finite value.
        error = ValueError if isinstance(exc, OverflowError) else type(exc)
        raise error(
            f"{name} must be an array of finite real numbers; {message}"
        ) from None


def check_2d(value, name: str, *, trajectories: bool = False) -> None:
    """Raise a ValueError naming ``name`` unless ``value`` is 2-D and non-empty.

    With ``trajectories``, where ``value`` is training data, a 3-D array or a
    list of 2-D arrays gets an error that points to ``stack_trajectories``.
    """
    shape = shape_of(value)
    stack = (
        f"If {name} holds trajectories, stack them into rows with "
        f"X, t, groups = sklearn_hnn.datasets.stack_trajectories({name}, t)."
    )
    if shape is None:
        if (
            trajectories
            and isinstance(value, (list, tuple))
            and all(np.ndim(v) == 2 for v in value)
        ):
            raise ValueError(
                f"{name} must be a 2-D array of shape (n_samples, n_features); got "
                f"a list of {len(value)} 2-D arrays of different shapes. {stack}"
            )
        return  # let check_array report ragged or odd input
    if trajectories and len(shape) == 3:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features); got "
            f"3-D input of shape {shape}. {stack}"
        )
    if len(shape) != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features); got "
            f"{len(shape)}-D input of shape {shape}. Reshape your data either using "
            "array.reshape(-1, 1) if your data has a single feature or "
            "array.reshape(1, -1) if it contains a single sample."
        )
    if shape[0] == 0:
        raise ValueError(
            f"{name} is empty: got shape {shape}, but at least 1 sample is needed."
        )
    if shape[1] == 0:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={shape}) while a minimum of 1 is required."
        )


def check_even_width(n_features: int, name: str, owner: str) -> None:
    """Raise unless ``n_features`` can be split into ``[q, p]`` halves."""
    if n_features % 2:
        raise ValueError(
            f"{name} has {n_features} feature(s), but {owner} needs an even number: "
            "columns [q_1 ... q_d, p_1 ... p_d], positions then momenta."
        )


def check_time_grid(t, name: str = "t") -> np.ndarray:
    """Validate a time grid: 1-D, finite, strictly increasing or decreasing.

    Parameters
    ----------
    t : array-like of shape (n_times,)
        Times at which a solution is wanted; ``t[0]`` is the time of the initial
        state. A decreasing grid integrates backwards in time.
    name : str, default="t"
        Name used in error messages.

    Returns
    -------
    ndarray of shape (n_times,), dtype float64
    """
    shape = shape_of(t)
    if shape is None or len(shape) != 1:
        raise ValueError(f"{name} must be a 1-D array of times; got shape {shape}.")
    t = check_float_array(t, name, dtype=np.float64, ensure_2d=False)
    if t.size > 1:
        with np.errstate(over="ignore"):
            dt = np.diff(t)
        if not np.all(np.isfinite(dt)):
            raise ValueError(
                f"{name} must span less than the largest float64 (1.8e308): "
                "its steps overflow."
            )
        if not (np.all(dt > 0) or np.all(dt < 0)):
            raise ValueError(
                f"{name} must be strictly monotonic (all increasing or all "
                "decreasing, no repeated values)."
            )
    return t


def check_positive_int(value, name: str) -> int:
    """Return ``value`` as an int, or raise unless it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")
    return int(value)


def check_positive_float(value, name: str) -> float:
    """Return ``value`` as a float, or raise unless it is a real number (not a
    bool, string or array; see :func:`check_real_number`), finite and > 0."""
    value = check_real_number(value, name)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number; got {value!r}.")
    return value


def check_non_negative_float(value, name: str) -> float:
    """Return ``value`` as a float, or raise unless it is a real number (see
    :func:`check_real_number`), finite and >= 0."""
    value = check_real_number(value, name)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}.")
    return value


def check_path(path, name: str = "path") -> str:
    """Return ``path`` as a non-empty str, or raise naming ``name`` unless it is
    a str or path-like object (bytes paths are not supported)."""
    text = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str or a path-like object; got {path!r}.")
    if not text:
        raise ValueError(f"{name} must not be empty.")
    return text


def check_output_file(path, name: str = "path") -> str:
    """Return ``path`` as a str (as :func:`check_path` does), or raise naming
    ``name`` unless a file can be written there.

    Raises an ``IsADirectoryError`` when ``path`` is a directory (or ends with a
    path separator), and a ``NotADirectoryError`` when its nearest existing
    parent is not a directory; missing parent directories are fine, the writer
    creates them. Nothing is created or modified.
    """
    text = check_path(path, name)
    if os.path.isdir(text):
        raise IsADirectoryError(f"{name} {text!r} is a directory; give a file name.")
    if text.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep)):
        raise IsADirectoryError(
            f"{name} {text!r} ends with a path separator, so it names a directory; "
            "give a file name."
        )
    for parent in PurePath(text).parents:
        if os.path.lexists(parent):
            if not os.path.isdir(parent):
                raise NotADirectoryError(
                    f"{name} {text!r} cannot be written: its parent {str(parent)!r} "
                    "is not a directory."
                )
            break
    return text


def check_seed(random_state, name: str = "random_state") -> np.random.RandomState:
    """:func:`sklearn.utils.check_random_state`, naming ``name`` in its errors."""
    try:
        return check_random_state(random_state)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be None, an int in [0, 2**32 - 1] or a RandomState; got "
            f"{random_state!r} ({exc})."
        ) from None


def check_generator(rng, name: str = "rng") -> np.random.Generator:
    """``rng`` itself, or a TypeError unless it is a numpy ``Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator, such as "
            f"numpy.random.default_rng(0); got {type(rng).__name__}."
        )
    return rng


def check_option(value, name: str, options) -> str:
    """Raise unless ``value`` is one of ``options``, listing the valid ones."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {sorted(options)}; got {value!r}.")
    return value


def check_real_number(value, name: str) -> float:
    """Return ``value`` as a float, or raise unless it is a real number.

    Unlike :func:`check_positive_float`, nothing is converted on the way: a
    bool, a string, an array or None raises a ValueError that names ``name``.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number; got {value!r}.")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number; got {value!r}.") from None


def check_states(
    value,
    name: str,
    shape_doc: str,
    *,
    owner: str,
    n_features: int | None = None,
    ndims: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Validate states ``[q_1 ... q_d, p_1 ... p_d]`` laid out on the last axis.

    Parameters
    ----------
    value : array-like of shape (..., n_features)
        The states.
    name : str
        Name used in error messages.
    shape_doc : str
        The documented shape, e.g. ``"(..., 2)"``, quoted in error messages.
    owner : str
        Who needs the states, e.g. ``repr`` of a system, for error messages.
    n_features : int or None, default=None
        Required width of a state; None accepts any even width.
    ndims : tuple of int or None, default=None
        Allowed numbers of dimensions; None accepts any number >= 1.

    Returns
    -------
    ndarray of the same shape, dtype float64
        Finite real values; raises a ValueError or TypeError naming ``name``
        otherwise, and when ``value`` is empty or has the wrong shape.
    """
    shape = shape_of(value)
    if shape is not None:
        if not shape or (ndims is not None and len(shape) not in ndims):
            raise ValueError(
                f"{name} must have shape {shape_doc}; got {len(shape)}-D input of "
                f"shape {shape}."
            )
        if 0 in shape:
            raise ValueError(
                f"{name} is empty: got shape {shape}, but at least one state is needed."
            )
        if n_features is not None and shape[-1] != n_features:
            raise ValueError(
                f"{name} must have shape {shape_doc}, a state of {owner} having "
                f"{n_features} entries [q_1 ... q_d, p_1 ... p_d]; got shape {shape}."
            )
        check_even_width(shape[-1], name, owner)
    return check_float_array(
        value, name, dtype=np.float64, ensure_2d=False, allow_nd=True
    )
