"""Physical systems that know their true Hamiltonian and dynamics.

Systems provide ground truth: they generate training data and score learned
models. Every method takes states in the ``[q_1 ... q_d, p_1 ... p_d]`` convention.
A :class:`MechanicalSystem` may also lose energy to drag, and converts its
states to and from velocities ``[q, dq/dt]``.
"""

from sklearn_hnn.systems.base import HamiltonianSystem
from sklearn_hnn.systems.chain import ChainPendulum
from sklearn_hnn.systems.mechanical import MechanicalSystem
from sklearn_hnn.systems.nbody import NBody
from sklearn_hnn.systems.pendulum import Pendulum
from sklearn_hnn.systems.spring import MassSpring
from sklearn_hnn.systems.spring_pendulum import SpringPendulum

__all__ = [
    "ChainPendulum",
    "HamiltonianSystem",
    "MassSpring",
    "MechanicalSystem",
    "NBody",
    "Pendulum",
    "SpringPendulum",
]
