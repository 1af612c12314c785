"""Building blocks: sample initial states, simulate a system, split by trajectory."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.utils import Bunch, check_random_state

from sklearn_hnn._validation import (
    check_non_negative_float,
    check_positive_float,
    check_positive_int,
    check_time_grid,
)
from sklearn_hnn.systems.base import HamiltonianSystem


def sample_annulus(
    rng: np.random.Generator, n: int, r_min: float, r_max: float
) -> np.ndarray:
    """Sample ``n`` points ``(q, p)`` with radius ``~ U[r_min, r_max]`` and angle
    ``~ U[0, 2 pi)``.

    Returns
    -------
    ndarray of shape (n, 2)
    """
    radius = rng.uniform(r_min, r_max, size=n)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def make_trajectory_dataset(
    system: HamiltonianSystem,
    initial_states: np.ndarray,
    t,
    *,
    noise_std: float,
    n_train: int,
    rng: np.random.Generator,
) -> Bunch:
    """Simulate ``system`` from each initial state and split by trajectory.

    States get i.i.d. Gaussian noise; derivatives are the exact vector field at
    the clean states. The first ``n_train`` trajectories train, the rest test:
    no trajectory is shared between the two.

    Parameters
    ----------
    system : HamiltonianSystem
        Ground truth.
    initial_states : ndarray of shape (n_trajectories, 2d)
        Clean initial states.
    t : array-like of shape (n_points,)
        Sample times of every trajectory.
    noise_std : float
        Standard deviation of the noise added to the states.
    n_train : int
        Number of training trajectories, ``0 < n_train < n_trajectories``.
    rng : numpy.random.Generator
        Source of the noise.

    Returns
    -------
    Bunch
        ``X_train``, ``dXdt_train`` of shape ``(n_train * n_points, 2d)``;
        ``X_test``, ``dXdt_test`` likewise for the remaining trajectories;
        ``t`` of shape ``(n_points,)``; ``trajectories`` (noisy states) and
        ``derivatives`` of shape ``(n_trajectories, n_points, 2d)``;
        ``initial_states`` (clean); ``n_train``; ``system``.
    """
    t = check_time_grid(t)
    initial_states = np.asarray(initial_states, dtype=float)
    n_trajectories = len(initial_states)
    if not 0 < n_train < n_trajectories:
        raise ValueError(
            f"n_train must be between 1 and n_trajectories - 1 = "
            f"{n_trajectories - 1}; got {n_train}."
        )
    clean = system.trajectories(initial_states, t)
    derivatives = system.vector_field(clean)
    noisy = clean + noise_std * rng.standard_normal(clean.shape)
    width = system.n_features
    return Bunch(
        X_train=noisy[:n_train].reshape(-1, width),
        dXdt_train=derivatives[:n_train].reshape(-1, width),
        X_test=noisy[n_train:].reshape(-1, width),
        dXdt_test=derivatives[n_train:].reshape(-1, width),
        t=t,
        trajectories=noisy,
        derivatives=derivatives,
        initial_states=initial_states,
        n_train=n_train,
        system=system,
    )


def make_simulated_dataset(
    system: HamiltonianSystem,
    sample_states: Callable[[np.random.Generator, int], np.ndarray],
    *,
    n_trajectories: int,
    n_points: int,
    t_max: float,
    noise_std: float,
    train_fraction: float,
    random_state=None,
) -> Bunch:
    """Validate the usual dataset arguments, draw initial states and simulate.

    Parameters
    ----------
    system : HamiltonianSystem
        Ground truth.
    sample_states : callable
        ``sample_states(rng, n)`` returns ``n`` initial states, shape
        ``(n, 2d)``.
    n_trajectories, n_points : int
        Number of trajectories and samples per trajectory on ``[0, t_max]``.
    t_max : float
        End of each trajectory.
    noise_std : float
        Gaussian noise added to the states.
    train_fraction : float
        Fraction of the trajectories, the first ones drawn, used for training.
    random_state : int, RandomState instance or None
        Seed of the initial states and of the noise.

    Returns
    -------
    Bunch
        See :func:`make_trajectory_dataset`.
    """
    n_trajectories = check_positive_int(n_trajectories, "n_trajectories")
    n_points = check_positive_int(n_points, "n_points")
    t_max = check_positive_float(t_max, "t_max")
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(
            f"train_fraction must be strictly between 0 and 1; got {train_fraction!r}."
        )
    noise_std = check_non_negative_float(noise_std, "noise_std")
    n_train = int(n_trajectories * train_fraction)
    if not 0 < n_train < n_trajectories:
        raise ValueError(
            f"train_fraction={train_fraction} of n_trajectories={n_trajectories} "
            "leaves no trajectory for training or for testing."
        )
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    rng = np.random.default_rng(seed)
    x0 = sample_states(rng, n_trajectories)
    t = np.linspace(0.0, t_max, n_points)
    return make_trajectory_dataset(
        system, x0, t, noise_std=noise_std, n_train=n_train, rng=rng
    )
