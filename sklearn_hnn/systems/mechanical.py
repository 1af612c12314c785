"""Point masses with a configuration-dependent mass matrix, optionally with drag."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from sklearn_hnn._validation import (
    check_float_array,
    check_non_negative_float,
    check_real_number,
    shape_of,
)
from sklearn_hnn.systems.base import HamiltonianSystem


def check_per_body(value, name: str, n: int, *, positive: bool = True) -> np.ndarray:
    """One float per body: a number (shared by all) or a sequence of ``n``.

    Parameters
    ----------
    value : float or sequence of float
        The argument as given.
    name : str
        Its name, for error messages.
    n : int
        Number of bodies.
    positive : bool, default=True
        Whether each value must be > 0; otherwise >= 0.

    Returns
    -------
    ndarray of shape (n,)
        A new float64 array; a ValueError naming ``name`` is raised unless
        every value is a finite real number of the required sign.
    """
    need = "positive" if positive else "non-negative"
    shape = shape_of(value)
    if shape == ():
        value = [check_real_number(value, name)] * n
    elif shape != (n,) or isinstance(value, str | bytes):
        raise ValueError(
            f"{name} must be a number or a sequence of {n} numbers (one per body); "
            f"got {value!r}."
        )
    elif str(getattr(value, "dtype", "")) in ("bool", "torch.bool") or any(
        isinstance(v, bool | np.bool_) for v in value
    ):
        raise ValueError(f"{name} must hold real numbers; got {value!r}.")
    array = check_float_array(
        value, name, dtype=np.float64, ensure_2d=False, ensure_all_finite=False
    ).copy()
    if not np.all(np.isfinite(array)) or np.any(array <= 0 if positive else array < 0):
        raise ValueError(f"{name} must be {need} and finite; got {value!r}.")
    return array


class MechanicalSystem(HamiltonianSystem):
    """Point masses in generalized coordinates, with optional linear drag.

    ``H(q, p) = p^T M(q)^-1 p / 2 + V(q)``, where ``M(q) = sum_i m_i J_i^T J_i``
    is the mass matrix and ``J_i = dx_i / dq`` the Jacobian of the position of
    mass ``i``. States stay canonical, ``[q, p]`` with ``p = M(q) dq/dt``, and
    :meth:`hamiltonian` is the true energy whatever the drag.

    With ``drag = lambda > 0``, each mass feels the force ``-lambda v_i``
    against its velocity; in generalized coordinates that is
    ``-lambda D(q) dq/dt`` with ``D(q) = sum_i J_i^T J_i``, added to ``dp/dt``:

    ``dq/dt = dH/dp``, ``dp/dt = -dH/dq - lambda D(q) dq/dt``,

    so that the energy decays at the rate ``dH/dt = -lambda sum_i |v_i|^2``.
    :meth:`vector_field` and :meth:`trajectories` include the drag;
    :meth:`gradient` is the gradient of ``H`` alone.

    Models that learn on velocities rather than momenta are scored through
    :meth:`to_velocities`, :meth:`to_momenta` and
    :meth:`energy_from_velocities`.

    Subclasses implement the mass matrix, the drag matrix ``D(q)``, the
    potential and their gradients on validated arrays, and set ``drag`` and
    ``n_dof`` in their constructor.
    """

    #: Drag coefficient ``lambda >= 0``; 0 is conservative.
    drag: float = 0.0
    #: Columns of ``q`` that are angles (defined modulo ``2 pi``).
    angles: tuple[int, ...] = ()

    @staticmethod
    def _check_drag(drag) -> float:
        return check_non_negative_float(drag, "drag")

    # -- what a subclass defines, on validated arrays ------------------------

    @abstractmethod
    def _mass_matrix(self, q: np.ndarray) -> np.ndarray:
        """``M(q)`` of shape ``(..., d, d)``, symmetric positive definite."""

    @abstractmethod
    def _drag_matrix(self, q: np.ndarray) -> np.ndarray:
        """``D(q) = sum_i J_i^T J_i`` of shape ``(..., d, d)``."""

    @abstractmethod
    def _potential(self, q: np.ndarray) -> np.ndarray:
        """``V(q)`` of shape ``(...)``."""

    @abstractmethod
    def _potential_gradient(self, q: np.ndarray) -> np.ndarray:
        """``dV/dq`` of shape ``(..., d)``."""

    @abstractmethod
    def _kinetic_gradient(self, q: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``dT/dq`` at fixed ``p``, ``-v^T (dM/dq) v / 2``, of shape ``(..., d)``."""

    def _velocities(self, q: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``M(q)^-1 p``; a subclass with a simpler ``M`` may override it."""
        return np.linalg.solve(self._mass_matrix(q), p[..., None])[..., 0]

    def _momenta(self, q: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``M(q) v``; a subclass with a simpler ``M`` may override it."""
        return np.einsum("...ij,...j->...i", self._mass_matrix(q), v)

    def _drag_force(self, q: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``-lambda D(q) v``; a subclass with a simpler ``D`` may override it."""
        return -self.drag * np.einsum("...ij,...j->...i", self._drag_matrix(q), v)

    # -- the HamiltonianSystem contract --------------------------------------

    def _split(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return X[..., : self.n_dof], X[..., self.n_dof :]

    def _hamiltonian(self, X: np.ndarray) -> np.ndarray:
        q, p = self._split(X)
        v = self._velocities(q, p)
        return 0.5 * np.sum(p * v, axis=-1) + self._potential(q)

    def _gradient(self, X: np.ndarray) -> np.ndarray:
        q, p = self._split(X)
        v = self._velocities(q, p)
        dH_dq = self._kinetic_gradient(q, v) + self._potential_gradient(q)
        return np.concatenate([dH_dq, v], axis=-1)

    def _vector_field(self, X: np.ndarray) -> np.ndarray:
        q, p = self._split(X)
        v = self._velocities(q, p)
        dp_dt = -(self._kinetic_gradient(q, v) + self._potential_gradient(q))
        if self.drag:
            dp_dt = dp_dt + self._drag_force(q, v)
        return np.concatenate([v, dp_dt], axis=-1)

    def vector_field(self, X) -> np.ndarray:
        """Hamilton's equations with the drag: ``(dq/dt, dp/dt)``.

        ``dq/dt = dH/dp`` and ``dp/dt = -dH/dq - lambda D(q) dq/dt``; without
        drag, Hamilton's equations.

        Parameters
        ----------
        X : array-like of shape (..., 2d)
            States ``[q_1 ... q_d, p_1 ... p_d]``, finite.

        Returns
        -------
        ndarray of shape (..., 2d)
            ``(dq/dt, dp/dt)`` at each state.
        """
        return self._vector_field(self._check_states(X))

    # -- positions, velocities and momenta -----------------------------------

    def mass_matrix(self, q) -> np.ndarray:
        """The mass matrix ``M(q)``, which maps velocities to momenta.

        Parameters
        ----------
        q : array-like of shape (..., d)
            Generalized coordinates, finite.

        Returns
        -------
        ndarray of shape (..., d, d)
            ``M(q)``, symmetric positive definite.
        """
        return self._mass_matrix(self._check_coordinates(q))

    def to_velocities(self, X) -> np.ndarray:
        """Canonical states ``[q, p]`` as ``[q, dq/dt]``, ``dq/dt = M(q)^-1 p``.

        Parameters
        ----------
        X : array-like of shape (..., 2d)
            States ``[q, p]``, finite.

        Returns
        -------
        ndarray of shape (..., 2d)
            The same states as ``[q, dq/dt]``.
        """
        X = self._check_states(X)
        q, p = self._split(X)
        return np.concatenate([q, self._velocities(q, p)], axis=-1)

    def to_momenta(self, V) -> np.ndarray:
        """States ``[q, dq/dt]`` as canonical ``[q, p]``, ``p = M(q) dq/dt``.

        The inverse of :meth:`to_velocities`.

        Parameters
        ----------
        V : array-like of shape (..., 2d)
            States ``[q, dq/dt]``, finite.

        Returns
        -------
        ndarray of shape (..., 2d)
            The same states as ``[q, p]``.
        """
        V = self._check_states(V, "V")
        q, v = self._split(V)
        return np.concatenate([q, self._momenta(q, v)], axis=-1)

    def energy_from_velocities(self, V) -> np.ndarray:
        """Total energy of states given as ``[q, dq/dt]``.

        ``dq/dt^T M(q) dq/dt / 2 + V(q)``, the same as :meth:`hamiltonian` of
        ``to_momenta(V)``.

        Parameters
        ----------
        V : array-like of shape (..., 2d)
            States ``[q, dq/dt]``, finite.

        Returns
        -------
        ndarray of shape (...)
            The energy of each state.
        """
        V = self._check_states(V, "V")
        q, v = self._split(V)
        return 0.5 * np.sum(self._momenta(q, v) * v, axis=-1) + self._potential(q)

    def _check_coordinates(self, q, name: str = "q") -> np.ndarray:
        """``q`` as float64 with ``d`` entries on its last axis, or a ValueError."""
        shape = shape_of(q)
        if shape is not None and (not shape or shape[-1] != self.n_dof):
            raise ValueError(
                f"{name} must have shape (..., {self.n_dof}), the coordinates of "
                f"{self!r}; got shape {shape}."
            )
        if shape is not None and 0 in shape:
            raise ValueError(f"{name} is empty: got shape {shape}.")
        return check_float_array(
            q, name, dtype=np.float64, ensure_2d=False, allow_nd=True
        )
