from __future__ import annotations

import pytest
import torch
from numpy.testing import assert_allclose

from sklearn_hnn.nn import ACTIVATIONS, DirectField, HamiltonianField, make_mlp


def test_make_mlp_shapes_and_orthogonal_weights():
    net = make_mlp(4, (16, 8), 3, "softplus")
    assert net(torch.zeros(5, 4)).shape == (5, 3)
    linear = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linear] == [16, 8, 3]
    w = linear[1].weight.detach()  # 8 x 16: orthonormal rows
    assert_allclose((w @ w.T).numpy(), torch.eye(8).numpy(), atol=1e-5)
    assert sum(isinstance(m, ACTIVATIONS["softplus"]) for m in net) == 2


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
