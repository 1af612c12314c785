"""The ideal mass-spring (harmonic oscillator)."""

from __future__ import annotations

import numpy as np

from sklearn_hnn._validation import check_positive_float
from sklearn_hnn.systems.base import HamiltonianSystem


class MassSpring(HamiltonianSystem):
    """A mass on an ideal spring: ``H = k q^2 / 2 + p^2 / (2 m)``.

    Parameters
    ----------
    stiffness : float, default=1.0
        Spring constant ``k``, positive.
    mass : float, default=1.0
        Mass ``m``, positive.

    Examples
    --------
    Task 1 of Greydanus et al. (2019) uses ``H = q^2 + p^2``:

    >>> spring = MassSpring(stiffness=2.0, mass=0.5)
    >>> float(spring.hamiltonian(np.array([1.0, 1.0])))
    2.0
    """

    n_dof = 1

    def __init__(self, stiffness: float = 1.0, mass: float = 1.0) -> None:
        self.stiffness = check_positive_float(stiffness, "stiffness")
        self.mass = check_positive_float(mass, "mass")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(stiffness={self.stiffness}, mass={self.mass})"

    def _hamiltonian(self, X: np.ndarray) -> np.ndarray:
        q, p = X[..., 0], X[..., 1]
        return 0.5 * self.stiffness * q**2 + p**2 / (2.0 * self.mass)

    def _gradient(self, X: np.ndarray) -> np.ndarray:
        q, p = X[..., :1], X[..., 1:]
        return np.concatenate([self.stiffness * q, p / self.mass], axis=-1)
