"""The seams open to users: their own network, activation classes, optimizer
keyword arguments, the objective, and the warning about piecewise-linear
activations."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.nn import HamiltonianField
from sklearn_hnn.nn.normalization import Normalization
from sklearn_hnn.objectives import DerivativeMatching
from sklearn_hnn.persistence import load, save

SMALL = {"hidden_layer_sizes": (16,), "lr": 1e-2, "max_epochs": 30, "random_state": 0}


def _spring(n=128, seed=0):
    X = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2))
    return X, np.stack([X[:, 1], -X[:, 0]], axis=1)  # H = (q^2 + p^2) / 2


class QuadraticEnergy(torch.nn.Module):
    """``H = x^T A x / 2`` with a learned symmetric ``A``."""

    def __init__(self, n_features: int = 2, scale: float = 0.1) -> None:
        super().__init__()
        self.raw = torch.nn.Parameter(scale * torch.randn(n_features, n_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = 0.5 * (self.raw + self.raw.T)
        return 0.5 * torch.einsum("ni,ij,nj->n", x, a, x)[:, None]


def test_a_custom_energy_class_fits_simulates_and_learns_the_energy():
    X, y = _spring()
    est = HamiltonianRegressor(
        module=QuadraticEnergy,
        module__scale=0.5,
        lr=0.05,
        max_epochs=300,
        random_state=0,
    )
    assert est.get_params()["module__scale"] == 0.5
    est.fit(X, y)
    assert isinstance(est.module_.hamiltonian, QuadraticEnergy)
    assert est.score(X, y) > 0.999
    traj = est.simulate([0.5, 0.0], np.linspace(0.0, 2 * np.pi, 201), substeps=4)
    assert_allclose(traj[-1], [0.5, 0.0], atol=1e-2)  # one period of the spring
    energy = est.energy(traj)
    assert np.ptp(energy) < 1e-3 * abs(energy).max()
    # The learned A is the identity: H(q, p) = (q^2 + p^2) / 2.
    raw = est.module_.hamiltonian.raw.detach()
    assert_allclose((0.5 * (raw + raw.T)).numpy(), np.eye(2), atol=2e-2)


def test_a_module_instance_is_copied_never_shared():
    X, y = _spring()
    energy = QuadraticEnergy()
    before = energy.raw.detach().clone()
    est = HamiltonianRegressor(module=energy, lr=0.05, max_epochs=20).fit(X, y)
    assert est.module_.hamiltonian is not energy
    assert torch.equal(energy.raw, before)  # the user's instance is untouched
    again = clone(est).fit(X, y)
    assert_array_equal(again.predict(X), est.predict(X))
    restored = pickle.loads(pickle.dumps(est))
    assert_array_equal(restored.predict(X), est.predict(X))


def test_a_custom_baseline_network_fits():
    X, y = _spring()
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 32), torch.nn.Tanh(), torch.nn.Linear(32, 2)
    )
    est = BaselineDynamicsRegressor(module=net, lr=1e-2, max_epochs=200, random_state=0)
    est.fit(X, y)
    assert est.score(X, y) > 0.95
    assert est.simulate(X[:3], np.linspace(0, 1, 5)).shape == (3, 5, 2)


def test_module_arguments_need_a_class():
    X, y = _spring()
    est = HamiltonianRegressor(module=QuadraticEnergy(), module__scale=1.0)
    with pytest.raises(ValueError, match="is not a class they could be passed to"):
        est.fit(X, y)
    assert not hasattr(est, "net_")


def test_an_activation_class_reaches_the_network_and_survives_clone():
    X, y = _spring()
    est = HamiltonianRegressor(**{**SMALL, "activation": torch.nn.Softplus})
    est.fit(X, y)
    assert any(isinstance(m, torch.nn.Softplus) for m in est.module_.modules())
    copy = clone(est)
    assert copy.activation is torch.nn.Softplus
    assert_array_equal(copy.fit(X, y).predict(X), est.predict(X))


def test_an_activation_class_outside_torch_saves_and_loads_only_when_allowed(tmp_path):
    X, y = _spring()
    est = HamiltonianRegressor(**{**SMALL, "module": QuadraticEnergy}).fit(X, y)
    save(est, tmp_path / "m.pt")
    path = f"{QuadraticEnergy.__module__}.QuadraticEnergy"
    with pytest.raises(ValueError, match="imported only when you allow it"):
        load(tmp_path / "m.pt")
    loaded = load(tmp_path / "m.pt", allow_imports=[path])
    assert_array_equal(loaded.predict(X), est.predict(X))
    with pytest.raises(TypeError, match="Cannot save parameter module"):
        save(HamiltonianRegressor(module=QuadraticEnergy()), tmp_path / "i.pt")


def test_optimizer_arguments_reach_the_optimizer_and_survive_clone():
    X, y = _spring()
    est = HamiltonianRegressor(
        **SMALL, optimizer="sgd", optimizer__momentum=0.9, optimizer__nesterov=True
    )
    params = est.get_params()
    assert params["optimizer__momentum"] == 0.9
    est.fit(X, y)
    group = est.net_.optimizer_.param_groups[0]
    assert group["momentum"] == 0.9 and group["nesterov"] is True
    copy = clone(est)
    assert copy.get_params()["optimizer__momentum"] == 0.9
    assert_array_equal(copy.fit(X, y).predict(X), est.predict(X))
    # Set later, as a search does.
    adam = HamiltonianRegressor(**SMALL).set_params(optimizer__betas=(0.8, 0.9))
    assert adam.fit(X, y).net_.optimizer_.param_groups[0]["betas"] == (0.8, 0.9)


def test_grid_search_over_an_optimizer_argument():
    X, y = _spring()
    est = HamiltonianRegressor(**{**SMALL, "max_epochs": 5}, optimizer="sgd")
    search = GridSearchCV(est, {"optimizer__momentum": [0.0, 0.9]}, cv=2).fit(X, y)
    assert search.best_params_["optimizer__momentum"] in (0.0, 0.9)
    assert search.best_estimator_.net_.optimizer_.param_groups[0]["momentum"] in (
        0.0,
        0.9,
    )


def test_an_optimizer_argument_it_does_not_take_is_refused_before_anything_changes():
    X, y = _spring()
    est = HamiltonianRegressor(**SMALL).fit(X, y)
    net = est.net_
    est.set_params(optimizer__momentum=0.9)  # Adam has no momentum
    with pytest.raises(ValueError, match=r"optimizer__momentum .* takes no argument"):
        est.fit(X, y)
    assert est.net_ is net
    with pytest.raises(TypeError, match="unexpected keyword argument 'momentum'"):
        HamiltonianRegressor(momentum=0.9)


def test_no_hidden_layer_is_refused_at_fit_before_anything_changes():
    X, y = _spring()
    est = HamiltonianRegressor(**SMALL).fit(X, y)
    before = est.predict(X)
    est.set_params(hidden_layer_sizes=())
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        est.fit(X, y)
    assert_array_equal(est.predict(X), before)


def test_relu_warns_once_per_fit_for_a_hamiltonian_model():
    X, y = _spring()
    with pytest.warns(UserWarning, match="no useful second derivative") as caught:
        HamiltonianRegressor(**{**SMALL, "activation": "relu"}).fit(X, y)
    assert len([w for w in caught if "second derivative" in str(w.message)]) == 1
    with pytest.warns(UserWarning, match="no useful second derivative"):
        HamiltonianRegressor(**{**SMALL, "activation": torch.nn.LeakyReLU}).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        HamiltonianRegressor(**SMALL).fit(X, y)  # tanh: no warning
        BaselineDynamicsRegressor(**{**SMALL, "activation": "relu"}).fit(X, y)


def test_the_objective_is_a_parameter_reachable_by_name_or_instance():
    X, y = _spring()
    by_name = HamiltonianRegressor(**SMALL).fit(X, y)
    by_instance = HamiltonianRegressor(**SMALL, objective=DerivativeMatching()).fit(
        X, y
    )
    assert_array_equal(by_name.predict(X), by_instance.predict(X))
    with pytest.raises(ValueError, match="'objective' parameter"):
        HamiltonianRegressor(**SMALL, objective="rollouts").fit(X, y)


def test_a_field_subclass_that_changes_the_dynamics_is_not_frozen():
    class Damped(HamiltonianField):
        def forward(self, x):
            return super().forward(x) - 0.1 * x

    module = Damped(2, (8,))
    wrapped = Normalization().wrap(module)
    field, frozen = wrapped.field("forward")
    assert not frozen
    x = torch.randn(4, 2, dtype=torch.float64)
    with torch.no_grad():
        assert_allclose(field(x).numpy(), module(x.float()).double().numpy(), rtol=1e-6)
    assert HamiltonianField(2, (8,)).freeze("forward") is not None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"optimizer__lr": 0.5}, "optimizer__lr is set, but lr is the estimator's"),
        ({"optimizer__weight_decay": 0.1}, "set that instead"),
        ({"optimizer__params": []}, "the network's weights"),
        ({"module__scale": 0.5}, r"module__ arguments \['scale'\] are set, but"),
        (
            {"module": QuadraticEnergy, "module__width": 3},
            r"module=QuadraticEnergy cannot be built with module__ arguments",
        ),
        ({"activation": torch.nn.Linear}, "activation=Linear cannot be built"),
    ],
)
def test_prefixed_and_class_parameters_that_cannot_work_are_refused_first(
    params, message
):
    X, y = _spring()
    est = HamiltonianRegressor(**SMALL).fit(X, y)
    net = est.net_
    est.set_params(**params)
    with pytest.raises(ValueError, match=message):
        est.fit(X, y)
    assert est.net_ is net


def test_a_family_without_kwargs_takes_no_prefixed_parameters():
    class NoKwargs(HamiltonianRegressor):
        def __init__(self, lr=1e-3):
            self.lr = lr

    with pytest.raises(ValueError, match="Invalid parameter 'optimizer__momentum'"):
        NoKwargs().set_params(optimizer__momentum=0.9)


def test_changed_optimizer_arguments_apply_when_training_continues(tmp_path):
    X, y = _spring()
    est = HamiltonianRegressor(**SMALL, optimizer="sgd", optimizer__momentum=0.9)
    est.fit(X, y)
    save(est, tmp_path / "m.pt")
    est.set_params(optimizer__momentum=0.1).partial_fit(X, y)
    assert est.net_.optimizer_.param_groups[0]["momentum"] == 0.1
    loaded = load(tmp_path / "m.pt")
    assert loaded.net_.optimizer_.param_groups[0]["momentum"] == 0.9
    loaded.set_params(optimizer__momentum=0.2).partial_fit(X, y)
    assert loaded.net_.optimizer_.param_groups[0]["momentum"] == 0.2


def test_an_objective_instance_is_copied_at_fit():
    X, y = _spring()
    objective = DerivativeMatching()
    est = HamiltonianRegressor(**SMALL, objective=objective).fit(X, y)
    assert est.net_.objective is not objective
    assert isinstance(est.net_.objective, DerivativeMatching)


def test_a_refused_continuation_leaves_a_random_state_as_it_was():
    X, y = _spring()
    rng = np.random.RandomState(0)
    est = HamiltonianRegressor(**{**SMALL, "random_state": rng}).fit(X, y)
    before = rng.get_state()[1].copy(), rng.get_state()[2]
    with pytest.raises(ValueError, match="X has 4 features"):
        est.partial_fit(np.hstack([X, X]), np.hstack([y, y]))
    after = rng.get_state()
    assert_array_equal(after[1], before[0])
    assert after[2] == before[1]


def test_the_relu_warning_points_at_the_callers_line_and_only_at_fit():
    X, y = _spring()
    est = HamiltonianRegressor(**{**SMALL, "activation": "relu"})
    with pytest.warns(UserWarning, match="no useful second derivative") as caught:
        est.fit(X, y)
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.partial_fit(X, y)  # continuing: said already
