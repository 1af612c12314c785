"""Metrics for learned dynamics."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def energy_mse(
    hamiltonian: Callable[[np.ndarray], np.ndarray],
    true_trajectories: np.ndarray,
    predicted_trajectories: np.ndarray,
) -> float:
    """Mean squared difference of the true energy along two sets of trajectories.

    The metric of Greydanus et al. (2019), Table 1: evaluate the *true*
    Hamiltonian along the true and the predicted rollouts from the same initial
    states, and average the squared difference over states and times.

    Parameters
    ----------
    hamiltonian : callable
        True energy, mapping ``(..., 2d)`` to ``(...)``.
    true_trajectories : ndarray of shape (n_trajectories, n_times, 2d)
    predicted_trajectories : ndarray of shape (n_trajectories, n_times, 2d)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> H = lambda x: (x ** 2).sum(-1)
    >>> true = np.ones((1, 3, 2))
    >>> energy_mse(H, true, 2 * true)
    36.0
    """
    true_trajectories = np.asarray(true_trajectories, dtype=float)
    predicted_trajectories = np.asarray(predicted_trajectories, dtype=float)
    if true_trajectories.shape != predicted_trajectories.shape:
        raise ValueError(
            "true_trajectories and predicted_trajectories must have the same shape; "
            f"got {true_trajectories.shape} and {predicted_trajectories.shape}."
        )
    difference = hamiltonian(true_trajectories) - hamiltonian(predicted_trajectories)
    return float(np.mean(difference**2))
