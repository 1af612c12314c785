"""A scaler in a Pipeline rescales X but not dX/dt: the HNN says so."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.estimators._rescaled import scaler_signature
from sklearn_hnn.exceptions import RescaledStatesWarning
from tests.conftest import spring_field

SMALL = {"hidden_layer_sizes": (8,), "max_epochs": 2}


@pytest.fixture(scope="module")
def states():
    X = np.random.default_rng(0).uniform(-2.0, 3.0, size=(200, 2))
    return X, spring_field(X)


@pytest.mark.parametrize("Scaler", [StandardScaler, MinMaxScaler])
def test_a_scaler_in_a_pipeline_is_named_in_a_warning(Scaler, states):
    with pytest.warns(RescaledStatesWarning, match=Scaler.__name__) as record:
        make_pipeline(Scaler(), HamiltonianRegressor(**SMALL)).fit(*states)
    message = str(record[0].message)
    assert "normalize='auto'" in message and "not y" in message


def test_physical_states_and_derivatives_from_t_do_not_warn(states):
    X, dXdt = states
    scaled = StandardScaler().fit_transform(X)
    t = np.linspace(0.0, 1.0, len(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RescaledStatesWarning)
        HamiltonianRegressor(**SMALL).fit(X, dXdt)  # as measured
        # dX/dt estimated from the scaled states is consistent with them.
        HamiltonianRegressor(**SMALL).fit(scaled, t=t)
        # A baseline is an ordinary regressor: scaling X alone is legitimate.
        BaselineDynamicsRegressor(**SMALL).fit(scaled, dXdt)


def test_states_on_a_grid_over_minus_one_to_one_are_not_taken_for_a_scaler():
    q, p = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5))
    assert scaler_signature(np.stack([q.ravel(), p.ravel()], axis=1)) is None


def test_too_few_rows_are_not_judged():
    X = StandardScaler().fit_transform(np.arange(18.0).reshape(9, 2))
    assert scaler_signature(X) is None
    assert scaler_signature(np.vstack([X, X])) is not None
