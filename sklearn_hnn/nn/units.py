"""The physical units behind a network's normalised inputs.

An estimator trains its network on normalised states ``z = (x - offset) /
x_scale`` and reads its outputs times ``y_scale`` (see
:mod:`sklearn_hnn.nn.normalization`). Most networks never need to know. A
structured model does where its structure is stated in physical units: a
second-order model's ``dq/dt`` *is* the velocity, a separable energy is
quadratic in the momenta themselves, an angle is fed to the network as
``(cos q, sin q)`` of the angle itself. Such a module holds a
:class:`PhysicalUnits`; the estimator binds it to its normalisation when the
network is built (:func:`bind_normalization`), and its buffers travel with the
weights through pickles, saves and checkpoints.
"""

from __future__ import annotations

import torch
from torch import nn


class PhysicalUnits(nn.Module):
    """Maps normalised states back to physical ones: ``x = z * x_scale + offset``.

    Identity until :meth:`bind` is called.

    Parameters
    ----------
    n_features : int
        Width of the states.
    """

    def __init__(self, n_features: int) -> None:
        super().__init__()
        self.register_buffer("offset", torch.zeros(n_features))
        self.register_buffer("x_scale", torch.ones(()))
        self.register_buffer("y_scale", torch.ones(()))

    def bind(self, normalization) -> None:
        """Take the offset and scales of ``normalization``.

        Parameters
        ----------
        normalization : Normalization
            The estimator's (see :mod:`sklearn_hnn.nn.normalization`).
        """
        with torch.no_grad():
            if normalization.offset is None:
                self.offset.zero_()
            else:
                self.offset.copy_(torch.as_tensor(normalization.offset))
            self.x_scale.fill_(float(normalization.x_scale))
            self.y_scale.fill_(float(normalization.y_scale))

    def physical(self, z: torch.Tensor) -> torch.Tensor:
        """Physical states of normalised ones.

        Parameters
        ----------
        z : torch.Tensor of shape (..., n_features)
            Normalised states.

        Returns
        -------
        torch.Tensor of shape (..., n_features)
            ``z * x_scale + offset``.
        """
        return z * self.x_scale + self.offset

    def scaled(self, z: torch.Tensor) -> torch.Tensor:
        """States in physical units divided by ``x_scale``: ``x / x_scale``.

        Unlike ``z``, these are zero where the physical state is, so a form
        that must be quadratic (or odd) in physical momenta stays so.

        Parameters
        ----------
        z : torch.Tensor of shape (..., n_features)
            Normalised states.

        Returns
        -------
        torch.Tensor of shape (..., n_features)
            ``z + offset / x_scale``.
        """
        return z + self.offset / self.x_scale


def bind_normalization(module: nn.Module, normalization) -> None:
    """Bind every :class:`PhysicalUnits` inside ``module`` to ``normalization``.

    Parameters
    ----------
    module : torch.nn.Module
        A freshly built network.
    normalization : Normalization or None
        The estimator's; None leaves the units as they are.
    """
    if normalization is None:
        return
    for child in module.modules():
        if isinstance(child, PhysicalUnits):
            child.bind(normalization)
