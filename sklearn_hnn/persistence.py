"""Saving and loading estimators in a format that cannot run code.

:func:`save` writes one file with :func:`torch.save` that holds only tensors,
numbers and strings: the estimator's class name and parameters (JSON text) and
whatever its fitted state needs (for the dynamics estimators, the weights, the
optimizer's state, the fitted attributes and the training history), with a
SHA-256 digest of all of it. :func:`load` reads it back with
``torch.load(weights_only=True)``, which refuses anything else, and imports
only the classes an estimator's parameters may hold (torch modules and
optimizers, estimators, differentiators, objectives) from torch, sklearn-hnn
or paths the caller allows, so a file from an untrusted source cannot execute
code when it is loaded. It checks the digest, so a file damaged on disk or in
a copy is refused rather than loaded with changed weights; the digest guards
against accidents, not against someone who edits a file on purpose (they can
recompute it), which is what the content checks are for. Pickle and joblib
also work (``pickle.dumps(estimator)``), but unpickling runs arbitrary code:
only unpickle files you trust.

Any estimator class registered in :data:`sklearn_hnn.estimators.ESTIMATORS`
(every concrete estimator built on the package's torch training registers
itself) saves and loads here with no change to this module: the estimator
writes its own fitted state (``_saved_entries``) and checks and restores it
(``_load_saved``). The same file is what
:class:`~sklearn_hnn.callbacks.Checkpoint` writes during training, so a
checkpoint loads with :func:`load` and resumes with ``warm_start=True`` or
``partial_fit``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from collections.abc import Collection, Iterator
from typing import Any

import numpy as np
import torch

from sklearn_hnn._codec import decode, encode, shown
from sklearn_hnn._io import atomic_write
from sklearn_hnn._validation import backend_missing, check_output_file, check_path
from sklearn_hnn._version import __version__
from sklearn_hnn.estimators import ESTIMATORS, registered_name
from sklearn_hnn.estimators._params import PREFIXES
from sklearn_hnn.estimators._runtime import resolve_device
from sklearn_hnn.estimators._state import SavedStateError, json_entry

#: Identifies our files, and the version of their layout.
FORMAT = "sklearn-hnn"
#: 2 added the SHA-256 ``checksum``; files of version 1 have none.
FORMAT_VERSION = 2


# ----------------------------------------------------------------- checksum


def _feed(digest, value) -> None:
    """Feed ``value`` (the nested dicts, lists, tensors and plain values of a
    payload) to ``digest``, each item tagged with its kind and, for a tensor,
    its dtype and shape."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu().contiguous()
        digest.update(f"T{tensor.dtype}{tuple(tensor.shape)}".encode())
        digest.update(tensor.view(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(value, dict):
        digest.update(f"D{len(value)}".encode())
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
    elif isinstance(value, list | tuple):
        digest.update(f"L{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    else:
        digest.update(f"V{type(value).__name__}:{value!r}".encode())


def checksum(payload: dict) -> str:
    """The SHA-256 digest of a save's content.

    Parameters
    ----------
    payload : dict
        The entries of a save (nested dicts, lists, tensors and plain values);
        its own ``checksum`` entry, if any, is left out.

    Returns
    -------
    str
        The digest, in hexadecimal. Tensors are digested with their dtype and
        shape, so a changed byte, dtype or shape changes it.
    """
    digest = hashlib.sha256()
    _feed(digest, {k: v for k, v in payload.items() if k != "checksum"})
    return digest.hexdigest()


# ------------------------------------------------------------------ parameters


def _encode_params(estimator, warn_callbacks: bool) -> str:
    params = estimator.get_params(deep=False)
    if params.get("callbacks") is not None and warn_callbacks:
        warnings.warn(
            "callbacks are code and are not saved; the loaded estimator has "
            "callbacks=None. Pass them again with set_params before training.",
            UserWarning,
            stacklevel=3,
        )
    if "callbacks" in params:
        params["callbacks"] = None
    random_state = params.get("random_state")
    if random_state is not None and not isinstance(random_state, int | np.integer):
        warnings.warn(
            f"random_state={random_state!r} is not an int and is saved as None.",
            UserWarning,
            stacklevel=3,
        )
        params["random_state"] = None
    return json.dumps({name: encode(name, value) for name, value in params.items()})


# ----------------------------------------------------------------------- files


def header(estimator, *, warn_callbacks: bool = True) -> dict:
    """What identifies a saved estimator: format, class and parameters."""
    name = registered_name(type(estimator))
    if ESTIMATORS.get(name) is not type(estimator):
        raise TypeError(
            f"save handles the registered estimators {sorted(ESTIMATORS)}; got "
            f"{name}, which is not registered (a class defined inside a function, "
            "or not built on sklearn-hnn's torch training; see "
            "sklearn_hnn.estimators.register). Use pickle or joblib for it."
        )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "estimator": name,
        "params": _encode_params(estimator, warn_callbacks),
    }


def write(path: str | os.PathLike, header: dict, entries: dict) -> None:
    """Write ``header`` and the estimator's ``entries`` to ``path``, with their
    checksum, atomically (the file is either the old one or the whole new one)."""
    payload = {**header, **entries}
    payload["checksum"] = checksum(payload)
    with atomic_write(path) as file:
        torch.save(payload, file)


def save(estimator, path: str | os.PathLike) -> None:
    """Save an estimator, fitted or not, to one file that loads without pickle.

    Parameters
    ----------
    estimator : estimator
        A registered estimator (:data:`sklearn_hnn.estimators.ESTIMATORS`),
        such as :class:`~sklearn_hnn.HamiltonianRegressor`. Its ``callbacks``
        are code and are not saved (a warning says so); a non-integer
        ``random_state`` is saved as None; a class given as a parameter (a
        ``module`` or ``activation`` of your own) is saved by its import path.
    path : str or os.PathLike
        Destination file, conventionally ending in ``.pt``; its directory is
        created if needed. It is written atomically.

    Raises
    ------
    TypeError
        If ``estimator`` is not registered, or a parameter (such as a module
        instance or a class defined inside a function) cannot be saved without
        pickling; also if ``path`` is not a str or path-like object.
    IsADirectoryError
        If ``path`` is a directory. Nothing is written.
    NotADirectoryError
        If a parent of ``path`` is a file, not a directory. Nothing is written.

    See Also
    --------
    load : Read the file back.
    """
    path = check_output_file(path)
    write(path, header(estimator), estimator._saved_entries())


def load(
    path: str | os.PathLike,
    *,
    device: str | None = None,
    allow_imports: Collection[str] = (),
):
    """Load an estimator saved by :func:`save` or by a
    :class:`~sklearn_hnn.callbacks.Checkpoint`, without running any code from the
    file.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    device : str or None, default=None
        Where to put the network. None keeps the saved ``device`` parameter,
        except that a model saved on ``"cuda"`` loads on ``"cpu"`` (with a
        warning) where CUDA is not available. The estimator's ``device``
        parameter is set to the device used.
    allow_imports : collection of str, default=()
        Import paths (``"mypackage.nets.MyEnergy"``) of classes outside torch
        and sklearn-hnn that the file names (a ``module`` or ``activation`` of
        your own) and that may be imported. Importing runs that module's code:
        allow only code you trust. A file naming any other such class is
        refused. Even an allowed class is used only if it is a torch module or
        optimizer, an estimator, a differentiator or an objective.

    Returns
    -------
    estimator
        Fitted if it was fitted when saved, with its weights, optimizer state
        and ``history_``; ready to predict, or to train further with
        ``warm_start=True`` or ``partial_fit``.

    Raises
    ------
    TypeError
        If ``path`` is not a str or path-like object, or ``allow_imports`` is
        not a collection of str.
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not an sklearn-hnn save, was written by a newer version
        of the format, or is damaged: its checksum does not match its content
        (a changed byte), it is truncated, or it was edited so that it no
        longer describes a model (a missing or malformed entry, parameters
        that ``fit`` would refuse, a class that is not allowed or not of a
        kind a parameter holds, an unknown estimator, parameter or optimizer,
        weights that are not finite or do not fit the network, fitted
        attributes that do not fit the weights). The message names ``path``
        and says what is wrong.
    """
    path = check_path(path)
    if isinstance(allow_imports, str) or not all(
        isinstance(item, str) for item in allow_imports
    ):
        raise TypeError(
            "allow_imports must be a collection of import paths (str), such as "
            f"['mypackage.nets.MyEnergy']; got {allow_imports!r}."
        )
    allow_imports = frozenset(allow_imports)
    payload = _read(path)
    if device is not None:
        resolve_device(device)  # the caller's argument, not the file, is at fault
    with _invalid_file(path):
        _check_checksum(payload)
        estimator = _estimator(payload, device, allow_imports)
        estimator._load_saved(payload, allow_imports)
    return estimator


def _read(path: str) -> dict:
    """The payload of the file at ``path``; raise unless it is one of our saves in
    a version of the format that this sklearn-hnn reads."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(
            f"path {path!r} is not a readable sklearn-hnn save: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"path {path!r} is not an sklearn-hnn save.")
    version = payload.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(
            f"{_NOT_VALID.format(path=path)}: its format_version is {shown(version)}, "
            "not an integer."
        )
    if version < 1:
        raise ValueError(
            f"{_NOT_VALID.format(path=path)}: its format_version is {version}, "
            "not a version of the format."
        )
    if version > FORMAT_VERSION:
        raise ValueError(
            f"path {path!r} was saved in format version {version}; this "
            f"sklearn-hnn reads up to {FORMAT_VERSION}. Upgrade sklearn-hnn to "
            "load it."
        )
    return payload


def _check_checksum(payload: dict) -> None:
    """Raise unless the payload's checksum matches its content. Only files of
    the first format version may have none; a checksum present is checked
    whatever the version says (the version is part of what it covers)."""
    recorded = payload.get("checksum")
    if recorded is None and payload["format_version"] == 1:
        return
    if not isinstance(recorded, str):
        raise SavedStateError("it has no checksum")
    if recorded != checksum(payload):
        raise SavedStateError(
            "its content does not match its SHA-256 checksum: the file was "
            "damaged, on disk or in a copy"
        )


# ------------------------------------------------------------- damaged files

_NOT_VALID = "path {path!r} is not a valid sklearn-hnn model file"


@contextlib.contextmanager
def _invalid_file(path: str) -> Iterator[None]:
    """Report anything that goes wrong while interpreting the content of the file
    at ``path`` as one ValueError naming it, chained to the original error."""
    try:
        yield
    except torch.cuda.OutOfMemoryError:
        raise  # the machine, not the file
    except SavedStateError as exc:
        what = str(exc).rstrip(".")
        raise ValueError(f"{_NOT_VALID.format(path=path)}: {what}.") from exc.__cause__
    except (
        AttributeError,
        IndexError,
        KeyError,
        OverflowError,
        RuntimeError,
        TypeError,
        ValueError,
    ) as exc:
        raise ValueError(
            f"{_NOT_VALID.format(path=path)}: {type(exc).__name__}: {exc}"
        ) from exc


def _estimator(payload: dict, device: str | None, allow_imports) -> Any:
    """The unfitted estimator of the class and parameters ``payload`` names."""
    if "estimator" not in payload:
        raise SavedStateError("it has no 'estimator' entry")
    name = payload["estimator"]
    if not (isinstance(name, str) and name in ESTIMATORS):
        raise SavedStateError(
            f"unknown estimator {shown(name)}; expected one of {sorted(ESTIMATORS)}"
        )
    cls = ESTIMATORS[name]
    encoded = json_entry(payload, "params", dict)
    known = set(cls._get_param_names())
    unknown = sorted(
        key for key in set(encoded) - known if not key.startswith(PREFIXES)
    )
    if unknown:
        raise SavedStateError(f"{name} has no parameter(s) {unknown}")
    params = {}
    for key, value in encoded.items():
        try:
            params[key] = decode(value, allow_imports)
        except (TypeError, ValueError) as exc:
            raise SavedStateError(f"its parameter {key} cannot be read: {exc}") from exc
    if "device" in known:
        saved_device = params.get("device", "cpu")
        if device is None:
            try:
                torch.device(saved_device)
            except (RuntimeError, TypeError, ValueError) as exc:
                raise SavedStateError(
                    f"its parameter device={shown(saved_device)} is not a torch device"
                ) from exc
        params["device"] = _available_device(saved_device, device)
    estimator = cls(**params)
    if hasattr(estimator, "_parameter_constraints"):
        try:
            estimator._validate_params()  # what fit would check first
        except ValueError as exc:
            raise SavedStateError(f"its parameters are not valid: {exc}") from exc
    return estimator


def _available_device(saved: str, requested: str | None) -> str:
    if requested is not None:
        return requested
    backend = torch.device(saved)
    if backend_missing(backend):
        warnings.warn(
            f"The model was saved with device={saved!r}, but {backend.type.upper()} "
            "is not available here; it is loaded with device='cpu'.",
            UserWarning,
            stacklevel=5,  # _available_device, _estimator, load's context, load
        )
        return "cpu"
    return saved


__all__ = ["checksum", "load", "save"]
