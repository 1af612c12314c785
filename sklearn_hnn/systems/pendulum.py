"""The ideal frictionless pendulum."""

from __future__ import annotations

import numpy as np

from sklearn_hnn._validation import check_positive_float
from sklearn_hnn.systems.base import HamiltonianSystem


class Pendulum(HamiltonianSystem):
    """A point mass on a rigid massless rod.

    ``H = m g l (1 - cos q) + p^2 / (2 m l^2)``, with ``q`` the angle from the
    downward vertical and ``p`` the angular momentum.

    Parameters
    ----------
    mass : float, default=1.0
        Mass ``m``, positive.
    length : float, default=1.0
        Rod length ``l``, positive.
    gravity : float, default=9.81
        Gravitational acceleration ``g``, positive.

    Examples
    --------
    Task 2 of Greydanus et al. (2019) uses ``H = 3 (1 - cos q) + p^2``:

    >>> pendulum = Pendulum(mass=0.5, length=1.0, gravity=6.0)
    >>> round(float(pendulum.hamiltonian(np.array([np.pi / 2, 1.0]))), 12)
    4.0
    """

    n_dof = 1

    def __init__(
        self, mass: float = 1.0, length: float = 1.0, gravity: float = 9.81
    ) -> None:
        self.mass = check_positive_float(mass, "mass")
        self.length = check_positive_float(length, "length")
        self.gravity = check_positive_float(gravity, "gravity")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(mass={self.mass}, length={self.length}, "
            f"gravity={self.gravity})"
        )

    @property
    def _potential_scale(self) -> float:
        return self.mass * self.gravity * self.length

    @property
    def _inertia(self) -> float:
        return self.mass * self.length**2

    def _hamiltonian(self, X: np.ndarray) -> np.ndarray:
        q, p = X[..., 0], X[..., 1]
        return self._potential_scale * (1.0 - np.cos(q)) + p**2 / (2.0 * self._inertia)

    def _gradient(self, X: np.ndarray) -> np.ndarray:
        q, p = X[..., :1], X[..., 1:]
        return np.concatenate(
            [self._potential_scale * np.sin(q), p / self._inertia], axis=-1
        )
