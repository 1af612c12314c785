"""The symplectic penalty of Gruver et al. (2022): how far a learned field is
from being locally Hamiltonian."""

from __future__ import annotations

import torch
from torch.func import jacrev, vmap

from sklearn_hnn.objectives.base import Field, Objective


def symplectic_residual(field: Field, states: torch.Tensor) -> torch.Tensor:
    """``||(J DF)^T - J DF||^2`` of a field at each state, averaged.

    A field ``F`` is locally Hamiltonian exactly where ``J DF`` is symmetric,
    with ``DF`` its Jacobian and ``J = [[0, I], [-I, 0]]``: Hamilton's
    equations are ``F = J grad H``, whose ``J DF = J J Hess H = -Hess H``.
    The states must be canonical ``[q, p]``.

    Parameters
    ----------
    field : callable
        Maps a state of shape ``(2d,)`` to its derivative ``(2d,)``.
    states : torch.Tensor of shape (n, 2d)
        Where to evaluate it.

    Returns
    -------
    torch.Tensor of shape ()
        The mean over the states of the squared Frobenius norm.
    """
    jacobian = vmap(jacrev(field))(states)  # (n, 2d, 2d)
    d = states.shape[1] // 2
    # J DF: rows of DF for dp first, then minus those for dq.
    product = torch.cat([jacobian[:, d:], -jacobian[:, :d]], dim=1)
    asymmetry = product - product.transpose(1, 2)
    return asymmetry.square().sum(dim=(1, 2)).mean()


class SymplecticallyPenalized(Objective):
    """Another objective plus ``weight`` times :func:`symplectic_residual` of
    the network at the batch's states.

    Parameters
    ----------
    objective : Objective
        The objective to penalise.
    weight : float, default=0.0
        Weight of the penalty; 0 adds none.
    """

    def __init__(self, objective: Objective, weight: float = 0.0) -> None:
        self.objective = objective
        self.weight = weight

    @property
    def name(self) -> str:  # type: ignore[override]
        """The penalised objective's name."""
        return self.objective.name

    def targets(self, X, y, t, groups, *, differentiation, owner: str):
        return self.objective.targets(
            X, y, t, groups, differentiation=differentiation, owner=owner
        )

    def training_arrays(self, X, y, normalization, *, t=None, groups=None):
        return self.objective.training_arrays(X, y, normalization, t=t, groups=groups)

    def states(self, X: torch.Tensor) -> torch.Tensor:
        return self.objective.states(X)

    def predict(self, field: Field, X: torch.Tensor) -> torch.Tensor:
        return self.objective.predict(field, X)

    def loss(self, y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.objective.loss(y_pred, y)

    @property
    def regularized(self) -> bool:
        """Whether the weight is nonzero."""
        return bool(self.weight)

    def regularizer(self, module: torch.nn.Module, X: torch.Tensor):
        """``weight`` times the residual at the batch's states, or None.

        Parameters
        ----------
        module : torch.nn.Module
            The network, mapping ``(n, 2d)`` to ``(n, 2d)``.
        X : torch.Tensor of shape (batch, n_inputs)
            The batch's inputs.

        Returns
        -------
        torch.Tensor of shape () or None
            The penalty.
        """
        if not self.weight:
            return None
        return self.weight * symplectic_residual(module, self.states(X))


# The penalised objective's own methods, documented as the objective's.
for _name in ("targets", "training_arrays", "states", "predict", "loss"):
    getattr(SymplecticallyPenalized, _name).__doc__ = getattr(Objective, _name).__doc__
