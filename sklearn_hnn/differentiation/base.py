"""The differentiator interface and :func:`time_derivative`.

A :class:`Differentiator` knows how to estimate ``dx/dt`` on one contiguous,
strictly increasing stretch of samples. :func:`time_derivative` does the
bookkeeping around it: it validates the inputs, splits the rows into
trajectories (``groups``) and segments (``max_gap``), hands every segment to the
differentiator on its own, and puts the results back in the original row order.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod

import numpy as np

from sklearn_hnn._validation import (
    check_2d,
    check_float_array,
    check_positive_float,
    shape_of,
)

#: Names accepted by ``time_derivative(method=...)``.
METHODS = ("forward", "backward", "central", "savgol")


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


def _as_python(label):
    """A numpy scalar as the matching Python value, for readable messages."""
    return label.item() if isinstance(label, np.generic) else label


def _resolve_method(method) -> Differentiator:
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
    if isinstance(method, str) and method in METHODS:
        # Imported here: both modules subclass Differentiator from this one.
        from sklearn_hnn.differentiation.finite_difference import FiniteDifference
        from sklearn_hnn.differentiation.savitzky_golay import SavitzkyGolay

        if method == "savgol":
            return SavitzkyGolay()
        return FiniteDifference(method)
    raise ValueError(
        f"method must be one of {list(METHODS)} or a Differentiator instance; "
        f"got {method!r}."
    )


def _check_X(X) -> np.ndarray:
    check_2d(X, "X")
    return check_float_array(X, "X", dtype=np.float64)


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


def _split_groups(groups, n_samples: int) -> list[tuple[object, np.ndarray]]:
    """``[(label, row indices in original order), ...]``, one per trajectory."""
    if groups is None:
        return [(None, np.arange(n_samples))]
    try:
        labels = np.asarray(groups)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"groups must be a 1-D array of trajectory labels; {exc}"
        ) from None
    if labels.ndim != 1 or len(labels) != n_samples:
        raise ValueError(
            "groups must be a 1-D array with one trajectory label per row of X "
            f"(length {n_samples}); got shape {labels.shape}."
        )
    if labels.dtype.kind in "US" and not isinstance(groups, np.ndarray):
        # numpy turns a list of numbers and strings into strings, merging the
        # trajectories 1 and "1"; refuse the mix as np.unique would.
        if not all(isinstance(label, str | bytes) for label in groups):
            raise ValueError(
                "groups labels must be mutually comparable (all numbers or all "
                "strings); got a mix of numbers and strings."
            )
    try:
        uniques, inverse = np.unique(labels, return_inverse=True)
    except TypeError as exc:
        raise ValueError(
            f"groups labels must be mutually comparable (all numbers or all "
            f"strings); {exc}"
        ) from None
    inverse = inverse.ravel()
    # A stable sort keeps the rows of each trajectory in their original order.
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniques) + 1))
    return [
        (_as_python(label), order[bounds[k] : bounds[k + 1]])
        for k, label in enumerate(uniques)
    ]


def _describe(label) -> str:
    return "the trajectory (groups=None)" if label is None else f"trajectory {label!r}"


def time_derivative(
    X,
    t,
    *,
    groups=None,
    method: str | Differentiator = "central",
    max_gap: float | None = None,
) -> np.ndarray:
    """Estimate ``dX/dt`` from sampled trajectories by finite differences.

    Rows are grouped into trajectories by ``groups`` and each trajectory is cut
    into segments wherever its time step exceeds ``max_gap``. Each segment is
    differentiated on its own, so no difference is ever taken between two
    trajectories or across a gap. Time steps may be uneven: every method uses
    the actual times ``t``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Observed states, one row per sample. Must be finite.
    t : array-like of shape (n_samples,)
        Time of each row. Within a trajectory, ``t`` must be strictly
        increasing in row order.
    groups : array-like of shape (n_samples,), default=None
        Trajectory label of each row (ints, strings, ...). Rows sharing a label
        form one trajectory; trajectories may be interleaved. ``None`` treats
        all rows as a single trajectory.
    method : {"forward", "backward", "central", "savgol"} or Differentiator, \
default="central"
        ``"forward"``/``"backward"``/``"central"`` use
        :class:`FiniteDifference` with that ``kind`` (first, first and second
        order accurate); ``"savgol"`` uses :class:`SavitzkyGolay` with its
        defaults. Pass an instance to set parameters.
    max_gap : float or None, default=None
        A time step longer than this splits its trajectory into separate
        segments. ``None`` never splits.

    Returns
    -------
    ndarray of shape (n_samples, n_features), dtype float64
        Derivative estimate for every row, in the same row order as ``X``.

    Raises
    ------
    ValueError
        If an input is malformed, ``t`` is not strictly increasing within a
        trajectory, or a segment has fewer samples than the method needs (all
        checked before anything is computed); or if a derivative overflows
        float64, because a time step is too small for the change of ``X``
        over it.

    Notes
    -----
    Differencing amplifies measurement noise roughly by ``noise / step``, so on
    noisy data prefer ``method="savgol"`` (or ``SavitzkyGolay`` with a wider
    window), which fits a local polynomial and smooths while differentiating.
    On clean, densely sampled data ``"central"`` is accurate and cheap.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn.differentiation import time_derivative
    >>> t = np.array([0.0, 0.1, 0.3, 0.4, 0.7])
    >>> X = np.column_stack([t**2, 3 * t])
    >>> print(np.round(time_derivative(X, t), 6))
    [[0.  3. ]
     [0.2 3. ]
     [0.6 3. ]
     [0.8 3. ]
     [1.4 3. ]]

    Two interleaved trajectories, differentiated separately:

    >>> X = np.array([[0.0], [10.0], [1.0], [12.0], [2.0], [14.0]])
    >>> t = np.array([0.0, 0.0, 1.0, 1.0, 2.0, 2.0])
    >>> time_derivative(X, t, groups=[0, 1, 0, 1, 0, 1]).ravel().tolist()
    [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
    """
    X = _check_X(X)
    n_samples = X.shape[0]
    t = _check_t(t, n_samples)
    if max_gap is not None:
        max_gap = check_positive_float(max_gap, "max_gap")
    differentiator = _resolve_method(method)
    trajectories = _split_groups(groups, n_samples)

    segments: list[np.ndarray] = []
    for label, rows in trajectories:
        steps = np.diff(t[rows])
        bad = np.flatnonzero(steps <= 0)
        if bad.size:
            i, j = int(rows[bad[0]]), int(rows[bad[0] + 1])
            t_i, t_j = float(t[i]), float(t[j])
            raise ValueError(
                f"t must be strictly increasing in row order within each "
                f"trajectory; in {_describe(label)}, row {i} has t={t_i!r} and "
                f"the next row of that trajectory, row {j}, has t={t_j!r}."
                + (
                    " If the rows hold several trajectories, label them with "
                    "groups (in model-selection tools, groups reaches fit only "
                    "through metadata routing)."
                    if label is None
                    else ""
                )
            )
        if max_gap is None:
            pieces = [rows]
        else:
            pieces = np.split(rows, np.flatnonzero(steps > max_gap) + 1)
        for piece in pieces:
            if len(piece) < differentiator.min_points:
                gap_hint = (
                    f"use a larger max_gap (now {max_gap!r}) or max_gap=None, "
                    if max_gap is not None
                    else ""
                )
                t_first, t_last = float(t[piece[0]]), float(t[piece[-1]])
                raise ValueError(
                    f"In {_describe(label)}, the segment with t in "
                    f"[{t_first!r}, {t_last!r}] has {len(piece)} "
                    f"point(s), but method={differentiator!r} needs at least "
                    f"{differentiator.min_points}. Check that groups labels the "
                    f"trajectories as intended, {gap_hint}or use a method that "
                    "needs fewer points."
                )
        segments.extend(pieces)

    dXdt = np.empty_like(X)
    for rows in segments:
        with np.errstate(all="ignore"):  # non-finite results are reported below
            derivative = np.asarray(
                differentiator.differentiate_segment(X[rows], t[rows]),
                dtype=np.float64,
            )
        if derivative.shape != (len(rows), X.shape[1]):
            raise ValueError(
                f"method={differentiator!r} returned shape {derivative.shape} for a "
                f"segment of shape {(len(rows), X.shape[1])}; they must match."
            )
        dXdt[rows] = derivative
    bad = ~np.isfinite(dXdt).all(axis=1)
    if bad.any():
        raise ValueError(
            f"dX/dt estimated from t (method={differentiator!r}) is not finite in "
            f"{int(bad.sum())} of {n_samples} rows, the first being row "
            f"{int(np.argmax(bad))}: there the changes of X over the steps of t "
            "overflow float64 (steps too small, or values too large)."
        )
    return dXdt
