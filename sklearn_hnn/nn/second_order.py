"""Second-order dynamics: positions move with the velocities, a network
gives the accelerations (the NODE+SO of Gruver et al., 2022)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sklearn_hnn.nn.features import with_angle_features
from sklearn_hnn.nn.mlp import Activation, make_mlp
from sklearn_hnn.nn.units import PhysicalUnits


class SecondOrderField(nn.Module):
    """``dq/dt = v`` exactly and ``dv/dt = A_theta(q, v)``, for states ``[q, v]``.

    The network ``A_theta`` is unconstrained: no energy, no symplectic
    structure, only the second-order form of mechanics.

    Parameters
    ----------
    n_features : int
        Width of the state, ``2d``; must be even.
    hidden_layer_sizes : sequence of int, default=(200, 200)
        Widths of the hidden layers of ``A_theta``.
    activation : str or torch.nn.Module class, default="tanh"
        Activation after each hidden layer.
    angles : sequence of int or None, default=None
        Positions that are angles, fed to ``A_theta`` as ``(cos q, sin q)``
        (see :class:`~sklearn_hnn.nn.features.AngleFeatures`).

    Examples
    --------
    >>> import torch
    >>> field = SecondOrderField(4, (16,))
    >>> x = torch.randn(3, 4)
    >>> bool(torch.equal(field(x)[:, :2], x[:, 2:]))
    True
    """

    def __init__(
        self,
        n_features: int,
        hidden_layer_sizes: Sequence[int] = (200, 200),
        activation: Activation = "tanh",
        angles: Sequence[int] | None = None,
    ) -> None:
        super().__init__()
        if n_features % 2:
            raise ValueError(
                f"n_features must be even ([q, v] pairs); got {n_features}."
            )
        self.n_dof = n_features // 2
        self.units = PhysicalUnits(n_features)
        self.acceleration = with_angle_features(
            n_features,
            angles,
            n_features,
            lambda width: make_mlp(width, hidden_layer_sizes, self.n_dof, activation),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(dq/dt, dv/dt) = (v, A_theta(q, v))``, in the network's units.

        Parameters
        ----------
        x : torch.Tensor of shape (..., 2d)
            Normalised states ``[q, v]``.

        Returns
        -------
        torch.Tensor of shape (..., 2d)
            Their time derivatives, divided by the output scale (so that the
            velocity part is the physical velocity exactly).
        """
        velocity = self.units.physical(x)[..., self.n_dof :] / self.units.y_scale
        return torch.cat([velocity, self.acceleration(x)], dim=-1)
