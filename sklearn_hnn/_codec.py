"""Parameter values as JSON, and back, without running untrusted code.

What :mod:`sklearn_hnn.persistence` writes for an estimator's parameters and
for the architecture a fitted network was built from. Plain values (numbers,
strings, tuples, devices) are written as JSON; classes and objects with
parameters (a differentiator, an objective, an estimator that is a part of
another) by their import path and parameters. Decoding imports a class only
from torch, from sklearn-hnn, or from a path the caller allows explicitly.
"""

from __future__ import annotations

import importlib
import reprlib
from collections.abc import Collection
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator

from sklearn_hnn.differentiation import Differentiator, FiniteDifference, SavitzkyGolay
from sklearn_hnn.objectives import Objective

# repr of values read from a file, shortened for messages.
_REPR = reprlib.Repr()  # keyword arguments need Python 3.12
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlong = 40
shown = _REPR.repr

#: Packages whose classes are imported without being allowed explicitly.
TRUSTED_PACKAGES = ("torch", "sklearn_hnn")


def import_path(cls: type) -> str:
    """``module.QualifiedName`` of ``cls``."""
    return f"{cls.__module__}.{cls.__qualname__}"


def has_params(value) -> bool:
    """Whether ``value`` is a component with parameters of its own, as
    scikit-learn's ``get_params(deep=True)`` decides it."""
    return hasattr(value, "get_params") and not isinstance(value, type)


def encode(name: str, value) -> Any:
    """The parameter ``name=value`` as JSON-friendly data.

    Raises
    ------
    TypeError
        If the value cannot be written without pickling (an arbitrary object,
        a class defined inside a function, a torch module instance).
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.bool_ | np.integer | np.floating):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, tuple | list):
        return {"tuple": [encode(name, item) for item in value]}
    if isinstance(value, torch.device):
        return str(value)
    if isinstance(value, type) and "<locals>" not in value.__qualname__:
        if issubclass(value, torch.optim.Optimizer) and (
            getattr(torch.optim, value.__name__, None) is value
        ):
            return {"torch.optim": value.__name__}
        return {"class": import_path(value)}
    if has_params(value) and "<locals>" not in type(value).__qualname__:
        params = value.get_params(deep=False)
        return {
            "object": import_path(type(value)),
            "params": {key: encode(f"{name}__{key}", v) for key, v in params.items()},
        }
    raise TypeError(
        f"Cannot save parameter {name}={value!r}: only numbers, strings, tuples, "
        "importable classes and objects with get_params can be saved without "
        "pickling. Use pickle or joblib for this estimator instead (and only load "
        "such files from sources you trust)."
    )


def decode(value, allow_imports: Collection[str] = ()) -> Any:
    """Undo :func:`encode`; raise a ValueError or TypeError on anything else.

    Parameters
    ----------
    value : JSON data
        An encoded parameter.
    allow_imports : collection of str, default=()
        Import paths (``module.Name``) of classes outside torch and
        sklearn-hnn that may be imported.
    """
    if isinstance(value, list):
        raise ValueError(f"a list is not a parameter encoding: {shown(value)}")
    if not isinstance(value, dict):
        return value
    if "tuple" in value:
        items = value["tuple"]
        if not isinstance(items, list):
            raise ValueError(f"a tuple must be encoded as a list; got {shown(items)}")
        return tuple(decode(item, allow_imports) for item in items)
    if "torch.optim" in value:
        name = value["torch.optim"]
        optimizer = torch_optimizer(name)
        if optimizer is None:
            raise ValueError(f"torch.optim has no optimizer {shown(name)}")
        return optimizer
    if "class" in value:
        return import_class(value["class"], allow_imports)
    if "object" in value or "differentiator" in value:
        if "differentiator" in value:  # the first format's spelling
            known = {c.__name__: c for c in (FiniteDifference, SavitzkyGolay)}
            path = value["differentiator"]
            if path not in known:
                raise ValueError(
                    f"unknown differentiator {shown(path)}; expected one of "
                    f"{sorted(known)}"
                )
            cls = known[path]
        else:
            path = value["object"]
            cls = import_class(path, allow_imports, OBJECT_BASES)
        params = value.get("params")
        if not isinstance(params, dict):
            raise ValueError(f"the parameters of {shown(path)} are not a JSON object")
        return cls(**{key: decode(v, allow_imports) for key, v in params.items()})
    raise ValueError(f"unknown parameter encoding {shown(value)}")


#: What a class given as a parameter may be (``{"class": ...}``).
CLASS_BASES = (torch.nn.Module, torch.optim.Optimizer)


#: What an object given as a parameter may be (``{"object": ...}``).
OBJECT_BASES = (BaseEstimator, Differentiator, Objective)


def import_class(
    path, allow_imports: Collection[str] = (), bases: tuple[type, ...] = CLASS_BASES
) -> type:
    """The class at the import path ``path``, imported only from torch,
    sklearn-hnn or ``allow_imports``.

    The class must be defined in the module the path names (no path through
    another module's attributes) and derive from one of ``bases``: what an
    estimator's parameters hold, nothing else, so that decoding builds no
    other object.

    Raises
    ------
    ValueError
        If ``path`` is not allowed, cannot be imported, or is not such a class.
    """
    if not isinstance(path, str) or "." not in path:
        raise ValueError(f"{shown(path)} is not an import path")
    package = path.split(".", 1)[0]
    if package not in TRUSTED_PACKAGES and path not in allow_imports:
        raise ValueError(
            f"it names the class {path!r}, which is imported only when you allow "
            f"it: load(..., allow_imports=[{path!r}]) if you trust that code"
        )
    module_name, _, qualname = path.rpartition(".")
    while True:
        try:
            found: Any = importlib.import_module(module_name)
            break
        except ImportError:
            if "." not in module_name:
                raise ValueError(f"the class {path!r} cannot be imported") from None
            module_name, _, outer = module_name.rpartition(".")
            qualname = f"{outer}.{qualname}"
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if not (
        isinstance(found, type)
        and found.__module__ == module_name
        and found.__qualname__ == qualname
        and issubclass(found, bases)
    ):
        names = ", ".join(f"{b.__module__}.{b.__qualname__}" for b in bases)
        raise ValueError(f"{path!r} is not a class defined there deriving from {names}")
    return found


def torch_optimizer(name) -> type[torch.optim.Optimizer] | None:
    """The optimizer class called ``name`` in ``torch.optim``, or None."""
    found = getattr(torch.optim, name, None) if isinstance(name, str) else None
    if isinstance(found, type) and issubclass(found, torch.optim.Optimizer):
        return found
    return None
