"""Metrics and scorers for learned dynamics.

============================================  ======================================
:func:`energy_mse`                            the true energy's error along rollouts
                                              against the truth (Table 1's metric)
:func:`relative_error`                        ``|z_pred - z| / (|z_pred| + |z|)`` at
                                              each time step, angles wrapped
:func:`geometric_mean_relative_error`         its geometric mean over a rollout's
                                              times and over trajectories
:func:`relative_energy_error`                 the same relative error for energies
:func:`geometric_mean_relative_energy_error`  its geometric mean, likewise
:class:`RolloutScorer`                        a scorer: the state error of rollouts
                                              from each held-out trajectory's first
                                              state
:class:`EnergyDriftScorer`                    a scorer: the drift of an energy along
                                              the model's own rollouts
============================================  ======================================
"""

from sklearn_hnn.metrics.energy import energy_mse
from sklearn_hnn.metrics.relative import (
    geometric_mean_relative_energy_error,
    geometric_mean_relative_error,
    relative_energy_error,
    relative_error,
)
from sklearn_hnn.metrics.rollout import EnergyDriftScorer, RolloutScorer

__all__ = [
    "EnergyDriftScorer",
    "RolloutScorer",
    "energy_mse",
    "geometric_mean_relative_energy_error",
    "geometric_mean_relative_error",
    "relative_energy_error",
    "relative_error",
]
