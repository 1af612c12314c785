"""Physical systems that know their true Hamiltonian and dynamics.

Systems provide ground truth: they generate training data and score learned
models. Every method takes states in the ``[q_1 ... q_d, p_1 ... p_d]`` convention.
"""

from sklearn_hnn.systems.base import HamiltonianSystem
from sklearn_hnn.systems.nbody import NBody
from sklearn_hnn.systems.pendulum import Pendulum
from sklearn_hnn.systems.spring import MassSpring

__all__ = ["HamiltonianSystem", "MassSpring", "NBody", "Pendulum"]
