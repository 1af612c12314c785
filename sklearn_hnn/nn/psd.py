"""Symmetric positive (semi-)definite matrices from network outputs.

A network outputs the ``d (d + 1) / 2`` entries of a lower-triangular factor
``L``; ``L L^T`` is then positive semidefinite whatever the weights are, and
adding ``epsilon I`` makes it positive definite with eigenvalues at least
``epsilon``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def n_triangular(d: int) -> int:
    """Entries of a ``d x d`` lower-triangular matrix, ``d (d + 1) / 2``."""
    return d * (d + 1) // 2


class CholeskyFactor(nn.Module):
    """``L L^T + epsilon I`` from the ``d (d + 1) / 2`` entries of ``L``.

    The diagonal of ``L`` goes through a softplus, so it is positive; the
    entries below it are used as given.

    Parameters
    ----------
    d : int
        Size of the matrices.
    epsilon : float, default=0.0
        Added to the diagonal of the product; positive for a positive-definite
        result.

    Examples
    --------
    >>> import torch
    >>> factor = CholeskyFactor(2, epsilon=1e-3)
    >>> bool((torch.linalg.eigvalsh(factor(torch.randn(5, 3))) >= 1e-3 - 1e-7).all())
    True
    """

    def __init__(self, d: int, epsilon: float = 0.0) -> None:
        super().__init__()
        self.d = d
        self.epsilon = float(epsilon)
        rows, cols = torch.tril_indices(d, d)
        self.register_buffer("rows", rows, persistent=False)
        self.register_buffer("cols", cols, persistent=False)
        self.register_buffer("diagonal", rows == cols, persistent=False)

    def forward(self, entries: torch.Tensor) -> torch.Tensor:
        """The matrices of the entries.

        Parameters
        ----------
        entries : torch.Tensor of shape (..., d (d + 1) / 2)
            Entries of ``L``, row by row.

        Returns
        -------
        torch.Tensor of shape (..., d, d)
            ``L L^T + epsilon I``, symmetric positive semidefinite (definite
            for ``epsilon > 0``).
        """
        values = torch.where(self.diagonal, F.softplus(entries), entries)
        L = entries.new_zeros(*entries.shape[:-1], self.d, self.d)
        L[..., self.rows, self.cols] = values
        out = L @ L.transpose(-1, -2)
        if self.epsilon:
            out = out + self.epsilon * torch.eye(
                self.d, dtype=out.dtype, device=out.device
            )
        return out
