"""Torch modules: multilayer perceptrons and the vector fields built from them.

These are plain :class:`torch.nn.Module` objects with no scikit-learn machinery, so
they can be used on their own in any torch training loop.
"""

from sklearn_hnn.nn.dissipative import DissipativeHamiltonianField
from sklearn_hnn.nn.features import AngleFeatures
from sklearn_hnn.nn.fields import DirectField, HamiltonianField
from sklearn_hnn.nn.frozen import freeze_field
from sklearn_hnn.nn.mlp import ACTIVATIONS, Tanh, make_mlp, mlp_input_gradient
from sklearn_hnn.nn.second_order import SecondOrderField
from sklearn_hnn.nn.separable import SeparableHamiltonianField

__all__ = [
    "ACTIVATIONS",
    "AngleFeatures",
    "DirectField",
    "DissipativeHamiltonianField",
    "HamiltonianField",
    "SecondOrderField",
    "SeparableHamiltonianField",
    "Tanh",
    "freeze_field",
    "make_mlp",
    "mlp_input_gradient",
]
