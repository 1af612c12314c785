"""Fixed-step symplectic integrators for Hamiltonian vector fields.

A symplectic method preserves the phase-space structure of Hamilton's
equations, so its energy error stays bounded (it oscillates) over very long
rollouts instead of drifting as Runge-Kutta methods' does. All three work on the
vector field ``f(x) = (dH/dp, -dH/dq)`` of a state ``x = [q, p]`` (even width),
which is what a Hamiltonian model predicts; none needs ``H`` itself.

- :class:`Leapfrog` (Störmer-Verlet), explicit, second order, for *separable*
  ``H(q, p) = T(p) + V(q)`` only: it evaluates ``dq/dt`` and ``dp/dt`` at mixed
  states, which is exact only when each depends on one half of the state.
- :class:`ImplicitMidpoint`, second order, for any ``H``: solves
  ``x1 = x + h f((x + x1) / 2)`` by fixed-point iteration.
- :class:`Tao`, explicit, second order, for any ``H`` (M. Tao, "Explicit
  symplectic approximation of nonseparable Hamiltonians", Phys. Rev. E 94,
  043303, 2016): integrates two coupled copies of the state, bound together
  by a harmonic term of strength ``omega``.
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from sklearn_hnn._validation import check_positive_float
from sklearn_hnn.integrate.fixed_grid import Field, FixedStepMethod, StepSize


def _halves(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    d = x.shape[-1] // 2
    return x[..., :d], x[..., d:]


def _join(q: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    return torch.cat([q, p], dim=-1)


class Leapfrog(FixedStepMethod):
    """Störmer-Verlet in its velocity form (kick, drift, kick), order 2.

    Symplectic and time-reversible for separable ``H(q, p) = T(p) + V(q)``; for
    a non-separable ``H`` it is neither (use :class:`Tao` or
    :class:`ImplicitMidpoint`). Three evaluations of the field per step.
    """

    order = 2
    symplectic = True

    def step(self, field: Field, x: torch.Tensor, dt: StepSize) -> torch.Tensor:
        """One kick-drift-kick step; three evaluations of ``field``.

        Parameters
        ----------
        field : callable
            Hamiltonian vector field, mapping states ``[q, p]`` of shape ``(n, 2d)``
            to their time derivatives.
        x : torch.Tensor of shape (n, 2d)
            States at the start of the step.
        dt : float or 0-d torch.Tensor
            Step size; negative to integrate backwards.

        Returns
        -------
        torch.Tensor of shape (n, 2d)
            States at the end of the step.
        """
        q, p = _halves(x)
        p_half = p + (0.5 * dt) * _halves(field(x))[1]
        q_new = q + dt * _halves(field(_join(q, p_half)))[0]
        p_new = p_half + (0.5 * dt) * _halves(field(_join(q_new, p_half)))[1]
        return _join(q_new, p_new)


class ImplicitMidpoint(FixedStepMethod):
    """The implicit midpoint rule, order 2, symplectic for any ``H``.

    Each step solves ``x1 = x + dt f((x + x1) / 2)`` by fixed-point iteration
    from an explicit midpoint guess, until successive iterates differ by at
    most ``tol * (1 + |x|)`` everywhere, or ``max_iter`` iterations. The
    iteration contracts only when ``dt`` is small against the field's Lipschitz
    constant; a step that ends with iterates still ``sqrt(tol)`` apart has not
    converged, and a :class:`~sklearn.exceptions.ConvergenceWarning` says so
    (the result is not symplectic; take smaller steps). Checking
    convergence synchronises with the device once per iteration, and the
    iteration count is shared by the batch, so a trajectory's result can differ
    in the last digits with the batch it is in; for the same reason its steps
    are never captured in a CUDA graph (:attr:`capturable` is False).

    Parameters
    ----------
    tol : float, default=1e-10
        Relative tolerance of the fixed-point iteration, positive. A field
        computed in float32 converges only to about 1e-7; the iteration then
        stops at ``max_iter``.
    max_iter : int, default=12
        Most iterations per step, at least 0; 0 takes the explicit midpoint
        guess as the step (not symplectic).

    Raises
    ------
    ValueError
        If ``tol`` is not a positive finite number or ``max_iter`` not an
        integer >= 0.

    Examples
    --------
    >>> ImplicitMidpoint(tol=1e-12, max_iter=20)
    ImplicitMidpoint(tol=1e-12, max_iter=20)
    """

    order = 2
    capturable = False
    symplectic = True

    def __init__(self, tol: float = 1e-10, max_iter: int = 12) -> None:
        self.tol = tol
        self.max_iter = max_iter
        self._check_params()

    def _check_params(self) -> None:
        self.tol = check_positive_float(self.tol, "tol")
        if (
            isinstance(self.max_iter, bool)
            or not isinstance(self.max_iter, Integral)
            or self.max_iter < 0
        ):
            raise ValueError(
                f"max_iter must be an integer >= 0; got {self.max_iter!r}."
            )
        self.max_iter = int(self.max_iter)

    def step(self, field: Field, x: torch.Tensor, dt: float) -> torch.Tensor:
        """One implicit midpoint step, solved by fixed-point iteration.

        Parameters
        ----------
        field : callable
            Hamiltonian vector field, mapping states ``[q, p]`` of shape ``(n, 2d)``
            to their time derivatives.
        x : torch.Tensor of shape (n, 2d)
            States at the start of the step.
        dt : float
            Step size; negative to integrate backwards.

        Returns
        -------
        torch.Tensor of shape (n, 2d)
            States at the end of the step.
        """
        x_new = x + dt * field(x + (0.5 * dt) * field(x))
        for _ in range(self.max_iter):
            update = x + dt * field(0.5 * (x + x_new))
            change = (update - x_new).abs()
            # Rows that are no longer finite cannot converge; the divergence
            # monitor deals with them.
            settled = (change <= self.tol * (1.0 + x.abs())) | ~torch.isfinite(change)
            converged = bool(settled.all())
            x_new = update
            if converged:
                return x_new
        if self.max_iter < 1:  # the explicit guess only, as asked
            return x_new
        # Stalled at the rounding level of a float32 field, or not contracting?
        close = change <= self.tol**0.5 * (1.0 + x.abs())
        if not bool((close | ~torch.isfinite(change)).all()):
            warnings.warn(
                f"implicit_midpoint: the fixed-point iteration did not converge "
                f"in {self.max_iter} iterations at a step of {abs(dt):.3g}; the "
                "result is not symplectic. Use a smaller step (more substeps).",
                ConvergenceWarning,
                stacklevel=2,
            )
        return x_new


class Tao(FixedStepMethod):
    """Tao's explicit symplectic scheme for non-separable ``H``, order 2.

    The state ``[q, p]`` is doubled to ``(q, p, x, y)`` with the extended
    Hamiltonian ``H(q, y) + H(x, p) + omega/2 (|q - x|^2 + |p - y|^2)``, whose
    three parts each have an exact flow; a step is their Strang composition
    ``A(h/2) B(h/2) C(h) B(h/2) A(h/2)``, symplectic in the doubled space. The
    copies start equal (:meth:`lift`), the coupling keeps them together, and
    the solution is the first copy (:meth:`project`). Four evaluations of the
    field per step.

    Parameters
    ----------
    omega : float, default=20.0
        Coupling strength, positive. Tao recommends ``omega * dt`` of order
        one. The coupling's flow rotates by ``2 omega dt`` per step, so
        ``omega * dt`` near a multiple of pi/2 is a resonance with errors of
        order one; a ``RuntimeWarning`` from :meth:`check_steps` says so, once
        per run of ``integrate`` (a :meth:`step` called by hand is not
        checked).

    Raises
    ------
    ValueError
        If ``omega`` is not a positive finite number.

    Examples
    --------
    >>> Tao(omega=10.0)
    Tao(omega=10.0)
    """

    order = 2
    symplectic = True

    def __init__(self, omega: float = 20.0) -> None:
        self.omega = omega
        self._check_params()

    def _check_params(self) -> None:
        self.omega = check_positive_float(self.omega, "omega")

    @staticmethod
    def _flow_a(field, q, p, x, y, h):
        """Flow of ``H(q, y)``: ``p`` and ``x`` move, ``q`` and ``y`` stay."""
        dqdt, dpdt = _halves(field(_join(q, y)))
        return q, p + h * dpdt, x + h * dqdt, y

    @staticmethod
    def _flow_b(field, q, p, x, y, h):
        """Flow of ``H(x, p)``: ``q`` and ``y`` move, ``x`` and ``p`` stay."""
        dqdt, dpdt = _halves(field(_join(x, p)))
        return q + h * dqdt, p, x, y + h * dpdt

    def _flow_c(self, q, p, x, y, h):
        """Exact flow of the coupling: rotates the differences by ``2 omega h``."""
        angle = 2.0 * self.omega * h
        if isinstance(angle, torch.Tensor):
            cos, sin = torch.cos(angle), torch.sin(angle)
        else:
            cos, sin = math.cos(angle), math.sin(angle)
        q_sum, p_sum, q_diff, p_diff = q + x, p + y, q - x, p - y
        q_rot = cos * q_diff + sin * p_diff
        p_rot = -sin * q_diff + cos * p_diff
        return (
            0.5 * (q_sum + q_rot),
            0.5 * (p_sum + p_rot),
            0.5 * (q_sum - q_rot),
            0.5 * (p_sum - p_rot),
        )

    def check_steps(self, dt: np.ndarray) -> None:
        """Warn (RuntimeWarning) once if ``omega * |dt|`` is near a resonance
        for any of the step sizes ``dt``.

        Parameters
        ----------
        dt : ndarray of shape (n_steps,)
            The step sizes of a run.
        """
        phase = self.omega * np.abs(np.asarray(dt, dtype=np.float64))
        near = (phase > 0.5) & (np.abs(np.sin(2.0 * phase)) < 0.1)
        if near.any():
            resonant = np.sort(phase[near])
            # Sizes that differ only by rounding (an even grid's) count as one.
            resonant = resonant[np.r_[True, np.diff(resonant) > 1e-9 * resonant[1:]]]
            others = (
                f" (and {resonant.size - 1} other step sizes)"
                if resonant.size > 1
                else ""
            )
            warnings.warn(
                f"tao: omega * dt = {resonant[0]:.3g}{others} is near a multiple "
                "of pi/2, where the coupling of the two copies resonates and the "
                "result is wrong. Use another step (substeps).",
                RuntimeWarning,
                stacklevel=2,
            )

    def lift(self, x0: torch.Tensor) -> torch.Tensor:
        """``[q, p, q, p]``: both copies start at ``x0``.

        Parameters
        ----------
        x0 : torch.Tensor of shape (n, 2d)
            Initial states ``[q, p]``.

        Returns
        -------
        torch.Tensor of shape (n, 4d)
            The doubled state that :meth:`step` advances.
        """
        return torch.cat([x0, x0], dim=-1)

    def project(self, state: torch.Tensor) -> torch.Tensor:
        """The first copy, ``[q, p]``.

        Parameters
        ----------
        state : torch.Tensor of shape (n, 4d)
            A doubled state, as :meth:`step` returns it.

        Returns
        -------
        torch.Tensor of shape (n, 2d)
            The solution.
        """
        return state[..., : state.shape[-1] // 2]

    def step(self, field: Field, state: torch.Tensor, dt: StepSize) -> torch.Tensor:
        """One step of the doubled state; four evaluations of ``field``.

        Parameters
        ----------
        field : callable
            Hamiltonian vector field, mapping states ``[q, p]`` of shape ``(n, 2d)``
            to their time derivatives.
        state : torch.Tensor of shape (n, 4d)
            The two copies ``[q, p, x, y]`` at the start of the step (see
            :meth:`lift`).
        dt : float or 0-d torch.Tensor
            Step size; negative to integrate backwards.

        Returns
        -------
        torch.Tensor of shape (n, 4d)
            The two copies at the end of the step.
        """
        first, second = _halves(state)
        q, p = _halves(first)
        x, y = _halves(second)
        half = 0.5 * dt
        parts = self._flow_a(field, q, p, x, y, half)
        parts = self._flow_b(field, *parts, half)
        parts = self._flow_c(*parts, dt)
        parts = self._flow_b(field, *parts, half)
        parts = self._flow_a(field, *parts, half)
        return torch.cat(parts, dim=-1)


__all__ = ["ImplicitMidpoint", "Leapfrog", "Tao"]
