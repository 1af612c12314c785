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

import contextlib
import json
import math
import os
import reprlib
import warnings
from collections.abc import Iterator
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch

import sklearn_hnn
from sklearn_hnn._io import atomic_write
from sklearn_hnn._validation import backend_missing, check_output_file, check_path
from sklearn_hnn.nn.mlp import ACTIVATIONS

#: Identifies our files, and the version of their layout.
FORMAT = "sklearn-hnn"
FORMAT_VERSION = 1

# repr of values read from a file, shortened for messages.
_REPR = reprlib.Repr()  # keyword arguments need Python 3.12
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlong = 40
_shown = _REPR.repr


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
    """Undo :func:`_encode`; raise a ValueError or TypeError on anything else."""
    if isinstance(value, list):
        raise ValueError(f"a list is not a parameter encoding: {_shown(value)}")
    if not isinstance(value, dict):
        return value
    if "tuple" in value:
        items = value["tuple"]
        if not isinstance(items, list):
            raise ValueError(f"a tuple must be encoded as a list; got {_shown(items)}")
        return tuple(_decode(item) for item in items)
    if "torch.optim" in value:
        name = value["torch.optim"]
        optimizer = _torch_optimizer(name)
        if optimizer is None:
            raise ValueError(f"torch.optim has no optimizer {_shown(name)}")
        return optimizer
    if "differentiator" in value:
        classes = _differentiator_classes()
        name, params = value["differentiator"], value.get("params")
        if not (isinstance(name, str) and name in classes):
            raise ValueError(
                f"unknown differentiator {_shown(name)}; expected one of "
                f"{sorted(classes)}"
            )
        if not isinstance(params, dict):
            raise ValueError(f"the parameters of {name} are not a JSON object")
        return classes[name](**params)
    raise ValueError(f"unknown parameter encoding {_shown(value)}")


def _torch_optimizer(name) -> type[torch.optim.Optimizer] | None:
    """The optimizer class called ``name`` in ``torch.optim``, or None."""
    found = getattr(torch.optim, name, None) if isinstance(name, str) else None
    if isinstance(found, type) and issubclass(found, torch.optim.Optimizer):
        return found
    return None


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
        optimizer class) cannot be saved without pickling; also if ``path`` is
        not a str or path-like object.
    IsADirectoryError
        If ``path`` is a directory. Nothing is written.
    NotADirectoryError
        If a parent of ``path`` is a file, not a directory. Nothing is written.

    See Also
    --------
    load : Read the file back.
    """
    path = check_output_file(path)
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
    TypeError
        If ``path`` is not a str or path-like object.
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not an sklearn-hnn save, was written by a newer version
        of the format, or is damaged: truncated, or edited so that it no longer
        describes a model (a missing or malformed entry, an unknown class,
        parameter or optimizer, weights that are not finite or do not fit the
        network, fitted attributes that do not fit the weights). The message
        names ``path`` and says what is wrong.
    """
    path = check_path(path)
    payload = _read(path)
    with _invalid_file(path):
        estimator, fitted_state = _unpack(payload, device)
    if fitted_state is None:
        return estimator
    if device is not None:
        from sklearn_hnn.estimators.base import _resolve_device

        _resolve_device(device)  # the caller's argument, not the file, is at fault
    with _invalid_file(path):
        estimator._restore(*fitted_state)
        _check_output_width(estimator)
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
            f"{_NOT_VALID.format(path=path)}: its format_version is {_shown(version)}, "
            "not an integer."
        )
    if version > FORMAT_VERSION:
        raise ValueError(
            f"path {path!r} was saved in format version {version}; this "
            f"sklearn-hnn reads up to {FORMAT_VERSION}. Upgrade sklearn-hnn to "
            "load it."
        )
    return payload


# ------------------------------------------------------------- damaged files

_NOT_VALID = "path {path!r} is not a valid sklearn-hnn model file"

#: Fitted attributes that every fitted save holds (``validation_seed`` is
#: optional).
_METADATA_KEYS = (
    "n_features_in_",
    "feature_names_in_",
    "n_outputs_",
    "y_is_1d",
    "X_offset_",
    "X_scale_",
    "y_scale_",
)


class _Invalid(ValueError):
    """What is wrong with the content of a file that reads back."""


@contextlib.contextmanager
def _invalid_file(path: str) -> Iterator[None]:
    """Report anything that goes wrong while interpreting the content of the file
    at ``path`` as one ValueError naming it, chained to the original error."""
    try:
        yield
    except torch.cuda.OutOfMemoryError:
        raise  # the machine, not the file
    except _Invalid as exc:
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


def _json_entry(payload: dict, key: str, kind: type, *, nullable: bool = False):
    """The JSON text ``payload[key]``, decoded, checked to be a ``kind``."""
    if key not in payload:
        raise _Invalid(f"it has no {key!r} entry")
    text = payload[key]
    if not isinstance(text, str):
        raise _Invalid(f"its {key!r} entry is a {type(text).__name__}, not JSON text")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Invalid(f"its {key!r} entry is not valid JSON ({exc})") from exc
    if value is None and nullable:
        return None
    if not isinstance(value, kind):
        expected = "an object" if kind is dict else "an array"
        raise _Invalid(
            f"its {key!r} entry holds {type(value).__name__} {_shown(value)}, not "
            f"{expected}"
        )
    return value


def _unpack(payload: dict, device: str | None) -> tuple[Any, tuple | None]:
    """The estimator described by ``payload``, unfitted, and, if it was saved
    fitted, the arguments of its ``_restore``; everything checked that can be
    without building the network. Raises ``_Invalid`` (or any error that
    :func:`_invalid_file` reports) when something does not fit."""
    classes = _estimator_classes()
    if "estimator" not in payload:
        raise _Invalid("it has no 'estimator' entry")
    name = payload["estimator"]
    if not (isinstance(name, str) and name in classes):
        raise _Invalid(
            f"unknown estimator {_shown(name)}; expected one of {sorted(classes)}"
        )
    cls = classes[name]
    encoded = _json_entry(payload, "params", dict)
    unknown = sorted(set(encoded) - set(cls._get_param_names()))
    if unknown:
        raise _Invalid(f"{name} has no parameter(s) {unknown}")
    params = {}
    for key, value in encoded.items():
        try:
            params[key] = _decode(value)
        except (TypeError, ValueError) as exc:
            raise _Invalid(f"its parameter {key} cannot be read: {exc}") from exc
    saved_device = params.get("device", "cpu")
    if device is None:
        try:
            torch.device(saved_device)
        except (RuntimeError, TypeError, ValueError) as exc:
            raise _Invalid(
                f"its parameter device={_shown(saved_device)} is not a torch device"
            ) from exc
    params["device"] = _available_device(saved_device, device)
    estimator = cls(**params)

    metadata = _json_entry(payload, "fitted", dict, nullable=True)
    if metadata is None:
        return estimator, None
    _check_metadata(metadata)
    n_features, n_outputs = metadata["n_features_in_"], metadata["n_outputs_"]
    architecture = metadata.get("architecture")
    if architecture is None:  # saved before the architecture was recorded
        try:
            architecture = estimator._architecture()
        except (TypeError, ValueError) as exc:
            raise _Invalid(f"its parameter {exc}") from exc
    described = (
        f"a {name} with {n_features} feature(s), {n_outputs} output(s) and "
        f"hidden_layer_sizes={tuple(architecture['hidden_layer_sizes'])}"
    )
    try:
        module_cls, module_kwargs = estimator._module_spec(
            n_features, n_outputs, architecture
        )
        with torch.device("meta"):  # shapes only: no memory, no random numbers
            module = module_cls(**module_kwargs)
    except (KeyError, TypeError, ValueError) as exc:
        raise _Invalid(
            f"it describes {described}, which cannot be built: {exc}"
        ) from exc
    module_state = payload.get("module_state")
    _check_weights(module_state, module.state_dict(), described)
    try:
        estimator._optimizer_class()
    except ValueError as exc:
        raise _Invalid(f"its parameter {exc}") from exc
    # The optimizer's own load_state_dict checks its state against the weights.
    optimizer_state = payload.get("optimizer_state")
    history = _json_entry(payload, "history", list)
    if not all(isinstance(epoch, dict) for epoch in history):
        raise _Invalid("its 'history' entry is not a list of epochs (JSON objects)")
    return estimator, (metadata, module_state, optimizer_state, history)


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_finite(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, Real):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _check_metadata(metadata: dict) -> None:
    """Raise ``_Invalid`` unless the fitted attributes are of the right kinds and
    agree with one another."""
    missing = [key for key in _METADATA_KEYS if key not in metadata]
    if missing:
        raise _Invalid(f"its fitted attributes lack {missing}")
    for key in ("n_features_in_", "n_outputs_"):
        if not (_is_int(metadata[key]) and metadata[key] >= 1):
            raise _Invalid(f"{key}={_shown(metadata[key])} is not an integer >= 1")
    n_features = metadata["n_features_in_"]
    if not isinstance(metadata["y_is_1d"], bool):
        raise _Invalid(f"y_is_1d={_shown(metadata['y_is_1d'])} is not true or false")
    if metadata["y_is_1d"] and metadata["n_outputs_"] != 1:
        raise _Invalid(
            f"y_is_1d is true, but n_outputs_={metadata['n_outputs_']} is not 1"
        )
    names = metadata["feature_names_in_"]
    if names is not None:
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise _Invalid("feature_names_in_ is neither null nor a list of strings")
        if len(names) != n_features:
            raise _Invalid(
                f"feature_names_in_ has {len(names)} name(s), but n_features_in_ "
                f"is {n_features}"
            )
    offset = metadata["X_offset_"]
    if offset is not None:
        if not (isinstance(offset, list) and all(map(_is_finite, offset))):
            raise _Invalid("X_offset_ is neither null nor a list of finite numbers")
        if len(offset) != n_features:
            raise _Invalid(
                f"X_offset_ has {len(offset)} entries, but n_features_in_ is "
                f"{n_features}"
            )
    for key in ("X_scale_", "y_scale_"):
        if not (_is_finite(metadata[key]) and metadata[key] > 0):
            raise _Invalid(f"{key}={_shown(metadata[key])} is not a finite number > 0")
    seed = metadata.get("validation_seed")
    if seed is not None and not (_is_int(seed) and 0 <= seed < 2**32):
        raise _Invalid(
            f"validation_seed={_shown(seed)} is neither null nor an integer in "
            "[0, 2**32 - 1]"
        )
    _check_recorded_network(metadata)


def _check_recorded_network(metadata: dict) -> None:
    """Raise ``_Invalid`` unless the recorded architecture and optimizer, where
    present (saves made since they are recorded), are well formed."""
    architecture = metadata.get("architecture")
    if architecture is not None:
        sizes = (
            architecture.get("hidden_layer_sizes")
            if isinstance(architecture, dict)
            else None
        )
        if not (
            isinstance(architecture, dict)
            and set(architecture) == {"hidden_layer_sizes", "activation"}
            and isinstance(sizes, list)
            and sizes
            and all(_is_int(size) and size >= 1 for size in sizes)
            and architecture["activation"] in ACTIVATIONS
        ):
            raise _Invalid(
                f"its architecture {_shown(architecture)} is not hidden_layer_sizes "
                f"(integers >= 1) and an activation among {sorted(ACTIVATIONS)}"
            )
    optimizer = metadata.get("optimizer")
    if optimizer is not None and not (
        isinstance(optimizer, dict)
        and set(optimizer) == {"name", "lr", "weight_decay"}
        and isinstance(optimizer["name"], str)
        and _is_finite(optimizer["lr"])
        and _is_finite(optimizer["weight_decay"])
    ):
        raise _Invalid(
            f"its optimizer record {_shown(optimizer)} is not a name, an lr and a "
            "weight_decay"
        )


def _check_weights(state, expected: dict, described: str) -> None:
    """Raise ``_Invalid`` unless ``state`` holds finite tensors of the names and
    shapes of ``expected`` (a state dict of the network)."""
    if state is None:
        raise _Invalid("it has no 'module_state' entry (the weights)")
    if not isinstance(state, dict):
        raise _Invalid(
            f"its 'module_state' entry (the weights) is a {type(state).__name__}, "
            "not a dict of tensors"
        )
    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    if missing or unexpected:
        found = [
            f"{what} {keys}"
            for what, keys in (("missing", missing), ("unexpected", unexpected))
            if keys
        ]
        raise _Invalid(f"its weights do not fit {described}: {', '.join(found)}")
    for key, tensor in state.items():
        if not isinstance(tensor, torch.Tensor):
            raise _Invalid(f"its weight {key!r} is a {type(tensor).__name__}")
        shape, needed = tuple(tensor.shape), tuple(expected[key].shape)
        if shape != needed:
            raise _Invalid(
                f"its weight {key!r} has shape {shape}, but {described} needs {needed}"
            )
        if (tensor.is_floating_point() or tensor.is_complex()) and not bool(
            torch.isfinite(tensor).all()
        ):
            raise _Invalid(f"its weight {key!r} is not finite (NaN or infinity)")


def _check_output_width(estimator) -> None:
    """Raise ``_Invalid`` unless the restored network predicts ``n_outputs_``
    columns from ``n_features_in_``."""
    module = estimator.net_.module_
    probe = torch.zeros(1, estimator.n_features_in_, device=estimator.net_.device)
    with torch.no_grad():
        shape = tuple(module(probe).shape)
    if shape != (1, estimator.n_outputs_):
        raise _Invalid(
            f"n_outputs_ is {estimator.n_outputs_}, but its network predicts "
            f"{shape[-1]} column(s)"
        )


def _available_device(saved: str, requested: str | None) -> str:
    if requested is not None:
        return requested
    backend = torch.device(saved)
    if backend_missing(backend):
        warnings.warn(
            f"The model was saved with device={saved!r}, but {backend.type.upper()} "
            "is not "
            "available here; it is loaded with device='cpu'.",
            UserWarning,
            stacklevel=4,  # _available_device, _unpack, load, its caller
        )
        return "cpu"
    return saved


__all__ = ["load", "save"]
