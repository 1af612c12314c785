"""The :func:`time_derivative` function: trajectories in, derivatives out.

It validates the inputs, splits the rows into trajectories (``groups``) and
segments (``max_gap``), hands every segment on its own to the
:class:`~sklearn_hnn.differentiation.base.Differentiator` that ``method`` names
(see :mod:`~sklearn_hnn.differentiation._registry`), and puts the results back
in the original row order.
"""

from __future__ import annotations

import numpy as np

from sklearn_hnn._validation import check_2d, check_float_array, check_positive_float
from sklearn_hnn.differentiation._registry import resolve_method
from sklearn_hnn.differentiation.base import Differentiator, _check_t


def _as_python(label):
    """A numpy scalar as the matching Python value, for readable messages."""
    return label.item() if isinstance(label, np.generic) else label


def _check_X(X) -> np.ndarray:
    check_2d(X, "X", trajectories=True)
    return check_float_array(X, "X", dtype=np.float64)


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
    differentiator = resolve_method(method)
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
