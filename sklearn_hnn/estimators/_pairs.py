"""Observations of trajectories as pairs of consecutive rows: what a model of
latent dynamics (:class:`~sklearn_hnn.PixelHamiltonianPipeline`) learns from."""

from __future__ import annotations

import numpy as np

from sklearn_hnn._validation import check_2d, check_float_array
from sklearn_hnn.differentiation._time_derivative import _split_groups
from sklearn_hnn.differentiation.base import _check_t


def consecutive_pairs(
    X, t, groups, *, owner: str
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Check observations made of two frames each and pair consecutive rows.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2 * n_pixels)
        Each row a frame and the frame after it, flattened and concatenated;
        the second frame of a row is the first frame of the next row of its
        trajectory.
    t : array-like of shape (n_samples,)
        Time of each row, strictly increasing within each trajectory (rows of
        a trajectory may come in any order: they are sorted by ``t``).
    groups : array-like of shape (n_samples,) or None
        Trajectory label of each row; None means one trajectory.
    owner : str
        The estimator's class name, for messages.

    Returns
    -------
    X : ndarray of shape (n_samples, 2 * n_pixels), dtype float32
        The checked observations.
    pairs : tuple of three ndarrays of shape (n_pairs,)
        Row ``i``, the row ``j`` that follows it in its trajectory, and the
        time ``t[j] - t[i]`` between them.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, finite and of even width, ``t`` or ``groups`` do
        not match it, ``t`` repeats within a trajectory, no trajectory has two
        rows, or the shared frames of consecutive rows differ.
    """
    check_2d(X, "X")
    X = check_float_array(X, "X", dtype=np.float32)
    n_samples, width = X.shape
    if width % 2:
        raise ValueError(
            f"X has {width} columns, but each row must be a pair of frames of "
            "equal size, flattened and concatenated: an even number."
        )
    if t is None:
        raise ValueError(
            f"{owner} needs t, the time of each row in seconds (and groups, the "
            "trajectory of each row): it learns from consecutive observations. "
            "In GridSearchCV and cross_validate, t and groups reach fit and "
            "score through metadata routing: "
            "sklearn.set_config(enable_metadata_routing=True) and "
            "set_fit_request/set_score_request(t=True, groups=True)."
        )
    t = _check_t(t, n_samples)
    first, second, steps = [], [], []
    for label, rows in _split_groups(groups, n_samples):
        rows = rows[np.argsort(t[rows], kind="stable")]
        dt = np.diff(t[rows])
        if np.any(dt <= 0):
            where = "the trajectory" if label is None else f"trajectory {label!r}"
            raise ValueError(
                f"t must be strictly increasing within each trajectory; rows of "
                f"{where} share a time."
            )
        first.append(rows[:-1])
        second.append(rows[1:])
        steps.append(dt)
    i, j = np.concatenate(first), np.concatenate(second)
    if len(i) == 0:
        raise ValueError(
            "X holds no two consecutive observations of one trajectory (check "
            "groups); the dynamics are learned from such pairs."
        )
    half = width // 2
    gap = np.abs(X[i, half:] - X[j, :half]).max(axis=1)
    tolerance = 1e-4 * max(1.0, float(np.abs(X).max()))
    if gap.max() > tolerance:
        k = int(np.argmax(gap))
        raise ValueError(
            "X's rows are not pairs of consecutive frames: the second frame of "
            f"row {i[k]} differs from the first frame of row {j[k]}, the next row "
            f"of its trajectory, by up to {gap[k]:.3g}. Each row must be (frame "
            "k, frame k+1) and the next row (frame k+1, frame k+2); check the "
            "column layout, t and groups."
        )
    return X, (i, j, np.concatenate(steps))
