"""scikit-learn estimators that learn dynamics with torch networks.

Every concrete estimator built on :class:`TorchEstimatorMixin` registers itself
in :data:`ESTIMATORS` when its class is defined, which is what
:mod:`sklearn_hnn.persistence` saves and loads; any other estimator that writes
and reads its own fitted state (``_saved_entries`` and ``_load_saved``) joins
with :func:`register`.
"""

from sklearn_hnn.estimators._registry import ESTIMATORS, register, registered_name
from sklearn_hnn.estimators._training import TorchEstimatorMixin
from sklearn_hnn.estimators.autoencoder import AutoencoderTransformer
from sklearn_hnn.estimators.base import BaseDynamicsRegressor
from sklearn_hnn.estimators.baseline import BaselineDynamicsRegressor
from sklearn_hnn.estimators.dissipative import DissipativeHamiltonianRegressor
from sklearn_hnn.estimators.hamiltonian import HamiltonianRegressor
from sklearn_hnn.estimators.pixel_pipeline import PixelHamiltonianPipeline
from sklearn_hnn.estimators.second_order import SecondOrderRegressor
from sklearn_hnn.estimators.separable import SeparableHamiltonianRegressor
from sklearn_hnn.estimators.simulation import SimulationMixin

__all__ = [
    "ESTIMATORS",
    "AutoencoderTransformer",
    "BaseDynamicsRegressor",
    "BaselineDynamicsRegressor",
    "DissipativeHamiltonianRegressor",
    "HamiltonianRegressor",
    "PixelHamiltonianPipeline",
    "SecondOrderRegressor",
    "SeparableHamiltonianRegressor",
    "SimulationMixin",
    "TorchEstimatorMixin",
    "register",
    "registered_name",
]
