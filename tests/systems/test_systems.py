from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from sklearn_hnn.datasets.real import REAL_PENDULUM_SYSTEM
from sklearn_hnn.systems import MassSpring, NBody, Pendulum

SYSTEMS = [
    MassSpring(),
    MassSpring(stiffness=2.0, mass=0.5),
    Pendulum(),
    Pendulum(mass=0.5, length=1.0, gravity=6.0),
    REAL_PENDULUM_SYSTEM,
    NBody(masses=(1.0, 1.0)),
    NBody(masses=(1.0, 2.0, 0.5), gravity=1.5),
]


def _states(system, n, seed=0):
    """Random states; bodies kept apart so that distances stay of order 1."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, system.n_features))
    if isinstance(system, NBody):
        angles = 2 * np.pi * np.arange(system.n_bodies) / system.n_bodies
        ring = np.stack([np.cos(angles), np.sin(angles)], 1).ravel()
        X[:, : system.n_dof] = ring + 0.2 * X[:, : system.n_dof]
        X[:, system.n_dof :] *= 0.3
    return X


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_gradient_matches_finite_differences_of_the_hamiltonian(system):
    X = _states(system, 20)
    eps = 1e-6
    numeric = np.stack(
        [
            (system.hamiltonian(X + eps * e) - system.hamiltonian(X - eps * e))
            / (2 * eps)
            for e in np.eye(system.n_features)
        ],
        axis=1,
    )
    assert_allclose(system.gradient(X), numeric, rtol=1e-6, atol=1e-8)
    d = system.n_dof
    symplectic = np.concatenate([numeric[:, d:], -numeric[:, :d]], axis=1)
    assert_allclose(system.vector_field(X), symplectic, rtol=1e-6, atol=1e-8)
    # Batch shapes are kept.
    assert system.vector_field(X.reshape(4, 5, -1)).shape == (4, 5, X.shape[1])
    assert system.hamiltonian(X.reshape(4, 5, -1)).shape == (4, 5)


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_accurate_trajectories_conserve_energy(system):
    x0 = _states(system, 3, seed=1)
    traj = system.trajectories(x0, np.linspace(0, 5, 200))
    assert traj.shape == (3, 200, system.n_features)
    assert np.ptp(traj[:, :, 0]) > 0.05  # something moved
    energy = system.hamiltonian(traj)
    # Random N-body states include close encounters (distance ~0.03), where
    # even DOP853 at 1e-10 loses a few digits; a wrong field drifts by O(1).
    rtol = 1e-5 if isinstance(system, NBody) else 1e-8
    assert_allclose(energy, energy[:, :1] * np.ones(200), rtol=rtol, atol=1e-10)
    assert_allclose(traj[:, 0], x0)


def test_spring_matches_the_closed_form_solution():
    spring = MassSpring(stiffness=2.0, mass=0.5)  # omega = sqrt(k/m) = 2
    t = np.linspace(0, 5, 50)
    traj = spring.trajectories([1.0, 0.0], t)
    assert_allclose(traj[:, 0], np.cos(2 * t), atol=1e-8)


def test_pendulum_small_angle_period():
    pendulum = Pendulum(length=2.0, gravity=9.81)
    period = 2 * np.pi * np.sqrt(2.0 / 9.81)
    traj = pendulum.trajectories([1e-3, 0.0], [0.0, period])
    assert_allclose(traj[-1], [1e-3, 0.0], atol=1e-8)


def test_trajectories_reject_wrong_width():
    with pytest.raises(ValueError, match="x0 must have shape"):
        MassSpring().trajectories(np.zeros((2, 3)), [0.0, 1.0])


def test_two_body_circular_orbit_has_the_kepler_period():
    # Two unit masses a distance 2 apart: r = 1 about the centre, |v| = 1/2,
    # period 2 pi r / |v| = 4 pi.
    system = NBody(masses=(1.0, 1.0))
    x0 = np.array([1.0, 0.0, -1.0, 0.0, 0.0, 0.5, 0.0, -0.5])
    traj = system.trajectories(x0, np.linspace(0, 4 * np.pi, 9))
    assert_allclose(traj[-1], x0, atol=1e-7)
    assert_allclose(np.linalg.norm(traj[:, :2], axis=1), 1.0, atol=1e-8)
    # Half a period later each body is where the other started.
    assert_allclose(traj[4, :4], [-1.0, 0.0, 1.0, 0.0], atol=1e-7)


def test_nbody_energy_counts_every_pair():
    # Three unit masses on an equilateral triangle of side s at rest: three
    # pairs, U = -3 / s (a two-body-only sum would give -1 / s).
    side = 2.0
    q = np.array([[0, 0], [side, 0], [side / 2, side * np.sqrt(3) / 2]]).ravel()
    state = np.concatenate([q, np.zeros(6)])
    assert NBody(masses=(1.0, 1.0, 1.0)).hamiltonian(state) == pytest.approx(-1.5)
    system = NBody(masses=(1.0, 2.0, 3.0), gravity=2.0)
    assert system.hamiltonian(state) == pytest.approx(-2.0 * (2 + 3 + 6) / side)
    # Momentum and angular momentum are conserved along a trajectory.
    rng = np.random.default_rng(0)
    x0 = np.concatenate([q, 0.3 * rng.standard_normal(6)])
    traj = system.trajectories(x0, np.linspace(0, 2, 50))
    p = traj[:, 6:].reshape(50, 3, 2)
    assert_allclose(p.sum(1), p[:1].sum(1) * np.ones((50, 1)), atol=1e-8)
    qq = traj[:, :6].reshape(50, 3, 2)
    angular = (qq[..., 0] * p[..., 1] - qq[..., 1] * p[..., 0]).sum(1)
    assert_allclose(angular, angular[0], atol=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"masses": (1.0,)}, "masses must be a sequence of at least 2"),
        ({"masses": (1.0, -1.0)}, "masses must be positive"),
        ({"masses": (1.0, np.nan)}, "masses must be positive"),
        ({"gravity": 0.0}, "gravity must be positive"),
        ({"masses": [True, True]}, "masses must be real numbers"),
        ({"masses": np.array([1, 1], dtype=bool)}, "masses must be real numbers"),
        ({"masses": torch.tensor([True, True])}, "masses must be real numbers"),
    ],
)
def test_nbody_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NBody(**kwargs)
