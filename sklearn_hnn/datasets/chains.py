"""Chain and spring pendulums of Finzi et al. (2020), as Gruver et al. (2022) use them.

The constants and the distributions of the initial states are those of the
reference code of both papers (``ChainPendulum`` and ``SpringPendulum`` in
``src/systems/`` of ngruver/decon-hnn, the same as in
mfinzi/constrained-hamiltonian-neural-networks):

- masses (and the chain's rod lengths) drawn once from ``U[0.6, 1.4]`` by
  numpy's legacy generator seeded with 0, masses first, then lengths, and
  given to the bodies in reverse order of the draws; ``g = 9.81``;
- spring pendulums: stiffness 10 for every spring, rest length 0 for the
  spring from the anchor and 1 for the others;
- the protocol of :func:`~sklearn_hnn.datasets.make_rollout_dataset`:
  ``dt = 0.03``, trajectories of 10 s, chunks of 5 points to train on and
  of 100 points to test against.
"""

from __future__ import annotations

import os
from functools import partial

import numpy as np
from sklearn.utils import Bunch

from sklearn_hnn._validation import check_generator, check_positive_int
from sklearn_hnn.datasets.rollouts import make_rollout_dataset
from sklearn_hnn.systems import ChainPendulum, SpringPendulum


def reference_constants(n: int) -> np.ndarray:
    """The masses and lengths the reference code draws for ``n`` bodies.

    Parameters
    ----------
    n : int
        Number of bodies.

    Returns
    -------
    ndarray of shape (2, n)
        Row 0 the masses of bodies 1 to ``n``, row 1 the lengths of rods 1 to
        ``n``: ``0.6 + 0.8 U`` for ``2 n`` uniform draws of
        ``numpy.random.RandomState(0)``, each row in reverse order of its
        draws. A spring pendulum uses row 0 only.
    """
    n = check_positive_int(n, "n")
    draws = 0.6 + 0.8 * np.random.RandomState(0).random_sample(2 * n)
    return np.stack([draws[:n][::-1], draws[n:][::-1]])


def _check_system(system, kind: type) -> None:
    if not isinstance(system, kind):
        raise TypeError(
            f"system must be a sklearn_hnn.systems.{kind.__name__}; got {system!r}."
        )


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The scalar cross product ``a_x b_y - a_y b_x`` of ``(..., 2)`` vectors."""
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def sample_chain_pendulum_states(
    rng: np.random.Generator, n: int, system: ChainPendulum
) -> np.ndarray:
    """Random states of a chain pendulum, as Finzi et al. draw them.

    Angles and angular velocities ``~ N(0, 1)`` give each mass a position and
    a velocity in the plane; every position coordinate then moves by
    ``0.2 N(0, 1)`` and every velocity ``u`` becomes
    ``3 (u / 2 + 0.4 N(0, 1))``. The reference projects that perturbed state
    back onto the rods' constraints by Newton-Raphson; here each rod's angle
    is read off the perturbed positions of its two ends, and its angular
    velocity off the component of their relative velocity across the rod
    (the same projection for one link, a close one for more).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the random draws.
    n : int
        Number of states.
    system : ChainPendulum
        The chain, for its lengths and mass matrix.

    Returns
    -------
    ndarray of shape (n, 2 k)
        Canonical states ``[theta, p]``, angles in ``(-pi, pi]``.
    """
    rng, n = check_generator(rng), check_positive_int(n, "n")
    _check_system(system, ChainPendulum)
    k, lengths = system.n_links, system.lengths
    theta, omega = rng.standard_normal((2, n, k))
    # Each rod's end relative to its start, and its velocity, (n, k, 2).
    rod = lengths[:, None] * np.stack([np.sin(theta), -np.cos(theta)], axis=-1)
    spin = (lengths * omega)[..., None] * np.stack(
        [np.cos(theta), np.sin(theta)], axis=-1
    )
    positions = np.cumsum(rod, axis=1) + 0.2 * rng.standard_normal((n, k, 2))
    velocities = 3.0 * (
        0.5 * np.cumsum(spin, axis=1) + 0.4 * rng.standard_normal((n, k, 2))
    )
    rod = np.diff(positions, axis=1, prepend=np.zeros((n, 1, 2)))
    rod_velocity = np.diff(velocities, axis=1, prepend=np.zeros((n, 1, 2)))
    theta = np.arctan2(rod[..., 0], -rod[..., 1])
    across = _cross(rod, rod_velocity) / np.linalg.norm(rod, axis=-1)
    return system.to_momenta(np.concatenate([theta, across / lengths], axis=1))


def sample_spring_pendulum_states(
    rng: np.random.Generator, n: int, system: SpringPendulum
) -> np.ndarray:
    """Random states of a spring pendulum, as Finzi et al. draw them.

    Each mass starts below the anchor at the height where it would hang at
    rest if every spring had rest length 0 (the reference's centre, which
    ignores the rest lengths), ``z_i = -g sum_{j<=i} W_j / s_j`` with ``W_j``
    the weight hanging from spring ``j``; its height then moves by
    ``0.8 N(0, 1)`` and each of its coordinates by ``0.4 N(0, 1)``. Each
    velocity component is ``0.6 N(0, 1)``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the random draws.
    n : int
        Number of states.
    system : SpringPendulum
        The pendulum, for its masses, stiffnesses and gravity.

    Returns
    -------
    ndarray of shape (n, 6 k)
        Canonical states ``[q, p]``, ``p_i = m_i v_i``.
    """
    rng, n = check_generator(rng), check_positive_int(n, "n")
    _check_system(system, SpringPendulum)
    k = system.n_masses
    hanging = np.cumsum(system.masses[::-1])[::-1]
    positions = np.zeros((n, k, 3))
    positions[..., 2] = -np.cumsum(system.gravity * hanging / system.stiffness)
    positions[..., 2] += 0.8 * rng.standard_normal((n, k))
    positions += 0.4 * rng.standard_normal((n, k, 3))
    velocities = 0.6 * rng.standard_normal((n, k, 3))
    momenta = system.masses[:, None] * velocities
    return np.concatenate([positions.reshape(n, -1), momenta.reshape(n, -1)], axis=1)


def make_chain_pendulum_dataset(
    n_links: int = 2,
    drag: float = 0.0,
    *,
    masses=None,
    lengths=None,
    velocities: bool = False,
    n_trajectories: int = 1000,
    n_train: int = 800,
    duration: float = 10.0,
    dt: float = 0.03,
    chunk_length: int = 5,
    test_length: int = 100,
    random_state=None,
    cache_dir: str | os.PathLike | None = None,
) -> Bunch:
    """A chain pendulum of ``n_links`` rods, in the protocol of Gruver et al.

    See :class:`~sklearn_hnn.systems.ChainPendulum` for the system (angles of
    the rods from the downward vertical) and
    :func:`sample_chain_pendulum_states` for the initial states.

    Parameters
    ----------
    n_links : int, default=2
        Number of rods and masses.
    drag : float, default=0.0
        Drag coefficient ``lambda`` (the force ``-lambda v`` on each mass).
    masses, lengths : float, sequence of float or None, default=None
        Masses and rod lengths; None gives the reference's
        (:func:`reference_constants`).
    velocities : bool, default=False
        States as ``[theta, dtheta/dt]`` instead of ``[theta, p]``.
    n_trajectories : int, default=1000
        Number of trajectories, training and test.
    n_train : int, default=800
        Number of training trajectories.
    duration : float, default=10.0
        Length of each simulated trajectory.
    dt : float, default=0.03
        Time between consecutive points.
    chunk_length : int, default=5
        Points in each training chunk.
    test_length : int, default=100
        Points in each test trajectory.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial states and of the chunks' positions.
    cache_dir : str, os.PathLike or None, default=None
        Directory of the dataset cache; None simulates every time. Needs an
        int ``random_state``.

    Returns
    -------
    Bunch
        See :func:`~sklearn_hnn.datasets.make_rollout_dataset`; ``angles``
        lists every coordinate.

    Examples
    --------
    >>> data = make_chain_pendulum_dataset(
    ...     n_trajectories=10, n_train=8, duration=3.0, random_state=0)
    >>> data.X_train.shape, data.trajectories_test.shape, data.angles
    ((40, 4), (2, 100, 4), (0, 1))
    """
    n_links = check_positive_int(n_links, "n_links")
    reference = reference_constants(n_links)
    system = ChainPendulum(
        n_links,
        drag,
        masses=reference[0] if masses is None else masses,
        lengths=reference[1] if lengths is None else lengths,
    )
    return make_rollout_dataset(
        system,
        partial(sample_chain_pendulum_states, system=system),
        velocities=velocities,
        n_trajectories=n_trajectories,
        n_train=n_train,
        duration=duration,
        dt=dt,
        chunk_length=chunk_length,
        test_length=test_length,
        random_state=random_state,
        cache_dir=cache_dir,
        cache_name="chain-pendulum",
        cache_params={"sampler": "finzi2020"},
    )


def make_spring_pendulum_dataset(
    n_masses: int = 1,
    drag: float = 0.0,
    *,
    masses=None,
    velocities: bool = False,
    n_trajectories: int = 1000,
    n_train: int = 800,
    duration: float = 10.0,
    dt: float = 0.03,
    chunk_length: int = 5,
    test_length: int = 100,
    random_state=None,
    cache_dir: str | os.PathLike | None = None,
) -> Bunch:
    """A spring pendulum of ``n_masses`` masses, in the protocol of Gruver et al.

    See :class:`~sklearn_hnn.systems.SpringPendulum` for the system (stiffness
    10, rest lengths 0 from the anchor and 1 between masses) and
    :func:`sample_spring_pendulum_states` for the initial states.

    Parameters
    ----------
    n_masses : int, default=1
        Number of masses and springs.
    drag : float, default=0.0
        Drag coefficient ``lambda`` (the force ``-lambda v`` on each mass).
    masses : float, sequence of float or None, default=None
        Masses; None gives the reference's (row 0 of
        :func:`reference_constants`).
    velocities : bool, default=False
        States as ``[q, dq/dt]`` instead of ``[q, p]``.
    n_trajectories : int, default=1000
        Number of trajectories, training and test.
    n_train : int, default=800
        Number of training trajectories.
    duration : float, default=10.0
        Length of each simulated trajectory.
    dt : float, default=0.03
        Time between consecutive points.
    chunk_length : int, default=5
        Points in each training chunk.
    test_length : int, default=100
        Points in each test trajectory.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial states and of the chunks' positions.
    cache_dir : str, os.PathLike or None, default=None
        Directory of the dataset cache; None simulates every time. Needs an
        int ``random_state``.

    Returns
    -------
    Bunch
        See :func:`~sklearn_hnn.datasets.make_rollout_dataset`; ``angles`` is
        empty.

    Examples
    --------
    >>> data = make_spring_pendulum_dataset(
    ...     n_trajectories=10, n_train=8, duration=3.0, random_state=0)
    >>> data.X_train.shape, data.trajectories_test.shape
    ((40, 6), (2, 100, 6))
    """
    n_masses = check_positive_int(n_masses, "n_masses")
    system = SpringPendulum(
        n_masses,
        drag,
        masses=reference_constants(n_masses)[0] if masses is None else masses,
    )
    return make_rollout_dataset(
        system,
        partial(sample_spring_pendulum_states, system=system),
        velocities=velocities,
        n_trajectories=n_trajectories,
        n_train=n_train,
        duration=duration,
        dt=dt,
        chunk_length=chunk_length,
        test_length=test_length,
        random_state=random_state,
        cache_dir=cache_dir,
        cache_name="spring-pendulum",
        cache_params={"sampler": "finzi2020"},
    )
