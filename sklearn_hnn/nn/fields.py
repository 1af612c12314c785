"""Vector fields ``dx/dt = f(x)`` learned by neural networks.

State convention: a state ``x`` has ``2d`` entries ``[q_1 ... q_d, p_1 ... p_d]``,
positions first, then momenta. Every field maps a tensor of shape ``(..., D)`` to a
tensor of the same shape.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sklearn_hnn.nn.mlp import make_mlp


class DirectField(nn.Module):
    """A network that predicts the time derivative directly (the paper's baseline).

    Parameters
    ----------
    n_features : int
        Width of the state.
    n_outputs : int or None, default=None
        Width of the output; ``None`` means ``n_features`` (a vector field).
    hidden_layer_sizes : sequence of int, default=(200, 200)
        Widths of the hidden layers.
    activation : str, default="tanh"
        Activation after each hidden layer.
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int | None = None,
        hidden_layer_sizes: Sequence[int] = (200, 200),
        activation: str = "tanh",
    ) -> None:
        super().__init__()
        n_outputs = n_features if n_outputs is None else n_outputs
        self.net = make_mlp(n_features, hidden_layer_sizes, n_outputs, activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the predicted ``dx/dt``, shape ``(..., n_outputs)``."""
        return self.net(x)


class HamiltonianField(nn.Module):
    """The symplectic gradient of a learned scalar energy ``H_theta(q, p)``.

    ``forward(x)`` returns ``(dH/dp, -dH/dq)``, the dynamics of Hamilton's
    equations, computed by automatic differentiation of the network ``H_theta``
    (Greydanus, Dzamba & Yosinski, 2019).

    The input gradient is always taken under :func:`torch.enable_grad`, so the
    field also works inside ``torch.no_grad()`` (skorch's validation and
    prediction). The graph of that gradient is kept (``create_graph=True``) only
    when the caller has gradients enabled, which is what training needs for the
    loss to reach the weights; under ``no_grad`` the result is detached and cheap.

    Parameters
    ----------
    n_features : int
        Width of the state, ``2d``; must be even.
    hidden_layer_sizes : sequence of int, default=(200, 200)
        Widths of the hidden layers of ``H_theta``.
    activation : str, default="tanh"
        Activation after each hidden layer; it should be smooth.

    Examples
    --------
    >>> import torch
    >>> field = HamiltonianField(2, (32,))
    >>> x = torch.randn(4, 2)
    >>> field(x).shape, field.energy(x).shape
    (torch.Size([4, 2]), torch.Size([4]))
    """

    def __init__(
        self,
        n_features: int,
        hidden_layer_sizes: Sequence[int] = (200, 200),
        activation: str = "tanh",
    ) -> None:
        super().__init__()
        if n_features % 2:
            raise ValueError(
                f"n_features must be even ([q, p] pairs); got {n_features}."
            )
        self.n_dof = n_features // 2
        # No output bias: a constant offset of H changes none of its derivatives,
        # so it would never be trained.
        self.hamiltonian = make_mlp(
            n_features, hidden_layer_sizes, 1, activation, output_bias=False
        )

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        """Learned energy ``H_theta(x)``, shape ``(...)``."""
        return self.hamiltonian(x).squeeze(-1)

    def gradient(self, x: torch.Tensor) -> torch.Tensor:
        """``(dH/dq, dH/dp)``, the plain gradient of the learned energy.

        Following it (rather than the symplectic field) increases ``H``; this is
        the "adding energy" field of the paper's section 6.
        """
        create_graph = torch.is_grad_enabled()
        with torch.enable_grad():
            if not x.requires_grad:
                x = x.detach().requires_grad_(True)
            energy = self.hamiltonian(x).sum()
            (grad,) = torch.autograd.grad(energy, x, create_graph=create_graph)
        return grad

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Hamilton's equations: ``(dq/dt, dp/dt) = (dH/dp, -dH/dq)``."""
        grad = self.gradient(x)
        dh_dq, dh_dp = grad[..., : self.n_dof], grad[..., self.n_dof :]
        return torch.cat([dh_dp, -dh_dq], dim=-1)
