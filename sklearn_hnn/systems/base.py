"""The interface every physical system implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from scipy.integrate import solve_ivp

from sklearn_hnn._validation import check_time_grid


class HamiltonianSystem(ABC):
    """A conservative system with ``d`` degrees of freedom and a known ``H(q, p)``.

    Subclasses implement :meth:`hamiltonian` and :meth:`gradient`; the vector
    field and trajectories follow from them.
    """

    #: Degrees of freedom ``d``; states have ``2d`` entries.
    n_dof: int = 1

    @property
    def n_features(self) -> int:
        """Width of a state, ``2d``."""
        return 2 * self.n_dof

    @abstractmethod
    def hamiltonian(self, X: np.ndarray) -> np.ndarray:
        """Total energy.

        Parameters
        ----------
        X : ndarray of shape (..., 2d)

        Returns
        -------
        ndarray of shape (...)
        """

    @abstractmethod
    def gradient(self, X: np.ndarray) -> np.ndarray:
        """``(dH/dq, dH/dp)``, shape ``(..., 2d)``."""

    def vector_field(self, X: np.ndarray) -> np.ndarray:
        """Hamilton's equations ``(dq/dt, dp/dt) = (dH/dp, -dH/dq)``.

        Parameters
        ----------
        X : ndarray of shape (..., 2d)

        Returns
        -------
        ndarray of shape (..., 2d)
        """
        grad = self.gradient(np.asarray(X, dtype=float))
        d = self.n_dof
        return np.concatenate([grad[..., d:], -grad[..., :d]], axis=-1)

    def trajectories(
        self, x0, t, *, rtol: float = 1e-10, atol: float = 1e-10
    ) -> np.ndarray:
        """Integrate the true dynamics accurately from each initial state.

        Each trajectory is solved on its own by ``solve_ivp`` (DOP853), so the
        tolerance holds for every trajectory.

        Parameters
        ----------
        x0 : array-like of shape (2d,) or (n, 2d)
            Initial states at ``t[0]``.
        t : array-like of shape (n_times,)
            Strictly monotonic output times.
        rtol, atol : float, default=1e-10
            Tolerances of the solver.

        Returns
        -------
        ndarray of shape (n_times, 2d) or (n, n_times, 2d)
        """
        t = check_time_grid(t)
        x0 = np.asarray(x0, dtype=float)
        single = x0.ndim == 1
        x0 = np.atleast_2d(x0)
        if x0.ndim != 2 or x0.shape[1] != self.n_features:
            raise ValueError(
                f"x0 must have shape ({self.n_features},) or (n, {self.n_features}); "
                f"got {np.shape(x0)}."
            )
        out = np.empty((len(x0), len(t), self.n_features))
        for i, state in enumerate(x0):
            if len(t) == 1:
                out[i, 0] = state
                continue
            solution = solve_ivp(
                lambda _, y: self.vector_field(y),
                (t[0], t[-1]),
                state,
                method="DOP853",
                t_eval=t,
                rtol=rtol,
                atol=atol,
            )
            out[i] = solution.y.T
        return out[0] if single else out
