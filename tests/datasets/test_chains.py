"""Chain and spring pendulum datasets in the protocol of Gruver et al."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_hnn.datasets import (
    make_chain_pendulum_dataset,
    make_rollout_dataset,
    make_spring_pendulum_dataset,
    reference_constants,
    sample_chain_pendulum_states,
    sample_spring_pendulum_states,
)
from sklearn_hnn.datasets.rollouts import simulate_together
from sklearn_hnn.systems import ChainPendulum, Pendulum, SpringPendulum

SMALL = {"n_trajectories": 6, "n_train": 4, "duration": 3.0, "random_state": 0}


def test_reference_constants_are_the_reference_draws():
    # np.random.seed(0); [0.6 + 0.8 * np.random.rand() for _ in range(2)] twice,
    # masses then lengths, handed to the bodies last draw first.
    u = [0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969]
    masses = [0.6 + 0.8 * u[1], 0.6 + 0.8 * u[0]]
    lengths = [0.6 + 0.8 * u[3], 0.6 + 0.8 * u[2]]
    assert_allclose(reference_constants(2), [masses, lengths], rtol=1e-15)
    chain = make_chain_pendulum_dataset(**SMALL).system
    assert_allclose(chain.masses, masses)
    assert_allclose(chain.lengths, lengths)
    spring = make_spring_pendulum_dataset(2, **SMALL).system
    assert_allclose(spring.masses, masses)
    assert_allclose(spring.stiffness, 10.0)
    assert_allclose(spring.rest_lengths, [0.0, 1.0])


@pytest.mark.parametrize(
    "make", [make_chain_pendulum_dataset, make_spring_pendulum_dataset]
)
def test_shapes_and_what_fit_needs(make):
    data = make(**SMALL)
    width = data.system.n_features
    assert data.X_train.shape == (4 * 5, width)
    assert_allclose(data.t_train, np.tile(0.03 * np.arange(5), 4))
    assert_array_equal(data.groups_train, np.repeat(np.arange(4), 5))
    assert data.start_times_train.shape == (4,)
    assert data.x0_test.shape == (2, width)
    assert_allclose(data.t_test, 0.03 * np.arange(100))
    assert data.trajectories_test.shape == (2, 100, width)
    assert_array_equal(data.trajectories_test[:, 0], data.x0_test)
    assert data.energy == data.system.hamiltonian
    assert data.angles == data.system.angles
    assert data.velocities is False


@pytest.mark.parametrize(
    "make", [make_chain_pendulum_dataset, make_spring_pendulum_dataset]
)
def test_states_follow_the_true_dynamics(make):
    data = make(**SMALL)
    system = data.system
    chunks = data.X_train.reshape(4, 5, -1)
    assert_allclose(
        system.trajectories(chunks[:, 0], data.t_train[:5]), chunks, atol=1e-8
    )
    assert_allclose(
        system.trajectories(data.x0_test, data.t_test),
        data.trajectories_test,
        atol=1e-6,
    )


def test_chunks_sit_on_whole_chunks_of_the_10_second_grid():
    data = make_chain_pendulum_dataset(1, n_trajectories=60, n_train=40, random_state=1)
    # 334 points (k dt < 10): 66 chunks of 5, 3 chunks of 100.
    train = np.round(data.start_times_train / 0.03).astype(int)
    test = np.round(data.start_times_test / 0.03).astype(int)
    assert set(train % 5) == {0} and train.max() <= 325 and len(set(train)) > 10
    assert set(test) <= {0, 100, 200} and len(set(test)) > 1


def test_velocities_are_the_same_states():
    canonical = make_chain_pendulum_dataset(**SMALL)
    velocity = make_chain_pendulum_dataset(**SMALL, velocities=True)
    system = canonical.system
    assert velocity.velocities is True
    assert_allclose(velocity.X_train, system.to_velocities(canonical.X_train))
    assert_allclose(
        system.to_momenta(velocity.trajectories_test), canonical.trajectories_test
    )
    assert_allclose(
        velocity.energy(velocity.trajectories_test),
        canonical.energy(canonical.trajectories_test),
    )


def test_drag_drains_the_energy_of_the_test_trajectories():
    data = make_spring_pendulum_dataset(drag=0.5, **SMALL)
    energy = data.energy(data.trajectories_test)
    assert np.all(np.diff(energy, axis=1) < 0)
    still = make_spring_pendulum_dataset(**SMALL)
    energy = still.energy(still.trajectories_test)
    assert_allclose(energy, energy[:, :1] * np.ones(100), rtol=1e-8)


def test_train_and_test_states_come_from_distinct_streams():
    calls = []

    def record(rng, n):
        calls.append(rng)
        return sample_chain_pendulum_states(rng, n, system)

    system = ChainPendulum()
    make_rollout_dataset(system, record, **SMALL)
    train, test = calls
    assert train is not test
    seeds = [rng.bit_generator.seed_seq for rng in calls]
    assert seeds[0].entropy == seeds[1].entropy
    assert seeds[0].spawn_key != seeds[1].spawn_key
    # Reproducible from random_state, and different for another.
    first = make_chain_pendulum_dataset(**SMALL)
    again = make_chain_pendulum_dataset(**SMALL)
    other = make_chain_pendulum_dataset(**{**SMALL, "random_state": 1})
    assert_array_equal(first.X_train, again.X_train)
    assert not np.allclose(first.x0_test, other.x0_test)


def test_cache_gives_the_same_dataset(tmp_path):
    fresh = make_spring_pendulum_dataset(**SMALL, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("spring-pendulum-*.npz"))) == 1
    cached = make_spring_pendulum_dataset(**SMALL, cache_dir=tmp_path, velocities=True)
    assert_array_equal(cached.X_train, fresh.system.to_velocities(fresh.X_train))
    assert len(list(tmp_path.glob("*.npz"))) == 1
    make_spring_pendulum_dataset(**SMALL, drag=0.1, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 2


def test_simulating_together_matches_one_at_a_time():
    system = ChainPendulum(2, masses=(1.0, 1.5), lengths=(1.0, 0.8))
    x0 = sample_chain_pendulum_states(np.random.default_rng(0), 20, system)
    t = 0.03 * np.arange(70)
    together = simulate_together(system, x0, t)
    assert_allclose(together[:3], system.trajectories(x0[:3], t), atol=1e-7)
    energy = system.hamiltonian(together)
    assert_allclose(energy, energy[:, :1] * np.ones(70), rtol=1e-9, atol=1e-9)


def test_chain_sampler_projects_the_perturbed_state_onto_the_rod():
    system = ChainPendulum(masses=1.3, lengths=0.9)
    states = sample_chain_pendulum_states(np.random.default_rng(5), 50, system)
    # The same draws, in the same order, read by hand for one link.
    rng = np.random.default_rng(5)
    theta, omega = rng.standard_normal((2, 50, 1))
    end = 0.9 * np.concatenate([np.sin(theta), -np.cos(theta)], axis=1)
    end = end + 0.2 * rng.standard_normal((50, 1, 2))[:, 0]
    u = 0.9 * omega * np.concatenate([np.cos(theta), np.sin(theta)], axis=1)
    u = 3.0 * (0.5 * u + 0.4 * rng.standard_normal((50, 1, 2))[:, 0])
    angle = np.arctan2(end[:, 0], -end[:, 1])
    tangent = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    rate = np.sum(u * tangent, axis=1) / 0.9
    assert_allclose(states[:, 0], angle)
    assert_allclose(states[:, 1], 1.3 * 0.9**2 * rate)
    assert np.all(np.abs(states[:, 0]) <= np.pi)


def test_spring_sampler_statistics():
    system = SpringPendulum(masses=2.0, stiffness=8.0)
    states = sample_spring_pendulum_states(np.random.default_rng(0), 20000, system)
    q, v = states[:, :3], states[:, 3:] / 2.0
    assert_allclose(q.mean(0), [0.0, 0.0, -2.0 * 9.81 / 8.0], atol=0.03)
    assert_allclose(q.std(0), [0.4, 0.4, np.hypot(0.8, 0.4)], rtol=0.03)
    assert_allclose(v.std(0), 0.6, rtol=0.03)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_train": 6}, ValueError, "n_train must be less than n_trajectories=6"),
        ({"n_train": 0}, ValueError, "n_train must be an integer >= 1"),
        ({"chunk_length": 1}, ValueError, "chunk_length must be between 2 and the 100"),
        ({"test_length": 101}, ValueError, "test_length must be between 2 and the 100"),
        ({"dt": 0.0}, ValueError, "dt must be a positive finite number"),
        ({"duration": -1.0}, ValueError, "duration must be a positive"),
        ({"velocities": "yes"}, ValueError, "velocities must be True or False"),
        ({"drag": -0.5}, ValueError, "drag must be a finite number >= 0"),
        ({"n_links": 0}, ValueError, "n_links must be an integer >= 1"),
        ({"masses": (1.0, 2.0, 3.0)}, ValueError, "masses must be a number or a seq"),
        (
            {"cache_dir": "x", "random_state": None},
            ValueError,
            "random_state must be an int",
        ),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_chain_pendulum_dataset(**{**SMALL, **kwargs})


def test_rollout_dataset_checks_its_system_and_sampler():
    pendulum = Pendulum()

    def sample(rng, n):
        return rng.normal(size=(n, 2))

    data = make_rollout_dataset(pendulum, sample, **SMALL)
    assert data.angles == ()
    with pytest.raises(ValueError, match="velocities=True needs a system"):
        make_rollout_dataset(pendulum, sample, velocities=True, **SMALL)
    with pytest.raises(TypeError, match="system must be a"):
        make_rollout_dataset("pendulum", sample, **SMALL)
    with pytest.raises(TypeError, match="sample_states must be a callable"):
        make_rollout_dataset(pendulum, None, **SMALL)
    with pytest.raises(ValueError, match="sample_states returned an array of shape"):
        make_rollout_dataset(pendulum, lambda rng, n: np.zeros((n, 3)), **SMALL)
    with pytest.raises(TypeError, match=r"system must be a .*\.ChainPendulum"):
        sample_chain_pendulum_states(np.random.default_rng(0), 3, SpringPendulum())
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        partial(sample_spring_pendulum_states, system=SpringPendulum())(0, 3)
