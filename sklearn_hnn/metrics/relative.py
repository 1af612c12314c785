"""Relative errors of rollouts, per time step and as geometric means.

The metrics of Gruver et al. (2022): at each time step, the error of a state
relative to the sizes of both states, ``|z_pred - z| / (|z_pred| + |z|)``,
which lies in ``[0, 1]``, and the same for the energy; a rollout is summed up
by the geometric mean of its errors over time, which weighs the early steps,
where errors are small, as much as the late ones.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from sklearn_hnn._validation import check_float_array, check_positive_float, shape_of

#: The floor of the errors before their logarithm: the reference code clamps
#: them there, so the exact first step of a rollout (error 0) counts as 1e-7.
FLOOR = 1e-7


def _check_pair(pred, true, names: tuple[str, str], ndims: tuple[int, ...], doc: str):
    """Both arrays as float64, of one of ``ndims`` and the same shape; the
    true one finite, the predicted one anything (a diverged rollout)."""
    arrays = []
    for value, name in zip((pred, true), names, strict=True):
        finite = {} if name == names[1] else {"ensure_all_finite": False}
        shape = shape_of(value)
        if shape is not None and len(shape) not in ndims:
            raise ValueError(f"{name} must have shape {doc}; got shape {shape}.")
        if shape is not None and 0 in shape:
            raise ValueError(f"{name} is empty: got shape {shape}.")
        arrays.append(
            check_float_array(
                value, name, dtype=np.float64, ensure_2d=False, allow_nd=True, **finite
            )
        )
    if arrays[0].shape != arrays[1].shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape; got "
            f"{arrays[0].shape} and {arrays[1].shape}."
        )
    return arrays


def _check_angles(angles, n_features: int) -> list[int]:
    """The angle columns as a list of distinct ints in ``[0, n_features)``."""
    if angles is None:
        return []
    if isinstance(angles, Integral | str | bytes) or not all(
        isinstance(a, Integral) and not isinstance(a, bool | np.bool_)
        for a in np.asarray(angles, dtype=object).ravel()
    ):
        raise ValueError(
            f"angles must be a sequence of column indices (ints); got {angles!r}."
        )
    columns = [int(a) for a in np.asarray(angles, dtype=object).ravel()]
    bad = [a for a in columns if not 0 <= a < n_features]
    if bad:
        raise ValueError(
            f"angles must be columns of the states, in [0, {n_features}); got {bad}."
        )
    if len(set(columns)) != len(columns):
        raise ValueError(f"angles must not repeat a column; got {angles!r}.")
    return columns


def _wrap_angles(angles: np.ndarray) -> np.ndarray:
    """``angles`` mapped into ``(-pi, pi]``."""
    return np.pi - np.mod(np.pi - angles, 2.0 * np.pi)


def _ratio(difference: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``difference / size``, and 0 where both are 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(size > 0, difference / size, 0.0)


def relative_error(z_pred, z_true, *, angles=None) -> np.ndarray:
    """``|z_pred - z_true| / (|z_pred| + |z_true|)`` at each time step.

    Euclidean norms over the features. A predicted state that is not finite
    (where a rollout diverged: ``simulate`` returns NaN from there on), or
    so large that its norm overflows, has the largest error, 1. In the
    columns listed in ``angles``,
    the differences are wrapped into ``(-pi, pi]``, and the angles entering
    the norms are wrapped into ``(-pi, pi]`` and then unwrapped along time
    within each trajectory (never across trajectories), so that they move
    continuously from a first value in ``(-pi, pi]``: shifting an angle of a
    whole trajectory by a multiple of ``2 pi`` changes nothing. Unwrapping
    assumes that an angle moves by less than ``pi`` between two time steps.

    Parameters
    ----------
    z_pred : array-like of shape (n_times, n_features) or \
(n_trajectories, n_times, n_features)
        Predicted states, such as a model's rollouts; NaN or infinite where
        they diverged.
    z_true : array-like of the same shape
        True states at the same times.
    angles : sequence of int or None, default=None
        Columns that are angles, such as ``system.angles`` of a
        :class:`~sklearn_hnn.systems.ChainPendulum`; None for none.

    Returns
    -------
    ndarray of shape (n_times,) or (n_trajectories, n_times)
        The relative error of each state, in ``[0, 1]``; 0 where both states
        are zero (``0 / 0``).

    Raises
    ------
    ValueError
        If the arrays are not 2-D or 3-D, empty, of different shapes, or
        ``z_true`` is not finite, or ``angles`` are not distinct column
        indices.

    See Also
    --------
    geometric_mean_relative_error : Its geometric mean over the rollout.

    Examples
    --------
    Angles ``pi - 0.1`` and ``-pi + 0.1`` are ``0.2`` apart:

    >>> import numpy as np
    >>> true = np.array([[np.pi - 0.1, 0.0]])
    >>> pred = np.array([[-np.pi + 0.1, 0.0]])
    >>> err = relative_error(pred, true, angles=[0])
    >>> bool(np.isclose(err[0], 0.2 / (2 * (np.pi - 0.1))))
    True
    """
    z_pred, z_true = _check_pair(
        z_pred,
        z_true,
        ("z_pred", "z_true"),
        (2, 3),
        "(n_times, n_features) or (n_trajectories, n_times, n_features)",
    )
    columns = _check_angles(angles, z_pred.shape[-1])
    diverged = ~np.isfinite(z_pred).all(axis=-1)
    z_pred = np.where(diverged[..., None], 0.0, z_pred)  # scored 1 below
    difference = z_pred - z_true
    sizes = []
    if columns:
        difference[..., columns] = _wrap_angles(difference[..., columns])
    for z in (z_pred, z_true):
        if columns:
            z = z.copy()
            z[..., columns] = np.unwrap(_wrap_angles(z[..., columns]), axis=-2)
        with np.errstate(over="ignore"):
            sizes.append(np.linalg.norm(z, axis=-1))
    with np.errstate(over="ignore"):
        errors = _ratio(np.linalg.norm(difference, axis=-1), sizes[0] + sizes[1])
    return np.where(diverged | ~np.isfinite(errors), 1.0, errors)


def relative_energy_error(energy_pred, energy_true) -> np.ndarray:
    """``|E_pred - E_true| / (|E_pred| + |E_true|)`` at each time step.

    Parameters
    ----------
    energy_pred : array-like of shape (n_times,) or (n_trajectories, n_times)
        Energies of the predicted states, such as the true energy along a
        model's rollouts; NaN or infinite where they diverged (error 1).
    energy_true : array-like of the same shape
        Energies of the true states.

    Returns
    -------
    ndarray of the same shape
        The relative error of each energy, in ``[0, 1]``; 0 where both are
        zero (``0 / 0``). It depends on where the energy's zero is: the
        systems of :mod:`sklearn_hnn.systems` document theirs.

    Raises
    ------
    ValueError
        If the arrays are not 1-D or 2-D, empty, of different shapes, or
        ``energy_true`` is not finite.

    See Also
    --------
    geometric_mean_relative_energy_error : Its geometric mean over the rollout.

    Examples
    --------
    >>> relative_energy_error([1.0, 0.0, -1.0], [3.0, 0.0, 1.0]).tolist()
    [0.5, 0.0, 1.0]
    """
    energy_pred, energy_true = _check_pair(
        energy_pred,
        energy_true,
        ("energy_pred", "energy_true"),
        (1, 2),
        "(n_times,) or (n_trajectories, n_times)",
    )
    with np.errstate(invalid="ignore", over="ignore"):
        errors = _ratio(
            np.abs(energy_pred - energy_true),
            np.abs(energy_pred) + np.abs(energy_true),
        )
    return np.where(np.isfinite(energy_pred) & np.isfinite(errors), errors, 1.0)


def _geometric_mean(errors: np.ndarray, floor) -> float:
    """``exp(mean(log(max(errors, floor))))`` over every time and trajectory."""
    floor = check_positive_float(floor, "floor")
    return float(np.exp(np.mean(np.log(np.maximum(errors, floor)))))


def geometric_mean_relative_error(
    z_pred, z_true, *, angles=None, floor: float = FLOOR
) -> float:
    """The geometric mean of :func:`relative_error` over time and trajectories.

    Each trajectory's errors are raised to ``floor`` where smaller, and their
    geometric mean over time taken; with several trajectories, the result is
    the geometric mean of theirs (all trajectories have the same number of
    time steps, so it is ``exp`` of the mean ``log`` error over every time
    step of every trajectory). That is the reference code's rollout metric
    (``gerr`` in ngruver/decon-hnn), which averages the logarithms over the
    test trajectories and times before exponentiating.

    Parameters
    ----------
    z_pred : array-like of shape (n_times, n_features) or \
(n_trajectories, n_times, n_features)
        Predicted states; where not finite (a diverged rollout), error 1.
    z_true : array-like of the same shape
        True states at the same times.
    angles : sequence of int or None, default=None
        Columns that are angles; see :func:`relative_error`.
    floor : float, default=1e-7
        Smallest error counted, positive: the first step of a rollout from
        the true initial state has error 0, whose logarithm is ``-inf``.

    Returns
    -------
    float
        The geometric mean, in ``[floor, 1]``.

    See Also
    --------
    relative_error : The error at each time step.

    Examples
    --------
    >>> import numpy as np
    >>> true = np.ones((3, 2))
    >>> pred = true * np.array([[1.0], [3.0], [3.0]])  # errors 0, 1/2, 1/2
    >>> round(geometric_mean_relative_error(pred, true, floor=1e-6), 6)
    0.0063
    """
    return _geometric_mean(relative_error(z_pred, z_true, angles=angles), floor)


def geometric_mean_relative_energy_error(
    energy_pred, energy_true, *, floor: float = FLOOR
) -> float:
    """The geometric mean of :func:`relative_energy_error` over time and trajectories.

    Aggregated as :func:`geometric_mean_relative_error` is (``Herr`` in the
    reference code).

    Parameters
    ----------
    energy_pred : array-like of shape (n_times,) or (n_trajectories, n_times)
        Energies of the predicted states; where not finite, error 1.
    energy_true : array-like of the same shape
        Energies of the true states.
    floor : float, default=1e-7
        Smallest error counted, positive.

    Returns
    -------
    float
        The geometric mean, in ``[floor, 1]``.

    See Also
    --------
    relative_energy_error : The error at each time step.

    Examples
    --------
    >>> round(geometric_mean_relative_energy_error([2.0, 2.0], [1.0, 4.0]), 12)
    0.333333333333
    """
    return _geometric_mean(relative_energy_error(energy_pred, energy_true), floor)
