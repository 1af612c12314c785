"""Building blocks: sample initial states, simulate a system, split by trajectory."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping

import numpy as np
from sklearn.utils import Bunch

from sklearn_hnn._validation import (
    check_float_array,
    check_generator,
    check_non_negative_float,
    check_positive_float,
    check_positive_int,
    check_real_number,
    check_seed,
    check_time_grid,
    shape_of,
)
from sklearn_hnn.datasets._cache import check_cache_arguments, load_or_build
from sklearn_hnn.systems.base import HamiltonianSystem

#: The arrays a simulation produces; the rest of a dataset follows from them and
#: from the parameters, so these are what the cache stores.
SIMULATED = ("t", "initial_states", "trajectories", "derivatives")


def _check_system(system) -> HamiltonianSystem:
    """``system`` itself, or a TypeError unless it is a HamiltonianSystem."""
    if not isinstance(system, HamiltonianSystem):
        raise TypeError(
            "system must be a sklearn_hnn.systems.HamiltonianSystem, such as "
            f"sklearn_hnn.systems.MassSpring(); got {system!r}."
        )
    return system


def _check_sampled_states(
    states, system: HamiltonianSystem, n_trajectories: int
) -> np.ndarray:
    """What ``sample_states`` returned, or an error unless it is the
    ``(n_trajectories, system.n_features)`` array of finite states asked for."""
    width = system.n_features
    shape = None if states is None else shape_of(states)
    if shape != (n_trajectories, width):
        if states is None:
            got = "None"
        elif shape is None:
            got = f"a {type(states).__name__} that is not an array"
        else:
            got = f"an array of shape {shape}"
        raise ValueError(
            f"sample_states returned {got}, but n_trajectories={n_trajectories} "
            f"rows of width {width} (states of {system!r}) were needed: shape "
            f"({n_trajectories}, {width})."
        )
    return check_float_array(states, "sample_states", dtype=np.float64)


def sample_annulus(
    rng: np.random.Generator, n: int, r_min: float, r_max: float
) -> np.ndarray:
    """Sample ``n`` points ``(q, p)`` with radius ``~ U[r_min, r_max]`` and angle
    ``~ U[0, 2 pi)``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the random draws.
    n : int
        Number of points.
    r_min : float
        Smallest radius, non-negative.
    r_max : float
        Largest radius, positive and at least ``r_min``.

    Returns
    -------
    ndarray of shape (n, 2)
        The points, one ``(q, p)`` per row.
    """
    rng = check_generator(rng)
    n = check_positive_int(n, "n")
    r_min = check_non_negative_float(r_min, "r_min")
    r_max = check_positive_float(r_max, "r_max")
    if r_min > r_max:
        raise ValueError(f"r_min must be at most r_max; got {r_min} > {r_max}.")
    radius = rng.uniform(r_min, r_max, size=n)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def check_train_fraction(train_fraction, n_trajectories: int) -> int:
    """The number of training trajectories, ``floor(n_trajectories *
    train_fraction)``, or a ValueError naming ``train_fraction``.

    Parameters
    ----------
    train_fraction : float
        Fraction of the trajectories used for training, strictly between 0
        and 1.
    n_trajectories : int
        Number of trajectories, already checked.

    Returns
    -------
    int
        ``n_train``, with ``0 < n_train < n_trajectories``: both the training
        and the test set hold at least one trajectory.
    """
    train_fraction = check_real_number(train_fraction, "train_fraction")
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(
            f"train_fraction must be strictly between 0 and 1; got {train_fraction!r}."
        )
    # The tolerance keeps 100 * 0.57 = 56.99999999999999 from losing one.
    n_train = math.floor(n_trajectories * train_fraction + 1e-9)
    if not 0 < n_train < n_trajectories:
        raise ValueError(
            f"train_fraction={train_fraction} of n_trajectories={n_trajectories} "
            "leaves no trajectory for training or for testing."
        )
    return n_train


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
        Ground truth, an instance of
        :class:`~sklearn_hnn.systems.HamiltonianSystem`.
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
    system = _check_system(system)
    t = check_time_grid(t)
    initial_states = system._check_states(
        initial_states, "initial_states", single_or_batch=True
    )
    if initial_states.ndim != 2:
        raise ValueError(
            "initial_states must have shape (n_trajectories, "
            f"{system.n_features}); got shape {initial_states.shape}."
        )
    noise_std = check_non_negative_float(noise_std, "noise_std")
    n_train = check_positive_int(n_train, "n_train")
    rng = check_generator(rng)
    n_trajectories = len(initial_states)
    if not 0 < n_train < n_trajectories:
        raise ValueError(
            f"n_train must be between 1 and n_trajectories - 1 = "
            f"{n_trajectories - 1}; got {n_train}."
        )
    clean = system.trajectories(initial_states, t)
    derivatives = system.vector_field(clean)
    with np.errstate(over="ignore"):  # reported just below
        noisy = clean + noise_std * rng.standard_normal(clean.shape)
    if not np.isfinite(noisy).all():
        raise ValueError(
            f"noise_std={noise_std!r} is too large: the noisy states overflow float64."
        )
    return _split_by_trajectory(
        system,
        t=t,
        initial_states=initial_states,
        trajectories=noisy,
        derivatives=derivatives,
        n_train=n_train,
    )


def _split_by_trajectory(
    system: HamiltonianSystem,
    *,
    t: np.ndarray,
    initial_states: np.ndarray,
    trajectories: np.ndarray,
    derivatives: np.ndarray,
    n_train: int,
) -> Bunch:
    """The Bunch of :func:`make_trajectory_dataset` from the simulated arrays,
    those named in :data:`SIMULATED`."""
    width = system.n_features
    return Bunch(
        X_train=trajectories[:n_train].reshape(-1, width),
        dXdt_train=derivatives[:n_train].reshape(-1, width),
        X_test=trajectories[n_train:].reshape(-1, width),
        dXdt_test=derivatives[n_train:].reshape(-1, width),
        t=t,
        trajectories=trajectories,
        derivatives=derivatives,
        initial_states=initial_states,
        n_train=n_train,
        system=system,
    )


def _check_cache_identity(system, cache_name) -> None:
    """Raise unless ``cache_name`` and ``repr(system)`` can identify a
    simulated dataset in the cache."""
    if cache_name is None:
        raise ValueError("cache_name is required when cache_dir is given.")
    if type(system).__repr__ is object.__repr__:
        raise ValueError(
            f"system must define a __repr__ that names its parameters to be "
            f"cached: {type(system).__name__} uses object's, which holds a memory "
            "address, so no later call would find its data in cache_dir."
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
    cache_dir: str | os.PathLike | None = None,
    cache_name: str | None = None,
    cache_params: Mapping | None = None,
) -> Bunch:
    """Validate the usual dataset arguments, draw initial states and simulate.

    Parameters
    ----------
    system : HamiltonianSystem
        Ground truth, an instance of
        :class:`~sklearn_hnn.systems.HamiltonianSystem`.
    sample_states : callable
        ``sample_states(rng, n)`` returns ``n`` initial states of ``system``,
        an array of finite numbers of shape ``(n, 2d)``; it is called with
        ``n = n_trajectories``.
    n_trajectories, n_points : int
        Number of trajectories and samples per trajectory on ``[0, t_max]``.
    t_max : float
        End of each trajectory.
    noise_std : float
        Gaussian noise added to the states.
    train_fraction : float
        Fraction of the trajectories, the first ones drawn, used for training.
    random_state : int, RandomState instance or None
        Seed of the initial states and of the noise; an int when ``cache_dir``
        is given.
    cache_dir : str, os.PathLike or None, default=None
        Directory of the dataset cache, a non-empty path (``"."`` for the
        current directory): the simulated arrays are read from there when the
        same parameters were simulated before, and written there otherwise.
        None simulates every time. ``repr(system)`` is part of the cache key, so
        a system of your own must define a ``__repr__`` that names its
        parameters, as the library's systems do.
    cache_name : str or None, default=None
        Name of the dataset in the cache; required with ``cache_dir``. The
        cache cannot inspect ``sample_states``: the name, with
        ``cache_params``, must identify it.
    cache_params : mapping or None, default=None
        Parameters of the dataset besides the arguments above, such as those
        of ``sample_states``; part of the cache key with ``repr(system)`` and
        every argument above, whose names they must not reuse.

    Returns
    -------
    Bunch
        See :func:`make_trajectory_dataset`; the same, bit for bit, whether it
        comes from the cache or not.
    """
    system = _check_system(system)
    if not callable(sample_states):
        raise TypeError(
            "sample_states must be a callable sample_states(rng, n) returning n "
            f"initial states, an array of shape (n, {system.n_features}); got "
            f"{sample_states!r}."
        )
    cache_dir = check_cache_arguments(cache_dir, random_state)
    if cache_dir is not None:
        _check_cache_identity(system, cache_name)
    n_trajectories = check_positive_int(n_trajectories, "n_trajectories")
    n_points = check_positive_int(n_points, "n_points")
    t_max = check_positive_float(t_max, "t_max")
    noise_std = check_non_negative_float(noise_std, "noise_std")
    n_train = check_train_fraction(train_fraction, n_trajectories)
    random_generator = check_seed(random_state)
    seed = random_generator.randint(np.iinfo(np.int32).max)
    t = np.linspace(0.0, t_max, n_points)

    def simulate() -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        x0 = _check_sampled_states(
            sample_states(rng, n_trajectories), system, n_trajectories
        )
        data = make_trajectory_dataset(
            system, x0, t, noise_std=noise_std, n_train=n_train, rng=rng
        )
        return {name: data[name] for name in SIMULATED}

    if cache_dir is None:
        arrays = simulate()
    else:
        params = {
            "system": repr(system),
            "system_class": f"{type(system).__module__}.{type(system).__qualname__}",
            "n_trajectories": n_trajectories,
            "n_points": n_points,
            "t_max": t_max,
            "noise_std": noise_std,
            "train_fraction": float(train_fraction),
            "random_state": int(random_state),
        }
        clash = sorted(set(cache_params or {}) & set(params))
        if clash:
            raise ValueError(
                f"cache_params must not redefine the arguments {clash}, which are "
                "part of the cache key already."
            )
        params.update(cache_params or {})
        arrays = load_or_build(cache_name, params, simulate, cache_dir)
    return _split_by_trajectory(system, n_train=n_train, **arrays)
