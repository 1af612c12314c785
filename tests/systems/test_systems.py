from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_hnn.systems import MassSpring, Pendulum

SYSTEMS = [
    MassSpring(),
    MassSpring(stiffness=2.0, mass=0.5),
    Pendulum(),
    Pendulum(mass=0.5, length=1.0, gravity=6.0),
]


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_gradient_matches_finite_differences_of_the_hamiltonian(system):
    X = np.random.default_rng(0).uniform(-2, 2, size=(20, 2))
    eps = 1e-6
    numeric = np.stack(
        [
            (system.hamiltonian(X + eps * e) - system.hamiltonian(X - eps * e))
            / (2 * eps)
            for e in np.eye(2)
        ],
        axis=1,
    )
    assert_allclose(system.gradient(X), numeric, rtol=1e-6, atol=1e-8)
    field = system.vector_field(X)
    assert_allclose(
        field, np.stack([numeric[:, 1], -numeric[:, 0]], 1), rtol=1e-6, atol=1e-8
    )


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_accurate_trajectories_conserve_energy(system):
    x0 = np.array([[0.5, 0.0], [1.0, 1.0], [-2.0, 0.3]])
    traj = system.trajectories(x0, np.linspace(0, 20, 200))
    assert traj.shape == (3, 200, 2)
    energy = system.hamiltonian(traj)
    assert_allclose(energy, energy[:, :1] * np.ones(200), rtol=1e-8, atol=1e-10)
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
