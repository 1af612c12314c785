"""scikit-learn's common estimator checks, and the same properties checked on
data that respects the Hamiltonian shape contract."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_hnn import (
    BaselineDynamicsRegressor,
    DissipativeHamiltonianRegressor,
    HamiltonianRegressor,
    SecondOrderRegressor,
    SeparableHamiltonianRegressor,
)

SMALL = {"hidden_layer_sizes": (32,), "lr": 1e-2, "max_epochs": 200, "random_state": 0}

_ODD = "the check passes X with an odd number of columns; states must be [q, p] pairs"
_Y = "the check passes y that is not shaped like X; y must hold dX/dt for every column"

#: Common checks the HamiltonianRegressor fails only because of its shape
#: contract (X of even width 2d, y = dX/dt of the same shape as X). Each
#: property they would test is checked below on data that respects it.
HNN_SHAPE_CONTRACT = {
    "check_fit_score_takes_y": _ODD,
    "check_estimators_overwrite_params": _Y,
    "check_dont_overwrite_parameters": _ODD,
    "check_estimators_fit_returns_self": _Y,
    "check_readonly_memmap_input": _Y,
    "check_n_features_in_after_fitting": _Y,
    "check_positive_only_tag_during_fit": _Y,
    "check_estimators_dtypes": _ODD,
    "check_dtype_object": _Y,
    "check_pipeline_consistency": _ODD,
    "check_estimators_nan_inf": _ODD,
    "check_estimators_pickle": _ODD,
    "check_f_contiguous_array_estimator": _ODD,
    "check_regressors_train": _Y,
    "check_regressor_data_not_an_array": _Y,
    "check_regressor_multioutput": _Y,
    "check_regressors_no_decision_function": _Y,
    "check_regressors_int": _Y,
    "check_methods_sample_order_invariance": _ODD,
    "check_methods_subset_invariance": _ODD,
    "check_fit2d_1sample": _Y,
    "check_dict_unchanged": _ODD,
    "check_fit_idempotent": _Y,
    "check_fit_check_is_fitted": _Y,
    "check_n_features_in": _Y,
    "check_fit2d_predict1d": _ODD,
    "check_estimators_partial_fit_n_features": _Y,
}


def test_every_expected_failure_names_a_check_that_runs():
    from sklearn.utils.estimator_checks import _yield_all_checks

    names = {
        getattr(check, "func", check).__name__
        for check in _yield_all_checks(HamiltonianRegressor(**SMALL), legacy=True)
    }
    assert set(HNN_SHAPE_CONTRACT) <= names


def _expected_failures(estimator) -> dict[str, str]:
    state_models = (HamiltonianRegressor, SecondOrderRegressor)
    return HNN_SHAPE_CONTRACT if isinstance(estimator, state_models) else {}


#: The structured families train slower (autograd through their structure):
#: the checks test the contract, not the fit, so fewer epochs do.
STRUCTURED_SMALL = {**SMALL, "hidden_layer_sizes": (16,), "max_epochs": 20}


@parametrize_with_checks(
    [
        BaselineDynamicsRegressor(**SMALL),
        HamiltonianRegressor(**SMALL),
        SecondOrderRegressor(**STRUCTURED_SMALL),
        SeparableHamiltonianRegressor(**STRUCTURED_SMALL),
        DissipativeHamiltonianRegressor(**STRUCTURED_SMALL),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_common_checks(estimator, check):
    check(estimator)


ESTIMATORS = [BaselineDynamicsRegressor, HamiltonianRegressor]


@pytest.fixture(params=ESTIMATORS, ids=lambda c: c.__name__)
def estimator_cls(request):
    return request.param


def _states(n=60, d=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2 * d))
    y = np.concatenate([2 * X[:, d:], -2 * X[:, :d]], axis=1)
    return X, y


def test_fit_returns_self_and_sets_fitted_attributes(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL)
    assert not hasattr(est, "n_features_in_")
    assert est.fit(X, y) is est
    assert est.n_features_in_ == 2 and est.n_outputs_ == 2
    assert len(est.history_) == SMALL["max_epochs"]
    assert isinstance(est.module_, torch.nn.Module)


def test_unfitted_model_raises_not_fitted(estimator_cls):
    est = estimator_cls()
    with pytest.raises(NotFittedError):
        est.predict(np.zeros((2, 2)))
    with pytest.raises(NotFittedError):
        est.simulate(np.zeros(2), [0.0, 1.0])


@pytest.mark.parametrize("d", [1, 2])
def test_fit_is_idempotent_and_deterministic(estimator_cls, d):
    X, y = _states(d=d)
    a = estimator_cls(**SMALL).fit(X, y).predict(X)
    est = estimator_cls(**SMALL).fit(X[::-1], y[::-1])
    est.fit(X, y)
    assert_array_equal(est.predict(X), a)


def test_fit_leaves_global_torch_rng_alone(estimator_cls):
    X, y = _states()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    estimator_cls(**SMALL).fit(X, y)
    assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_different_random_states_give_different_models(estimator_cls):
    X, y = _states()
    a = estimator_cls(**{**SMALL, "random_state": 0}).fit(X, y).predict(X)
    b = estimator_cls(**{**SMALL, "random_state": 1}).fit(X, y).predict(X)
    assert not np.allclose(a, b)


def test_fit_does_not_modify_inputs_or_parameters(estimator_cls):
    from skorch.callbacks import EpochScoring

    X, y = _states()
    X_copy, y_copy = X.copy(), y.copy()
    callback = EpochScoring("neg_mean_squared_error", name="mse", on_train=True)
    est = estimator_cls(**SMALL, callbacks=[callback])
    params = est.get_params(deep=False)
    est.fit(X, y)
    assert_array_equal(X, X_copy)
    assert_array_equal(y, y_copy)
    assert est.get_params(deep=False) == params
    assert not hasattr(callback, "best_score_")  # the user's object was copied
    assert "mse" in est.history_[-1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_outputs_follow_input_dtype(estimator_cls, dtype):
    X, y = _states()
    est = estimator_cls(**SMALL).fit(X.astype(dtype), y.astype(dtype))
    assert est.predict(X.astype(dtype)).dtype == dtype
    assert est.simulate(X[:3].astype(dtype), [0.0, 0.1]).dtype == dtype
    if hasattr(est, "energy"):
        assert est.energy(X.astype(dtype)).dtype == dtype


def test_integer_input_is_accepted(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL).fit(np.round(X * 10).astype(int), np.round(y * 10))
    assert est.predict(np.zeros((2, 2), dtype=int)).dtype == np.float64


def test_predictions_do_not_depend_on_batching_or_order(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL).fit(X, y)
    full = est.predict(X)
    one_by_one = np.concatenate([est.predict(X[i : i + 1]) for i in range(len(X))])
    assert_allclose(one_by_one, full, rtol=1e-12, atol=1e-12)
    order = np.random.default_rng(1).permutation(len(X))
    assert_allclose(est.predict(X[order]), full[order], rtol=1e-12, atol=1e-12)


def test_feature_names_are_recorded_and_checked(estimator_cls):
    pd = pytest.importorskip("pandas")
    X, y = _states()
    frame = pd.DataFrame(X, columns=["q", "p"])
    est = estimator_cls(**SMALL).fit(frame, y)
    assert list(est.feature_names_in_) == ["q", "p"]
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        from_array = est.predict(X)
    assert_allclose(est.predict(frame), from_array)
    with pytest.raises(ValueError, match="feature names"):
        est.predict(pd.DataFrame(X, columns=["p", "q"]))


def test_wrong_width_at_predict_names_the_mismatch(estimator_cls):
    X, y = _states(d=2)
    est = estimator_cls(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 2 features, but .* is expecting 4"):
        est.predict(X[:, :2])


@pytest.mark.parametrize("fitted", [False, True])
@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_and_joblib_round_trips(estimator_cls, fitted, dump, tmp_path):
    X, y = _states()
    est = estimator_cls(**SMALL)
    if fitted:
        est.fit(X, y)
    if dump == "pickle":
        restored = pickle.loads(pickle.dumps(est))
    else:
        joblib.dump(est, tmp_path / "model.joblib")
        restored = joblib.load(tmp_path / "model.joblib")
    assert restored.get_params() == est.get_params()
    if fitted:
        assert_array_equal(restored.predict(X), est.predict(X))
        t = np.linspace(0, 1, 5)
        assert_array_equal(restored.simulate(X[:4], t), est.simulate(X[:4], t))
    else:
        assert_array_equal(
            restored.fit(X, y).predict(X), clone(est).fit(X, y).predict(X)
        )


def test_clone_refits_to_identical_predictions(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL).fit(X, y)
    cloned = clone(est)
    assert not hasattr(cloned, "net_")
    assert cloned.get_params() == est.get_params()
    assert_array_equal(cloned.fit(X, y).predict(X), est.predict(X))


def test_grid_search_over_width_and_learning_rate(estimator_cls):
    X, y = _states(n=90)
    search = GridSearchCV(
        estimator_cls(max_epochs=150, random_state=0),
        {"hidden_layer_sizes": [(8,), (32, 32)], "lr": [1e-4, 1e-2]},
        cv=3,
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    # A tiny learning rate cannot fit in 150 steps; the search must notice.
    assert search.best_params_["lr"] == 1e-2
    assert search.best_estimator_.score(X, y) > 0.9
