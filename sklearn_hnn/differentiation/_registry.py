"""The method names of :func:`time_derivative` and the differentiators they stand for.

This module sits above :mod:`~sklearn_hnn.differentiation.base` and the built-in
differentiators, so that ``base`` never has to import its own subclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from sklearn_hnn.differentiation.base import Differentiator
from sklearn_hnn.differentiation.finite_difference import FiniteDifference
from sklearn_hnn.differentiation.savitzky_golay import SavitzkyGolay

#: Method name -> factory of the differentiator it stands for, with defaults.
FACTORIES: dict[str, Callable[[], Differentiator]] = {
    "forward": partial(FiniteDifference, "forward"),
    "backward": partial(FiniteDifference, "backward"),
    "central": partial(FiniteDifference, "central"),
    "savgol": SavitzkyGolay,
}

#: Names accepted by ``time_derivative(method=...)``.
METHODS = tuple(FACTORIES)


def resolve_method(method) -> Differentiator:
    """Turn ``method`` (a name or a :class:`Differentiator`) into an instance."""
    if isinstance(method, Differentiator):
        method._check_params()  # its parameters may have changed since __init__
        min_points = method.min_points
        if (
            isinstance(min_points, bool)
            or not isinstance(min_points, int | np.integer)
            or min_points < 1
        ):
            raise ValueError(
                f"method={method!r} has min_points={min_points!r}; it must be an "
                "integer >= 1."
            )
        return method
    if isinstance(method, str) and method in FACTORIES:
        return FACTORIES[method]()
    raise ValueError(
        f"method must be one of {list(METHODS)} or a Differentiator instance; "
        f"got {method!r}."
    )
