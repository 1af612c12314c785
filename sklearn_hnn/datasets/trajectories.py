"""Building blocks: sample initial states, simulate a system, split by trajectory."""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from sklearn_hnn._validation import check_time_grid
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
