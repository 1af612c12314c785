"""Chain and spring pendulums: energy, gradient, drag, velocities, arguments."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_hnn.systems import (
    ChainPendulum,
    MechanicalSystem,
    Pendulum,
    SpringPendulum,
)

CHAINS = [
    ChainPendulum(),
    ChainPendulum(n_links=2, masses=(1.2, 0.7), lengths=(0.8, 1.3)),
    ChainPendulum(n_links=3, masses=(1.0, 2.0, 0.5), lengths=(1.0, 0.7, 1.3)),
]
SPRINGS = [
    SpringPendulum(),
    SpringPendulum(n_masses=2, masses=(1.3, 0.8), stiffness=(10.0, 6.0)),
    SpringPendulum(n_masses=2, rest_lengths=(0.5, 1.5), gravity=3.0),
]
SYSTEMS = CHAINS + SPRINGS


def _states(system, n, seed=0):
    """Random states, masses of a spring pendulum hanging roughly in a line."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, system.n_features))
    if isinstance(system, SpringPendulum):
        drop = np.zeros((system.n_masses, 3))
        drop[:, 2] = -1.0 - np.arange(system.n_masses)
        X[:, : system.n_dof] += drop.ravel()
    return X


def _positions(system, q):
    """Cartesian positions of the masses, ``(..., k, 2 or 3)``, from first
    principles (independent of the systems' own formulas)."""
    if isinstance(system, ChainPendulum):
        rods = system.lengths[:, None] * np.stack([np.sin(q), -np.cos(q)], axis=-1)
        return np.cumsum(rods, axis=-2)
    return q.reshape(*q.shape[:-1], system.n_masses, 3)


def _jacobians(system, q, eps=1e-6):
    """``d x_i / d q`` by central differences, ``(k, dim, d)`` at one ``q``."""
    columns = [
        (_positions(system, q + eps * e) - _positions(system, q - eps * e)) / (2 * eps)
        for e in np.eye(system.n_dof)
    ]
    return np.stack(columns, axis=-1)


def _speeds_squared(system, V):
    """``sum_i |v_i|^2`` from states ``[q, dq/dt]``, via the Jacobians."""
    total = []
    for state in V.reshape(-1, system.n_features):
        q, qdot = state[: system.n_dof], state[system.n_dof :]
        total.append(np.sum((_jacobians(system, q) @ qdot) ** 2))
    return np.array(total).reshape(V.shape[:-1])


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_gradient_matches_finite_differences(system):
    X = _states(system, 10)
    eps = 1e-6
    numeric = np.stack(
        [
            (system.hamiltonian(X + eps * e) - system.hamiltonian(X - eps * e))
            / (2 * eps)
            for e in np.eye(system.n_features)
        ],
        axis=1,
    )
    assert_allclose(system.gradient(X), numeric, rtol=1e-6, atol=1e-7)
    d = system.n_dof
    hamilton = np.concatenate([numeric[:, d:], -numeric[:, :d]], axis=1)
    assert_allclose(system.vector_field(X), hamilton, rtol=1e-6, atol=1e-7)
    # The fast path of a subclass agrees with the generic one.
    assert_allclose(
        system._vector_field(X), MechanicalSystem._vector_field(system, X), atol=1e-12
    )
    assert system.vector_field(X.reshape(2, 5, -1)).shape == (2, 5, X.shape[1])
    assert system.hamiltonian(X.reshape(2, 5, -1)).shape == (2, 5)


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_mass_matrix_is_the_sum_of_m_J_transpose_J(system):
    q = _states(system, 3)[:, : system.n_dof]
    masses = system.masses
    for state, M in zip(q, system.mass_matrix(q), strict=True):
        J = _jacobians(system, state)
        assert_allclose(M, np.einsum("i,iad,iae->de", masses, J, J), atol=1e-8)
    assert system.mass_matrix(q[0]).shape == (system.n_dof, system.n_dof)


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_velocities_and_momenta_round_trip(system):
    X = _states(system, 6, seed=1)
    V = system.to_velocities(X)
    assert_allclose(V[:, : system.n_dof], X[:, : system.n_dof])
    # dq/dt of Hamilton's equations.
    assert_allclose(V[:, system.n_dof :], system.vector_field(X)[:, : system.n_dof])
    assert_allclose(system.to_momenta(V), X, atol=1e-12)
    assert_allclose(system.energy_from_velocities(V), system.hamiltonian(X))
    # The kinetic energy is sum_i m_i |v_i|^2 / 2 of the masses' velocities.
    q, qdot = V[:, : system.n_dof], V[:, system.n_dof :]
    zero = np.concatenate([q, np.zeros_like(q)], axis=1)
    kinetic = system.hamiltonian(X) - system.hamiltonian(zero)
    velocities = np.stack(
        [_jacobians(system, a) @ b for a, b in zip(q, qdot, strict=True)]
    )
    expected = 0.5 * np.sum(system.masses[:, None] * velocities**2, axis=(1, 2))
    assert_allclose(kinetic, expected)


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_trajectories_conserve_energy_without_drag(system):
    x0 = _states(system, 2, seed=2)
    traj = system.trajectories(x0, np.linspace(0.0, 3.0, 100))
    energy = system.hamiltonian(traj)
    assert np.ptp(traj[:, :, 0]) > 0.05
    assert_allclose(energy, energy[:, :1] * np.ones(100), rtol=1e-8, atol=1e-8)


def _with_drag(system, drag):
    if isinstance(system, ChainPendulum):
        return ChainPendulum(
            system.n_links, drag, system.masses, system.lengths, system.gravity
        )
    return SpringPendulum(
        system.n_masses,
        drag,
        system.masses,
        system.stiffness,
        system.rest_lengths,
        system.gravity,
    )


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_drag_is_minus_lambda_v_on_each_mass(system):
    damped = _with_drag(system, 0.3)
    X = _states(system, 4, seed=3)
    V = system.to_velocities(X)
    extra = damped.vector_field(X) - system.vector_field(X)
    assert_allclose(extra[:, : system.n_dof], 0.0)
    # Generalized force: sum_i J_i^T (-lambda v_i).
    for force, state in zip(extra[:, system.n_dof :], V, strict=True):
        q, qdot = state[: system.n_dof], state[system.n_dof :]
        J = _jacobians(system, q)
        expected = np.einsum("iad,iae,e->d", J, J, -0.3 * qdot)
        assert_allclose(force, expected, rtol=1e-6, atol=1e-7)
    # H and its gradient are the true energy's, whatever the drag.
    assert_allclose(damped.hamiltonian(X), system.hamiltonian(X))
    assert_allclose(damped.gradient(X), system.gradient(X))


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_energy_decays_at_the_rate_the_drag_implies(system):
    damped = _with_drag(system, 0.5)
    t = np.linspace(0.0, 2.0, 2001)
    traj = damped.trajectories(_states(system, 1, seed=4)[0], t)
    energy = damped.hamiltonian(traj)
    assert np.all(np.diff(energy) < 0)
    assert energy[-1] < energy[0] - 0.1
    rate = np.gradient(energy, t, edge_order=2)
    power = -0.5 * _speeds_squared(system, damped.to_velocities(traj))
    assert_allclose(rate[1:-1], power[1:-1], rtol=1e-4, atol=1e-4 * np.abs(power).max())


def test_one_link_chain_is_the_pendulum():
    chain = ChainPendulum(masses=0.7, lengths=1.3, gravity=6.0)
    pendulum = Pendulum(mass=0.7, length=1.3, gravity=6.0)
    X = _states(pendulum, 20)
    assert_allclose(chain.vector_field(X), pendulum.vector_field(X), atol=1e-12)
    # The chain's energy is zero at the pivot's height, the pendulum's at the
    # bottom: they differ by m g l.
    assert_allclose(chain.hamiltonian(X) + 0.7 * 6.0 * 1.3, pendulum.hamiltonian(X))
    t = np.linspace(0.0, 3.0, 31)
    assert_allclose(
        chain.trajectories(X[:2], t), pendulum.trajectories(X[:2], t), atol=1e-8
    )


def test_one_mass_spring_pendulum_oscillates_about_its_rest_point():
    # Rest length 0: a 3-d harmonic oscillator about (0, 0, -m g / s).
    system = SpringPendulum(masses=2.0, stiffness=8.0, rest_lengths=0.0)
    rest = np.array([0.0, 0.0, -2.0 * 9.81 / 8.0])
    offset = np.array([0.3, -0.2, 0.5])
    x0 = np.concatenate([rest + offset, np.zeros(3)])
    t = np.linspace(0.0, 3.0, 31)
    traj = system.trajectories(x0, t)
    expected = rest + offset * np.cos(2.0 * t)[:, None]  # omega = sqrt(8 / 2)
    assert_allclose(traj[:, :3], expected, atol=1e-8)


def test_angles_and_repr():
    chain, spring = CHAINS[2], SPRINGS[1]
    assert chain.angles == (0, 1, 2)
    assert spring.angles == ()
    for system in (chain, spring, ChainPendulum(drag=0.25)):
        namespace = {"ChainPendulum": ChainPendulum, "SpringPendulum": SpringPendulum}
        assert repr(eval(repr(system), namespace)) == repr(system)
    assert SpringPendulum(n_masses=3).rest_lengths.tolist() == [0.0, 1.0, 1.0]


def test_spring_of_positive_rest_length_needs_distinct_ends():
    system = SpringPendulum(n_masses=2)  # rest lengths (0, 1)
    fine = np.array([0.0, 0.0, 0.0, 0.0, 0.0, -1.0, *np.zeros(6)])
    assert np.isfinite(system.hamiltonian(fine))  # spring 1 at zero length
    both = fine.copy()
    both[3:6] = 0.0
    with pytest.raises(ValueError, match="X puts mass 2 at the position of mass 1"):
        system.hamiltonian(both)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ChainPendulum(n_links=0), "n_links must be an integer >= 1"),
        (lambda: ChainPendulum(n_links=2.0), "n_links must be an integer"),
        (lambda: ChainPendulum(drag=-0.1), "drag must be a finite number >= 0"),
        (lambda: ChainPendulum(drag=np.nan), "drag must be a finite number >= 0"),
        (lambda: ChainPendulum(drag="0.1"), "drag must be a real number"),
        (lambda: ChainPendulum(2, masses=(1.0,)), "masses must be a number or a seq"),
        (lambda: ChainPendulum(masses=-1.0), "masses must be positive"),
        (lambda: ChainPendulum(masses=True), "masses must be a real number"),
        (lambda: ChainPendulum(2, masses=[1.0, True]), "masses must hold real"),
        (lambda: ChainPendulum(lengths=0.0), "lengths must be positive"),
        (lambda: ChainPendulum(lengths="1"), "lengths must be a real number"),
        (lambda: ChainPendulum(gravity=0.0), "gravity must be a positive"),
        (lambda: SpringPendulum(n_masses=0), "n_masses must be an integer >= 1"),
        (lambda: SpringPendulum(drag=-1.0), "drag must be a finite number >= 0"),
        (lambda: SpringPendulum(stiffness=0.0), "stiffness must be positive"),
        (lambda: SpringPendulum(2, stiffness=(1, 2, 3)), "stiffness must be a num"),
        (lambda: SpringPendulum(rest_lengths=-1.0), "rest_lengths must be non-neg"),
        (lambda: SpringPendulum(rest_lengths=np.inf), "rest_lengths must be non-neg"),
        (lambda: SpringPendulum(masses=np.nan), "masses must be positive"),
    ],
)
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_states_are_named():
    chain = CHAINS[1]
    with pytest.raises(ValueError, match="V must have shape"):
        chain.to_momenta(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="X must have shape"):
        chain.to_velocities(np.zeros(3))
    with pytest.raises(ValueError, match=r"q must have shape \(\.\.\., 2\)"):
        chain.mass_matrix(np.zeros(3))
    with pytest.raises(ValueError, match="q"):
        chain.mass_matrix([np.nan, 0.0])
