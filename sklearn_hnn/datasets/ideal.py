"""Tasks 1 and 2 of Greydanus, Dzamba & Yosinski (2019): ideal spring and pendulum.

The settings are those behind the paper's Table 1, which come from the original
experiments' code rather than the paper's text.
"""

from __future__ import annotations

import os
from functools import partial

from sklearn.utils import Bunch

from sklearn_hnn.datasets.trajectories import make_simulated_dataset, sample_annulus
from sklearn_hnn.systems import MassSpring, Pendulum

#: Radius range of the initial states in phase space, per task.
SPRING_RADIUS = (0.1, 1.0)
PENDULUM_RADIUS = (1.3, 2.3)


def make_spring_dataset(
    n_trajectories: int = 50,
    n_points: int = 30,
    t_max: float = 3.0,
    noise_std: float = 0.1,
    train_fraction: float = 0.5,
    random_state=None,
    cache_dir: str | os.PathLike | None = None,
) -> Bunch:
    """Task 1: the ideal mass-spring ``H = q^2 + p^2`` (``k = 2``, ``m = 1/2``).

    Initial states have radius ``~ U[0.1, 1.0]`` in phase space and a uniform
    random angle; each trajectory has ``n_points`` samples on ``[0, t_max]``.

    Parameters
    ----------
    n_trajectories : int, default=50
        Number of trajectories.
    n_points : int, default=30
        Samples per trajectory.
    t_max : float, default=3.0
        End of each trajectory.
    noise_std : float, default=0.1
        Gaussian noise on the states; derivatives stay exact.
    train_fraction : float, default=0.5
        Fraction of trajectories (the first ones) used for training.
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
        See :func:`make_trajectory_dataset`. ``X`` columns are ``[q, p]``.

    Examples
    --------
    >>> data = make_spring_dataset(random_state=0)
    >>> data.X_train.shape, data.X_test.shape
    ((750, 2), (750, 2))
    """
    return make_simulated_dataset(
        MassSpring(stiffness=2.0, mass=0.5),
        partial(sample_annulus, r_min=SPRING_RADIUS[0], r_max=SPRING_RADIUS[1]),
        n_trajectories=n_trajectories,
        n_points=n_points,
        t_max=t_max,
        noise_std=noise_std,
        train_fraction=train_fraction,
        random_state=random_state,
        cache_dir=cache_dir,
        cache_name="spring",
        cache_params={"radius": SPRING_RADIUS},
    )


def make_pendulum_dataset(
    n_trajectories: int = 50,
    n_points: int = 45,
    t_max: float = 3.0,
    noise_std: float = 0.1,
    train_fraction: float = 0.5,
    random_state=None,
    cache_dir: str | os.PathLike | None = None,
) -> Bunch:
    """Task 2: the ideal pendulum ``H = 3 (1 - cos q) + p^2``.

    That is ``m = 1/2``, ``l = 1``, ``g = 6``. Initial states have radius
    ``~ U[1.3, 2.3]`` in phase space and a uniform random angle; the rest is as
    in :func:`make_spring_dataset`.

    Parameters
    ----------
    n_trajectories : int, default=50
        Number of trajectories.
    n_points : int, default=45
        Samples per trajectory.
    t_max : float, default=3.0
        End of each trajectory.
    noise_std : float, default=0.1
        Gaussian noise on the states; derivatives stay exact.
    train_fraction : float, default=0.5
        Fraction of trajectories (the first ones) used for training.
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
        See :func:`make_trajectory_dataset`.

    Examples
    --------
    >>> data = make_pendulum_dataset(random_state=0)
    >>> data.X_train.shape, data.trajectories.shape
    ((1125, 2), (50, 45, 2))
    """
    return make_simulated_dataset(
        Pendulum(mass=0.5, length=1.0, gravity=6.0),
        partial(sample_annulus, r_min=PENDULUM_RADIUS[0], r_max=PENDULUM_RADIUS[1]),
        n_trajectories=n_trajectories,
        n_points=n_points,
        t_max=t_max,
        noise_std=noise_std,
        train_fraction=train_fraction,
        random_state=random_state,
        cache_dir=cache_dir,
        cache_name="pendulum",
        cache_params={"radius": PENDULUM_RADIUS},
    )
