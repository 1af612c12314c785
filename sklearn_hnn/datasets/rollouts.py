"""The protocol of Gruver et al. (2022): train on short chunks, test on long rollouts.

Every trajectory is simulated on the grid ``0, dt, 2 dt, ...`` below
``duration``. Each training trajectory contributes one chunk of a few
consecutive points at a random position; each test trajectory one longer
chunk, whose first point is the initial state of the rollout to score. The
training and test initial states come from two independent random streams, so
no test trajectory repeats a training one.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping

import numpy as np
from scipy.integrate import solve_ivp
from sklearn.utils import Bunch

from sklearn_hnn._validation import (
    check_positive_float,
    check_positive_int,
    check_seed,
)
from sklearn_hnn.datasets._cache import check_cache_arguments, load_or_build
from sklearn_hnn.datasets.trajectories import (
    _check_cache_identity,
    _check_sampled_states,
    _check_system,
)
from sklearn_hnn.systems import HamiltonianSystem, MechanicalSystem

#: Tolerances of DOP853 for one trajectory integrated alone.
RTOL = ATOL = 1e-10


def simulate_together(system: HamiltonianSystem, x0: np.ndarray, t: np.ndarray):
    """Integrate every initial state at once, as one stacked ODE.

    One call of :func:`scipy.integrate.solve_ivp` (DOP853) on the states of
    all trajectories side by side, with the vector field evaluated on the whole
    batch. Its error norm is a root mean square over every component, so the
    tolerances ``RTOL`` and ``ATOL`` are divided by ``sqrt(n_trajectories)``:
    each trajectory's local error is then held at least as tightly as when it
    is integrated alone by :meth:`HamiltonianSystem.trajectories`.

    Parameters
    ----------
    system : HamiltonianSystem
        The dynamics, through its (validated) vector field.
    x0 : ndarray of shape (n_trajectories, 2d)
        Valid initial states.
    t : ndarray of shape (n_times,)
        Increasing output times, ``t[0]`` the time of ``x0``.

    Returns
    -------
    ndarray of shape (n_trajectories, n_times, 2d)
        The states at each time of ``t``.

    Raises
    ------
    RuntimeError
        If the solver fails.
    """
    n, width = x0.shape
    if len(t) == 1:
        return x0[:, None, :].copy()
    scale = 1.0 / math.sqrt(n)

    def field(_, y):
        return system._vector_field(y.reshape(n, width)).ravel()

    solution = solve_ivp(
        field,
        (t[0], t[-1]),
        x0.ravel(),
        method="DOP853",
        t_eval=t,
        rtol=RTOL * scale,
        atol=ATOL * scale,
    )
    if not solution.success:
        raise RuntimeError(f"solve_ivp failed: {solution.message}")
    return solution.y.T.reshape(len(t), n, width).transpose(1, 0, 2).copy()


def _check_length(value, name: str, n_points: int) -> int:
    """A chunk length: an int in ``[2, n_points]``, or a ValueError naming it."""
    value = check_positive_int(value, name)
    if not 2 <= value <= n_points:
        raise ValueError(
            f"{name} must be between 2 and the {n_points} points of a "
            f"trajectory (duration / dt); got {value}."
        )
    return value


def _chunks(trajectories, length: int, rng: np.random.Generator):
    """One chunk of ``length`` points per trajectory, at a random multiple of
    ``length`` (the trajectory cut into whole, non-overlapping chunks)."""
    n, n_points, _ = trajectories.shape
    starts = length * rng.integers(0, n_points // length, size=n)
    steps = starts[:, None] + np.arange(length)
    return trajectories[np.arange(n)[:, None], steps], starts


def make_rollout_dataset(
    system: HamiltonianSystem,
    sample_states: Callable[[np.random.Generator, int], np.ndarray],
    *,
    velocities: bool = False,
    n_trajectories: int = 1000,
    n_train: int = 800,
    duration: float = 10.0,
    dt: float = 0.03,
    chunk_length: int = 5,
    test_length: int = 100,
    random_state=None,
    cache_dir: str | os.PathLike | None = None,
    cache_name: str | None = None,
    cache_params: Mapping | None = None,
) -> Bunch:
    """Chunks of trajectories to train on and long trajectories to test against.

    ``n_train`` initial states are drawn from one random stream and
    ``n_trajectories - n_train`` from another, both derived from
    ``random_state``. Every trajectory is integrated accurately (see
    :func:`simulate_together`) on the times ``k dt`` below ``duration``.
    Each training trajectory is cut into whole chunks of ``chunk_length``
    points and one of them, drawn at random, is kept; each test trajectory
    likewise keeps one chunk of ``test_length`` points, whose first state
    starts the rollout to score.

    Parameters
    ----------
    system : HamiltonianSystem
        Ground truth; a :class:`~sklearn_hnn.systems.MechanicalSystem` when
        ``velocities`` is true.
    sample_states : callable
        ``sample_states(rng, n)`` returns ``n`` canonical initial states
        ``[q, p]`` of ``system``, of shape ``(n, 2d)``.
    velocities : bool, default=False
        Give the states as ``[q, dq/dt]`` (for models that learn on
        velocities) instead of the canonical ``[q, p]``.
    n_trajectories : int, default=1000
        Number of trajectories, training and test.
    n_train : int, default=800
        Number of training trajectories, ``0 < n_train < n_trajectories``.
    duration : float, default=10.0
        Length of each simulated trajectory; its times are ``k dt`` for
        ``0 <= k dt < duration``, 334 points for the defaults.
    dt : float, default=0.03
        Time between consecutive points.
    chunk_length : int, default=5
        Points in each training chunk, at least 2.
    test_length : int, default=100
        Points in each test trajectory (``test_length - 1`` steps from its
        initial state), at least 2.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial states and of the chunks' positions; an int when
        ``cache_dir`` is given.
    cache_dir : str, os.PathLike or None, default=None
        Directory of the dataset cache (see
        :func:`~sklearn_hnn.datasets.make_simulated_dataset`); None simulates
        every time.
    cache_name : str or None, default=None
        Name of the dataset in the cache; required with ``cache_dir``.
    cache_params : mapping or None, default=None
        Parameters of ``sample_states``, part of the cache key.

    Returns
    -------
    Bunch
        ``X_train`` of shape ``(n_train * chunk_length, 2d)``, the chunks
        stacked, with ``t_train`` (each row's time since its chunk's first
        point) and ``groups_train`` (its chunk) of shape
        ``(n_train * chunk_length,)``: ``model.fit(X_train, t=t_train,
        groups=groups_train)``. ``start_times_train`` of shape ``(n_train,)``,
        the time of each chunk's first point in its trajectory.
        ``x0_test`` of shape ``(n_test, 2d)``, ``t_test`` of shape
        ``(test_length,)`` (from 0) and ``trajectories_test`` of shape
        ``(n_test, test_length, 2d)``, whose first points are ``x0_test``;
        ``start_times_test``. ``system``; ``energy``, the true energy of
        states in the form given (``system.hamiltonian``, or
        ``system.energy_from_velocities``); ``angles``, the columns that are
        angles (``system.angles``, for the metrics); ``velocities``.

    Examples
    --------
    >>> from functools import partial
    >>> from sklearn_hnn.systems import ChainPendulum
    >>> from sklearn_hnn.datasets import sample_chain_pendulum_states
    >>> chain = ChainPendulum(n_links=2)
    >>> data = make_rollout_dataset(
    ...     chain, partial(sample_chain_pendulum_states, system=chain),
    ...     n_trajectories=4, n_train=3, duration=1.0, test_length=20,
    ...     random_state=0)
    >>> data.X_train.shape, data.trajectories_test.shape
    ((15, 4), (1, 20, 4))
    """
    system = _check_system(system)
    if not callable(sample_states):
        raise TypeError(
            "sample_states must be a callable sample_states(rng, n) returning n "
            f"initial states of shape (n, {system.n_features}); got "
            f"{sample_states!r}."
        )
    if not isinstance(velocities, bool | np.bool_):
        raise ValueError(f"velocities must be True or False; got {velocities!r}.")
    if velocities and not isinstance(system, MechanicalSystem):
        raise ValueError(
            "velocities=True needs a system that converts momenta to velocities, "
            f"a sklearn_hnn.systems.MechanicalSystem; got {system!r}."
        )
    cache_dir = check_cache_arguments(cache_dir, random_state)
    if cache_dir is not None:
        _check_cache_identity(system, cache_name)
    n_trajectories = check_positive_int(n_trajectories, "n_trajectories")
    n_train = check_positive_int(n_train, "n_train")
    if not n_train < n_trajectories:
        raise ValueError(
            f"n_train must be less than n_trajectories={n_trajectories}, to leave "
            f"test trajectories; got {n_train}."
        )
    duration = check_positive_float(duration, "duration")
    dt = check_positive_float(dt, "dt")
    # k dt < duration; the margin keeps 0.09 / 0.03 = 2.9999999999999996 at 3.
    n_points = math.ceil(duration / dt - 1e-9)
    chunk_length = _check_length(chunk_length, "chunk_length", n_points)
    test_length = _check_length(test_length, "test_length", n_points)
    seed = check_seed(random_state).randint(np.iinfo(np.int32).max)
    t = dt * np.arange(n_points)

    def simulate() -> dict[str, np.ndarray]:
        """The arrays the cache stores, in canonical ``[q, p]`` form."""
        train_stream, test_stream = np.random.SeedSequence(seed).spawn(2)
        train_rng = np.random.default_rng(train_stream)
        test_rng = np.random.default_rng(test_stream)
        n_test = n_trajectories - n_train
        states = [
            _check_sampled_states(sample_states(rng, n), system, n)
            for rng, n in ((train_rng, n_train), (test_rng, n_test))
        ]
        x0 = system._check_states(np.concatenate(states), "sample_states")
        trajectories = simulate_together(system, x0, t)
        chunks_train, starts_train = _chunks(
            trajectories[:n_train], chunk_length, train_rng
        )
        trajectories_test, starts_test = _chunks(
            trajectories[n_train:], test_length, test_rng
        )
        return {
            "chunks_train": chunks_train,
            "starts_train": starts_train,
            "trajectories_test": trajectories_test,
            "starts_test": starts_test,
        }

    if cache_dir is None:
        arrays = simulate()
    else:
        params = {
            "system": repr(system),
            "system_class": f"{type(system).__module__}.{type(system).__qualname__}",
            "n_trajectories": n_trajectories,
            "n_train": n_train,
            "duration": duration,
            "dt": dt,
            "chunk_length": chunk_length,
            "test_length": test_length,
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
    return _bunch(system, arrays, velocities=velocities, dt=dt)


def _bunch(system, arrays, *, velocities: bool, dt: float) -> Bunch:
    """The dataset from the simulated arrays, in the form asked for."""
    chunks, test = arrays["chunks_train"], arrays["trajectories_test"]
    if velocities:
        chunks, test = system.to_velocities(chunks), system.to_velocities(test)
        energy = system.energy_from_velocities
    else:
        energy = system.hamiltonian
    n_train, chunk_length, width = chunks.shape
    return Bunch(
        X_train=chunks.reshape(-1, width),
        t_train=np.tile(dt * np.arange(chunk_length), n_train),
        groups_train=np.repeat(np.arange(n_train), chunk_length),
        start_times_train=dt * arrays["starts_train"],
        x0_test=test[:, 0].copy(),
        t_test=dt * np.arange(test.shape[1]),
        trajectories_test=test,
        start_times_test=dt * arrays["starts_test"],
        system=system,
        energy=energy,
        angles=tuple(getattr(system, "angles", ())),
        velocities=bool(velocities),
    )
