"""Integration of a batched torch field by SciPy's ODE solvers.

:class:`ScipyIVP` is the method that :func:`~sklearn_hnn.integrate.integrate`
runs with :func:`integrate_scipy`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.integrate
import torch
from scipy.integrate import solve_ivp

from sklearn_hnn._validation import check_option
from sklearn_hnn.integrate._base import Integrator
from sklearn_hnn.integrate.adaptive import outputs_passed
from sklearn_hnn.integrate.divergence import DivergenceMonitor

Field = Callable[[torch.Tensor], torch.Tensor]
#: The solvers of :func:`scipy.integrate.solve_ivp` that :class:`ScipyIVP` runs.
SOLVERS = ("RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA")


class ScipyIVP(Integrator):
    """A solver of :func:`scipy.integrate.solve_ivp` on the batched field.

    The whole batch is solved as one flattened system, in float64 on the host
    (the states are copied there and back at every evaluation of the field),
    with steps of the solver's own size; ``rtol`` and ``atol`` apply to the
    RMS over the whole batch. The results are returned in the dtype and on the
    device of the initial states.

    Parameters
    ----------
    solver : {"RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA"}, default="RK45"
        The solver, as ``solve_ivp``'s ``method`` names it. The implicit ones
        (``"Radau"``, ``"BDF"``, ``"LSODA"``) estimate the Jacobian of the
        flattened system by finite differences, one evaluation of the field
        per component of the batch.

    Raises
    ------
    ValueError
        If ``solver`` is not one of those names.

    Examples
    --------
    >>> ScipyIVP(solver="DOP853")
    ScipyIVP(solver='DOP853')
    """

    def __init__(self, solver: str = "RK45") -> None:
        self.solver = solver
        self._check_params()

    def _check_params(self) -> None:
        check_option(self.solver, "solver", SOLVERS)


def integrate_scipy(
    field: Field,
    x0: torch.Tensor,
    t: np.ndarray,
    *,
    rtol: float,
    atol: float,
    scipy_method: str = "RK45",
    monitor: DivergenceMonitor | None = None,
) -> torch.Tensor:
    """Solve the whole batch as one flattened system with a SciPy solver.

    One call of ``field`` per right-hand-side evaluation covers every trajectory,
    which is what makes this fast compared with one ``solve_ivp`` per trajectory.
    SciPy's error norm is the RMS over all components of the batch.

    Without a ``monitor`` this is :func:`scipy.integrate.solve_ivp`. With one,
    the solver is stepped by hand, as ``solve_ivp`` does, and only accepted
    steps are checked. A trajectory that is unhealthy after an accepted step is
    stopped at its state before that step; when the solver fails (its step
    size collapses), the trajectories whose states or derivatives were not
    finite, or past the monitor's bound, in the failed attempts are stopped at
    the last accepted state. Stopped trajectories get a zero derivative, and the
    solver restarts from there. Returns ``(len(t), *x0.shape)`` on ``x0``'s
    device and dtype.
    """
    shape, device, dtype = x0.shape, x0.device, x0.dtype
    if len(t) == 1:
        return x0.unsqueeze(0).clone()
    n = shape[0]
    frozen = np.zeros(n, dtype=bool)  # stopped trajectories stand still
    suspect = np.zeros(n, dtype=bool)  # unhealthy in an attempt since the last step

    def rhs(_time: float, y: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(y).reshape(shape).to(device=device, dtype=dtype)
        dxdt = field(x).detach()
        if monitor is not None:
            bad = ~(monitor.healthy(x) & torch.isfinite(dxdt).all(dim=-1))
            suspect[bad.cpu().numpy()] = True
        dxdt = dxdt.cpu().double().numpy().reshape(n, -1)
        dxdt[frozen] = 0.0
        return dxdt.ravel()

    y0 = x0.detach().cpu().double().numpy().ravel()
    t0, t_end = float(t[0]), float(t[-1])
    if monitor is None:
        solution = solve_ivp(
            rhs, (t0, t_end), y0, method=scipy_method, t_eval=t, rtol=rtol, atol=atol
        )
        if not solution.success:
            raise RuntimeError(f"solve_ivp failed: {solution.message}")
        states = np.ascontiguousarray(solution.y.T)
    else:
        states = _step_by_step(
            rhs, y0, t, getattr(scipy.integrate, scipy_method), rtol, atol,
            monitor, frozen, suspect,
        )  # fmt: skip
    return torch.from_numpy(states.reshape(len(t), *shape)).to(
        device=device, dtype=dtype
    )


def _step_by_step(
    rhs, y0, t, solver_cls, rtol, atol, monitor, frozen, suspect
) -> np.ndarray:
    """Outputs on ``t`` of a solver stepped by hand, stopping trajectories that
    fail (see :func:`integrate_scipy`); ``frozen`` and ``suspect`` are the
    boolean arrays that ``rhs`` reads and writes."""
    n = len(frozen)
    direction = 1.0 if t[-1] > t[0] else -1.0
    forward_t = direction * np.asarray(t, dtype=np.float64)
    out = [y0]
    next_out = 1

    def start(time: float, y: np.ndarray):
        suspect[:] = False
        return solver_cls(rhs, time, y, float(t[-1]), rtol=rtol, atol=atol)

    def stop(rows: np.ndarray, after: float) -> None:
        device = monitor.alive.device
        monitor.stop(torch.as_tensor(rows, device=device), after, direction)
        frozen[rows] = True

    solver = start(float(t[0]), y0)
    while next_out < len(t):
        t_old, y_old = solver.t, solver.y.copy()
        message = solver.step()
        if solver.status == "failed":
            rows = suspect & ~frozen
            if not rows.any():
                hint = (
                    " A trajectory may be blowing up while staying finite; give "
                    "max_growth to stop such trajectories."
                    if monitor.max_growth is None
                    else ""
                )
                raise RuntimeError(f"solve_ivp failed: {message}{hint}")
            stop(rows, t_old)
            solver = start(t_old, y_old)
            continue
        suspect[:] = False
        # Outputs passed by this step: times in (t_old, t].
        last = outputs_passed(
            forward_t, direction * solver.t, at_end=solver.status == "finished"
        )
        if last > next_out:
            out.extend(solver.dense_output()(t[next_out:last]).T)
            next_out = last
        y = torch.from_numpy(solver.y.reshape(n, -1))
        unhealthy = (~monitor.healthy(y.to(monitor.bound.device))).cpu().numpy()
        rows = unhealthy & ~frozen
        if rows.any():
            stop(rows, t_old)
            if next_out < len(t):
                y_restart = solver.y.reshape(n, -1).copy()
                y_restart[rows] = y_old.reshape(n, -1)[rows]
                solver = start(solver.t, y_restart.ravel())
    return np.stack(out)
