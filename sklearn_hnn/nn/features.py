"""Input features for angles: an angle enters a network as ``(cos q, sin q)``.

A network fed the angle itself sees ``q`` and ``q + 2 pi`` as different
states, and must learn the periodicity from data that rarely shows it. Fed
``(cos q, sin q)``, it is periodic by construction (Gruver et al., 2022, do the
same for their chain pendulums).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from sklearn_hnn.nn.units import PhysicalUnits


class AngleFeatures(nn.Module):
    """Replace chosen columns of normalised states by the cosine and sine of
    the physical angle they hold.

    Parameters
    ----------
    n_inputs : int
        Width of the inputs, ``n_in``: the states, or their first columns
        (the positions).
    angles : sequence of int
        Columns of the inputs that hold angles, in radians in physical units.
    n_features : int or None, default=None
        Width of the full states, whose normalisation the inputs share (see
        :class:`~sklearn_hnn.nn.units.PhysicalUnits`); None means ``n_inputs``.

    Examples
    --------
    >>> import torch
    >>> features = AngleFeatures(4, angles=[0])
    >>> features(torch.zeros(3, 4)).shape
    torch.Size([3, 5])
    """

    def __init__(
        self, n_inputs: int, angles: Sequence[int], n_features: int | None = None
    ) -> None:
        super().__init__()
        angles = sorted({int(a) for a in angles})
        if not angles or angles[0] < 0 or angles[-1] >= n_inputs:
            raise ValueError(
                f"angles must be column indices in [0, {n_inputs}); got {angles}."
            )
        self.units = PhysicalUnits(n_inputs if n_features is None else n_features)
        self.register_buffer("angles", torch.tensor(angles), persistent=False)
        kept = [i for i in range(n_inputs) if i not in angles]
        self.register_buffer(
            "kept", torch.tensor(kept, dtype=torch.long), persistent=False
        )
        self.n_outputs = n_inputs + len(angles)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """The features of the inputs.

        Parameters
        ----------
        z : torch.Tensor of shape (..., n_in)
            Normalised inputs.

        Returns
        -------
        torch.Tensor of shape (..., n_in + len(angles))
            ``cos`` and ``sin`` of each angle, then the other columns as given.
        """
        units = self.units
        q = z[..., self.angles] * units.x_scale + units.offset[self.angles]
        return torch.cat([torch.cos(q), torch.sin(q), z[..., self.kept]], dim=-1)


def with_angle_features(
    n_inputs: int, angles: Sequence[int] | None, n_features: int, make
) -> nn.Module:
    """``make(width)`` fed by :class:`AngleFeatures` of ``angles``, or on its own.

    Parameters
    ----------
    n_inputs : int
        Width of the inputs.
    angles : sequence of int or None
        Columns holding angles; None or empty for none.
    n_features : int
        Width of the full states (see :class:`AngleFeatures`).
    make : callable
        Builds the network from its input width.

    Returns
    -------
    torch.nn.Module
        The network, preceded by the features when there are angles.
    """
    if not angles:
        return make(n_inputs)
    features = AngleFeatures(n_inputs, angles, n_features)
    return nn.Sequential(features, make(features.n_outputs))
