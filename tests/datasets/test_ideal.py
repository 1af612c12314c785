from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_hnn.datasets import make_pendulum_dataset, make_spring_dataset

MAKERS = {
    "spring": (make_spring_dataset, 30, (0.1, 1.0)),
    "pendulum": (make_pendulum_dataset, 45, (1.3, 2.3)),
}


@pytest.mark.parametrize("name", MAKERS)
def test_shapes_and_split_by_trajectory(name):
    make, n_points, _ = MAKERS[name]
    data = make(random_state=0)
    assert data.trajectories.shape == (50, n_points, 2)
    assert data.X_train.shape == data.dXdt_train.shape == (25 * n_points, 2)
    assert data.X_test.shape == (25 * n_points, 2)
    assert_array_equal(data.X_train, data.trajectories[:25].reshape(-1, 2))
    assert_array_equal(data.X_test, data.trajectories[25:].reshape(-1, 2))
    assert_allclose(data.t, np.linspace(0, 3, n_points))


@pytest.mark.parametrize("name", MAKERS)
def test_derivatives_exact_states_noisy(name):
    make, _, (r_min, r_max) = MAKERS[name]
    data = make(random_state=1)
    clean = data.system.trajectories(data.initial_states, data.t)
    assert_allclose(data.derivatives, data.system.vector_field(clean), atol=1e-7)
    noise = data.trajectories - clean
    assert noise.std() == pytest.approx(0.1, rel=0.05)
    assert abs(noise.mean()) < 0.01
    radius = np.linalg.norm(data.initial_states, axis=1)
    assert radius.min() >= r_min and radius.max() <= r_max


@pytest.mark.parametrize("name", MAKERS)
def test_seeded(name):
    make = MAKERS[name][0]
    assert_array_equal(make(random_state=3).X_train, make(random_state=3).X_train)
    assert not np.allclose(make(random_state=3).X_train, make(random_state=4).X_train)


def test_noise_free_option():
    data = make_spring_dataset(noise_std=0.0, n_trajectories=4, random_state=0)
    energy = data.system.hamiltonian(data.trajectories)
    assert_allclose(energy, energy[:, :1] * np.ones_like(energy), rtol=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_trajectories": 0}, "n_trajectories must be an integer >= 1"),
        ({"n_points": 1.5}, "n_points must be an integer >= 1"),
        ({"t_max": -1.0}, "t_max must be a positive"),
        ({"noise_std": -0.1}, "noise_std must be a finite number >= 0"),
        ({"train_fraction": 1.0}, "train_fraction must be strictly between 0 and 1"),
        ({"n_trajectories": 1}, "leaves no trajectory"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_spring_dataset(**kwargs)
