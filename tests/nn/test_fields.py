from __future__ import annotations

import pytest
import torch
from numpy.testing import assert_allclose

from sklearn_hnn.nn import (
    ACTIVATIONS,
    DirectField,
    HamiltonianField,
    Tanh,
    make_mlp,
    mlp_input_gradient,
)


def test_make_mlp_shapes_and_orthogonal_weights():
    net = make_mlp(4, (16, 8), 3, "softplus")
    assert net(torch.zeros(5, 4)).shape == (5, 3)
    linear = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linear] == [16, 8, 3]
    w = linear[1].weight.detach()  # 8 x 16: orthonormal rows
    assert_allclose((w @ w.T).numpy(), torch.eye(8).numpy(), atol=1e-5)
    assert sum(isinstance(m, ACTIVATIONS["softplus"]) for m in net) == 2


def test_tanh_matches_torch_tanh_with_and_without_autograd():
    x = torch.linspace(-12, 12, 10001)
    with torch.no_grad():
        assert_allclose(Tanh()(x).numpy(), torch.tanh(x).numpy(), rtol=0, atol=3e-7)
    xg = x.clone().requires_grad_(True)
    out = Tanh()(xg)
    assert torch.equal(out, torch.tanh(x))
    out.sum().backward()
    assert_allclose(xg.grad.numpy(), (1 - torch.tanh(x) ** 2).numpy(), atol=1e-6)


def test_make_mlp_without_output_bias():
    net = make_mlp(2, (4,), 1, output_bias=False)
    assert net[-1].bias is None and net[0].bias is not None


def test_every_hamiltonian_parameter_is_trained():
    field = HamiltonianField(2, (8, 8))
    field(torch.randn(5, 2)).square().sum().backward()
    assert all(
        p.grad is not None and p.grad.abs().sum() > 0 for p in field.parameters()
    )


def test_make_mlp_rejects_unknown_activation():
    with pytest.raises(ValueError, match="activation must be one of"):
        make_mlp(2, (4,), 1, "cubic")


def test_hamiltonian_field_is_the_symplectic_gradient():
    torch.manual_seed(0)
    field = HamiltonianField(4, (16,))
    x = torch.randn(6, 4, requires_grad=True)
    (grad,) = torch.autograd.grad(field.energy(x).sum(), x)
    expected = torch.cat([grad[:, 2:], -grad[:, :2]], dim=1)
    assert_allclose(field(x).detach().numpy(), expected.numpy(), rtol=1e-6)
    assert_allclose(field.gradient(x).detach().numpy(), grad.numpy(), rtol=1e-6)


def test_hamiltonian_field_conserves_its_energy_to_first_order():
    torch.manual_seed(0)
    field = HamiltonianField(2, (16,))
    x = torch.randn(10, 2)
    # dH/dt = grad H . J grad H = 0
    assert_allclose(
        (field.gradient(x) * field(x)).sum(-1).detach().numpy(), 0, atol=1e-6
    )


def test_gradient_flows_to_an_upstream_encoder():
    torch.manual_seed(0)
    encoder = torch.nn.Linear(3, 2)
    field = HamiltonianField(2, (8,))
    field(encoder(torch.randn(5, 3))).square().sum().backward()
    assert encoder.weight.grad is not None and encoder.weight.grad.abs().sum() > 0


def test_hamiltonian_field_rejects_odd_width():
    with pytest.raises(ValueError, match="n_features must be even"):
        HamiltonianField(3)


def test_direct_field_default_output_width():
    assert DirectField(3, hidden_layer_sizes=(4,))(torch.zeros(2, 3)).shape == (2, 3)
    assert DirectField(3, 1, (4,))(torch.zeros(2, 3)).shape == (2, 1)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_explicit_input_gradient_matches_autograd(activation):
    torch.manual_seed(0)
    field = HamiltonianField(4, (16, 8), activation).double()
    assert field._explicit_gradient
    x = torch.randn(7, 4, dtype=torch.float64, requires_grad=True)
    (expected,) = torch.autograd.grad(field.energy(x).sum(), x)
    explicit = mlp_input_gradient(field.hamiltonian, x)
    assert_allclose(explicit.detach().numpy(), expected.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("hidden", [(), (5,), (6, 4, 3)])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)])
def test_explicit_input_gradient_any_depth_and_batch_shape(hidden, shape):
    torch.manual_seed(0)
    field = HamiltonianField(4, hidden).double()
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    (expected,) = torch.autograd.grad(field.energy(x).sum(), x)
    explicit = mlp_input_gradient(field.hamiltonian, x)
    assert explicit.shape == x.shape
    assert_allclose(explicit.detach().numpy(), expected.numpy(), rtol=1e-12, atol=1e-14)


def test_explicit_gradient_trains_like_double_backward():
    """Weight gradients of a loss on the field agree with autograd's double
    backward, so training is unchanged by the explicit path."""
    torch.manual_seed(0)
    field = HamiltonianField(2, (8, 8)).double()
    x = torch.randn(5, 2, dtype=torch.float64)
    field(x).square().sum().backward()
    explicit = [p.grad.clone() for p in field.parameters()]
    field.zero_grad()
    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(field.energy(xg).sum(), xg, create_graph=True)
    torch.cat([grad[:, 1:], -grad[:, :1]], 1).square().sum().backward()
    for a, p in zip(explicit, field.parameters(), strict=True):
        assert_allclose(a.numpy(), p.grad.numpy(), rtol=1e-10)


def test_other_energy_modules_fall_back_to_autograd():
    torch.manual_seed(0)
    field = HamiltonianField(2, (8,))
    field.hamiltonian = torch.nn.Sequential(
        torch.nn.Linear(2, 8), torch.nn.Softplus(beta=2.0), torch.nn.Linear(8, 1)
    )
    assert not field._explicit_gradient
    x = torch.randn(4, 2, requires_grad=True)
    (expected,) = torch.autograd.grad(field.energy(x).sum(), x)
    with torch.no_grad():
        assert_allclose(field.gradient(x).numpy(), expected.numpy(), rtol=1e-6)
