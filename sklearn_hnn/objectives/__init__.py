"""Training objectives: what an estimator's network is trained to match.

==============  ==============================================================
``objective``   what it trains on
==============  ==============================================================
``"derivative"`` the time derivatives ``dX/dt`` (given, or estimated from
                trajectories), in mean squared error: the paper's objective
``"rollout"``   the states along short chunks of the trajectories, matched
                by integrating the model over each (Gruver et al., 2022)
==============  ==============================================================

:class:`SymplecticallyPenalized` adds the symplectic penalty of Gruver et al.
to any of them (the estimators' ``symplectic_penalty``).

An autoencoder trains on :class:`Reconstruction`, which is not a dynamics
objective and so not in :data:`OBJECTIVES`.

An estimator's ``objective`` parameter takes a name of :data:`OBJECTIVES` or
an :class:`Objective` instance. A new objective is one subclass and one line
in :data:`OBJECTIVES`.
"""

from __future__ import annotations

from sklearn_hnn.objectives.base import Objective
from sklearn_hnn.objectives.derivative import DerivativeMatching
from sklearn_hnn.objectives.reconstruction import Reconstruction
from sklearn_hnn.objectives.rollout import RolloutMatching
from sklearn_hnn.objectives.symplectic import (
    SymplecticallyPenalized,
    symplectic_residual,
)

#: Objectives selectable by name.
OBJECTIVES: dict[str, type[Objective]] = {
    DerivativeMatching.name: DerivativeMatching,
    RolloutMatching.name: RolloutMatching,
}


def get_objective(objective: str | Objective, **params) -> Objective:
    """The objective an estimator's ``objective`` parameter names.

    Parameters
    ----------
    objective : str or Objective
        A name of :data:`OBJECTIVES` (built with ``params`` where it takes
        them, its defaults otherwise) or an instance (returned as it is).
    **params
        Parameters for a named objective; those it does not take are ignored.

    Returns
    -------
    Objective
        The objective to train with.
    """
    if isinstance(objective, Objective):
        return objective
    cls = OBJECTIVES[objective]
    taken = cls().get_params()
    return cls(**{name: value for name, value in params.items() if name in taken})


__all__ = [
    "OBJECTIVES",
    "DerivativeMatching",
    "Objective",
    "Reconstruction",
    "RolloutMatching",
    "SymplecticallyPenalized",
    "get_objective",
    "symplectic_residual",
]
