"""Bad input: a ValueError that names the argument and the problem, raised before
anything changes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import EarlyStopping, ProgressBar

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.differentiation import SavitzkyGolay

SMALL = {"hidden_layer_sizes": (8,), "max_epochs": 5, "random_state": 0}
X = np.random.default_rng(0).uniform(-1, 1, size=(30, 2))
Y = np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)


def _with(array, index, value):
    array = array.copy()
    array[index] = value
    return array


BAD_FIT = [
    pytest.param(_with(X, (0, 0), np.nan), Y, "Input X contains NaN", id="nan-X"),
    pytest.param(_with(X, (1, 1), np.inf), Y, "Input X contains infinity", id="inf-X"),
    pytest.param(X, _with(Y, (2, 0), np.nan), "Input y contains NaN", id="nan-y"),
    pytest.param(X, _with(Y, (2, 0), -np.inf), "Input y contains infinity", id="inf-y"),
    pytest.param(X[:, 0], Y, "X must be a 2-D array", id="1d-X"),
    pytest.param(X[None], Y, "X must be a 2-D array", id="3d-X"),
    pytest.param(X[:0], Y[:0], "X is empty", id="empty-X"),
    pytest.param(
        X, Y[:-1], "X and y have different numbers of samples", id="n-mismatch"
    ),
    pytest.param(X, None, "requires y to be passed", id="no-y"),
    pytest.param(X + 1j, Y, "Complex data not supported", id="complex-X"),
    pytest.param(np.full((30, 2), "a"), Y, "could not convert|dtype", id="string-X"),
]

BAD_HNN_ONLY = [
    pytest.param(
        np.hstack([X, X[:, :1]]),
        np.hstack([Y, Y[:, :1]]),
        r"X has 3 feature\(s\), but HamiltonianRegressor needs an even number",
        id="odd-width",
    ),
    pytest.param(
        X, Y[:, 0], r"y \(the time derivatives dX/dt\) has shape \(30,\)", id="y-1d"
    ),
    pytest.param(X, np.hstack([Y, Y]), "must have the same shape as X", id="y-wider"),
]


@pytest.mark.parametrize("cls", [BaselineDynamicsRegressor, HamiltonianRegressor])
@pytest.mark.parametrize(("X_bad", "y_bad", "message"), BAD_FIT)
def test_bad_training_data(cls, X_bad, y_bad, message):
    with pytest.raises(ValueError, match=message):
        cls(**SMALL).fit(X_bad, y_bad)


@pytest.mark.parametrize(("X_bad", "y_bad", "message"), BAD_HNN_ONLY)
def test_bad_training_data_for_the_hamiltonian_contract(X_bad, y_bad, message):
    with pytest.raises(ValueError, match=message):
        HamiltonianRegressor(**SMALL).fit(X_bad, y_bad)


@pytest.mark.parametrize(("X_bad", "y_bad", "message"), BAD_FIT[:4] + BAD_HNN_ONLY)
def test_failed_refit_leaves_the_fitted_model_untouched(X_bad, y_bad, message):
    est = HamiltonianRegressor(**SMALL).fit(X, Y)
    net, before = est.net_, est.predict(X)
    state = {k: v for k, v in vars(est).items() if k.endswith("_")}
    with pytest.raises(ValueError, match=message):
        est.fit(X_bad, y_bad)
    assert est.net_ is net
    assert {k: v for k, v in vars(est).items() if k.endswith("_")} == state
    assert_array_equal(est.predict(X), before)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("lr", -1.0),
        ("lr", 0),
        ("max_epochs", 0),
        ("batch_size", 0),
        ("validation_fraction", 1.0),
        ("activation", "cubic"),
        ("optimizer", "lbfgs"),
        ("weight_decay", -1e-3),
        ("hidden_layer_sizes", 0),
    ],
)
def test_bad_parameters_name_the_parameter(param, value):
    est = HamiltonianRegressor(**SMALL).fit(X, Y)
    before = est.predict(X)
    est.set_params(**{param: value})
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
        est.fit(X, Y)
    assert_array_equal(est.predict(X), before)


@pytest.mark.parametrize("cls", [BaselineDynamicsRegressor, HamiltonianRegressor])
def test_set_params_with_an_unknown_name_sets_nothing(cls):
    est = cls(**SMALL)
    with pytest.raises(ValueError, match=r"Invalid parameter 'lrate'.*nothing was set"):
        est.set_params(lr=0.5, max_epochs=7, lrate=0.1)
    assert (est.lr, est.max_epochs) == (1e-3, 5)
    assert est.set_params(lr=0.5, max_epochs=7) is est
    assert (est.lr, est.max_epochs) == (0.5, 7)


def test_set_params_with_a_refused_nested_value_sets_nothing():
    est = HamiltonianRegressor(**SMALL, differentiation=SavitzkyGolay(7, 3))
    with pytest.raises(ValueError, match="window_length"):
        est.set_params(lr=0.5, differentiation__window_length=-3)
    assert est.lr == 1e-3
    assert est.differentiation.get_params() == {"window_length": 7, "polyorder": 3}


class _Leaky:
    """A component whose set_params sets values one by one until it fails."""

    def __init__(self, a=1, b=2):
        self.a, self.b = a, b

    def get_params(self, deep=True):
        return {"a": self.a, "b": self.b}

    def set_params(self, **params):
        for name, value in params.items():
            if value is None:
                raise RuntimeError(f"{name} refused")
            setattr(self, name, value)
        return self


def test_set_params_puts_back_a_component_given_in_the_failing_call():
    est = HamiltonianRegressor(**SMALL)
    leaky = _Leaky()
    with pytest.raises(RuntimeError, match="b refused"):
        est.set_params(
            differentiation=leaky, differentiation__a=5, differentiation__b=None
        )
    assert est.differentiation == "central"
    assert leaky.get_params() == {"a": 1, "b": 2}


def test_set_params_drops_the_nested_names_of_a_component_replaced_by_a_string():
    est = HamiltonianRegressor(**SMALL, differentiation=SavitzkyGolay())
    with pytest.raises(ValueError, match=r"'differentiation__polyorder'.*nothing"):
        est.set_params(differentiation="central", differentiation__polyorder=3)
    assert isinstance(est.differentiation, SavitzkyGolay)


def test_set_params_replaces_a_component_and_sets_its_values_in_one_call():
    est = HamiltonianRegressor(**SMALL)
    est.set_params(differentiation=SavitzkyGolay(), differentiation__window_length=9)
    assert est.differentiation.window_length == 9
    # as GridSearchCV does it
    grid = {"differentiation": [SavitzkyGolay()], "differentiation__window_length": [5]}
    search = GridSearchCV(est, grid, cv=2).fit(X, Y)
    assert search.best_params_["differentiation__window_length"] == 5


@pytest.mark.parametrize("sizes", [(0,), (8, -1), (2.5,), (True,)])
def test_bad_hidden_layer_sizes(sizes):
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        HamiltonianRegressor(**{**SMALL, "hidden_layer_sizes": sizes}).fit(X, Y)


@pytest.mark.parametrize(
    ("device", "message"),
    [
        ("tpu:7", r"'device' parameter .* must be a torch device .*Got 'tpu:7'"),
        ("meta", r"'device' parameter .*'meta' holds shapes only\)\. Got 'meta'"),
    ],
)
def test_bad_device(device, message):
    with pytest.raises(ValueError, match=message):
        HamiltonianRegressor(**{**SMALL, "device": device}).fit(X, Y)


@pytest.fixture(scope="module")
def fitted():
    return HamiltonianRegressor(**SMALL).fit(X, Y)


@pytest.mark.parametrize(
    ("x0", "message"),
    [
        (
            [0.1, 0.2, 0.3],
            r"x0 has width 3, but this model was fitted on states of width 2",
        ),
        (np.zeros((4, 3)), "x0 has width 3"),
        (np.zeros((2, 2, 2)), r"x0 must have shape \(2,\) or \(n, 2\)"),
        ([np.nan, 0.0], "Input x0 contains NaN"),
        ([np.inf, 0.0], "Input x0 contains infinity"),
        ([10**400, 0], "x0 must be an array of finite real numbers; int too large"),
        (np.zeros((0, 2)), "x0"),
        ([], r"x0 has width 0, but this model was fitted on states of width 2"),
    ],
)
def test_bad_initial_states(fitted, x0, message):
    with pytest.raises(ValueError, match=message):
        fitted.simulate(x0, [0.0, 1.0])


@pytest.mark.parametrize(
    ("t", "message"),
    [
        ([0.0, 1.0, 0.5], "t must be strictly monotonic"),
        ([0.0, 0.0, 1.0], "t must be strictly monotonic"),
        ([0.0, np.nan], "Input t contains NaN"),
        ([0, 10**400], "t must be an array of finite real numbers; int too large"),
        ([[0.0, 1.0]], "t must be a 1-D array"),
        ([], "t"),
    ],
)
def test_bad_time_grid(fitted, t, message):
    with pytest.raises(ValueError, match=message):
        fitted.simulate([0.1, 0.2], t)


def test_bad_simulation_options(fitted):
    with pytest.raises(
        ValueError, match=r"method must be one of \[.*'rk4'.*\]; got 'rk5'"
    ):
        fitted.simulate([0.1, 0.2], [0.0, 1.0], method="rk5")
    with pytest.raises(
        ValueError, match=r"field must be one of \['gradient', 'symplectic'\]"
    ):
        fitted.simulate([0.1, 0.2], [0.0, 1.0], field="dissipative")
    with pytest.raises(ValueError, match="substeps must be an integer >= 1"):
        fitted.simulate([0.1, 0.2], [0.0, 1.0], substeps=0)
    with pytest.raises(ValueError, match="rtol must be a positive"):
        fitted.simulate([0.1, 0.2], [0.0, 1.0], method="dopri5", rtol=-1)
    with pytest.raises(ValueError, match="max_steps must be an integer >= 1"):
        fitted.simulate([0.1, 0.2], [0.0, 1.0], method="dopri5", max_steps=0)


def test_simulate_passes_max_steps_to_dopri5(fitted):
    with pytest.raises(RuntimeError, match="dopri5 gave up after 3 steps"):
        fitted.simulate([0.1, 0.2], [0.0, 100.0], method="dopri5", max_steps=3)


def test_tensors_are_read_as_data_even_when_they_require_grad(fitted):
    states = torch.tensor([[0.1, 0.2], [0.3, -0.4]], dtype=torch.float64)
    expected = fitted.predict(states.numpy())
    assert_array_equal(fitted.predict(states.requires_grad_()), expected)
    assert_array_equal(fitted.energy(states), fitted.energy(states.detach().numpy()))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_tensors_give_outputs_in_their_own_precision(fitted, dtype):
    states = torch.tensor([[0.1, 0.2], [0.3, -0.4]], dtype=dtype)
    expected = np.float32 if dtype == torch.float32 else np.float64
    t = [0.0, 0.1]
    for out in (
        fitted.predict(states),
        fitted.energy(states),
        fitted.simulate(states, t),
        fitted.simulate(states[0], t),
    ):
        assert out.dtype == expected
    assert_array_equal(fitted.simulate(states, t), fitted.simulate(states.numpy(), t))


def test_simulate_checks_feature_names_as_predict_does():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["q", "p"])
    est = HamiltonianRegressor(**SMALL).fit(frame, Y)
    t = [0.0, 0.5]
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        plain = est.simulate(X[:2], t)  # as predict warns
    assert_array_equal(est.simulate(frame.iloc[:2], t), plain)
    # One state against a batch of two: the same up to float32 rounding (matrix
    # kernels round by batch size, more or less depending on the machine).
    assert_allclose(est.simulate(frame.iloc[0], t), plain[0], rtol=1e-6, atol=1e-8)
    for swapped in (frame[["p", "q"]].iloc[:2], frame[["p", "q"]].iloc[0]):
        with pytest.raises(ValueError, match="feature names should match"):
            est.simulate(swapped, t)


def test_bad_input_to_energy_and_predict(fitted):
    with pytest.raises(ValueError, match="Input X contains NaN"):
        fitted.energy(np.array([[np.nan, 0.0]]))
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        fitted.energy(np.zeros(2))
    with pytest.raises(
        ValueError, match="X has 4 features, but HamiltonianRegressor is"
    ):
        fitted.predict(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="X must be an array of finite real numbers"):
        fitted.energy([[10**400, 0]])


class _NoDecay(torch.optim.SGD):
    """An optimizer whose constructor takes no weight_decay."""

    def __init__(self, params, lr=1e-3):
        super().__init__(params, lr=lr)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"optimizer": int},
            r"'optimizer' parameter .* or a subclass of torch\.optim\.Optimizer",
        ),
        (
            {"optimizer": _NoDecay, "weight_decay": 1e-3},
            "optimizer=_NoDecay takes no weight_decay, but weight_decay=0.001",
        ),
        ({"callbacks": [1]}, r"'callbacks' parameter .* must be a list of skorch"),
        (
            {"callbacks": [EarlyStopping(monitor="train_loss"), ("named", len)]},
            r"'callbacks' parameter .* must be a list of skorch",
        ),
        (
            {"callbacks": [EarlyStopping()]},
            r"callbacks\[0\] monitors 'valid_loss'.*validation_fraction > 0",
        ),
        (
            {"callbacks": [ProgressBar, ("stop", EarlyStopping)]},
            r"callbacks\[1\] monitors 'valid_loss'",
        ),
    ],
)
def test_bad_optimizer_or_callbacks_fail_before_training(params, message):
    est = HamiltonianRegressor(**SMALL).fit(X, Y)
    net, before = est.net_, est.predict(X)
    est.set_params(**params)
    with pytest.raises(ValueError, match=message):
        est.fit(X, Y)
    assert est.net_ is net
    assert_array_equal(est.predict(X), before)


def test_optimizer_without_weight_decay_trains_when_none_is_asked_for():
    est = HamiltonianRegressor(**{**SMALL, "optimizer": _NoDecay}).fit(X, Y)
    assert type(est.net_.optimizer_) is _NoDecay
    assert len(est.history_) == SMALL["max_epochs"]


def test_callback_classes_and_named_callbacks_are_accepted():
    stop = EarlyStopping(monitor="train_loss", patience=100)
    est = HamiltonianRegressor(**SMALL, callbacks=[ProgressBar, ("stop", stop)]).fit(
        X, Y
    )
    assert len(est.history_) == SMALL["max_epochs"]


@pytest.mark.parametrize(
    ("y", "kwargs", "message"),
    [
        (_with(Y, (0, 0), np.nan), {}, "Input y contains NaN"),
        (Y[:5], {}, r"y must have one row per row of X \(30\); got shape \(5, 2\)"),
        (Y[:, :1], {}, r"y has 1 column\(s\), but this model predicts 2"),
        (Y, {"sample_weight": np.ones(5)}, r"sample_weight.shape == \(5,\)"),
    ],
)
def test_score_checks_y_and_sample_weight(fitted, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fitted.score(X, y, **kwargs)


def test_score_is_r2_and_checks_feature_names_once():
    pd = pytest.importorskip("pandas")
    est = HamiltonianRegressor(**SMALL).fit(pd.DataFrame(X, columns=["q", "p"]), Y)
    with pytest.warns(UserWarning, match="valid feature names") as caught:
        score = est.score(X, Y)
    assert len(caught) == 1
    with pytest.warns(UserWarning, match="valid feature names"):
        expected = r2_score(Y, est.predict(X))
    assert score == expected


def test_score_without_y_or_t_points_to_metadata_routing(fitted):
    with pytest.raises(ValueError, match=r"requires y.*set_score_request"):
        fitted.score(X)


def test_values_beyond_float32_fail_before_training():
    with pytest.raises(ValueError, match=r"X has values up to .* set normalize=True"):
        HamiltonianRegressor(**{**SMALL, "normalize": False}).fit(X * 1e39, Y)
    # normalisation brings them back into range
    est = HamiltonianRegressor(**SMALL).fit(X * 1e39, Y * 1e39)
    assert np.isfinite(est.predict(X * 1e39)).all()


def test_non_finite_derivatives_from_t_blame_t():
    with pytest.raises(ValueError, match=r"dX/dt estimated from t .* not finite"):
        HamiltonianRegressor(**SMALL).fit(X, t=np.arange(30) * 1e-320)
