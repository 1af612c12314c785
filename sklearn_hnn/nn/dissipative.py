"""Port-Hamiltonian dynamics with learned damping:
``dq/dt = dH/dp``, ``dp/dt = -dH/dq - D(q) dH/dp``."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sklearn_hnn.nn.features import with_angle_features
from sklearn_hnn.nn.fields import HamiltonianField
from sklearn_hnn.nn.mlp import Activation, make_mlp
from sklearn_hnn.nn.psd import CholeskyFactor, n_triangular


class DissipativeHamiltonianField(HamiltonianField):
    """A learned energy ``H_theta(q, p)`` and a learned positive-semidefinite
    damping matrix ``D_phi(q)``.

    ``dH/dt = -(dH/dp)^T D (dH/dp) <= 0``: the learned energy can only
    decrease along the learned dynamics, at a rate that is learned too. With
    ``D = 0`` this is :class:`~sklearn_hnn.nn.HamiltonianField`.

    Parameters
    ----------
    n_features : int
        Width of the state, ``2d``; must be even.
    hidden_layer_sizes : sequence of int, default=(200, 200)
        Hidden layers of the energy and of the damping network.
    activation : str or torch.nn.Module class, default="tanh"
        Their activation; it should be smooth.
    angles : sequence of int or None, default=None
        Positions fed to the networks as ``(cos q, sin q)``.

    Examples
    --------
    >>> import torch
    >>> field = DissipativeHamiltonianField(2, (16,))
    >>> field.damping(torch.randn(3, 2)).shape
    torch.Size([3, 1, 1])
    """

    def __init__(
        self,
        n_features: int,
        hidden_layer_sizes: Sequence[int] = (200, 200),
        activation: Activation = "tanh",
        angles: Sequence[int] | None = None,
    ) -> None:
        energy = None
        if angles:
            energy = with_angle_features(
                n_features,
                angles,
                n_features,
                lambda width: make_mlp(
                    width, hidden_layer_sizes, 1, activation, output_bias=False
                ),
            )
        super().__init__(n_features, hidden_layer_sizes, activation, energy)
        d = self.n_dof
        self.damping_factor: nn.Module = with_angle_features(
            d,
            angles,
            n_features,
            lambda width: make_mlp(
                width, hidden_layer_sizes, n_triangular(d), activation
            ),
        )
        self.cholesky = CholeskyFactor(d)

    @property
    def compilable(self) -> bool:
        """Trained eagerly: the compiled step is for plain energy fields."""
        return False

    def damping(self, x: torch.Tensor) -> torch.Tensor:
        """The learned damping matrix ``D_phi(q)``.

        Parameters
        ----------
        x : torch.Tensor of shape (..., 2d)
            Normalised states.

        Returns
        -------
        torch.Tensor of shape (..., d, d)
            Symmetric positive semidefinite; the same in physical units.
        """
        return self.cholesky(self.damping_factor(x[..., : self.n_dof]))

    def conservative(self, x: torch.Tensor) -> torch.Tensor:
        """Hamilton's equations of ``H_theta`` alone, without the damping.

        Parameters
        ----------
        x : torch.Tensor of shape (..., 2d)
            Normalised states.

        Returns
        -------
        torch.Tensor of shape (..., 2d)
            ``(dH/dp, -dH/dq)``.
        """
        return super().forward(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(dH/dp, -dH/dq - D(q) dH/dp)``.

        Parameters
        ----------
        x : torch.Tensor of shape (..., 2d)
            Normalised states.

        Returns
        -------
        torch.Tensor of shape (..., 2d)
            Their time derivatives.
        """
        grad = self.gradient(x)
        dh_dq, dh_dp = grad[..., : self.n_dof], grad[..., self.n_dof :]
        friction = (self.damping(x) @ dh_dp.unsqueeze(-1)).squeeze(-1)
        return torch.cat([dh_dp, -dh_dq - friction], dim=-1)
