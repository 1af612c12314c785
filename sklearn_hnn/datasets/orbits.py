"""Task 4 of Greydanus, Dzamba & Yosinski (2019) and its appendix: gravitational
orbits of two and three bodies.

States follow :class:`~sklearn_hnn.systems.NBody`: positions then momenta, body
by body, ``[x_1, y_1, x_2, y_2, ..., px_1, py_1, px_2, py_2, ...]``. All masses
and ``G`` are 1, so momenta equal velocities.
"""

from __future__ import annotations

import os
from functools import partial
from numbers import Real

import numpy as np
from sklearn.utils import Bunch

from sklearn_hnn._validation import (
    check_generator,
    check_non_negative_float,
    check_positive_int,
)
from sklearn_hnn.datasets.trajectories import make_simulated_dataset
from sklearn_hnn.systems import NBody

#: Range of each position coordinate of body 1 (two bodies).
TWO_BODY_COORDINATE = (0.5, 1.5)
#: Range of the distance of body 1 from the centre (three bodies).
THREE_BODY_RADIUS = (0.9, 1.2)


def _rotate(vectors: np.ndarray, angle: float) -> np.ndarray:
    """Rotate ``(..., 2)`` vectors counter-clockwise by ``angle``."""
    c, s = np.cos(angle), np.sin(angle)
    return vectors @ np.array([[c, s], [-s, c]])


def _check_range(value, name: str) -> tuple[float, float]:
    """``(low, high)`` of finite real numbers with ``low <= high``, or a
    ValueError naming ``name``."""
    try:
        low, high = value
    except (TypeError, ValueError):
        low = high = None
    if isinstance(value, str | bytes) or not all(
        isinstance(v, Real) and not isinstance(v, bool | np.bool_) for v in (low, high)
    ):
        raise ValueError(
            f"{name} must be a pair (low, high) of numbers; got {value!r}."
        )
    try:
        low, high = float(low), float(high)
    except OverflowError:  # ints too large for a float
        low = high = np.nan
    if not (np.isfinite(low) and np.isfinite(high) and low <= high):
        raise ValueError(
            f"{name} must be a pair (low, high) of finite numbers with low <= "
            f"high; got {value!r}."
        )
    return low, high


def _check_velocity_noise(value) -> float:
    """``value`` as a float, or a ValueError unless it is in ``[0, 1)``."""
    value = check_non_negative_float(value, "velocity_noise")
    if not value < 1.0:
        raise ValueError(
            f"velocity_noise must be in [0, 1), so that no velocity component "
            f"changes sign; got {value!r}."
        )
    return value


def sample_two_body_states(
    rng: np.random.Generator,
    n: int,
    coordinate_range: tuple[float, float] = TWO_BODY_COORDINATE,
    orbit_noise: float = 0.05,
) -> np.ndarray:
    """Near-circular orbits of two unit masses around their common centre.

    Each position coordinate of body 1 is ``~ U[coordinate_range]`` and body 2
    sits at the opposite point, so the centre of mass is the origin. Both
    velocities are those of the circular orbit, ``|v| = 1 / (2 sqrt(r))`` at
    distance ``r`` from the centre, times one factor ``1 + orbit_noise N(0, 1)``
    per orbit; total momentum is zero.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the random draws.
    n : int
        Number of states.
    coordinate_range : tuple of float, default=(0.5, 1.5)
        ``(low, high)`` of each position coordinate of body 1: finite, with
        ``low <= high``, and not containing 0 (``0 < low`` or ``high < 0``),
        so that body 1 is never at the origin, where both bodies would meet.
    orbit_noise : float, default=0.05
        Relative spread of the speeds around the circular one, non-negative.

    Returns
    -------
    ndarray of shape (n, 8)
        States ``[x_1, y_1, x_2, y_2, px_1, py_1, px_2, py_2]``.
    """
    rng, n = check_generator(rng), check_positive_int(n, "n")
    orbit_noise = check_non_negative_float(orbit_noise, "orbit_noise")
    low, high = _check_range(coordinate_range, "coordinate_range")
    if low <= 0.0 <= high:
        raise ValueError(
            "coordinate_range must not contain 0, so that body 1 is never at the "
            "origin, where both bodies would meet and the circular speed "
            "1 / (2 sqrt(r)) is infinite: use 0 < low <= high (or low <= high < 0); "
            f"got {coordinate_range!r}."
        )
    coordinate_range = (low, high)
    q1 = rng.uniform(*coordinate_range, size=(n, 2))
    r = np.linalg.norm(q1, axis=1, keepdims=True)
    v1 = _rotate(q1, np.pi / 2) / (2.0 * r**1.5)
    v1 = v1 * (1.0 + orbit_noise * rng.standard_normal((n, 1)))
    return np.concatenate([q1, -q1, v1, -v1], axis=1)


def sample_three_body_states(
    rng: np.random.Generator,
    n: int,
    radius_range: tuple[float, float] = THREE_BODY_RADIUS,
    velocity_noise: float = 0.2,
) -> np.ndarray:
    """Perturbed circular orbits of three unit masses on an equilateral triangle.

    Body 1 is at distance ``r ~ U[radius_range]`` from the origin in a uniformly
    random direction; bodies 2 and 3 are body 1 rotated by 120 and 240 degrees.
    Each starts with the velocity of the circular orbit,
    ``|v| = 3^(-1/4) / sqrt(r)``, and each velocity component is then scaled by
    its own factor ``~ U[1 - velocity_noise, 1 + velocity_noise]``, which makes
    most orbits chaotic.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the random draws.
    n : int
        Number of states.
    radius_range : tuple of float, default=(0.9, 1.2)
        ``(low, high)`` of the distance of body 1 from the origin: finite, with
        ``0 < low <= high``.
    velocity_noise : float, default=0.2
        Half-width of the uniform factor on each velocity component, in
        ``[0, 1)`` so that no component changes sign.

    Returns
    -------
    ndarray of shape (n, 12)
        States: the positions of bodies 1-3, then their momenta.
    """
    rng, n = check_generator(rng), check_positive_int(n, "n")
    velocity_noise = _check_velocity_noise(velocity_noise)
    low, high = _check_range(radius_range, "radius_range")
    if low <= 0.0:
        raise ValueError(
            "radius_range must be positive, 0 < low <= high, so that body 1 is "
            "never at the origin, where all three bodies would meet and the "
            f"circular speed 3^(-1/4) / sqrt(r) is infinite; got {radius_range!r}."
        )
    radius_range = (low, high)
    r = rng.uniform(*radius_range, size=(n, 1))
    angle = rng.uniform(0.0, 2.0 * np.pi, size=(n, 1))
    q1 = r * np.concatenate([np.cos(angle), np.sin(angle)], axis=1)
    v1 = _rotate(q1, np.pi / 2) * 3.0**-0.25 / r**1.5
    q = np.stack([_rotate(q1, k * 2.0 * np.pi / 3.0) for k in range(3)], axis=1)
    v = np.stack([_rotate(v1, k * 2.0 * np.pi / 3.0) for k in range(3)], axis=1)
    v = v * rng.uniform(1.0 - velocity_noise, 1.0 + velocity_noise, size=v.shape)
    return np.concatenate([q.reshape(n, 6), v.reshape(n, 6)], axis=1)


def make_two_body_dataset(
    n_trajectories: int = 1000,
    n_points: int = 50,
    t_max: float = 20.0,
    orbit_noise: float = 0.05,
    noise_std: float = 0.0,
    train_fraction: float = 0.8,
    random_state=None,
    cache_dir: str | os.PathLike | None = None,
) -> Bunch:
    """Task 4: two bodies on near-circular orbits, ``H`` of
    :class:`~sklearn_hnn.systems.NBody` with unit masses and ``G = 1``.

    See :func:`sample_two_body_states` for the initial states. Every orbit is
    integrated accurately (DOP853, ``rtol = atol = 1e-10``) and sampled at
    ``n_points`` times on ``[0, t_max]``; derivatives are the exact vector field.

    Parameters
    ----------
    n_trajectories : int, default=1000
        Number of orbits.
    n_points : int, default=50
        Samples per orbit.
    t_max : float, default=20.0
        End of each orbit.
    orbit_noise : float, default=0.05
        Relative spread of the initial speed around the circular one.
    noise_std : float, default=0.0
        Gaussian noise on the states.
    train_fraction : float, default=0.8
        Fraction of the orbits (the first ones drawn) used for training.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial states and the noise.
    cache_dir : str, os.PathLike or None, default=None
        Directory of the dataset cache, a non-empty path (``"."`` for the
        current directory): the data are read from there when these
        parameters were simulated before, and simulated and written there
        otherwise. None simulates every time. Needs an int ``random_state``.

    Returns
    -------
    Bunch
        See :func:`~sklearn_hnn.datasets.make_trajectory_dataset`; ``X`` has 8
        columns ``[x_1, y_1, x_2, y_2, px_1, py_1, px_2, py_2]``.

    Examples
    --------
    >>> data = make_two_body_dataset(n_trajectories=10, random_state=0)
    >>> data.X_train.shape, data.X_test.shape
    ((400, 8), (100, 8))
    """
    orbit_noise = check_non_negative_float(orbit_noise, "orbit_noise")
    return make_simulated_dataset(
        NBody(masses=(1.0, 1.0)),
        partial(sample_two_body_states, orbit_noise=orbit_noise),
        n_trajectories=n_trajectories,
        n_points=n_points,
        t_max=t_max,
        noise_std=noise_std,
        train_fraction=train_fraction,
        random_state=random_state,
        cache_dir=cache_dir,
        cache_name="two-body",
        cache_params={
            "coordinate_range": TWO_BODY_COORDINATE,
            "orbit_noise": orbit_noise,
        },
    )


def make_three_body_dataset(
    n_trajectories: int = 5000,
    n_points: int = 20,
    t_max: float = 5.0,
    velocity_noise: float = 0.2,
    noise_std: float = 0.0,
    train_fraction: float = 0.8,
    random_state=None,
    cache_dir: str | os.PathLike | None = None,
) -> Bunch:
    """The paper's appendix: three unit masses, ``G = 1``, mostly chaotic orbits.

    See :func:`sample_three_body_states` for the initial states; the rest is as
    in :func:`make_two_body_dataset`.

    Parameters
    ----------
    n_trajectories : int, default=5000
        Number of orbits.
    n_points : int, default=20
        Samples per orbit.
    t_max : float, default=5.0
        End of each orbit.
    velocity_noise : float, default=0.2
        Half-width of the uniform factor on each velocity component, in
        ``[0, 1)``.
    noise_std : float, default=0.0
        Gaussian noise on the states.
    train_fraction : float, default=0.8
        Fraction of the orbits (the first ones drawn) used for training.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial states and the noise.
    cache_dir : str, os.PathLike or None, default=None
        Directory of the dataset cache, a non-empty path (``"."`` for the
        current directory): the data are read from there when these
        parameters were simulated before, and simulated and written there
        otherwise. None simulates every time. Needs an int ``random_state``.

    Returns
    -------
    Bunch
        See :func:`~sklearn_hnn.datasets.make_trajectory_dataset`; ``X`` has 12
        columns, positions of bodies 1-3 then their momenta.

    Examples
    --------
    >>> data = make_three_body_dataset(n_trajectories=10, random_state=0)
    >>> data.trajectories.shape
    (10, 20, 12)
    """
    velocity_noise = _check_velocity_noise(velocity_noise)
    return make_simulated_dataset(
        NBody(masses=(1.0, 1.0, 1.0)),
        partial(sample_three_body_states, velocity_noise=velocity_noise),
        n_trajectories=n_trajectories,
        n_points=n_points,
        t_max=t_max,
        noise_std=noise_std,
        train_fraction=train_fraction,
        random_state=random_state,
        cache_dir=cache_dir,
        cache_name="three-body",
        cache_params={
            "radius_range": THREE_BODY_RADIUS,
            "velocity_noise": float(velocity_noise),
        },
    )
