from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_hnn.datasets import (
    make_three_body_dataset,
    make_two_body_dataset,
    sample_three_body_states,
    sample_two_body_states,
)
from sklearn_hnn.systems import NBody


def _bodies(states, n_bodies):
    half = 2 * n_bodies
    shape = (*states.shape[:-1], n_bodies, 2)
    return states[..., :half].reshape(shape), states[..., half:].reshape(shape)


def test_two_body_states_follow_the_protocol():
    states = sample_two_body_states(np.random.default_rng(0), 2000)
    q, p = _bodies(states, 2)
    assert q[:, 0].min() >= 0.5 and q[:, 0].max() <= 1.5
    assert_array_equal(q[:, 1], -q[:, 0])  # centre of mass at the origin
    assert_array_equal(p[:, 1], -p[:, 0])  # zero total momentum
    r = np.linalg.norm(q[:, 0], axis=1)
    # Velocity perpendicular to the radius, speed 1/(2 sqrt r) times 1 + 0.05 N(0,1).
    assert_allclose(np.sum(q[:, 0] * p[:, 0], axis=1), 0.0, atol=1e-12)
    factor = np.linalg.norm(p[:, 0], axis=1) * 2 * np.sqrt(r)
    assert factor.mean() == pytest.approx(1.0, abs=0.005)
    assert factor.std() == pytest.approx(0.05, rel=0.1)
    # Counter-clockwise: positive angular momentum.
    assert np.all(q[:, 0, 0] * p[:, 0, 1] - q[:, 0, 1] * p[:, 0, 0] > 0)


def test_unperturbed_two_body_orbit_is_circular():
    x0 = sample_two_body_states(np.random.default_rng(1), 3, orbit_noise=0.0)
    traj = NBody().trajectories(x0, np.linspace(0, 20, 100))
    radius = np.linalg.norm(traj[:, :, :2], axis=-1)
    assert_allclose(radius, radius[:, :1] * np.ones((1, 100)), rtol=1e-7)


def test_three_body_states_follow_the_protocol():
    states = sample_three_body_states(np.random.default_rng(0), 2000)
    q, _ = _bodies(states, 3)
    r = np.linalg.norm(q, axis=-1)
    assert_allclose(r, r[:, :1] * np.ones((1, 3)))  # equilateral triangle
    assert r.min() >= 0.9 and r.max() <= 1.2
    assert_allclose(q.sum(1), 0.0, atol=1e-12)
    angle = np.arctan2(q[:, :, 1], q[:, :, 0])
    assert_allclose(np.mod(angle[:, 1] - angle[:, 0], 2 * np.pi), 2 * np.pi / 3)
    # Each velocity component is the circular one times U[0.8, 1.2].
    circular = sample_three_body_states(
        np.random.default_rng(0), 2000, velocity_noise=0.0
    )
    ratio = states[:, 6:] / circular[:, 6:]
    assert ratio.min() >= 0.8 and ratio.max() <= 1.2
    assert ratio.min() < 0.81 and ratio.max() > 1.19


def test_unperturbed_three_body_orbit_is_circular():
    x0 = sample_three_body_states(np.random.default_rng(2), 2, velocity_noise=0.0)
    traj = NBody(masses=(1.0, 1.0, 1.0)).trajectories(x0, np.linspace(0, 3, 50))
    radius = np.linalg.norm(traj[:, :, :2], axis=-1)
    assert_allclose(radius, radius[:, :1] * np.ones((1, 50)), rtol=1e-6)


@pytest.mark.parametrize(
    ("make", "width", "n_points"),
    [(make_two_body_dataset, 8, 50), (make_three_body_dataset, 12, 20)],
)
def test_orbit_datasets(make, width, n_points):
    data = make(n_trajectories=10, random_state=0)
    assert data.trajectories.shape == (10, n_points, width)
    assert data.X_train.shape == (8 * n_points, width)
    assert data.X_test.shape == (2 * n_points, width)
    energy = data.system.hamiltonian(data.trajectories)
    assert_allclose(energy, energy[:, :1] * np.ones((1, n_points)), rtol=1e-7)
    assert_allclose(data.derivatives, data.system.vector_field(data.trajectories))
    assert_array_equal(make(n_trajectories=10, random_state=0).X_train, data.X_train)
    with pytest.raises(ValueError, match="n_trajectories"):
        make(n_trajectories=0)


@pytest.mark.parametrize(
    ("make", "kwargs", "message"),
    [
        (make_two_body_dataset, {"orbit_noise": -0.1}, "orbit_noise must be"),
        (make_two_body_dataset, {"orbit_noise": np.nan}, "orbit_noise must be"),
        (make_three_body_dataset, {"velocity_noise": 1.0}, "velocity_noise must be"),
        (make_three_body_dataset, {"velocity_noise": -0.2}, "velocity_noise must be"),
        (make_two_body_dataset, {"train_fraction": 1.0}, "train_fraction must be"),
        (make_three_body_dataset, {"t_max": 0.0}, "t_max must be"),
    ],
)
def test_orbit_datasets_reject_bad_arguments(make, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make(n_trajectories=5, **kwargs)


@pytest.mark.filterwarnings("error")
def test_two_body_coordinate_range_keeps_body_1_off_the_origin():
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    for coordinate_range in [(0, 0), (0.0, 1.0), (-1.0, 0.0), (-1, 1)]:
        with pytest.raises(ValueError, match="coordinate_range must not contain 0"):
            sample_two_body_states(rng, 3, coordinate_range=coordinate_range)
    assert rng.bit_generator.state == before  # nothing drawn
    # A range below 0 keeps body 1 off the origin too: its orbit is as usual.
    states = sample_two_body_states(rng, 50, coordinate_range=(-1.5, -0.5))
    q, p = _bodies(states, 2)
    assert np.all(np.isfinite(states))
    assert q[:, 0].max() <= -0.5 and q[:, 0].min() >= -1.5
    assert_array_equal(q[:, 1], -q[:, 0])
    assert np.all(q[:, 0, 0] * p[:, 0, 1] - q[:, 0, 1] * p[:, 0, 0] > 0)


@pytest.mark.parametrize(
    ("coordinate_range", "message"),
    [
        ("12", "of numbers"),
        ((True, 2), "of numbers"),
        (("0.5", "1.5"), "of numbers"),
        ((10**400, 10**401), "of finite numbers with low <= high"),
    ],
    ids=["str", "bool", "strings", "huge"],
)
def test_two_body_coordinate_range_is_two_finite_numbers(coordinate_range, message):
    with pytest.raises(
        ValueError, match=rf"coordinate_range must be a pair \(low, high\) {message}"
    ):
        sample_two_body_states(
            np.random.default_rng(0), 3, coordinate_range=coordinate_range
        )


@pytest.mark.parametrize("radius_range", ["12", (True, 2)], ids=["str", "bool"])
def test_three_body_radius_range_is_two_numbers(radius_range):
    with pytest.raises(ValueError, match="radius_range must be a pair"):
        sample_three_body_states(np.random.default_rng(0), 3, radius_range=radius_range)


@pytest.mark.parametrize("velocity_noise", [1, 1.0, 5])
def test_three_body_velocity_noise_is_checked_by_the_sampler(velocity_noise):
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    with pytest.raises(ValueError, match=r"velocity_noise must be in \[0, 1\)") as exc:
        sample_three_body_states(rng, 3, velocity_noise=velocity_noise)
    assert rng.bit_generator.state == before
    with pytest.raises(ValueError) as dataset:
        make_three_body_dataset(n_trajectories=4, velocity_noise=velocity_noise)
    assert str(dataset.value) == str(exc.value)  # one check, shared
