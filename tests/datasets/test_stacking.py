"""stack_trajectories: trajectories held as users hold them, made into rows."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import stack_trajectories
from sklearn_hnn.differentiation import time_derivative


def _circle(n: int, phase: float, dt: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n) * dt
    return np.stack([np.cos(t + phase), -np.sin(t + phase)], axis=1), t


def test_a_list_of_different_lengths_with_a_grid_each():
    (a, ta), (b, tb) = _circle(4, 0.0), _circle(6, 1.0)
    X, t, groups = stack_trajectories([a, b], [ta, tb])
    assert_array_equal(X, np.concatenate([a, b]))
    assert_array_equal(t, np.concatenate([ta, tb]))
    assert_array_equal(groups, [0] * 4 + [1] * 6)


def test_a_3d_array_with_one_shared_grid_and_without_any():
    (a, t_a), (b, _) = _circle(5, 0.0), _circle(5, 2.0)
    X, t, groups = stack_trajectories(np.stack([a, b]), t_a)
    assert X.shape == (10, 2)
    assert_allclose(t, np.tile(t_a, 2))
    assert_array_equal(groups, np.repeat([0, 1], 5))
    _, steps, _ = stack_trajectories(np.stack([a, b]))
    assert_array_equal(steps, np.tile(np.arange(5.0), 2))


def test_derivatives_of_stacked_rows_never_cross_trajectories():
    # The two circles start at different phases: a difference across the
    # boundary would be far from the true derivative (-sin, -cos).
    (a, ta), (b, tb) = _circle(20, 0.0), _circle(30, 2.5)
    X, t, groups = stack_trajectories([a, b], [ta, tb])
    dXdt = time_derivative(X, t, groups=groups, method="central")
    truth = np.stack([-np.sin(t + np.where(groups, 2.5, 0.0)), -X[:, 0]], axis=1)
    assert np.abs(dXdt - truth).max() < 0.06


@pytest.mark.parametrize(
    ("trajectories", "t", "message"),
    [
        ([], None, "trajectories is empty"),
        (np.zeros((3, 2)), None, "got shape \\(3, 2\\)"),
        ([np.zeros((3, 2)), np.zeros(4)], None, r"trajectories\[1\] must be 2-D"),
        ([np.zeros((3, 2)), np.zeros((3, 4))], None, "widths \\[2, 4\\]"),
        ([np.zeros((3, 2)), np.zeros((4, 2))], np.arange(3.0), "one grid per"),
        ([np.zeros((3, 2))], [np.arange(3.0), np.arange(3.0)], "2 grids, but"),
        ([np.zeros((3, 2))], [np.arange(4.0)], r"t\[0\] has 4 times"),
        ([np.zeros((3, 2))], np.array([2.0, 1.0, 0.0]), "t must be increasing"),
        ([np.zeros((3, 2))], np.array([0.0, 0.0, 1.0]), "strictly monotonic"),
    ],
)
def test_bad_input_names_the_problem(trajectories, t, message):
    with pytest.raises(ValueError, match=message):
        stack_trajectories(trajectories, t)


@pytest.mark.parametrize(
    "X",
    [np.zeros((3, 10, 2)), [np.zeros((10, 2)), np.zeros((5, 2))]],
    ids=["3-D array", "ragged list"],
)
def test_fitting_trajectories_points_to_the_helper(X):
    est = HamiltonianRegressor(max_epochs=1)
    with pytest.raises(ValueError, match="stack_trajectories") as error:
        est.fit(X, t=np.linspace(0, 1, 10))
    assert "reshape(-1, 1)" not in str(error.value)  # sklearn's advice misleads here
    assert not hasattr(est, "n_features_in_")


def test_simulate_of_3d_initial_states_does_not_suggest_stacking(fitted_hnn):
    with pytest.raises(ValueError) as error:
        fitted_hnn.simulate(np.zeros((2, 3, 2)), np.linspace(0, 1, 3))
    assert "stack_trajectories" not in str(error.value)
