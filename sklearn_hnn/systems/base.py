"""The interface every physical system implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from scipy.integrate import solve_ivp

from sklearn_hnn._validation import (
    check_positive_float,
    check_states,
    check_time_grid,
)


class HamiltonianSystem(ABC):
    """A conservative system with ``d`` degrees of freedom and a known ``H(q, p)``.

    Subclasses implement :meth:`_hamiltonian` and :meth:`_gradient` on states
    that are already validated; the public :meth:`hamiltonian`,
    :meth:`gradient`, :meth:`vector_field` and :meth:`trajectories` check their
    arguments first, and raise a ValueError or TypeError that names the
    argument at fault.
    """

    #: Degrees of freedom ``d``; states have ``2d`` entries.
    n_dof: int = 1

    @property
    def n_features(self) -> int:
        """Width of a state, ``2d``."""
        return 2 * self.n_dof

    @abstractmethod
    def _hamiltonian(self, X: np.ndarray) -> np.ndarray:
        """Total energy of valid states: float64, finite, shape ``(..., 2d)``."""

    @abstractmethod
    def _gradient(self, X: np.ndarray) -> np.ndarray:
        """``(dH/dq, dH/dp)`` of valid states, shape ``(..., 2d)``."""

    def _check_states(
        self,
        X,
        name: str = "X",
        *,
        single_or_batch: bool = False,
        domain: bool = True,
    ) -> np.ndarray:
        """``X`` as a float64 array of states, or a ValueError/TypeError naming it.

        ``X`` must be finite, real, non-empty and ``2d`` wide on its last axis;
        with ``single_or_batch`` it must also be 1-D or 2-D. With ``domain``,
        it must also lie where ``H`` is defined (see :meth:`_check_domain`).
        """
        width = self.n_features
        X = check_states(
            X,
            name,
            f"({width},) or (n, {width})" if single_or_batch else f"(..., {width})",
            owner=repr(self),
            n_features=width,
            ndims=(1, 2) if single_or_batch else None,
        )
        if domain:
            self._check_domain(X, name)
        return X

    def _check_domain(self, X: np.ndarray, name: str) -> None:
        """Raise a ValueError naming ``name`` where ``H`` is not defined at ``X``.

        Every finite state is allowed unless a subclass says otherwise.
        """
        return None

    def hamiltonian(self, X) -> np.ndarray:
        """Total energy.

        Parameters
        ----------
        X : array-like of shape (..., 2d)
            States ``[q_1 ... q_d, p_1 ... p_d]``, finite.

        Returns
        -------
        ndarray of shape (...)
            ``H`` of each state.
        """
        return self._hamiltonian(self._check_states(X))

    def gradient(self, X) -> np.ndarray:
        """``(dH/dq, dH/dp)``.

        Parameters
        ----------
        X : array-like of shape (..., 2d)
            States ``[q_1 ... q_d, p_1 ... p_d]``, finite.

        Returns
        -------
        ndarray of shape (..., 2d)
            ``(dH/dq, dH/dp)`` at each state.
        """
        return self._gradient(self._check_states(X))

    def vector_field(self, X) -> np.ndarray:
        """Hamilton's equations ``(dq/dt, dp/dt) = (dH/dp, -dH/dq)``.

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

    def _vector_field(self, X: np.ndarray) -> np.ndarray:
        grad = self._gradient(X)
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
            The state at each time of ``t`` (one trajectory per initial state
            for a batch ``x0``); the first is ``x0``.

        Raises
        ------
        ValueError
            If an argument is malformed; all checks run before integrating.
        RuntimeError
            If the solver fails on a trajectory.
        """
        x0 = self._check_states(x0, "x0", single_or_batch=True)
        t = check_time_grid(t)
        rtol = check_positive_float(rtol, "rtol")
        atol = check_positive_float(atol, "atol")
        single = x0.ndim == 1
        x0 = np.atleast_2d(x0)
        out = np.empty((len(x0), len(t), self.n_features))
        for i, state in enumerate(x0):
            if len(t) == 1:
                out[i, 0] = state
                continue
            solution = solve_ivp(
                lambda _, y: self._vector_field(y),
                (t[0], t[-1]),
                state,
                method="DOP853",
                t_eval=t,
                rtol=rtol,
                atol=atol,
            )
            if not solution.success:
                raise RuntimeError(
                    f"solve_ivp failed on the trajectory from x0[{i}]: "
                    f"{solution.message}"
                )
            out[i] = solution.y.T
        return out[0] if single else out
