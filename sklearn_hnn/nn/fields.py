"""Vector fields ``dx/dt = f(x)`` learned by neural networks.

State convention: a state ``x`` has ``2d`` entries ``[q_1 ... q_d, p_1 ... p_d]``,
positions first, then momenta. Every field maps a tensor of shape ``(..., D)`` to a
tensor of the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from sklearn_hnn.nn.mlp import Tanh, make_mlp

_SQRT_HALF = 0.5**0.5
_INV_SQRT_2PI = (2.0 * torch.pi) ** -0.5


def _tanh_slope(a: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    return 1.0 - h * h


#: Derivative of each supported activation, from its input ``a`` and output ``h``.
ACTIVATION_DERIVATIVES: dict[type[nn.Module], Callable] = {
    nn.Tanh: _tanh_slope,
    Tanh: _tanh_slope,
    nn.Sigmoid: lambda a, h: h * (1.0 - h),
    nn.Softplus: lambda a, h: torch.sigmoid(a),
    nn.SiLU: lambda a, h: torch.sigmoid(a) * (1.0 + a * (1.0 - torch.sigmoid(a))),
    nn.ELU: lambda a, h: torch.where(a > 0, torch.ones_like(a), h + 1.0),
    nn.ReLU: lambda a, h: (a > 0).to(a.dtype),
    nn.GELU: lambda a, h: (
        0.5 * (1.0 + torch.erf(a * _SQRT_HALF))
        + a * _INV_SQRT_2PI * torch.exp(-0.5 * a * a)
    ),
}


def _is_explicit_mlp(module: nn.Module) -> bool:
    """Whether ``module`` is a scalar MLP that :func:`mlp_input_gradient` handles."""
    if not isinstance(module, nn.Sequential) or len(module) % 2 != 1:
        return False
    linears, activations = list(module)[::2], list(module)[1::2]
    return (
        all(type(m) is nn.Linear for m in linears)
        and linears[-1].out_features == 1
        and all(
            type(m) in ACTIVATION_DERIVATIVES
            and (type(m) is not nn.Softplus or (m.beta == 1 and m.threshold >= 20))
            and (type(m) is not nn.ELU or m.alpha == 1.0)
            and (type(m) is not nn.GELU or m.approximate == "none")
            for m in activations
        )
    )


def mlp_input_gradient(mlp: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """Gradient of a scalar MLP with respect to its input, by explicit chain rule.

    One forward pass stores each activation's slope; one backward sweep of
    matrix products then gives ``dH/dx``. Every operation is an ordinary torch
    operation, so under ``torch.no_grad()`` no graph is built at all, and when
    gradients are enabled, training needs only first-order autograd through
    this computation (no double backward).

    Parameters
    ----------
    mlp : torch.nn.Sequential
        Alternating ``Linear`` and activation modules ending in a ``Linear``
        with one output, as built by :func:`make_mlp`.
    x : torch.Tensor of shape (..., n_inputs)
        Inputs of the MLP.

    Returns
    -------
    torch.Tensor of shape (..., n_inputs)
        Gradient of the MLP's output with respect to ``x``, at every input.
    """
    layers = list(mlp)
    slopes = []
    h = x
    for linear, activation in zip(layers[:-1:2], layers[1::2], strict=True):
        a = nn.functional.linear(h, linear.weight, linear.bias)
        h = activation(a)
        slopes.append(ACTIVATION_DERIVATIVES[type(activation)](a, h))
    grad = layers[-1].weight[0]  # (width,): dH/dh of the last hidden layer
    for linear, slope in zip(reversed(layers[:-1:2]), reversed(slopes), strict=True):
        grad = (grad * slope) @ linear.weight
    return grad.expand_as(x)


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
        """Return the predicted ``dx/dt``, shape ``(..., n_outputs)``.

        Parameters
        ----------
        x : torch.Tensor of shape (..., n_features)
            States.

        Returns
        -------
        torch.Tensor of shape (..., n_outputs)
            The predicted time derivatives.
        """
        return self.net(x)


class HamiltonianField(nn.Module):
    """The symplectic gradient of a learned scalar energy ``H_theta(q, p)``.

    ``forward(x)`` returns ``(dH/dp, -dH/dq)``, the dynamics of Hamilton's
    equations, obtained by differentiating the network ``H_theta`` with respect
    to its input (Greydanus, Dzamba & Yosinski, 2019).

    For MLP energies with the activations of :data:`ACTIVATION_DERIVATIVES`,
    ``dH/dx`` is computed by an explicit chain rule
    (:func:`mlp_input_gradient`): no graph under ``torch.no_grad()``, and only
    first-order autograd in training. Any other ``hamiltonian`` module gets its
    input gradient by autograd, taken under :func:`torch.enable_grad` so it also
    works inside ``no_grad`` (skorch's validation and prediction), with its
    graph kept (``create_graph=True``) only when the caller has gradients
    enabled, which is what training needs.

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

    @property
    def _explicit_gradient(self) -> bool:
        return _is_explicit_mlp(self.hamiltonian)

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        """Learned energy ``H_theta(x)``, shape ``(...)``.

        Parameters
        ----------
        x : torch.Tensor of shape (..., 2d)
            States ``[q, p]``.

        Returns
        -------
        torch.Tensor of shape (...)
            The energy of each state.
        """
        return self.hamiltonian(x).squeeze(-1)

    def gradient(self, x: torch.Tensor) -> torch.Tensor:
        """``(dH/dq, dH/dp)``, the plain gradient of the learned energy.

        Following it (rather than the symplectic field) increases ``H``; this is
        the "adding energy" field of the paper's section 6.

        Parameters
        ----------
        x : torch.Tensor of shape (..., 2d)
            States ``[q, p]``.

        Returns
        -------
        torch.Tensor of shape (..., 2d)
            ``dH/dx`` at each state.
        """
        if self._explicit_gradient:
            return mlp_input_gradient(self.hamiltonian, x)
        create_graph = torch.is_grad_enabled()
        with torch.enable_grad():
            if not x.requires_grad:
                x = x.detach().requires_grad_(True)
            energy = self.hamiltonian(x).sum()
            (grad,) = torch.autograd.grad(energy, x, create_graph=create_graph)
        return grad

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Hamilton's equations: ``(dq/dt, dp/dt) = (dH/dp, -dH/dq)``.

        Parameters
        ----------
        x : torch.Tensor of shape (..., 2d)
            States ``[q, p]``.

        Returns
        -------
        torch.Tensor of shape (..., 2d)
            The time derivatives ``(dq/dt, dp/dt)`` of the states.
        """
        grad = self.gradient(x)
        dh_dq, dh_dp = grad[..., : self.n_dof], grad[..., self.n_dof :]
        return torch.cat([dh_dp, -dh_dq], dim=-1)
