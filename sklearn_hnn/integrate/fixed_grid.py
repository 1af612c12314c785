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
        return x + dt * field(x)


class Midpoint(FixedStepMethod):
    """Explicit midpoint rule, order 2."""

    order = 2

    def step(self, field: Field, x: torch.Tensor, dt: float) -> torch.Tensor:
        k1 = field(x)
        return x + dt * field(x + (0.5 * dt) * k1)


class RK4(FixedStepMethod):
    """Classical fourth-order Runge-Kutta."""

    order = 4

    def step(self, field: Field, x: torch.Tensor, dt: float) -> torch.Tensor:
        half = 0.5 * dt
        k1 = field(x)
        k2 = field(x + half * k1)
        k3 = field(x + half * k2)
        k4 = field(x + dt * k3)
        return x + (dt / 6.0) * (k1 + 2.0 * (k2 + k3) + k4)


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

    With a ``monitor``, trajectories are checked at every time of ``t``; one
    that failed is frozen there (the monitor then NaNs it out and warns).
    Returns a tensor of shape ``(len(t), *x0.shape)``.
    """
    out = x0.new_empty((len(t), *x0.shape))
    out[0] = x0
    state = method.lift(x0)
    for i, dt in enumerate(np.diff(t) / substeps):
        dt = float(dt)
        previous = state
        for _ in range(substeps):
            state = method.step(field, state, dt)
        if monitor is not None:
            state = monitor.update(state, previous, float(t[i + 1]))
        out[i + 1] = method.project(state)
    return out
