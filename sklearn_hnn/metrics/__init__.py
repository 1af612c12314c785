"""Metrics and scorers for learned dynamics.

=============================  ============================================
:func:`energy_mse`             the true energy's error along rollouts
                               against the truth (Table 1's metric)
:class:`RolloutScorer`         a scorer: the state error of rollouts from
                               each held-out trajectory's first state
:class:`EnergyDriftScorer`     a scorer: the drift of an energy along the
                               model's own rollouts
=============================  ============================================
"""

from sklearn_hnn.metrics.energy import energy_mse
from sklearn_hnn.metrics.rollout import EnergyDriftScorer, RolloutScorer

__all__ = ["EnergyDriftScorer", "RolloutScorer", "energy_mse"]
