"""scikit-learn estimators that learn dynamics with torch networks."""

from sklearn_hnn.estimators.base import BaseDynamicsRegressor
from sklearn_hnn.estimators.baseline import BaselineDynamicsRegressor
from sklearn_hnn.estimators.hamiltonian import HamiltonianRegressor

__all__ = ["BaseDynamicsRegressor", "BaselineDynamicsRegressor", "HamiltonianRegressor"]
