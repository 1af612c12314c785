"""Rollout scorers: model selection by where a model goes, not by its derivative."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.metrics import EnergyDriftScorer, RolloutScorer
from sklearn_hnn.systems import MassSpring
from tests.conftest import spring_field

SPRING = MassSpring(stiffness=2.0, mass=0.5)  # H = q^2 + p^2, as spring_data


@pytest.fixture(scope="module")
def held_out():
    """Six trajectories of the spring over ten periods, as rows."""
    x0 = np.random.default_rng(1).uniform(-0.7, 0.7, size=(6, 2))
    t = np.linspace(0.0, 30.0, 151)
    X = SPRING.trajectories(x0, t).reshape(-1, 2)
    return X, spring_field(X), np.tile(t, 6), np.repeat(np.arange(6), len(t))


class Constant:
    """A 'model' that stays where it starts (or blows up at once)."""

    def __init__(self, blow_up: bool = False) -> None:
        self.blow_up = blow_up

    def simulate(self, x0, t, **options):
        x0 = np.asarray(x0, dtype=float)  # (n, d), as the scorers batch them
        rollout = np.repeat(x0[:, None, :], len(t), axis=1)
        if self.blow_up:
            rollout[:, 1:] = np.nan
        return rollout

    def energy(self, X):
        return np.sum(np.asarray(X) ** 2, axis=-1)


def test_rollout_scorer_picks_the_hnn_where_r2_cannot_tell(
    fitted_hnn, fitted_baseline, held_out
):
    X, dXdt, t, groups = held_out
    r2 = {"hnn": fitted_hnn.score(X, dXdt), "baseline": fitted_baseline.score(X, dXdt)}
    assert min(r2.values()) > 0.99 and abs(r2["hnn"] - r2["baseline"]) < 0.002
    scorer = RolloutScorer()
    hnn = scorer(fitted_hnn, X, t=t, groups=groups)
    baseline = scorer(fitted_baseline, X, t=t, groups=groups)
    assert baseline < 5 * hnn < 0  # the baseline's error is over 5 times the HNN's


def test_energy_drift_scorer_on_learned_and_true_energy(
    fitted_hnn, fitted_baseline, held_out
):
    X, _, t, groups = held_out
    learned = EnergyDriftScorer()(fitted_hnn, X, t=t, groups=groups)
    assert -1e-3 < learned <= 0  # its own energy, conserved up to RK4's error
    true = EnergyDriftScorer(SPRING.hamiltonian)
    hnn = true(fitted_hnn, X, t=t, groups=groups)
    baseline = true(fitted_baseline, X, t=t, groups=groups)
    assert baseline < 5 * hnn < 0
    with pytest.raises(ValueError, match=r"learns no energy.*energy=") as error:
        EnergyDriftScorer()(fitted_baseline, X, t=t, groups=groups)
    assert "BaselineDynamicsRegressor" in str(error.value)


def test_scores_are_the_mean_squared_error_of_each_trajectorys_rollout():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0], [5.0, 7.0], [5.0, 9.0]])
    t = np.array([0.0, 1.0, 0.0, 0.5, 1.0])
    groups = np.array(["a", "a", "b", "b", "b"])
    # Constant rollouts: trajectory a errs by (0, 0), (1, 0); b by 0, 2, 4 in p.
    expected = np.mean([np.mean([0, 0, 1, 0]), np.mean([0, 0, 0, 4, 0, 16])])
    assert RolloutScorer()(Constant(), X, t=t, groups=groups) == pytest.approx(
        -expected
    )
    # Energy q^2 + p^2 of a constant rollout never drifts.
    assert EnergyDriftScorer()(Constant(), X, t=t, groups=groups) == 0.0


def test_rows_of_a_trajectory_may_come_in_any_order():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    t = np.array([0.0, 1.0, 2.0])
    order = np.array([2, 0, 1])  # as a shuffled split leaves them
    scorer = RolloutScorer()
    assert scorer(Constant(), X[order], t=t[order]) == scorer(Constant(), X, t=t)
    assert scorer(Constant(), X, t=t) == pytest.approx(-np.mean([0, 0, 1, 0, 4, 0]))


def test_a_rollout_that_blew_up_scores_minus_infinity():
    X, t = np.zeros((3, 2)), np.arange(3.0)
    assert RolloutScorer()(Constant(blow_up=True), X, t=t) == -np.inf
    assert EnergyDriftScorer()(Constant(blow_up=True), X, t=t) == -np.inf


@pytest.mark.parametrize(
    ("t", "groups", "message"),
    [
        (None, None, "needs the times t.*enable_metadata_routing=True"),
        (np.arange(3.0), None, r"one time per row of X, shape \(4,\)"),
        (np.arange(4.0), np.zeros(3), r"one label per row of X, shape \(4,\)"),
        (np.array([0.0, 1.0, 1.0, 3.0]), None, "must not repeat"),
        (np.arange(4.0), np.arange(4), "two or more points"),
    ],
)
def test_bad_input_names_the_problem(t, groups, message):
    with pytest.raises(ValueError, match=message):
        RolloutScorer()(Constant(), np.zeros((4, 2)), t=t, groups=groups)


def _search(held_out, **kwargs):
    X, dXdt, t, groups = held_out
    hnn = HamiltonianRegressor(max_epochs=30, lr=1e-2, random_state=0)
    return GridSearchCV(
        hnn,
        {"hidden_layer_sizes": [(8,), (32,)]},
        cv=GroupKFold(n_splits=3),
        scoring={"rollout": RolloutScorer(), "drift": EnergyDriftScorer()},
        refit="rollout",
        **kwargs,
    ), (X, dXdt, t, groups)


def test_grid_search_and_cross_validate_route_t_and_groups_to_the_scorers(held_out):
    search, (X, dXdt, t, groups) = _search(held_out)
    with sklearn.config_context(enable_metadata_routing=True):
        search.estimator.set_fit_request(t=False, groups=False)
        search.fit(X, dXdt, t=t, groups=groups)
        scores = cross_validate(
            BaselineDynamicsRegressor(max_epochs=5).set_fit_request(
                t=False, groups=False
            ),
            X,
            dXdt,
            cv=GroupKFold(n_splits=3),
            scoring={"rollout": RolloutScorer(), "r2": "r2"},
            params={"t": t, "groups": groups},
        )
    assert np.all(np.isfinite(search.cv_results_["mean_test_rollout"]))
    assert np.all(search.cv_results_["mean_test_drift"] <= 0)
    assert scores["test_rollout"].shape == (3,)
    assert np.all(scores["test_rollout"] < 0)


def test_without_metadata_routing_the_error_says_how_to_enable_it(held_out):
    search, (X, dXdt, _, groups) = _search(held_out, error_score="raise")
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        search.fit(X, dXdt, groups=groups)
