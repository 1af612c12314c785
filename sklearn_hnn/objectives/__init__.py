"""Training objectives: what an estimator's network is trained to match.

==============  ==============================================================
``objective``   what it trains on
==============  ==============================================================
``"derivative"`` the time derivatives ``dX/dt`` (given, or estimated from
                trajectories), in mean squared error: the paper's objective
==============  ==============================================================

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

#: Objectives selectable by name.
OBJECTIVES: dict[str, type[Objective]] = {
    DerivativeMatching.name: DerivativeMatching,
}


def get_objective(objective: str | Objective) -> Objective:
    """The objective an estimator's ``objective`` parameter names.

    Parameters
    ----------
    objective : str or Objective
        A name of :data:`OBJECTIVES` (built with its defaults) or an instance
        (returned as it is).

    Returns
    -------
    Objective
        The objective to train with.
    """
    if isinstance(objective, Objective):
        return objective
    return OBJECTIVES[objective]()


__all__ = [
    "OBJECTIVES",
    "DerivativeMatching",
    "Objective",
    "Reconstruction",
    "get_objective",
]
