"""Learning from trajectories without derivatives: ``fit(X, t=t, groups=groups)``."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.differentiation import SavitzkyGolay, time_derivative
from sklearn_hnn.systems import MassSpring
from tests.conftest import FAST

ESTIMATORS = [HamiltonianRegressor, BaselineDynamicsRegressor]


@pytest.fixture(scope="module")
def spring_trajectories():
    """12 clean spring trajectories (H = q^2 + p^2) on uneven time grids."""
    rng = np.random.default_rng(0)
    spring = MassSpring(stiffness=2.0, mass=0.5)
    X, t, groups, dXdt = [], [], [], []
    for k in range(12):
        radius, angle = rng.uniform(0.2, 1.0), rng.uniform(0, 2 * np.pi)
        times = np.cumsum(rng.uniform(0.02, 0.06, size=40))
        traj = spring.trajectories(
            radius * np.array([np.cos(angle), np.sin(angle)]), times
        )
        X.append(traj), t.append(times), groups.append(np.full(40, k))
        dXdt.append(spring.vector_field(traj))
    return tuple(np.concatenate(a) for a in (X, t, groups, dXdt))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fit_on_trajectories_equals_fit_on_estimated_derivatives(
    Estimator, spring_trajectories
):
    X, t, groups, _ = spring_trajectories
    method = SavitzkyGolay(window_length=5, polyorder=2)
    params = {**FAST, "max_epochs": 30, "random_state": 0, "differentiation": method}
    from_trajectories = Estimator(**params).fit(X, t=t, groups=groups)
    estimated = time_derivative(X, t, groups=groups, method=method)
    from_derivatives = Estimator(**params).fit(X, estimated)
    assert_array_equal(from_trajectories.predict(X), from_derivatives.predict(X))
    assert from_trajectories.score(X, t=t, groups=groups) == pytest.approx(
        from_derivatives.score(X, estimated)
    )


def test_hnn_learns_the_spring_from_trajectories_alone(spring_trajectories):
    X, t, groups, dXdt = spring_trajectories
    model = HamiltonianRegressor(**FAST, random_state=0).fit(X, t=t, groups=groups)
    assert model.score(X, dXdt) > 0.98  # against the exact derivatives


def test_ignoring_trajectory_boundaries_would_hurt(spring_trajectories):
    # Without groups, the 12 trajectories are differenced as one: the jumps
    # between them become huge spurious derivatives.
    X, t, groups, dXdt = spring_trajectories
    offset = np.repeat(np.arange(12) * 10.0, 40)  # keep t increasing overall
    wrong = time_derivative(X, t + offset)
    right = time_derivative(X, t, groups=groups)
    assert np.abs(right - dXdt).max() < 0.02
    assert np.abs(wrong - dXdt).max() > 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "requires y to be passed, but the target y is None.*pass t"),
        ({"t": np.arange(3.0)}, "t has 3 entries but X has 480 rows"),
        ({"y": "derivatives", "t": "times"}, "only used when y is None"),
        ({"t": "times", "groups": np.zeros(5)}, "groups must be a 1-D array"),
    ],
)
def test_bad_trajectory_input_fails_before_any_state_changes(
    kwargs, message, spring_trajectories, fitted_hnn
):
    X, t, _, dXdt = spring_trajectories
    kwargs = {
        key: {"derivatives": dXdt, "times": t}.get(value, value)
        if isinstance(value, str)
        else value
        for key, value in kwargs.items()
    }
    before = fitted_hnn.predict(X)
    with pytest.raises(ValueError, match=message):
        fitted_hnn.fit(X, **kwargs)
    assert_array_equal(fitted_hnn.predict(X), before)
    if "y" not in kwargs:
        with pytest.raises(ValueError, match=message):
            fitted_hnn.score(X, **kwargs)


def test_differentiation_parameter_is_validated(spring_trajectories):
    X, t, _, _ = spring_trajectories
    with pytest.raises(InvalidParameterError, match="differentiation"):
        HamiltonianRegressor(differentiation="spline").fit(X, t=t)
