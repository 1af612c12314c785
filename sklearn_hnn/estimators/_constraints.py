"""Parameter constraints that scikit-learn's own do not express.

Each is declared once in an estimator's ``_parameter_constraints`` and checked
by scikit-learn's ``_validate_params`` at the start of ``fit``, before anything
changes. They subclass scikit-learn's ``Options`` only because its validation
accepts no other constraint classes.
"""

from __future__ import annotations

import inspect
from numbers import Integral

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, Options
from skorch.callbacks import Callback


class Number(Interval):
    """scikit-learn's ``Interval``, refusing booleans: ``lr=True`` is a
    mistake, not the number 1."""

    def is_satisfied_by(self, val) -> bool:
        return not isinstance(val, bool | np.bool_) and super().is_satisfied_by(val)


class _Custom(Options):
    def __init__(self) -> None:
        super().__init__(object, set())


class HiddenLayerSizes(_Custom):
    """An int >= 1, or a non-empty sequence of ints >= 1 (no booleans)."""

    def is_satisfied_by(self, val) -> bool:
        sizes = (val,) if isinstance(val, Integral) else val
        try:
            sizes = tuple(sizes)
        except TypeError:
            return False
        return bool(sizes) and all(
            isinstance(s, Integral) and not isinstance(s, bool | np.bool_) and s >= 1
            for s in sizes
        )

    def __str__(self) -> str:
        return "an int >= 1 or a non-empty tuple of ints >= 1 (one per hidden layer)"


def hidden_layer_sizes(value) -> tuple[int, ...]:
    """``value`` (checked by :class:`HiddenLayerSizes`) as a tuple of ints."""
    sizes = (value,) if isinstance(value, Integral) else tuple(value)
    return tuple(int(s) for s in sizes)


class Angles(_Custom):
    """A sequence of distinct column indices (ints >= 0, no booleans)."""

    def is_satisfied_by(self, val) -> bool:
        if isinstance(val, str | bytes) or np.ndim(val) != 1:
            return False
        values = list(val)
        return len(set(values)) == len(values) and all(
            isinstance(v, Integral) and not isinstance(v, bool | np.bool_) and v >= 0
            for v in values
        )

    def __str__(self) -> str:
        return "None or a sequence of distinct column indices (ints >= 0)"


def angle_columns(value) -> tuple[int, ...] | None:
    """``angles`` (checked by :class:`Angles`) as a sorted tuple of ints, or
    None for none (None or empty)."""
    if value is None or len(value) == 0:
        return None
    return tuple(sorted(int(v) for v in value))


class SubclassOf(_Custom):
    """A class derived from ``base`` (the class itself, not an instance)."""

    def __init__(self, base: type, name: str) -> None:
        super().__init__()
        self.base = base
        self.name = name

    def is_satisfied_by(self, val) -> bool:
        return isinstance(val, type) and issubclass(val, self.base)

    def __str__(self) -> str:
        return f"a subclass of {self.name}"


class Callbacks(_Custom):
    """A list of skorch callbacks: instances, classes or ``(name, callback)``
    pairs."""

    @staticmethod
    def _is_callback(value) -> bool:
        return isinstance(value, Callback) or (
            isinstance(value, type) and issubclass(value, Callback)
        )

    def is_satisfied_by(self, val) -> bool:
        return isinstance(val, list) and all(
            self._is_callback(entry)
            or (
                isinstance(entry, tuple)
                and len(entry) == 2
                and isinstance(entry[0], str)
                and self._is_callback(entry[1])
            )
            for entry in val
        )

    def __str__(self) -> str:
        return (
            "a list of skorch callbacks (Callback instances, Callback classes or "
            "(name, Callback) pairs)"
        )


class Device(_Custom):
    """A torch device that can hold data: ``"cpu"``, ``"cuda"``, ``"cuda:1"``..."""

    def is_satisfied_by(self, val) -> bool:
        if not isinstance(val, str | torch.device):
            return False
        try:
            device = torch.device(val)
        except (RuntimeError, TypeError, ValueError):
            return False
        return device.type != "meta"

    def __str__(self) -> str:
        return (
            "a torch device that holds data, such as 'cpu' or 'cuda' ('meta' holds "
            "shapes only)"
        )


def check_builds(cls: type, arguments: dict, name: str, given: str) -> None:
    """Raise unless ``cls(**arguments)`` would bind: a class given as the
    parameter ``name`` must be built from what the estimator passes it."""
    try:
        inspect.signature(cls).bind(**arguments)
    except TypeError as exc:
        raise ValueError(
            f"{name}={cls.__name__} cannot be built with {given} "
            f"({sorted(arguments) if arguments else 'none'}): {exc}."
        ) from None
    except ValueError:  # no signature to read (a builtin): let torch decide
        pass
