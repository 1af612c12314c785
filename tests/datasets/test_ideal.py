from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_hnn.datasets import (
    make_pendulum_dataset,
    make_simulated_dataset,
    make_spring_dataset,
    make_trajectory_dataset,
    sample_annulus,
    sample_three_body_states,
    sample_two_body_states,
)
from sklearn_hnn.systems import MassSpring

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
        ({"noise_std": 1e308}, "noise_std=1e[+]?308 is too large"),
        ({"train_fraction": 1.0}, "train_fraction must be strictly between 0 and 1"),
        ({"n_trajectories": 1}, "leaves no trajectory"),
    ],
)
def test_bad_arguments(kwargs, message):
    with np.errstate(over="raise"), pytest.raises(ValueError, match=message):
        make_spring_dataset(**{"n_trajectories": 4, "random_state": 0, **kwargs})


def test_train_fraction_is_not_lost_to_rounding():
    data = make_spring_dataset(n_trajectories=100, train_fraction=0.57, random_state=0)
    assert data.n_train == 57  # 100 * 0.57 is 56.99999999999999 in floating point


SPRING = MassSpring()
GOOD = {
    "system": SPRING,
    "initial_states": [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]],
    "t": np.linspace(0.0, 1.0, 5),
    "noise_std": 0.1,
    "n_train": 2,
}


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"initial_states": [1.0, 0.5]}, ValueError, "initial_states must have shape"),
        ({"initial_states": [[1.0, 0.5, 0.0]]}, ValueError, "initial_states"),
        ({"noise_std": float("nan")}, ValueError, "noise_std"),
        ({"noise_std": -1.0}, ValueError, "noise_std"),
        ({"n_train": 1.5}, (TypeError, ValueError), "n_train"),
        ({"n_train": 3}, ValueError, "n_train"),
        ({"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_make_trajectory_dataset_names_bad_arguments(change, error, message):
    kwargs = {**GOOD, "rng": np.random.default_rng(0), **change}
    with pytest.raises(error, match=message):
        make_trajectory_dataset(**kwargs)


@pytest.mark.parametrize(
    ("sampler", "kwargs", "message"),
    [
        (sample_annulus, {"n": 0, "r_min": 0.1, "r_max": 1.0}, "n "),
        (sample_annulus, {"n": 3, "r_min": 1.0, "r_max": 0.1}, "r_min must be at most"),
        (sample_two_body_states, {"n": 3, "orbit_noise": -1.0}, "orbit_noise"),
        (sample_two_body_states, {"n": 3, "coordinate_range": (2, 1)}, "low <= high"),
        (sample_three_body_states, {"n": 3, "radius_range": (0, 1)}, "positive"),
        (sample_three_body_states, {"n": 2.5}, "n "),
    ],
)
def test_samplers_name_bad_arguments(sampler, kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        sampler(np.random.default_rng(0), **kwargs)
    with pytest.raises(TypeError, match="rng must be"):
        sampler(0, **{**kwargs, "n": 3})


@pytest.mark.parametrize("system", ["spring", None, MassSpring], ids=repr)
def test_make_trajectory_dataset_needs_a_system(system):
    kwargs = {**GOOD, "system": system, "rng": np.random.default_rng(0)}
    with pytest.raises(
        TypeError, match=r"system must be a sklearn_hnn\.systems\.HamiltonianSystem"
    ):
        make_trajectory_dataset(**kwargs)


def _simulated(system=SPRING, sample_states=None, **kwargs):
    """make_simulated_dataset with tiny sizes and a working default sampler."""
    if sample_states is None:

        def sample_states(rng, n):
            return sample_annulus(rng, n, 0.1, 1.0)

    kwargs = {
        "n_trajectories": 3,
        "n_points": 4,
        "t_max": 1.0,
        "noise_std": 0.0,
        "train_fraction": 0.5,
        "random_state": 0,
        **kwargs,
    }
    return make_simulated_dataset(system, sample_states, **kwargs)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"system": None}, r"system must be a sklearn_hnn\.systems\.HamiltonianSystem"),
        ({"system": "spring"}, r"system must be a sklearn_hnn\.systems\.Hamiltonian"),
        ({"sample_states": 1}, r"sample_states must be a callable sample_states\("),
    ],
    ids=["system-None", "system-str", "sample_states-int"],
)
def test_make_simulated_dataset_checks_system_and_sampler_first(change, message):
    random_state = np.random.RandomState(0)
    with pytest.raises(TypeError, match=message):
        _simulated(**{**change, "random_state": random_state})
    # Raised before the seed was drawn from the caller's RandomState.
    assert random_state.randint(1000) == np.random.RandomState(0).randint(1000)


@pytest.mark.parametrize(
    ("states", "got"),
    [
        (np.ones((2, 2)), r"an array of shape \(2, 2\)"),
        (np.ones((4, 2)), r"an array of shape \(4, 2\)"),
        (np.ones((3, 4)), r"an array of shape \(3, 4\)"),
        (np.ones(6), r"an array of shape \(6,\)"),
        (None, "None"),
    ],
    ids=["too-few", "too-many", "too-wide", "1-D", "None"],
)
def test_sampler_returning_the_wrong_shape_is_named(states, got, tmp_path):
    with pytest.raises(
        ValueError,
        match=rf"sample_states returned {got}, but n_trajectories=3 rows of "
        r"width 2 \(states of MassSpring\(.*\)\) were needed: shape \(3, 2\)\.",
    ):
        _simulated(
            sample_states=lambda rng, n: states,
            cache_dir=tmp_path,
            cache_name="test",
        )
    assert list(tmp_path.iterdir()) == []  # nothing cached


def test_sampler_returning_nan_is_named():
    def nan_states(rng, n):
        return np.full((n, 2), np.nan)

    with pytest.raises(ValueError, match="Input sample_states contains NaN"):
        _simulated(sample_states=nan_states)
