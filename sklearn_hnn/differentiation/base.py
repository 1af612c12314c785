"""The differentiator interface.

A :class:`Differentiator` knows how to estimate ``dx/dt`` on one contiguous,
strictly increasing stretch of samples. :func:`time_derivative` (in
:mod:`sklearn_hnn.differentiation._time_derivative`) does the bookkeeping
around it, and :mod:`sklearn_hnn.differentiation._registry` turns a method name
into a differentiator. This module imports neither, nor the built-in
subclasses, which all import it.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod

import numpy as np

from sklearn_hnn._validation import check_2d, check_float_array, shape_of


class Differentiator(ABC):
    """Estimates the time derivative of one contiguous segment of samples.

    Subclasses set :attr:`min_points` and implement
    :meth:`differentiate_segment`; :func:`time_derivative` takes care of
    trajectories, gaps and validation, so it only ever hands a subclass a clean
    segment with at least :attr:`min_points` samples. As
    :meth:`differentiate_segment` is public too, the built-in subclasses check
    what they are given with :meth:`_check_segment`, as should any subclass
    meant to be called directly.
    """

    #: Fewest samples a segment needs for this method.
    min_points: int = 2

    def _check_params(self) -> None:  # noqa: B027 (optional hook)
        """Raise a ValueError naming any parameter whose value is invalid.

        Called by the built-in constructors, by :meth:`set_params` and by
        :func:`time_derivative` before any work, so that a parameter changed
        after construction is checked too. Subclasses with parameters override
        it.
        """

    def get_params(self, deep: bool = True) -> dict:
        """The constructor's parameters and their values, as in scikit-learn.

        With :meth:`set_params`, this lets an estimator's ``differentiation``
        be tuned like any nested parameter, e.g.
        ``GridSearchCV(est, {"differentiation__window_length": [5, 7, 9]})``.
        Each parameter must be stored under its own name.

        Parameters
        ----------
        deep : bool, default=True
            Ignored: a differentiator holds no nested estimators.

        Returns
        -------
        dict
            ``{name: value}`` for every named parameter of ``__init__``.
        """
        signature = inspect.signature(type(self).__init__)
        return {
            name: getattr(self, name)
            for name, parameter in signature.parameters.items()
            if name != "self"
            and parameter.kind
            not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        }

    def set_params(self, **params) -> Differentiator:
        """Set parameters, checked as the constructor checks them.

        Parameters
        ----------
        **params
            New values of parameters of ``__init__``.

        Returns
        -------
        Differentiator
            This instance. If a name or a value is invalid it raises a
            ValueError and keeps its previous values.
        """
        valid = self.get_params()
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no parameter(s) {unknown}; valid "
                f"parameters are {sorted(valid)}."
            )
        for name, value in params.items():
            setattr(self, name, value)
        try:
            self._check_params()
        except (TypeError, ValueError):
            for name, value in valid.items():
                setattr(self, name, value)
            raise
        return self

    @abstractmethod
    def differentiate_segment(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Derivative of ``x`` with respect to ``t`` on one segment.

        Parameters
        ----------
        x : ndarray of shape (n, n_features), dtype float64
            Samples of one segment, in time order, with ``n >= min_points``.
        t : ndarray of shape (n,), dtype float64
            Their times, finite and strictly increasing.

        Returns
        -------
        ndarray of shape (n, n_features)
            Estimate of ``dx/dt`` at every ``t[i]``.
        """

    def _check_segment(self, x, t) -> tuple[np.ndarray, np.ndarray]:
        """The arguments of :meth:`differentiate_segment`, validated.

        Returns ``x`` and ``t`` as float64 arrays, or raises a ValueError or
        TypeError naming the argument at fault: ``x`` must be 2-D, finite and
        have at least :attr:`min_points` rows; ``t`` must hold one finite time
        per row, strictly increasing.
        """
        check_2d(x, "x")
        x = check_float_array(x, "x", dtype=np.float64)
        if len(x) < self.min_points:
            raise ValueError(
                f"x has {len(x)} sample(s), but {self!r} needs at least "
                f"{self.min_points}."
            )
        t = _check_t(t, len(x), rows_of="x")
        bad = np.flatnonzero(np.diff(t) <= 0)
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"t must be strictly increasing; t[{i + 1}] = {float(t[i + 1])!r} "
                f"follows t[{i}] = {float(t[i])!r}."
            )
        return x, t


def _check_t(t, n_samples: int, rows_of: str = "X") -> np.ndarray:
    shape = shape_of(t)
    if shape is None or len(shape) != 1:
        raise ValueError(
            f"t must be a 1-D array with one time per row of {rows_of}; got shape "
            f"{shape}."
        )
    if shape[0] != n_samples:
        raise ValueError(
            f"t has {shape[0]} entries but {rows_of} has {n_samples} rows; they "
            "must match."
        )
    return check_float_array(t, "t", dtype=np.float64, ensure_2d=False)
