"""Trajectories as users hold them, stacked into the rows the estimators take."""

from __future__ import annotations

import numpy as np

from sklearn_hnn._validation import check_float_array, check_time_grid, shape_of


def stack_trajectories(trajectories, t=None):
    """Stack trajectories into rows ``X`` with their times ``t`` and ``groups``.

    The estimators take observations as rows: ``fit(X, t=t, groups=groups)``
    with every trajectory's rows in time order and ``groups`` naming the
    trajectory of each row. This turns trajectories held one array each, or
    as one 3-D array, into that layout.

    Parameters
    ----------
    trajectories : list of array-like of shape (n_times_i, n_features), or \
array-like of shape (n_trajectories, n_times, n_features)
        The trajectories; each has its own length when given as a list.
    t : array-like of shape (n_times,), or list of array-like of shape \
(n_times_i,), default=None
        Times: one grid shared by every trajectory (all of the same length),
        or one grid per trajectory. Each grid must be strictly increasing.
        None gives ``0, 1, 2, ...`` (time measured in steps).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The trajectories' states one after the other, ``n_samples`` being the
        sum of their lengths.
    t : ndarray of shape (n_samples,)
        The time of each row.
    groups : ndarray of shape (n_samples,), dtype int
        The index of each row's trajectory in ``trajectories``.

    Raises
    ------
    ValueError
        When there are no trajectories, a trajectory is not 2-D or is empty,
        their widths differ, or ``t`` does not match them (its lengths, or
        not strictly increasing).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn.datasets import stack_trajectories
    >>> short, long = np.zeros((3, 2)), np.ones((5, 2))
    >>> X, t, groups = stack_trajectories([short, long], t=[np.arange(3) * 0.1,
    ...                                                     np.arange(5) * 0.1])
    >>> X.shape, groups.tolist()
    ((8, 2), [0, 0, 0, 1, 1, 1, 1, 1])
    """
    arrays = _trajectory_list(trajectories)
    lengths = [len(a) for a in arrays]
    times = _time_grids(t, lengths)
    X = np.concatenate(arrays)
    groups = np.repeat(np.arange(len(arrays)), lengths)
    return X, np.concatenate(times), groups


def _trajectory_list(trajectories) -> list[np.ndarray]:
    shape = shape_of(trajectories)
    if shape is not None and len(shape) == 3:
        trajectories = list(np.asarray(trajectories))
    elif (shape is not None and len(shape) != 1) or not isinstance(
        trajectories, (list, tuple)
    ):
        raise ValueError(
            "trajectories must be a list of (n_times, n_features) arrays or one "
            f"array of shape (n_trajectories, n_times, n_features); got shape {shape}."
        )
    if len(trajectories) == 0:
        raise ValueError("trajectories is empty: at least one trajectory is needed.")
    arrays = []
    for i, trajectory in enumerate(trajectories):
        if np.ndim(trajectory) != 2:
            raise ValueError(
                f"trajectories[{i}] must be 2-D, (n_times, n_features); got shape "
                f"{np.shape(trajectory)}."
            )
        arrays.append(check_float_array(trajectory, f"trajectories[{i}]"))
    widths = {a.shape[1] for a in arrays}
    if len(widths) > 1:
        raise ValueError(
            f"trajectories must all have the same number of features; got widths "
            f"{[a.shape[1] for a in arrays]}."
        )
    return arrays


def _time_grids(t, lengths: list[int]) -> list[np.ndarray]:
    if t is None:
        return [np.arange(n, dtype=np.float64) for n in lengths]
    if _is_list_of_grids(t):
        if len(t) != len(lengths):
            raise ValueError(
                f"t has {len(t)} grids, but there are {len(lengths)} trajectories."
            )
        grids = [check_time_grid(g, f"t[{i}]") for i, g in enumerate(t)]
        for i, (grid, n) in enumerate(zip(grids, lengths, strict=True)):
            if len(grid) != n:
                raise ValueError(
                    f"t[{i}] has {len(grid)} times, but trajectories[{i}] has "
                    f"{n} points."
                )
        names = [f"t[{i}]" for i in range(len(grids))]
    else:
        grid = check_time_grid(t)
        if set(lengths) != {len(grid)}:
            raise ValueError(
                f"t has {len(grid)} times, but the trajectories have "
                f"{sorted(set(lengths))} points: give one grid per trajectory "
                "(a list) when their lengths differ."
            )
        grids, names = [grid] * len(lengths), ["t"] * len(lengths)
    for grid, name in zip(grids, names, strict=True):
        if len(grid) > 1 and grid[1] < grid[0]:
            raise ValueError(f"{name} must be increasing; it decreases.")
    return grids


def _is_list_of_grids(t) -> bool:
    """Whether ``t`` holds one grid per trajectory (a list of 1-D arrays or a
    2-D array) rather than one shared grid."""
    shape = shape_of(t)
    if shape is not None:
        return len(shape) == 2
    return isinstance(t, (list, tuple)) and all(np.ndim(g) == 1 for g in t)
