"""BaselineDynamicsRegressor: an ordinary multi-output regressor with rollouts."""

from __future__ import annotations

import numpy as np
import pytest

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor


def test_learns_the_spring_field(fitted_baseline, spring_data):
    assert fitted_baseline.score(*spring_data) > 0.99


def test_has_no_energy():
    assert not hasattr(BaselineDynamicsRegressor(), "energy")
    assert hasattr(HamiltonianRegressor(), "energy")


def test_fitted_baseline_has_no_energy_either(fitted_baseline):
    assert not hasattr(fitted_baseline, "energy")
    with pytest.raises(AttributeError, match="learns no energy") as error:
        fitted_baseline.energy(np.zeros((1, 2)))
    assert "HamiltonianRegressor" in str(error.value)
    assert error.value.name == "energy"


def test_other_missing_attributes_keep_the_plain_message():
    with pytest.raises(AttributeError, match=r"no attribute 'enrgy'$"):
        BaselineDynamicsRegressor().enrgy  # noqa: B018


def test_one_dimensional_targets_give_one_dimensional_predictions():
    X = np.random.default_rng(0).normal(size=(50, 3))
    est = BaselineDynamicsRegressor(hidden_layer_sizes=(8,), max_epochs=5).fit(
        X, X[:, 0]
    )
    assert est.predict(X).shape == (50,)
    with pytest.raises(ValueError, match="simulate needs a vector field"):
        est.simulate(X[0], [0.0, 1.0])


def test_odd_width_states_can_be_simulated():
    X = np.random.default_rng(0).normal(size=(50, 3))
    est = BaselineDynamicsRegressor(hidden_layer_sizes=(8,), max_epochs=5).fit(X, -X)
    assert est.simulate(X[:2], [0.0, 0.5]).shape == (2, 2, 3)


def test_field_choices_are_the_learned_field_only(fitted_baseline):
    with pytest.raises(ValueError, match=r"field must be one of \['learned'\]"):
        fitted_baseline.simulate([0.1, 0.2], [0.0, 1.0], field="gradient")
    assert fitted_baseline.simulate([0.1, 0.2], [0.0, 1.0], field="learned").shape == (
        2,
        2,
    )
