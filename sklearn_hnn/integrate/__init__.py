"""Batched ODE integration of torch vector fields.

:func:`integrate` advances a whole batch of initial states together: every
method is a single torch computation over the batch, with no Python loop over
trajectories and no host synchronisation inside a fixed step.

======================  ===========================================================
``method``              what it does
======================  ===========================================================
``"euler"``             explicit Euler, fixed steps on the grid ``t``
``"midpoint"``          explicit midpoint (RK2), fixed steps
``"rk4"``               classical 4th-order Runge-Kutta, fixed steps
``"leapfrog"``          Störmer-Verlet, symplectic for separable ``H = T(p) + V(q)``
``"implicit_midpoint"`` implicit midpoint rule, symplectic for any ``H``
``"tao"``               Tao's explicit symplectic scheme for any ``H``
``"dopri5"``            Dormand-Prince 5(4), adaptive steps, dense output at ``t``
``"scipy"``             :func:`scipy.integrate.solve_ivp` (RK45) on the batched field
======================  ===========================================================

On a CUDA device, ``cuda_graph=True`` captures one fixed step in a CUDA graph
and replays it at every step (:mod:`sklearn_hnn.integrate.cuda_graph`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch

from sklearn_hnn._validation import (
    check_option,
    check_positive_float,
    check_positive_int,
    check_time_grid,
)
from sklearn_hnn.exceptions import DivergenceWarning
from sklearn_hnn.integrate.adaptive import Dopri5, integrate_adaptive
from sklearn_hnn.integrate.divergence import DivergenceMonitor
from sklearn_hnn.integrate.fixed_grid import RK4, Euler, Midpoint, integrate_fixed_grid
from sklearn_hnn.integrate.scipy_ivp import integrate_scipy
from sklearn_hnn.integrate.symplectic import ImplicitMidpoint, Leapfrog, Tao

Field = Callable[[torch.Tensor], torch.Tensor]

#: Symplectic methods, for Hamiltonian fields of states ``[q, p]`` (even width).
SYMPLECTIC_METHODS = {
    "leapfrog": Leapfrog,
    "implicit_midpoint": ImplicitMidpoint,
    "tao": Tao,
}
FIXED_GRID_METHODS = {
    "euler": Euler,
    "midpoint": Midpoint,
    "rk4": RK4,
    **SYMPLECTIC_METHODS,
}
ADAPTIVE_METHODS = {"dopri5": Dopri5}
METHODS = (*FIXED_GRID_METHODS, *ADAPTIVE_METHODS, "scipy")
#: Smallest ``rtol`` accepted: 100 times float64's machine epsilon, as SciPy's
#: solvers use (they raise smaller values to it with a warning; we refuse them).
MIN_RTOL = 100 * 2.0**-52


def integrate(
    field: Field,
    x0: torch.Tensor,
    t,
    method: str = "rk4",
    *,
    substeps: int = 1,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    max_steps: int = 1_000_000,
    max_growth: float | None = 1e6,
    cuda_graph: bool = False,
) -> torch.Tensor:
    """Integrate ``dx/dt = field(x)`` from a batch of initial states.

    Parameters
    ----------
    field : callable
        Maps a tensor of shape ``(n, D)`` to its time derivative, same shape. It
        is autonomous (does not depend on time).
    x0 : torch.Tensor of shape (n, D)
        Initial states at time ``t[0]``.
    t : array-like of shape (n_times,)
        Strictly monotonic output times; decreasing times integrate backwards.
    method : {"euler", "midpoint", "rk4", "leapfrog", "implicit_midpoint", \
"tao", "dopri5", "scipy"}, default="rk4"
        Integration scheme; see the module docstring. The symplectic ones
        (``"leapfrog"``, ``"implicit_midpoint"``, ``"tao"``) need states
        ``[q, p]`` of even width and a Hamiltonian field.
    substeps : int, default=1
        Fixed-grid methods only: steps taken inside each interval of ``t``.
    rtol, atol : float, default=1e-6, 1e-8
        Adaptive methods only: relative and absolute tolerance, positive;
        ``rtol`` at least ``MIN_RTOL`` (2.2e-14), and for ``"dopri5"`` at
        least the machine epsilon of ``x0``'s dtype (1.2e-7 for float32), as it
        steps in that dtype. ``"dopri5"``
        applies them to every trajectory separately (the step is accepted when
        the worst trajectory meets them) and, like ``"scipy"``, steps
        independently of ``t``, interpolating the states at its times;
        ``"scipy"`` applies them to the RMS over the whole batch.
    max_steps : int, default=1_000_000
        ``"dopri5"`` only: give up (RuntimeError) after this many attempted steps.
    max_growth : float or None, default=1e6
        A trajectory whose state stops being finite or exceeds
        ``max_growth * max(1, max|x0|)`` (its own ``x0``) is stopped: its states
        are NaN from then on, a
        :class:`~sklearn_hnn.exceptions.DivergenceWarning` names the failed
        trajectories and times, and the rest of the batch is unaffected. None
        checks finiteness only. Fixed-step methods check the states at the
        times of ``t`` (an excursion between two of them that comes back
        goes unseen); ``"dopri5"`` and ``"scipy"`` check every accepted step. See
        :mod:`sklearn_hnn.integrate.divergence`.
    cuda_graph : bool, default=False
        Fixed-grid methods on a CUDA device: capture one step in a CUDA graph
        and replay it at every step (:mod:`sklearn_hnn.integrate.cuda_graph`),
        so a step costs one launch instead of one per torch operation and the
        loop never waits on the device. Only for a capturable ``field`` (fixed
        shapes, no ``.item()`` or other host synchronisation, no new streams;
        if its capture fails, a RuntimeWarning says why and the run is eager);
        ignored on CPU, for ``"implicit_midpoint"`` (which synchronises to test
        convergence), for the adaptive methods, and for runs of fewer than
        ``MIN_REPLAYED_STEPS`` (64) steps.

    Returns
    -------
    torch.Tensor of shape (n_times, n, D)
        The states at each time of ``t``; the first entry is ``x0``.

    Raises
    ------
    TypeError
        If ``field`` is not callable or does not return a tensor, or ``x0`` is
        not a floating-point tensor.
    ValueError
        If an argument is malformed (``x0`` empty or not finite, ``t`` not
        strictly monotonic, an unknown ``method``, ...) or ``field(x0)`` does
        not have the shape of ``x0``. All checks run before integrating;
        checking ``field`` costs one evaluation of it.
    RuntimeError
        If ``"dopri5"`` runs out of ``max_steps`` or ``"scipy"`` fails.

    Examples
    --------
    >>> import torch
    >>> rotate = lambda x: torch.stack([x[:, 1], -x[:, 0]], dim=1)
    >>> x0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    >>> xt = integrate(rotate, x0, [0.0, 3.141592653589793], substeps=100)
    >>> xt.shape, round(float(xt[-1, 0, 0]), 6)
    (torch.Size([2, 1, 2]), -1.0)
    """
    states, report = integrate_and_report(
        field,
        x0,
        t,
        method,
        substeps=substeps,
        rtol=rtol,
        atol=atol,
        max_steps=max_steps,
        max_growth=max_growth,
        cuda_graph=cuda_graph,
    )
    if report is not None:
        warnings.warn(report, DivergenceWarning, stacklevel=2)
    return states


def integrate_and_report(
    field: Field,
    x0: torch.Tensor,
    t,
    method: str = "rk4",
    *,
    substeps: int = 1,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    max_steps: int = 1_000_000,
    max_growth: float | None = 1e6,
    cuda_graph: bool = False,
) -> tuple[torch.Tensor, str | None]:
    """:func:`integrate`, returning the divergence report instead of warning.

    For callers that warn on behalf of their own caller, such as
    ``simulate``. Returns ``(states, report)``; ``report`` is None when every
    trajectory stayed healthy. The parameters, and the errors raised, are
    those of :func:`integrate`, which describes them in full.

    Parameters
    ----------
    field : callable
        Maps a tensor of shape ``(n, D)`` to its time derivative, same shape.
    x0 : torch.Tensor of shape (n, D)
        Initial states at time ``t[0]``.
    t : array-like of shape (n_times,)
        Strictly monotonic output times.
    method : {"euler", "midpoint", "rk4", "leapfrog", "implicit_midpoint", \
"tao", "dopri5", "scipy"}, default="rk4"
        Integration scheme.
    substeps : int, default=1
        Fixed-grid methods only: steps taken inside each interval of ``t``.
    rtol, atol : float, default=1e-6, 1e-8
        Adaptive methods only: relative and absolute tolerance.
    max_steps : int, default=1_000_000
        ``"dopri5"`` only: give up (RuntimeError) after this many attempted steps.
    max_growth : float or None, default=1e6
        A trajectory whose state stops being finite or exceeds
        ``max_growth * max(1, max|x0|)`` is stopped; None checks finiteness only.
    cuda_graph : bool, default=False
        Fixed-grid methods on a CUDA device: replay one captured step.

    Returns
    -------
    states : torch.Tensor of shape (n_times, n, D)
        The states at each time of ``t``; NaN from its failure on for a
        trajectory that diverged.
    report : str or None
        Which trajectories diverged and when, the message :func:`integrate`
        warns with; None when none did.
    """
    if not callable(field):
        raise TypeError(
            "field must be a callable mapping states of shape (n, D) to their time "
            f"derivatives; got {field!r}."
        )
    _check_initial_states(x0)
    t = check_time_grid(t)
    method = check_option(method, "method", METHODS)
    substeps = check_positive_int(substeps, "substeps")
    rtol = check_positive_float(rtol, "rtol")
    atol = check_positive_float(atol, "atol")
    if rtol < MIN_RTOL:
        raise ValueError(
            f"rtol must be at least {MIN_RTOL:.1e} (100 times float64's machine "
            f"epsilon): no step can be that accurate; got {rtol!r}."
        )
    resolution = torch.finfo(x0.dtype).eps
    if method in ADAPTIVE_METHODS and rtol < resolution:
        # dopri5 steps in the dtype of x0; below its resolution the error
        # estimate is rounding noise, the steps shrink until they no longer
        # move the state, and the run stalls while the clock goes on.
        raise ValueError(
            f"rtol={rtol!r} is finer than {x0.dtype} states can resolve (machine "
            f"epsilon {resolution:.1e}) with method={method!r}; use float64 states "
            f"or rtol >= {resolution:.1e}."
        )
    max_steps = check_positive_int(max_steps, "max_steps")
    if max_growth is not None:
        max_growth = check_positive_float(max_growth, "max_growth")
    if not isinstance(cuda_graph, bool):
        raise ValueError(f"cuda_graph must be True or False; got {cuda_graph!r}.")
    if method in SYMPLECTIC_METHODS and x0.shape[1] % 2:
        raise ValueError(
            f"x0 has width {x0.shape[1]}, but method={method!r} needs states "
            "[q, p] of even width."
        )
    _check_field_output(field, x0)
    monitor = DivergenceMonitor(x0, max_growth)
    if method in FIXED_GRID_METHODS:
        states = integrate_fixed_grid(
            FIXED_GRID_METHODS[method](),
            field,
            x0,
            t,
            substeps=substeps,
            monitor=monitor,
            cuda_graph=cuda_graph,
        )
    elif method in ADAPTIVE_METHODS:
        states = integrate_adaptive(
            ADAPTIVE_METHODS[method](),
            field,
            x0,
            t,
            rtol=rtol,
            atol=atol,
            max_steps=max_steps,
            monitor=monitor,
        )
    else:
        states = integrate_scipy(field, x0, t, rtol=rtol, atol=atol, monitor=monitor)
    return monitor.finish(states, t), monitor.report()


def _check_initial_states(x0) -> None:
    """Raise unless ``x0`` is a finite floating-point tensor of shape (n, D)."""
    if not isinstance(x0, torch.Tensor):
        raise TypeError(
            f"x0 must be a torch.Tensor of shape (n, D); got {type(x0).__name__}. "
            "Convert it with torch.as_tensor(x0, dtype=torch.float64)."
        )
    if x0.ndim != 2:
        raise ValueError(f"x0 must have shape (n, D); got {tuple(x0.shape)}.")
    if 0 in x0.shape:
        raise ValueError(
            f"x0 is empty: got shape {tuple(x0.shape)}, but at least one state with "
            "at least one entry is needed."
        )
    if not x0.is_floating_point():
        raise TypeError(
            f"x0 must have a floating-point dtype such as torch.float64; got "
            f"{x0.dtype}."
        )
    if not bool(torch.isfinite(x0).all()):
        raise ValueError("x0 must be finite; it contains NaN or infinity.")


def _check_field_output(field: Field, x0: torch.Tensor) -> None:
    """Raise unless ``field(x0)`` is a tensor of the shape and dtype of ``x0``."""
    derivative = field(x0)
    if not isinstance(derivative, torch.Tensor):
        raise TypeError(
            "field must return a torch.Tensor of the shape of its input; "
            f"field(x0) returned {type(derivative).__name__}."
        )
    if derivative.shape != x0.shape:
        raise ValueError(
            "field must return a tensor of the shape of its input; field(x0) has "
            f"shape {tuple(derivative.shape)} for x0 of shape {tuple(x0.shape)}."
        )
    if derivative.dtype != x0.dtype:
        raise TypeError(
            "field must return a tensor of the dtype of its input; field(x0) has "
            f"dtype {derivative.dtype} for x0 of dtype {x0.dtype}."
        )


__all__ = [
    "METHODS",
    "RK4",
    "Dopri5",
    "Euler",
    "ImplicitMidpoint",
    "Leapfrog",
    "Midpoint",
    "Tao",
    "integrate",
    "integrate_and_report",
]
