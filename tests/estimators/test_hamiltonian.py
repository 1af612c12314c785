"""HamiltonianRegressor: what it learns and how its rollouts behave."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from skorch.callbacks import EarlyStopping

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.datasets import make_spring_dataset
from sklearn_hnn.integrate import METHODS
from tests.conftest import FAST, spring_energy

T_LONG = np.linspace(0.0, 20.0, 201)
X0 = np.array([[0.8, 0.0], [0.0, -0.5], [0.3, 0.4]])


def test_learns_the_spring_field(fitted_hnn, spring_data):
    X, dXdt = spring_data
    assert fitted_hnn.score(X, dXdt) > 0.99
    X_new = np.random.default_rng(5).uniform(-0.9, 0.9, size=(200, 2))
    assert (
        fitted_hnn.score(X_new, np.stack([2 * X_new[:, 1], -2 * X_new[:, 0]], 1)) > 0.99
    )


def test_learned_energy_matches_true_energy_up_to_a_constant(fitted_hnn, spring_data):
    X, _ = spring_data
    learned, true = fitted_hnn.energy(X), spring_energy(X)
    assert learned.shape == (len(X),)
    assert np.corrcoef(learned, true)[0, 1] > 0.99
    # The same scale, not only correlated: what is left is a constant.
    assert np.std(learned - true) < 0.05 * np.std(true)


def test_rollout_conserves_true_energy_far_better_than_baseline():
    data = make_spring_dataset(random_state=0)
    settings = {
        "hidden_layer_sizes": (64, 64),
        "lr": 3e-3,
        "max_epochs": 400,
        "random_state": 0,
    }
    hnn = HamiltonianRegressor(**settings).fit(data.X_train, data.dXdt_train)
    base = BaselineDynamicsRegressor(**settings).fit(data.X_train, data.dXdt_train)
    x0 = data.initial_states[data.n_train :]
    errors = {}
    for name, model in (("hnn", hnn), ("baseline", base)):
        traj = model.simulate(x0, T_LONG, substeps=5)
        errors[name] = np.mean((spring_energy(traj) - spring_energy(x0)[:, None]) ** 2)
    assert errors["hnn"] * 10 < errors["baseline"], errors


@pytest.mark.parametrize("method", ["rk4", "dopri5", "scipy"])
def test_forward_then_backward_returns_to_x0(fitted_hnn, method):
    t = np.linspace(0.0, 5.0, 51)
    kwargs = {"substeps": 10, "rtol": 1e-9, "atol": 1e-10}
    forward = fitted_hnn.simulate(X0, t, method=method, **kwargs)
    backward = fitted_hnn.simulate(forward[:, -1], t[::-1], method=method, **kwargs)
    assert_allclose(backward[:, -1], X0, atol=1e-4)
    assert_allclose(backward[:, ::-1], forward, atol=1e-4)
    assert np.abs(forward[:, -1] - X0).max() > 0.1  # it did move


@pytest.mark.parametrize("method", METHODS)
def test_batched_simulate_equals_one_by_one(fitted_hnn, method):
    t = np.linspace(0.0, 3.0, 31)
    kwargs = {"substeps": 4, "rtol": 1e-8, "atol": 1e-10}
    batched = fitted_hnn.simulate(X0, t, method=method, **kwargs)
    singles = np.stack([fitted_hnn.simulate(x, t, method=method, **kwargs) for x in X0])
    assert batched.shape == (3, 31, 2) and singles.shape == (3, 31, 2)
    assert_allclose(batched, singles, atol=1e-5)


def test_methods_agree_on_the_learned_field(fitted_hnn):
    t = np.linspace(0.0, 3.0, 7)
    reference = fitted_hnn.simulate(X0, t, method="rk4", substeps=200)
    for method, kwargs in [
        ("dopri5", {"rtol": 1e-9, "atol": 1e-10}),
        ("scipy", {"rtol": 1e-9, "atol": 1e-10}),
        ("midpoint", {"substeps": 200}),
    ]:
        assert_allclose(
            fitted_hnn.simulate(X0, t, method=method, **kwargs),
            reference,
            atol=1e-4,
            err_msg=method,
        )


def test_rollout_conserves_learned_energy(fitted_hnn):
    traj = fitted_hnn.simulate(X0, T_LONG, method="rk4", substeps=10)
    energy = fitted_hnn.energy(traj.reshape(-1, 2)).reshape(3, -1)
    assert np.ptp(energy, axis=1).max() < 1e-3 * np.ptp(fitted_hnn.energy(X0))


def test_gradient_field_adds_energy_forward_and_removes_it_backward(fitted_hnn):
    t = np.linspace(0.0, 0.5, 11)
    up = fitted_hnn.simulate(X0, t, field="gradient", substeps=5)
    down = fitted_hnn.simulate(X0, -t, field="gradient", substeps=5)
    h0 = fitted_hnn.energy(X0)
    h_up = fitted_hnn.energy(up[:, -1])
    h_down = fitted_hnn.energy(down[:, -1])
    assert np.all(h_up > h0 + 0.1) and np.all(h_down < h0)
    assert np.all(np.diff(fitted_hnn.energy(up[0])) > 0)  # monotonic along the path
    symplectic = fitted_hnn.simulate(X0, t, field="symplectic", substeps=5)
    assert_allclose(fitted_hnn.energy(symplectic[:, -1]), h0, atol=1e-3)


def test_simulate_shapes_and_first_state(fitted_hnn):
    single = fitted_hnn.simulate([0.5, 0.0], [0.0, 0.5, 1.0])
    assert single.shape == (3, 2)
    assert_allclose(single[0], [0.5, 0.0])
    batch = fitted_hnn.simulate(X0, [0.0, 0.5, 1.0])
    assert batch.shape == (3, 3, 2)
    assert_allclose(batch[:, 0], X0)
    assert fitted_hnn.simulate(X0, [2.0]).shape == (3, 1, 2)


def test_two_degrees_of_freedom():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(400, 4))
    # H = q1^2 + p1^2 + 2 (q2^2 + p2^2): independent oscillators
    omega = np.array([2.0, 4.0])
    dXdt = np.concatenate([omega * X[:, 2:], -omega * X[:, :2]], axis=1)
    est = HamiltonianRegressor(**FAST, random_state=0).fit(X, dXdt)
    assert est.score(X, dXdt) > 0.98
    assert est.simulate(X[:5], np.linspace(0, 1, 4)).shape == (5, 4, 4)


def test_skorch_callbacks_and_validation_are_used(spring_data):
    X, dXdt = spring_data
    est = HamiltonianRegressor(
        hidden_layer_sizes=(16,),
        lr=1e-2,
        max_epochs=500,
        validation_fraction=0.2,
        callbacks=[EarlyStopping(patience=3, threshold=0.5)],
        random_state=0,
    ).fit(X, dXdt)
    assert "valid_loss" in est.history_[-1]
    assert len(est.history_) < 500
    assert np.isfinite(est.history_[:, "valid_loss"]).all()


def test_minibatch_training_takes_several_steps_per_epoch(spring_data):
    X, dXdt = spring_data
    est = HamiltonianRegressor(
        hidden_layer_sizes=(16,), max_epochs=2, batch_size=64, random_state=0
    ).fit(X, dXdt)
    assert len(est.history_[-1, "batches"]) == int(np.ceil(len(X) / 64))


def test_input_gradient_graph_is_kept_only_when_grad_is_enabled(fitted_hnn):
    module = fitted_hnn.module_
    x = torch.zeros(3, 2)
    with torch.no_grad():
        assert module(x).grad_fn is None
    out = module(x)
    out.sum().backward()
    assert all(p.grad is not None for p in module.parameters())
    module.zero_grad(set_to_none=True)


@pytest.mark.gpu
def test_cuda_training_and_simulation(spring_data):
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA device")
    X, dXdt = spring_data
    gpu = HamiltonianRegressor(**FAST, device="cuda", random_state=0).fit(X, dXdt)
    assert next(gpu.module_.parameters()).is_cuda
    assert gpu.score(X, dXdt) > 0.99
    cpu = HamiltonianRegressor(**FAST, random_state=0).fit(X, dXdt)
    t = np.linspace(0, 1, 11)
    assert_allclose(gpu.simulate(X0, t), cpu.simulate(X0, t), atol=5e-2)
