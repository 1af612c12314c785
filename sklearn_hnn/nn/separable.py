"""Separable Hamiltonians with a learned mass matrix:
``H(q, p) = p^T M^-1(q) p / 2 + V(q)``."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sklearn_hnn.nn.features import with_angle_features
from sklearn_hnn.nn.fields import HamiltonianField
from sklearn_hnn.nn.mlp import Activation, make_mlp
from sklearn_hnn.nn.psd import CholeskyFactor, n_triangular
from sklearn_hnn.nn.units import PhysicalUnits

#: Smallest eigenvalue of a learned inverse mass matrix, in the network's units.
MIN_INVERSE_MASS = 1e-3


class SeparableEnergy(nn.Module):
    """``H = p^T M^-1(q) p / 2 + V(q)`` with two networks of the positions.

    ``M^-1(q) = L(q) L(q)^T + epsilon I``, where a network outputs the
    lower-triangular ``L(q)`` (with a positive diagonal), so the kinetic
    energy is positive for every state and every weight. The momenta enter
    in physical units (divided by the input scale), so the kinetic energy is
    quadratic in the momenta themselves.

    Parameters
    ----------
    n_features : int
        Width of the state, ``2d``.
    hidden_layer_sizes : sequence of int
        Hidden layers of both networks.
    activation : str or torch.nn.Module class
        Their activation.
    angles : sequence of int or None, default=None
        Positions fed to both networks as ``(cos q, sin q)``.
    epsilon : float, default=MIN_INVERSE_MASS
        Smallest eigenvalue of ``M^-1`` in the network's units.
    """

    def __init__(
        self,
        n_features: int,
        hidden_layer_sizes: Sequence[int],
        activation: Activation,
        angles: Sequence[int] | None = None,
        epsilon: float = MIN_INVERSE_MASS,
    ) -> None:
        super().__init__()
        d = self.n_dof = n_features // 2
        self.units = PhysicalUnits(n_features)
        self.potential = with_angle_features(
            d,
            angles,
            n_features,
            lambda width: make_mlp(
                width, hidden_layer_sizes, 1, activation, output_bias=False
            ),
        )
        self.mass_factor = with_angle_features(
            d,
            angles,
            n_features,
            lambda width: make_mlp(
                width, hidden_layer_sizes, n_triangular(d), activation
            ),
        )
        self.cholesky = CholeskyFactor(d, epsilon)

    def inverse_mass(self, x: torch.Tensor) -> torch.Tensor:
        """``M^-1(q)`` in the network's units, shape ``(..., d, d)``."""
        return self.cholesky(self.mass_factor(x[..., : self.n_dof]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The energy, shape ``(..., 1)``, of normalised states ``(..., 2d)``."""
        p = self.units.scaled(x)[..., self.n_dof :]
        kinetic = 0.5 * (p.unsqueeze(-2) @ self.inverse_mass(x) @ p.unsqueeze(-1))
        return kinetic.squeeze(-1) + self.potential(x[..., : self.n_dof])


class SeparableHamiltonianField(HamiltonianField):
    """Hamilton's equations of a learned :class:`SeparableEnergy`.

    Parameters
    ----------
    n_features : int
        Width of the state, ``2d``; must be even.
    hidden_layer_sizes : sequence of int, default=(200, 200)
        Hidden layers of the potential and of the mass-matrix network.
    activation : str or torch.nn.Module class, default="tanh"
        Their activation; it should be smooth.
    angles : sequence of int or None, default=None
        Positions fed to the networks as ``(cos q, sin q)``.

    Examples
    --------
    >>> import torch
    >>> field = SeparableHamiltonianField(4, (16,))
    >>> field.inverse_mass(torch.randn(3, 4)).shape
    torch.Size([3, 2, 2])
    """

    def __init__(
        self,
        n_features: int,
        hidden_layer_sizes: Sequence[int] = (200, 200),
        activation: Activation = "tanh",
        angles: Sequence[int] | None = None,
    ) -> None:
        super().__init__(
            n_features,
            hamiltonian=SeparableEnergy(
                n_features, hidden_layer_sizes, activation, angles
            ),
        )

    def inverse_mass(self, x: torch.Tensor) -> torch.Tensor:
        """The learned ``M^-1(q)`` in physical units.

        Parameters
        ----------
        x : torch.Tensor of shape (..., 2d)
            Normalised states.

        Returns
        -------
        torch.Tensor of shape (..., d, d)
            Symmetric positive definite: ``p^T M^-1 p / 2`` is the kinetic
            energy of physical momenta ``p``.
        """
        units = self.hamiltonian.units
        return self.hamiltonian.inverse_mass(x) * (units.y_scale / units.x_scale)
