"""sklearn-hnn: Hamiltonian Neural Networks as scikit-learn estimators.

State convention everywhere: ``X`` of shape ``(n_samples, 2d)`` with columns
``[q_1 ... q_d, p_1 ... p_d]``, positions then momenta, and ``dXdt`` of the same
shape.
"""

from sklearn_hnn._version import __version__ as __version__

# ``integrate`` is the subpackage, not its function of the same name, so that
# ``sklearn_hnn.integrate.cuda_graph`` and the like resolve as modules.
from sklearn_hnn.estimators import (
    AutoencoderTransformer,
    BaselineDynamicsRegressor,
    DissipativeHamiltonianRegressor,
    HamiltonianRegressor,
    PixelHamiltonianPipeline,
    SecondOrderRegressor,
    SeparableHamiltonianRegressor,
)

__all__ = [
    "AutoencoderTransformer",
    "BaselineDynamicsRegressor",
    "DissipativeHamiltonianRegressor",
    "HamiltonianRegressor",
    "PixelHamiltonianPipeline",
    "SecondOrderRegressor",
    "SeparableHamiltonianRegressor",
]
