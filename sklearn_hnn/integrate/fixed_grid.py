"""Fixed-step explicit Runge-Kutta methods.

Each method is a small subclass of :class:`FixedStepMethod` with a
``step(field, x, dt)``; adding a method means adding a class (and a line in
``sklearn_hnn.integrate.INTEGRATORS`` to give it a name). Step sizes are Python
floats computed on the host from the time grid, so a step never waits on the
device. A step also accepts ``dt`` as a 0-d tensor on the device of ``x``, as
the loop replayed from a CUDA graph (:mod:`sklearn_hnn.integrate.cuda_graph`)
passes it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import torch

from sklearn_hnn.integrate._base import Integrator
from sklearn_hnn.integrate.cuda_graph import ReplayedSteps, can_replay
from sklearn_hnn.integrate.divergence import DivergenceMonitor

Field = Callable[[torch.Tensor], torch.Tensor]
#: A step size: a Python float, or a 0-d tensor on the device of the states.
StepSize = float | torch.Tensor


def axpy(x: torch.Tensor, k: torch.Tensor, h: StepSize) -> torch.Tensor:
    """``x + h * k`` in one torch operation, for a float or 0-d tensor ``h``."""
    if isinstance(h, torch.Tensor):
        return torch.addcmul(x, k, h)
    return torch.add(x, k, alpha=h)


class FixedStepMethod(Integrator):
    """Base class: one step of size ``dt`` for a batch of states.

    :func:`~sklearn_hnn.integrate.integrate` takes ``substeps`` equal steps
    inside each interval of its time grid (:func:`integrate_fixed_grid`).
    """

    #: Order of accuracy of the global error.
    order: int = 0
    #: Whether a step can be captured in a CUDA graph: no host synchronisation
    #: (no data-dependent Python control flow) inside it.
    capturable: bool = True

    def step(self, field: Field, x: torch.Tensor, dt: StepSize) -> torch.Tensor:
        raise NotImplementedError

    def check_steps(self, dt: np.ndarray) -> None:
        """Warn if any of the step sizes ``dt`` is a bad one for this method
        (the default accepts any). Called once per run, on the host."""

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

    def step(self, field: Field, x: torch.Tensor, dt: StepSize) -> torch.Tensor:
        """One Euler step, ``x + dt field(x)``.

        Parameters
        ----------
        field : callable
            Maps states of shape ``(n, D)`` to their time derivatives.
        x : torch.Tensor of shape (n, D)
            States at the start of the step.
        dt : float or 0-d torch.Tensor
            Step size; negative to integrate backwards.

        Returns
        -------
        torch.Tensor of shape (n, D)
            States at the end of the step.
        """
        return axpy(x, field(x), dt)


class Midpoint(FixedStepMethod):
    """Explicit midpoint rule, order 2."""

    order = 2

    def step(self, field: Field, x: torch.Tensor, dt: StepSize) -> torch.Tensor:
        """One explicit midpoint step; two evaluations of ``field``.

        Parameters
        ----------
        field : callable
            Maps states of shape ``(n, D)`` to their time derivatives.
        x : torch.Tensor of shape (n, D)
            States at the start of the step.
        dt : float or 0-d torch.Tensor
            Step size; negative to integrate backwards.

        Returns
        -------
        torch.Tensor of shape (n, D)
            States at the end of the step.
        """
        k1 = field(x)
        return axpy(x, field(axpy(x, k1, 0.5 * dt)), dt)


class RK4(FixedStepMethod):
    """Classical fourth-order Runge-Kutta."""

    order = 4

    def step(self, field: Field, x: torch.Tensor, dt: StepSize) -> torch.Tensor:
        """One classical Runge-Kutta step; four evaluations of ``field``.

        Parameters
        ----------
        field : callable
            Maps states of shape ``(n, D)`` to their time derivatives.
        x : torch.Tensor of shape (n, D)
            States at the start of the step.
        dt : float or 0-d torch.Tensor
            Step size; negative to integrate backwards.

        Returns
        -------
        torch.Tensor of shape (n, D)
            States at the end of the step.
        """
        # Each update is one fused torch operation (axpy): for small
        # batches the cost of a step is its number of operations.
        half = 0.5 * dt
        k1 = field(x)
        k2 = field(axpy(x, k1, half))
        k3 = field(axpy(x, k2, half))
        k4 = field(axpy(x, k3, dt))
        slope = torch.add(k1, torch.add(k2, k3), alpha=2.0).add_(k4)
        return axpy(x, slope, dt / 6.0)


def integrate_fixed_grid(
    method: FixedStepMethod,
    field: Field,
    x0: torch.Tensor,
    t: np.ndarray,
    *,
    substeps: int = 1,
    monitor: DivergenceMonitor | None = None,
    cuda_graph: bool = False,
) -> torch.Tensor:
    """Advance ``x0`` over the grid ``t`` with ``substeps`` equal steps per interval.

    With a ``monitor``, every trajectory is checked at every time of ``t`` once
    the run is over (:meth:`DivergenceMonitor.scan`; the monitor then NaNs
    failed ones out from their failure on and warns). The trajectories of a
    fixed-step method evolve independently, so one that fails cannot disturb
    the others, and checking after the run spares every step the check.

    With ``cuda_graph``, a run on a CUDA device that
    :func:`~sklearn_hnn.integrate.cuda_graph.can_replay` accepts captures one
    step in a CUDA graph and replays it
    (:class:`~sklearn_hnn.integrate.cuda_graph.ReplayedSteps`); ``field`` must
    then be capturable; if the capture fails, a RuntimeWarning says why and
    the run is eager. Returns a tensor of shape ``(len(t), *x0.shape)``.
    """
    step_sizes = np.diff(t) / substeps
    method.check_steps(step_sizes)  # on the host, once, before any step
    replayed = None
    if cuda_graph and can_replay(method, x0, (len(t) - 1) * substeps):
        try:
            replayed = ReplayedSteps(method, field, x0, t, substeps=substeps)
        except Exception as error:  # a field that cannot be captured, say
            warnings.warn(
                f"Capturing the step in a CUDA graph failed ({type(error).__name__}: "
                f"{error}); integrating eagerly instead. Pass cuda_graph=False to "
                "skip the attempt.",
                RuntimeWarning,
                stacklevel=3,
            )
    if replayed is not None:
        states = replayed.run()
    else:
        # Collected in a list and stacked once: indexed assignment into a
        # preallocated tensor costs more than a small step's arithmetic.
        out = [x0]
        state = method.lift(x0)
        for dt in step_sizes.tolist():
            for _ in range(substeps):
                state = method.step(field, state, dt)
            out.append(method.project(state))
        states = torch.stack(out)
    if monitor is not None:
        monitor.scan(states, t)
    return states
