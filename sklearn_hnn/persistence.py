"""Saving and loading estimators in a format that cannot run code.

:func:`save` writes one file with :func:`torch.save` that holds only tensors,
numbers and strings: the network's weights, the optimizer's state, the
estimator's parameters and the training history (both as JSON text).
:func:`load` reads it back with ``torch.load(weights_only=True)``, which refuses
anything else, so a file from an untrusted source cannot execute code when it is
loaded. Pickle and joblib also work (``pickle.dumps(estimator)``), but unpickling
runs arbitrary code: only unpickle files you trust.

The same file is what :class:`~sklearn_hnn.callbacks.Checkpoint` writes during
training, so a checkpoint loads with :func:`load` and resumes with
``warm_start=True`` or ``partial_fit``.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

import numpy as np
import torch

import sklearn_hnn
from sklearn_hnn._io import atomic_write
from sklearn_hnn._validation import check_path

#: Identifies our files, and the version of their layout.
FORMAT = "sklearn-hnn"
FORMAT_VERSION = 1


def _estimator_classes() -> dict[str, type]:
    # Imported here: the estimators import the Checkpoint callback, which
    # imports this module.
    from sklearn_hnn.estimators import BaselineDynamicsRegressor, HamiltonianRegressor

    return {
        cls.__name__: cls for cls in (HamiltonianRegressor, BaselineDynamicsRegressor)
    }


def _differentiator_classes() -> dict[str, type]:
    from sklearn_hnn.differentiation import FiniteDifference, SavitzkyGolay

    return {cls.__name__: cls for cls in (FiniteDifference, SavitzkyGolay)}


# ------------------------------------------------------------------ parameters


def _encode(name: str, value) -> Any:
    """One estimator parameter as JSON-friendly data; raise if it has none."""
    from sklearn_hnn.estimators.base import OPTIMIZERS

    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.bool_ | np.integer | np.floating):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, tuple | list):
        return {"tuple": [_encode(name, item) for item in value]}
    if isinstance(value, torch.device):
        return str(value)
    if isinstance(value, type) and issubclass(value, torch.optim.Optimizer):
        for key, optimizer in OPTIMIZERS.items():
            if value is optimizer:
                return key
        if getattr(torch.optim, value.__name__, None) is value:
            return {"torch.optim": value.__name__}
    differentiators = _differentiator_classes()
    if type(value) in differentiators.values():
        return {"differentiator": type(value).__name__, "params": dict(vars(value))}
    raise TypeError(
        f"Cannot save parameter {name}={value!r}: only numbers, strings, tuples, "
        "torch.optim optimizers and the built-in differentiators can be saved "
        "without pickling. Use pickle or joblib for this estimator instead (and "
        "only load such files from sources you trust)."
    )


def _decode(value) -> Any:
    if isinstance(value, dict):
        if "tuple" in value:
            return tuple(_decode(item) for item in value["tuple"])
        if "torch.optim" in value:
            return getattr(torch.optim, value["torch.optim"])
        if "differentiator" in value:
            cls = _differentiator_classes()[value["differentiator"]]
            return cls(**value["params"])
        raise ValueError(f"Unknown parameter encoding {value!r}.")
    return value


def _encode_params(estimator, warn_callbacks: bool) -> str:
    params = estimator.get_params(deep=False)
    if params.get("callbacks") is not None and warn_callbacks:
        warnings.warn(
            "callbacks are code and are not saved; the loaded estimator has "
            "callbacks=None. Pass them again with set_params before training.",
            UserWarning,
            stacklevel=3,
        )
    params["callbacks"] = None
    random_state = params.get("random_state")
    if random_state is not None and not isinstance(random_state, int | np.integer):
        warnings.warn(
            f"random_state={random_state!r} is not an int and is saved as None.",
            UserWarning,
            stacklevel=3,
        )
        params["random_state"] = None
    return json.dumps({name: _encode(name, value) for name, value in params.items()})


# ----------------------------------------------------------------------- files


def header(estimator, metadata: dict | None, *, warn_callbacks: bool = True) -> dict:
    """What identifies a saved estimator: format, class, parameters, fitted
    metadata (None when it is not fitted). All values are strings or ints."""
    name = type(estimator).__name__
    if _estimator_classes().get(name) is not type(estimator):
        raise TypeError(
            f"save handles {sorted(_estimator_classes())}; got {name}. Use pickle "
            "or joblib for other estimators."
        )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": sklearn_hnn.__version__,
        "estimator": name,
        "params": _encode_params(estimator, warn_callbacks),
        "fitted": json.dumps(metadata),
    }


def write(path: str | os.PathLike, header: dict, net=None) -> None:
    """Write ``header`` and, if given, the state of a skorch ``net`` to ``path``,
    atomically (the file is either the old one or the whole new one)."""
    payload = dict(header)
    if net is not None:
        payload["module_state"] = net.module_.state_dict()
        payload["optimizer_state"] = net.optimizer_.state_dict()
        payload["history"] = json.dumps(net.history.to_list(), default=float)
    with atomic_write(path) as file:
        torch.save(payload, file)


def save(estimator, path: str | os.PathLike) -> None:
    """Save an estimator, fitted or not, to one file that loads without pickle.

    Parameters
    ----------
    estimator : HamiltonianRegressor or BaselineDynamicsRegressor
        The estimator. Its ``callbacks`` are code and are not saved (a warning
        says so); a non-integer ``random_state`` is saved as None.
    path : str or os.PathLike
        Destination file, conventionally ending in ``.pt``; its directory is
        created if needed. It is written atomically.

    Raises
    ------
    TypeError
        If ``estimator`` is not one of ours, or a parameter (such as a custom
        optimizer class) cannot be saved without pickling.

    See Also
    --------
    load : Read the file back.
    """
    path = check_path(path)
    fitted = hasattr(estimator, "net_")
    metadata = estimator._saved_metadata() if fitted else None
    write(path, header(estimator, metadata), estimator.net_ if fitted else None)


def load(path: str | os.PathLike, *, device: str | None = None):
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

    Returns
    -------
    HamiltonianRegressor or BaselineDynamicsRegressor
        Fitted if it was fitted when saved, with its weights, optimizer state
        and ``history_``; ready to predict, or to train further with
        ``warm_start=True`` or ``partial_fit``.

    Raises
    ------
    ValueError
        If the file is not an sklearn-hnn save (or is damaged), or was written
        by a newer version of the format.
    """
    path = check_path(path)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(
            f"path {os.fspath(path)!r} is not a readable sklearn-hnn save: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"path {os.fspath(path)!r} is not an sklearn-hnn save.")
    if payload.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"path {os.fspath(path)!r} was saved in format version "
            f"{payload['format_version']}; this sklearn-hnn reads up to "
            f"{FORMAT_VERSION}. Upgrade sklearn-hnn to load it."
        )
    cls = _estimator_classes()[payload["estimator"]]
    params = {k: _decode(v) for k, v in json.loads(payload["params"]).items()}
    params["device"] = _available_device(params.get("device", "cpu"), device)
    estimator = cls(**params)
    metadata = json.loads(payload["fitted"])
    if metadata is None:
        return estimator
    return estimator._restore(
        metadata,
        payload["module_state"],
        payload.get("optimizer_state"),
        json.loads(payload["history"]),
    )


def _available_device(saved: str, requested: str | None) -> str:
    if requested is not None:
        return requested
    if torch.device(saved).type == "cuda" and not torch.cuda.is_available():
        warnings.warn(
            f"The model was saved with device={saved!r}, but CUDA is not available "
            "here; it is loaded with device='cpu'.",
            UserWarning,
            stacklevel=3,
        )
        return "cpu"
    return saved


__all__ = ["load", "save"]
