"""Vector fields ``dx/dt = f(x)`` learned by neural networks.

State convention: a state ``x`` has ``2d`` entries ``[q_1 ... q_d, p_1 ... p_d]``,
positions first, then momenta. Every field maps a tensor of shape ``(..., D)`` to a
tensor of the same shape.

Each field says whether and how it can be frozen for fast rollouts (its
``freeze`` method, see :func:`~sklearn_hnn.nn.freeze_field`); a subclass that
changes the dynamics is not frozen unless it says how.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sklearn_hnn.nn.frozen import Field, FrozenEnergyGradient, FrozenMLP
from sklearn_hnn.nn.mlp import (
    ACTIVATION_DERIVATIVES,
    Activation,
    is_explicit_mlp,
    make_mlp,
    mlp_input_gradient,
)

__all__ = [
    "ACTIVATION_DERIVATIVES",
    "DirectField",
    "HamiltonianField",
    "mlp_input_gradient",
]


def _overrides(module: nn.Module, base: type, names: Sequence[str]) -> bool:
    """Whether the class of ``module`` replaces any of ``base``'s ``names``."""
    return any(getattr(type(module), name) is not getattr(base, name) for name in names)


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
    activation : str or torch.nn.Module class, default="tanh"
        Activation after each hidden layer.
    net : torch.nn.Module or None, default=None
        A network of your own mapping ``(..., n_features)`` to
        ``(..., n_outputs)``, used instead of an MLP; ``hidden_layer_sizes``
        and ``activation`` are then unused.
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int | None = None,
        hidden_layer_sizes: Sequence[int] = (200, 200),
        activation: Activation = "tanh",
        net: nn.Module | None = None,
    ) -> None:
        super().__init__()
        n_outputs = n_features if n_outputs is None else n_outputs
        self.net = (
            make_mlp(n_features, hidden_layer_sizes, n_outputs, activation)
            if net is None
            else net
        )

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

    def freeze(
        self, method: str, *, offset=None, x_scale: float = 1.0, y_scale: float = 1.0
    ) -> Field | None:
        """The frozen field (see :func:`~sklearn_hnn.nn.freeze_field`), or None
        when this field cannot be frozen: a network that is not an MLP of
        ``Linear`` layers and activations, or a subclass with its own forward.

        Parameters
        ----------
        method : str
            ``"forward"``; any other name gives None.
        offset : sequence of float or None, default=None
            Per-column input offset.
        x_scale, y_scale : float, default=1.0
            Input and output scales.

        Returns
        -------
        callable or None
            The frozen field, mapping ``(n, D)`` states to ``(n, n_outputs)``.
        """
        if method != "forward" or _overrides(self, DirectField, ["forward"]):
            return None
        layers = list(self.net) if isinstance(self.net, nn.Sequential) else []
        if len(layers) % 2 != 1 or not all(type(m) is nn.Linear for m in layers[::2]):
            return None
        return FrozenMLP(self.net, offset, x_scale, y_scale)


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
    activation : str or torch.nn.Module class, default="tanh"
        Activation after each hidden layer; it should be smooth.
    hamiltonian : torch.nn.Module or None, default=None
        An energy network of your own, mapping ``(..., 2d)`` states to
        ``(..., 1)`` energies, used instead of an MLP; ``hidden_layer_sizes``
        and ``activation`` are then unused.

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
        activation: Activation = "tanh",
        hamiltonian: nn.Module | None = None,
    ) -> None:
        super().__init__()
        if n_features % 2:
            raise ValueError(
                f"n_features must be even ([q, p] pairs); got {n_features}."
            )
        self.n_dof = n_features // 2
        # No output bias: a constant offset of H changes none of its derivatives,
        # so it would never be trained.
        self.hamiltonian = (
            make_mlp(n_features, hidden_layer_sizes, 1, activation, output_bias=False)
            if hamiltonian is None
            else hamiltonian
        )

    @property
    def _explicit_gradient(self) -> bool:
        return is_explicit_mlp(self.hamiltonian)

    @property
    def compilable(self) -> bool:
        """Whether a training step can be compiled: not when the input gradient
        needs autograd (a double backward, which ``torch.compile`` cannot
        trace)."""
        return self._explicit_gradient

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

    def freeze(
        self, method: str, *, offset=None, x_scale: float = 1.0, y_scale: float = 1.0
    ) -> Field | None:
        """The frozen field (see :func:`~sklearn_hnn.nn.freeze_field`), or None
        when this field cannot be frozen: an energy that is not an MLP with
        activations of :data:`ACTIVATION_DERIVATIVES` and at least one hidden
        layer, or a subclass that changes the dynamics (its own ``forward``,
        ``gradient`` or ``energy``) without saying how to freeze them.

        Parameters
        ----------
        method : {"forward", "gradient"}
            The symplectic field or the plain gradient; any other name gives
            None.
        offset : sequence of float or None, default=None
            Per-column input offset.
        x_scale, y_scale : float, default=1.0
            Input and output scales.

        Returns
        -------
        callable or None
            The frozen field, mapping ``(n, 2d)`` states to ``(n, 2d)``.
        """
        mlp = self.hamiltonian
        if (
            method not in ("forward", "gradient")
            or _overrides(self, HamiltonianField, ["forward", "gradient", "energy"])
            or not is_explicit_mlp(mlp)
            or len(mlp) < 3
        ):
            return None
        n = self.n_dof
        out_map = torch.eye(2 * n, dtype=torch.float64)
        if method == "forward":  # v -> (v_p, -v_q)
            out_map = torch.cat([out_map[:, n:], -out_map[:, :n]], dim=1)
        return FrozenEnergyGradient(mlp, offset, x_scale, y_scale, out_map)
