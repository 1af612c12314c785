"""Fixed-step explicit Runge-Kutta methods.

Each method is a small class with a ``step(field, x, dt)``; adding a method means
adding a class. Step sizes are Python floats computed on the host from the time
grid, so a step never waits on the device.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from sklearn_hnn.integrate.divergence import DivergenceMonitor

Field = Callable[[torch.Tensor], torch.Tensor]


class FixedStepMethod:
    """Base class: one explicit step of size ``dt`` for a batch of states."""

    #: Order of accuracy of the global error.
    order: int = 0

    def step(self, field: Field, x: torch.Tensor, dt: float) -> torch.Tensor:
        raise NotImplementedError

    def lift(self, x0: torch.Tensor) -> torch.Tensor:
        """The method's own state for initial states ``x0`` (``x0`` itself,
        unless the method integrates an extended state)."""
        return x0

    def project(self, state: torch.Tensor) -> torch.Tensor:
        """The solution ``x`` held in the method's state."""
        return state


class Euler(FixedStepMethod):
    """Explicit Euler, order 1."""

    order = 1

    def step(self, field: Field, x: torch.Tensor, dt: float) -> torch.Tensor:
        """One Euler step, ``x + dt field(x)``.

        Parameters
        ----------
        field : callable
            Maps states of shape ``(n, D)`` to their time derivatives.
        x : torch.Tensor of shape (n, D)
            States at the start of the step.
        dt : float
            Step size; negative to integrate backwards.

        Returns
        -------
        torch.Tensor of shape (n, D)
            States at the end of the step.
        """
        return torch.add(x, field(x), alpha=dt)


class Midpoint(FixedStepMethod):
    """Explicit midpoint rule, order 2."""

    order = 2

    def step(self, field: Field, x: torch.Tensor, dt: float) -> torch.Tensor:
        """One explicit midpoint step; two evaluations of ``field``.

        Parameters
        ----------
        field : callable
            Maps states of shape ``(n, D)`` to their time derivatives.
        x : torch.Tensor of shape (n, D)
            States at the start of the step.
        dt : float
            Step size; negative to integrate backwards.

        Returns
        -------
        torch.Tensor of shape (n, D)
            States at the end of the step.
        """
        k1 = field(x)
        return torch.add(x, field(torch.add(x, k1, alpha=0.5 * dt)), alpha=dt)


class RK4(FixedStepMethod):
    """Classical fourth-order Runge-Kutta."""

    order = 4

    def step(self, field: Field, x: torch.Tensor, dt: float) -> torch.Tensor:
        """One classical Runge-Kutta step; four evaluations of ``field``.

        Parameters
        ----------
        field : callable
            Maps states of shape ``(n, D)`` to their time derivatives.
        x : torch.Tensor of shape (n, D)
            States at the start of the step.
        dt : float
            Step size; negative to integrate backwards.

        Returns
        -------
        torch.Tensor of shape (n, D)
            States at the end of the step.
        """
        # Each update is one fused torch operation (add with alpha): for small
        # batches the cost of a step is its number of operations.
        half = 0.5 * dt
        k1 = field(x)
        k2 = field(torch.add(x, k1, alpha=half))
        k3 = field(torch.add(x, k2, alpha=half))
        k4 = field(torch.add(x, k3, alpha=dt))
        slope = torch.add(k1, torch.add(k2, k3), alpha=2.0).add_(k4)
        return torch.add(x, slope, alpha=dt / 6.0)


def integrate_fixed_grid(
    method: FixedStepMethod,
    field: Field,
    x0: torch.Tensor,
    t: np.ndarray,
    *,
    substeps: int = 1,
    monitor: DivergenceMonitor | None = None,
) -> torch.Tensor:
    """Advance ``x0`` over the grid ``t`` with ``substeps`` equal steps per interval.

    With a ``monitor``, every trajectory is checked at every time of ``t`` once
    the run is over (:meth:`DivergenceMonitor.scan`; the monitor then NaNs
    failed ones out from their failure on and warns). The trajectories of a
    fixed-step method evolve independently, so one that fails cannot disturb
    the others, and checking after the run spares every step the check.
    Returns a tensor of shape ``(len(t), *x0.shape)``.
    """
    # Collected in a list and stacked once: indexed assignment into a
    # preallocated tensor costs more than a small step's arithmetic.
    out = [x0]
    state = method.lift(x0)
    for dt in (np.diff(t) / substeps).tolist():
        for _ in range(substeps):
            state = method.step(field, state, dt)
        out.append(method.project(state))
    states = torch.stack(out)
    if monitor is not None:
        monitor.scan(states, t)
    return states
