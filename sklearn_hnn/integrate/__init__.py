"""Batched ODE integration of torch vector fields.

:func:`integrate` advances a whole batch of initial states together: every
method is a single torch computation over the batch, with no Python loop over
trajectories and no host synchronisation inside a fixed step.

Its ``method`` is a name below, which runs that class with its default
settings, or a configured instance of a class, such as ``Tao(omega=10.0)``,
``ImplicitMidpoint(tol=1e-12, max_iter=20)`` or ``ScipyIVP(solver="DOP853")``.

======================  ====================  ========================================
``method``              class (settings)      what it does
======================  ====================  ========================================
``"euler"``             ``Euler``             explicit Euler, fixed steps on ``t``
``"midpoint"``          ``Midpoint``          explicit midpoint (RK2), fixed steps
``"rk4"``               ``RK4``               classical Runge-Kutta (order 4), fixed
``"leapfrog"``          ``Leapfrog``          Störmer-Verlet, symplectic for
                                              separable ``H = T(p) + V(q)``, fixed
``"implicit_midpoint"`` ``ImplicitMidpoint``  implicit midpoint rule, symplectic for
                        (``tol``,             any ``H``, fixed steps
                        ``max_iter``)
``"tao"``               ``Tao`` (``omega``)   Tao's explicit symplectic scheme for
                                              any ``H``, fixed steps
``"dopri5"``            ``Dopri5``            Dormand-Prince 5(4), adaptive steps,
                                              dense output at ``t``
``"scipy"``             ``ScipyIVP``          :func:`scipy.integrate.solve_ivp` (RK45
                        (``solver``)          by default) on the batched field
======================  ====================  ========================================

:data:`INTEGRATORS` maps the names to the classes, and :data:`METHODS` lists
the names. A new method is a subclass of
:class:`~sklearn_hnn.integrate.fixed_grid.FixedStepMethod` (fixed steps) or
:class:`~sklearn_hnn.integrate.adaptive.AdaptiveMethod` (adaptive steps), and a
line in :data:`INTEGRATORS` to name it.

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
from sklearn_hnn.integrate._base import Integrator
from sklearn_hnn.integrate.adaptive import AdaptiveMethod, Dopri5, integrate_adaptive
from sklearn_hnn.integrate.divergence import DivergenceMonitor
from sklearn_hnn.integrate.fixed_grid import (
    RK4,
    Euler,
    FixedStepMethod,
    Midpoint,
    integrate_fixed_grid,
)
from sklearn_hnn.integrate.scipy_ivp import ScipyIVP, integrate_scipy
from sklearn_hnn.integrate.symplectic import ImplicitMidpoint, Leapfrog, Tao

Field = Callable[[torch.Tensor], torch.Tensor]

#: The methods by name: ``method=name`` runs ``INTEGRATORS[name]()``. A new
#: method is its class and one line here.
INTEGRATORS: dict[str, type[Integrator]] = {
    "euler": Euler,
    "midpoint": Midpoint,
    "rk4": RK4,
    "leapfrog": Leapfrog,
    "implicit_midpoint": ImplicitMidpoint,
    "tao": Tao,
    "dopri5": Dopri5,
    "scipy": ScipyIVP,
}
#: The names of the methods, in the order of :data:`INTEGRATORS`.
METHODS = tuple(INTEGRATORS)
#: The fixed-step methods (steps on the grid ``t``), a view of :data:`INTEGRATORS`.
FIXED_GRID_METHODS = {
    name: cls for name, cls in INTEGRATORS.items() if issubclass(cls, FixedStepMethod)
}
#: The symplectic methods, for Hamiltonian fields of states ``[q, p]`` (even
#: width), a view of :data:`INTEGRATORS`.
SYMPLECTIC_METHODS = {name: cls for name, cls in INTEGRATORS.items() if cls.symplectic}
#: The adaptive torch methods (stepping in the dtype of the states), a view of
#: :data:`INTEGRATORS`; ``"scipy"`` steps in float64 and is not one of them.
ADAPTIVE_METHODS = {
    name: cls for name, cls in INTEGRATORS.items() if issubclass(cls, AdaptiveMethod)
}
#: The families that :func:`integrate` runs; a method is an instance of one.
_FAMILIES = (FixedStepMethod, AdaptiveMethod, ScipyIVP)
#: Smallest ``rtol`` accepted: 100 times float64's machine epsilon, as SciPy's
#: solvers use (they raise smaller values to it with a warning; we refuse them).
MIN_RTOL = 100 * 2.0**-52


def integrate(
    field: Field,
    x0: torch.Tensor,
    t,
    method: str | Integrator = "rk4",
    *,
    substeps: int = 1,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    max_steps: int = 1_000_000,
    max_growth: float | None = 1e6,
    cuda_graph: bool = False,
    return_report: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, str | None]:
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
    method : str or method instance, default="rk4"
        Integration scheme: one of the names of :data:`METHODS` (``"euler"``,
        ``"midpoint"``, ``"rk4"``, ``"leapfrog"``, ``"implicit_midpoint"``,
        ``"tao"``, ``"dopri5"``, ``"scipy"``), which runs its class with its
        default settings, or a configured instance of a method class, such as
        ``Tao(omega=10.0)``, ``ImplicitMidpoint(tol=1e-12, max_iter=20)`` or
        ``ScipyIVP(solver="DOP853")``; see the module docstring. The
        symplectic ones (:class:`Leapfrog`, :class:`ImplicitMidpoint`,
        :class:`Tao`) need states ``[q, p]`` of even width and a Hamiltonian
        field.
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
        trajectories and times (or ``report`` does, with ``return_report``),
        and the rest of the batch is unaffected. None
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
    return_report : bool, default=False
        Return the divergence report along with the states instead of warning
        with it, for callers that warn on behalf of their own caller.

    Returns
    -------
    states : torch.Tensor of shape (n_times, n, D)
        The states at each time of ``t``; the first entry is ``x0``. A
        trajectory that diverged is NaN from its failure on.
    report : str or None
        Only with ``return_report=True``, which then returns
        ``(states, report)``: which trajectories diverged and when (the
        message of the DivergenceWarning otherwise issued), or None when none
        did.

    Raises
    ------
    TypeError
        If ``field`` is not callable or does not return a tensor, or ``x0`` is
        not a floating-point tensor.
    ValueError
        If an argument is malformed (``x0`` empty or not finite, ``t`` not
        strictly monotonic, ``method`` neither a name of :data:`METHODS` nor an
        instance of a method class, a method's setting out of range, states of
        odd width for a symplectic method, ...) or ``field(x0)`` does not have
        the shape of ``x0``. All checks run before integrating; checking
        ``field`` costs one evaluation of it.
    RuntimeError
        If ``"dopri5"`` runs out of ``max_steps`` or ``"scipy"`` fails.

    Warns
    -----
    DivergenceWarning
        Unless ``return_report``, when a trajectory diverges (see
        ``max_growth``).

    Examples
    --------
    >>> import torch
    >>> rotate = lambda x: torch.stack([x[:, 1], -x[:, 0]], dim=1)
    >>> x0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    >>> xt = integrate(rotate, x0, [0.0, 3.141592653589793], substeps=100)
    >>> xt.shape, round(float(xt[-1, 0, 0]), 6)
    (torch.Size([2, 1, 2]), -1.0)

    A configured method:

    >>> xt = integrate(rotate, x0, [0.0, 3.141592653589793], Tao(omega=5.0),
    ...                substeps=100)
    >>> round(float(xt[-1, 0, 0]), 3)
    -1.0

    The divergence report instead of a warning:

    >>> states, report = integrate(rotate, x0, [0.0, 1.0], return_report=True)
    >>> print(report)
    None
    >>> square = lambda x: x**2  # x(t) = 1 / (1 - t) blows up at t = 1
    >>> states, report = integrate(square, x0, [0.0, 0.5, 2.0], substeps=100,
    ...                            return_report=True)
    >>> torch.isnan(states[-1, 0, 0]).item(), report is not None
    (True, True)
    """
    if not callable(field):
        raise TypeError(
            "field must be a callable mapping states of shape (n, D) to their time "
            f"derivatives; got {field!r}."
        )
    _check_initial_states(x0)
    t = check_time_grid(t)
    stepper = _check_method(method)
    substeps = check_positive_int(substeps, "substeps")
    rtol = check_positive_float(rtol, "rtol")
    atol = check_positive_float(atol, "atol")
    if rtol < MIN_RTOL:
        raise ValueError(
            f"rtol must be at least {MIN_RTOL:.1e} (100 times float64's machine "
            f"epsilon): no step can be that accurate; got {rtol!r}."
        )
    resolution = torch.finfo(x0.dtype).eps
    if isinstance(stepper, AdaptiveMethod) and rtol < resolution:
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
    if not isinstance(return_report, bool):
        raise ValueError(f"return_report must be True or False; got {return_report!r}.")
    if stepper.symplectic and x0.shape[1] % 2:
        raise ValueError(
            f"x0 has width {x0.shape[1]}, but method={method!r} needs states "
            "[q, p] of even width."
        )
    _check_field_output(field, x0)
    monitor = DivergenceMonitor(x0, max_growth)
    if isinstance(stepper, FixedStepMethod):
        states = integrate_fixed_grid(
            stepper,
            field,
            x0,
            t,
            substeps=substeps,
            monitor=monitor,
            cuda_graph=cuda_graph,
        )
    elif isinstance(stepper, AdaptiveMethod):
        states = integrate_adaptive(
            stepper,
            field,
            x0,
            t,
            rtol=rtol,
            atol=atol,
            max_steps=max_steps,
            monitor=monitor,
        )
    else:
        states = integrate_scipy(
            field,
            x0,
            t,
            rtol=rtol,
            atol=atol,
            scipy_method=stepper.solver,
            monitor=monitor,
        )
    states, report = monitor.finish(states, t), monitor.report()
    if return_report:
        return states, report
    if report is not None:
        warnings.warn(report, DivergenceWarning, stacklevel=2)
    return states


def _check_method(method) -> Integrator:
    """The method that ``method`` names, or ``method`` itself once its settings
    are checked; raise a ValueError naming ``method`` for anything else."""
    if isinstance(method, str):
        return INTEGRATORS[check_option(method, "method", METHODS)]()
    if isinstance(method, _FAMILIES):
        method._check_params()
        return method
    hint = ""
    if isinstance(method, type) and issubclass(method, Integrator):
        hint = f" Pass an instance, such as {method.__name__}(), not the class."
    raise ValueError(
        f"method must be one of {sorted(METHODS)} or an instance of a method "
        "class (a FixedStepMethod, AdaptiveMethod or ScipyIVP, such as "
        f"Tao(omega=10.0)); got {method!r}.{hint}"
    )


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
    "INTEGRATORS",
    "METHODS",
    "RK4",
    "Dopri5",
    "Euler",
    "ImplicitMidpoint",
    "Leapfrog",
    "Midpoint",
    "ScipyIVP",
    "Tao",
    "integrate",
]
