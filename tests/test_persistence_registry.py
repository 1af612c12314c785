"""What the persistence registry must carry beyond the built-in regressors: an
estimator registered from outside the library, such as a meta-estimator whose
parts are estimators, saves and loads with no change to the persistence
module."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, clone

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.estimators import ESTIMATORS, register
from sklearn_hnn.persistence import load, save

SMALL = {"hidden_layer_sizes": (8,), "max_epochs": 5, "random_state": 0}
PARTS = ("energy", "direct")


@register
class PairOfModels(BaseEstimator):
    """Two dynamics models fitted on the same data; predicts their mean."""

    def __init__(self, energy=None, direct=None, weight=0.5):
        self.energy = energy
        self.direct = direct
        self.weight = weight

    def fit(self, X, y):
        self.energy_ = clone(self.energy).fit(X, y)
        self.direct_ = clone(self.direct).fit(X, y)
        return self

    def predict(self, X):
        a, b = self.energy_.predict(X), self.direct_.predict(X)
        return self.weight * a + (1 - self.weight) * b

    def _saved_entries(self) -> dict:
        if not hasattr(self, "energy_"):
            return {"fitted": "null"}
        entries = {"fitted": json.dumps(True)}
        for part in PARTS:
            for key, value in getattr(self, f"{part}_")._saved_entries().items():
                entries[f"{part}.{key}"] = value
        return entries

    def _load_saved(self, entries: dict, allow_imports=()) -> None:
        if json.loads(entries["fitted"]) is None:
            return
        for part in PARTS:
            prefix = f"{part}."
            fitted = clone(getattr(self, part))
            fitted._load_saved(
                {
                    k[len(prefix) :]: v
                    for k, v in entries.items()
                    if k.startswith(prefix)
                },
                allow_imports,
            )
            setattr(self, f"{part}_", fitted)


def test_a_meta_estimator_registered_from_outside_round_trips(tmp_path):
    X = np.random.default_rng(0).uniform(-1, 1, size=(64, 2))
    y = np.stack([X[:, 1], -X[:, 0]], axis=1)
    pair = PairOfModels(
        HamiltonianRegressor(**SMALL), BaselineDynamicsRegressor(**SMALL), 0.3
    )
    assert ESTIMATORS[f"{__name__}.PairOfModels"] is PairOfModels
    save(pair, tmp_path / "unfitted.pt")
    assert load(tmp_path / "unfitted.pt").get_params()["energy__max_epochs"] == 5
    pair.fit(X, y)
    save(pair, tmp_path / "pair.pt")
    loaded = load(tmp_path / "pair.pt")
    assert type(loaded) is PairOfModels and loaded.weight == 0.3
    assert_array_equal(loaded.predict(X), pair.predict(X))
    assert_array_equal(
        loaded.energy_.simulate(X[:2], np.linspace(0, 1, 5)),
        pair.energy_.simulate(X[:2], np.linspace(0, 1, 5)),
    )
    loaded.energy_.partial_fit(X, y)  # each part trains on
    assert len(loaded.energy_.history_) == 6


def test_a_class_of_yours_never_takes_the_place_of_ours(tmp_path):
    class HamiltonianRegressor(BaselineDynamicsRegressor):
        pass

    ours = ESTIMATORS["HamiltonianRegressor"]
    assert ours.__module__ == "sklearn_hnn.estimators.hamiltonian"
    save(ours(), tmp_path / "ours.pt")
    assert type(load(tmp_path / "ours.pt")) is ours


def test_an_unregistered_estimator_is_refused_by_name(tmp_path):
    class Local(PairOfModels):
        pass

    with pytest.raises(TypeError, match="save handles the registered estimators"):
        save(Local(), tmp_path / "m.pt")
