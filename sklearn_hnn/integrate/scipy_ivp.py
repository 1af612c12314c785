"""Integration of a batched torch field by :func:`scipy.integrate.solve_ivp`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from scipy.integrate import solve_ivp

from sklearn_hnn.integrate.divergence import DivergenceMonitor

Field = Callable[[torch.Tensor], torch.Tensor]


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
    """Solve the whole batch as one flattened system with ``solve_ivp``.

    One call of ``field`` per right-hand-side evaluation covers every trajectory,
    which is what makes this fast compared with one ``solve_ivp`` per trajectory.
    SciPy's error norm is the RMS over all components of the batch. With a
    ``monitor``, a trajectory whose state fails at any evaluation gets a zero
    derivative from then on, so it cannot stall the others. Returns
    ``(len(t), *x0.shape)`` on ``x0``'s device and dtype.
    """
    shape, device, dtype = x0.shape, x0.device, x0.dtype
    if len(t) == 1:
        return x0.unsqueeze(0).clone()

    def rhs(time: float, y: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(y).reshape(shape).to(device=device, dtype=dtype)
        dxdt = field(x)
        if monitor is not None:  # failed trajectories stand still
            monitor.update(x, x, time)
            dxdt = torch.where(monitor.alive.unsqueeze(-1), dxdt, 0.0)
        return dxdt.reshape(-1).detach().cpu().double().numpy()

    y0 = x0.detach().cpu().double().numpy().ravel()
    solution = solve_ivp(
        rhs,
        (float(t[0]), float(t[-1])),
        y0,
        method=scipy_method,
        t_eval=t,
        rtol=rtol,
        atol=atol,
    )
    if not solution.success:
        raise RuntimeError(f"solve_ivp failed: {solution.message}")
    states = np.ascontiguousarray(solution.y.T).reshape(len(t), *shape)
    return torch.from_numpy(states).to(device=device, dtype=dtype)
