"""Point masses in the plane under Newtonian gravity."""

from __future__ import annotations

import numpy as np

from sklearn_hnn._validation import check_float_array, check_real_number, shape_of
from sklearn_hnn.systems.base import HamiltonianSystem


class NBody(HamiltonianSystem):
    """``n`` point masses moving in the plane and attracting each other.

    ``H = sum_i |p_i|^2 / (2 m_i) - sum_{i<j} G m_i m_j / |q_i - q_j|``, summed
    over every pair of bodies.

    A state has ``4 n`` entries in the ``[q, p]`` convention, body by body within
    each half: ``[x_1, y_1, ..., x_n, y_n, px_1, py_1, ..., px_n, py_n]``, where
    ``p_i = m_i v_i`` is the momentum of body ``i``.

    Parameters
    ----------
    masses : sequence of float, default=(1.0, 1.0)
        Mass of each body, positive; its length is the number of bodies (at
        least 2).
    gravity : float, default=1.0
        Gravitational constant ``G``, positive.

    Notes
    -----
    ``H`` is not defined where two bodies share a position: the methods that
    need it raise a ValueError for such states.

    Examples
    --------
    Two unit masses at rest, a distance 2 apart, have energy ``-1/2``:

    >>> two_body = NBody(masses=(1.0, 1.0))
    >>> state = np.array([1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    >>> float(two_body.hamiltonian(state))
    -0.5
    """

    def __init__(self, masses=(1.0, 1.0), gravity: float = 1.0) -> None:
        shape = shape_of(masses)
        if shape is None or len(shape) != 1 or shape[0] < 2:
            raise ValueError(
                f"masses must be a sequence of at least 2 numbers; got {masses!r}."
            )
        if str(getattr(masses, "dtype", "")) in ("bool", "torch.bool") or any(
            isinstance(mass, bool | np.bool_) for mass in masses
        ):
            raise ValueError(f"masses must be real numbers; got {masses!r}.")
        masses = check_float_array(
            masses, "masses", dtype=np.float64, ensure_2d=False, ensure_all_finite=False
        ).copy()
        if not np.all(np.isfinite(masses)) or np.any(masses <= 0):
            raise ValueError(f"masses must be positive and finite; got {masses!r}.")
        gravity = check_real_number(gravity, "gravity")
        if not np.isfinite(gravity) or gravity <= 0:
            raise ValueError(f"gravity must be positive and finite; got {gravity!r}.")
        self.masses = masses
        self.gravity = gravity
        self.n_dof = 2 * len(masses)

    def __repr__(self) -> str:
        masses = tuple(self.masses.tolist())
        return f"{type(self).__name__}(masses={masses}, gravity={self.gravity})"

    @property
    def n_bodies(self) -> int:
        """Number of bodies."""
        return len(self.masses)

    def _split(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions and momenta, each of shape ``(..., n_bodies, 2)``."""
        X = np.asarray(X, dtype=float)
        shape = (*X.shape[:-1], self.n_bodies, 2)
        return X[..., : self.n_dof].reshape(shape), X[..., self.n_dof :].reshape(shape)

    def _pairs(self, q: np.ndarray):
        """Displacements ``q_j - q_i`` and distances for every pair ``i < j``."""
        i, j = np.triu_indices(self.n_bodies, k=1)
        displacement = q[..., j, :] - q[..., i, :]
        distance = np.linalg.norm(displacement, axis=-1)
        return i, j, displacement, distance

    def _check_domain(self, X: np.ndarray, name: str) -> None:
        """Raise where two bodies share a position: ``H`` is infinite there."""
        q, _ = self._split(X)
        i, j, _, distance = self._pairs(q)
        collided = np.argwhere(distance == 0)
        if collided.size:
            *state, pair = collided[0]
            where = f" (state {tuple(int(k) for k in state)})" if state else ""
            raise ValueError(
                f"{name} puts bodies {i[pair]} and {j[pair]} at the same "
                f"position{where}, where the potential energy is infinite."
            )

    def kinetic_energy(self, X) -> np.ndarray:
        """``sum_i |p_i|^2 / (2 m_i)``.

        Parameters
        ----------
        X : array-like of shape (..., 4 n_bodies)
            States, finite.

        Returns
        -------
        ndarray of shape (...)
            Kinetic energy of each state.
        """
        return self._kinetic_energy(self._check_states(X, domain=False))

    def potential_energy(self, X) -> np.ndarray:
        """``-sum_{i<j} G m_i m_j / |q_i - q_j|``.

        Parameters
        ----------
        X : array-like of shape (..., 4 n_bodies)
            States, finite, with no two bodies at the same position.

        Returns
        -------
        ndarray of shape (...)
            Potential energy of each state.
        """
        return self._potential_energy(self._check_states(X))

    def _kinetic_energy(self, X: np.ndarray) -> np.ndarray:
        _, p = self._split(X)
        return np.sum(np.sum(p**2, axis=-1) / (2.0 * self.masses), axis=-1)

    def _potential_energy(self, X: np.ndarray) -> np.ndarray:
        q, _ = self._split(X)
        i, j, _, distance = self._pairs(q)
        coupling = self.gravity * self.masses[i] * self.masses[j]
        return -np.sum(coupling / distance, axis=-1)

    def _hamiltonian(self, X: np.ndarray) -> np.ndarray:
        return self._kinetic_energy(X) + self._potential_energy(X)

    def _gradient(self, X: np.ndarray) -> np.ndarray:
        q, p = self._split(X)
        i, j, displacement, distance = self._pairs(q)
        coupling = self.gravity * self.masses[i] * self.masses[j]
        # dH/dq_i collects +c (q_i - q_j) / r^3 from every pair: body i of a pair
        # gets -pull and body j gets +pull, with pull = c (q_j - q_i) / r^3.
        pull = (coupling / distance**3)[..., None] * displacement
        incidence = np.zeros((len(i), self.n_bodies))
        incidence[np.arange(len(i)), i] = -1.0
        incidence[np.arange(len(i)), j] = 1.0
        dH_dq = np.einsum("...kd,kb->...bd", pull, incidence)
        dH_dp = p / self.masses[:, None]
        batch = q.shape[:-2]
        return np.concatenate(
            [dH_dq.reshape(*batch, -1), dH_dp.reshape(*batch, -1)], axis=-1
        )
