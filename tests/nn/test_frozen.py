"""Frozen fields compute exactly what the modules compute, in fewer operations."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.nn import ACTIVATIONS, DirectField, HamiltonianField
from sklearn_hnn.nn import normalization as estimator_base
from sklearn_hnn.nn.frozen import freeze_field
from sklearn_hnn.nn.mlp import SIGMOID_TANH_MIN_NUMEL

OFFSET = [0.3, -1.2, 2.0, 0.5]
X_SCALE, Y_SCALE = 1.7, 0.4


def _plain(module, method, x, offset=OFFSET, x_scale=X_SCALE, y_scale=Y_SCALE):
    """The reference: the module's own method, in float64 throughout."""
    reference = module.double()
    z = (x.double() - torch.tensor(offset, dtype=torch.float64)) / x_scale
    with torch.no_grad():
        out = y_scale * getattr(reference, method)(z)
    module.float()
    return out


def _field(kind, activation, hidden, seed=0):
    torch.manual_seed(seed)
    if kind == "direct":
        return DirectField(4, hidden_layer_sizes=hidden, activation=activation)
    return HamiltonianField(4, hidden_layer_sizes=hidden, activation=activation)


CASES = [("hamiltonian", "forward"), ("hamiltonian", "gradient"), ("direct", "forward")]


@pytest.mark.parametrize(("kind", "method"), CASES)
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("hidden", [(32,), (32, 16), (16, 16, 8)])
def test_frozen_field_equals_the_module(kind, method, activation, hidden):
    module = _field(kind, activation, hidden)
    frozen = freeze_field(
        module, method, offset=OFFSET, x_scale=X_SCALE, y_scale=Y_SCALE
    )
    x = torch.randn(7, 4, dtype=torch.float64)
    got = frozen(x)
    assert got.dtype == torch.float64 and got.shape == (7, 4)
    # float32 weights and activations, float64 reference: float32 rounding.
    assert_allclose(
        got.numpy(), _plain(module, method, x).numpy(), rtol=2e-5, atol=2e-6
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("n", [1, 3, 2 * SIGMOID_TANH_MIN_NUMEL // 64])
def test_frozen_field_keeps_the_dtype_at_any_batch_size(dtype, n):
    module = _field("hamiltonian", "tanh", (64, 64))
    frozen = freeze_field(module, "forward", offset=OFFSET, x_scale=X_SCALE)
    x = torch.randn(n, 4, dtype=dtype)
    got = frozen(x)
    assert got.dtype == dtype
    want = _plain(module, "forward", x, y_scale=1.0)
    assert_allclose(got.double().numpy(), want.numpy(), rtol=3e-5, atol=3e-6)


@pytest.mark.parametrize(("kind", "method"), CASES)
def test_large_batches_are_evaluated_in_chunks_with_the_same_result(kind, method):
    module = _field(kind, "tanh", (32, 32))
    frozen = freeze_field(module, method, offset=OFFSET, x_scale=X_SCALE)
    x = torch.randn(1000, 4, dtype=torch.float64)
    whole = frozen(x)
    frozen.chunk_rows = 64  # 15 full chunks and a partial one
    chunked = frozen(x)
    assert chunked.shape == whole.shape
    # float32 matrix kernels round differently for different batch sizes.
    assert_allclose(chunked.numpy(), whole.numpy(), rtol=1e-5, atol=1e-6)


def test_a_large_offset_is_removed_in_the_precision_of_the_state():
    module = _field("hamiltonian", "tanh", (32,))
    offset = [1e6, -1e6, 1e6, 2e6]
    frozen = freeze_field(module, "forward", offset=offset, x_scale=1e-3)
    x = torch.tensor(offset, dtype=torch.float64) + 1e-3 * torch.randn(5, 4).double()
    want = _plain(module, "forward", x, offset=offset, x_scale=1e-3, y_scale=1.0)
    assert_allclose(frozen(x).numpy(), want.numpy(), rtol=2e-5, atol=2e-6)


def test_frozen_field_is_a_snapshot_of_the_weights():
    module = _field("hamiltonian", "tanh", (16,))
    frozen = freeze_field(module, "forward")
    x = torch.randn(4, 4)
    before = frozen(x).clone()
    with torch.no_grad():
        for p in module.parameters():
            p.add_(1.0)
    assert torch.equal(frozen(x), before)


def test_fields_that_cannot_be_frozen_are_left_to_the_module():
    assert freeze_field(_field("hamiltonian", "tanh", ()), "forward") is None
    assert freeze_field(_field("direct", "tanh", (8,)), "gradient") is None
    assert freeze_field(torch.nn.Linear(4, 4), "forward") is None
    custom = _field("hamiltonian", "tanh", (8,))
    custom.hamiltonian[1] = torch.nn.Hardtanh()  # no explicit derivative
    assert freeze_field(custom, "forward") is None


def test_a_direct_field_needs_no_derivative_of_its_activation():
    module = _field("direct", "tanh", (8, 8))
    module.net[1] = torch.nn.Hardtanh()
    frozen = freeze_field(module, "forward", offset=OFFSET, x_scale=X_SCALE)
    x = torch.randn(6, 4, dtype=torch.float64)
    want = _plain(module, "forward", x, y_scale=1.0)
    assert_allclose(frozen(x).numpy(), want.numpy(), rtol=2e-5, atol=2e-6)


# ------------------------------------------------------------ through simulate


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(128, 2)) * [3.0, 50.0] + [10.0, 0.0]
    y = np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)
    small = {"hidden_layer_sizes": (32, 32), "max_epochs": 20, "random_state": 0}
    return X, {
        cls: cls(**small, normalize=True).fit(X, y)
        for cls in (HamiltonianRegressor, BaselineDynamicsRegressor)
    }


@pytest.mark.parametrize(
    ("cls", "method"),
    [
        *(
            (HamiltonianRegressor, m)
            for m in ("rk4", "dopri5", "tao", "implicit_midpoint")
        ),
        *((BaselineDynamicsRegressor, m) for m in ("rk4", "dopri5")),
    ],
)
@pytest.mark.parametrize("n", [1, 300])
def test_simulate_with_the_frozen_field_matches_the_module_path(
    fitted, cls, method, n, monkeypatch
):
    X, models = fitted
    est = models[cls]
    x0 = X[:n]
    t = np.linspace(0.0, 0.5, 11)
    fast = est.simulate(x0, t, method=method)
    monkeypatch.setattr(estimator_base, "freeze_field", lambda *a, **k: None)
    plain = est.simulate(x0, t, method=method)
    scale = np.abs(plain).max(axis=-2, keepdims=True)
    assert_allclose(fast / scale, plain / scale, rtol=0, atol=1e-5)


def test_simulate_follows_the_gradient_field_frozen_too(fitted, monkeypatch):
    X, models = fitted
    est = models[HamiltonianRegressor]
    t = np.linspace(0.0, 0.2, 5)
    fast = est.simulate(X[:4], t, field="gradient")
    monkeypatch.setattr(estimator_base, "freeze_field", lambda *a, **k: None)
    plain = est.simulate(X[:4], t, field="gradient")
    assert_allclose(fast, plain, rtol=1e-5, atol=1e-5 * np.abs(plain).max())


@pytest.mark.parametrize(("n", "expected"), [(1, 1), (256, None)])
def test_simulate_runs_small_batches_on_one_thread(fitted, monkeypatch, n, expected):
    X, models = fitted
    est = models[HamiltonianRegressor]
    before = torch.get_num_threads()
    if before < 2:
        torch.set_num_threads(2)
    seen = []
    learned_field = est._vector_field

    def spying_field(field):
        learned, frozen = learned_field(field)

        def spy(x):
            seen.append(torch.get_num_threads())
            return learned(x)

        return spy, frozen

    monkeypatch.setattr(est, "_vector_field", spying_field)
    threads = torch.get_num_threads()
    try:
        est.simulate(np.resize(X, (n, 2)), np.linspace(0.0, 0.1, 3))
    finally:
        after = torch.get_num_threads()
        torch.set_num_threads(before)
    assert set(seen) == {expected or threads}
    assert after == threads  # restored
