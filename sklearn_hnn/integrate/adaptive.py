"""Adaptive embedded Runge-Kutta integration with one step size per batch.

An adaptive method is a subclass of :class:`AdaptiveMethod`: a trial
``step`` with its error estimate, and an ``interpolate`` for the output times
inside an accepted step. :func:`integrate_adaptive` sizes the steps.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from sklearn_hnn.integrate._base import Integrator
from sklearn_hnn.integrate.divergence import DivergenceMonitor

Field = Callable[[torch.Tensor], torch.Tensor]


def _combine(coefficients, stages: list[torch.Tensor]) -> torch.Tensor:
    """``sum(c * k)`` over the non-zero coefficients."""
    terms = [c * k for c, k in zip(coefficients, stages, strict=True) if c]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


class AdaptiveMethod(Integrator):
    """Base class: an embedded Runge-Kutta pair, stepped in the dtype of the
    states with steps of its own size (:func:`integrate_adaptive`)."""

    #: Order of the solution that is propagated; sets the step-size control.
    order: int = 0

    def step(self, field, x, k1, h):
        """One trial step: ``(x_new, field(x_new), error_estimate, stages)``."""
        raise NotImplementedError

    def interpolate(self, x, stages, h, theta):
        """States at ``t + theta * h`` inside an accepted step from ``x``."""
        raise NotImplementedError


class Dopri5(AdaptiveMethod):
    """Dormand-Prince 5(4) tableau (Dormand & Prince, 1980), with FSAL.

    Adaptive steps of its own size, one for the whole batch; the states at
    the output times are interpolated by its continuous extension of order 4.

    Examples
    --------
    >>> Dopri5()
    Dopri5()
    """

    order = 5
    c = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0)
    a = (
        (),
        (1 / 5,),
        (3 / 40, 9 / 40),
        (44 / 45, -56 / 15, 32 / 9),
        (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
        (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
        (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
    )
    # Fifth-order weights minus the embedded fourth-order ones, over all 7 stages.
    error_weights = (
        71 / 57600,
        0.0,
        -71 / 16695,
        71 / 1920,
        -17253 / 339200,
        22 / 525,
        -1 / 40,
    )

    # Continuous extension of order 4 (Dormand & Prince; Hairer, Norsett &
    # Wanner, Solving ODEs I, II.6): x(t + theta h) = x + h sum_j k_j
    # sum_c dense[j][c] theta^(c+1), over the seven stages.
    dense = (
        (
            1.0,
            -8048581381 / 2820520608,
            8663915743 / 2820520608,
            -12715105075 / 11282082432,
        ),
        (0.0, 0.0, 0.0, 0.0),
        (
            0.0,
            131558114200 / 32700410799,
            -68118460800 / 10900136933,
            87487479700 / 32700410799,
        ),
        (
            0.0,
            -1754552775 / 470086768,
            14199869525 / 1410260304,
            -10690763975 / 1880347072,
        ),
        (
            0.0,
            127303824393 / 49829197408,
            -318862633887 / 49829197408,
            701980252875 / 199316789632,
        ),
        (
            0.0,
            -282668133 / 205662961,
            2019193451 / 616988883,
            -1453857185 / 822651844,
        ),
        (0.0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423),
    )

    def step(
        self, field: Field, x: torch.Tensor, k1: torch.Tensor, h: float
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, list[torch.Tensor]]:
        """One trial step: ``(x_new, field(x_new), error_estimate, stages)``.

        Parameters
        ----------
        field : callable
            Maps states of shape ``(n, D)`` to their time derivatives.
        x : torch.Tensor of shape (n, D)
            States at the start of the step.
        k1 : torch.Tensor of shape (n, D)
            ``field(x)``, the last stage of the previous accepted step (FSAL).
        h : float
            Step size; negative to integrate backwards.

        Returns
        -------
        x_new : torch.Tensor of shape (n, D)
            The fifth-order solution at the end of the step.
        k_new : torch.Tensor of shape (n, D)
            ``field(x_new)``, the first stage of the next step.
        error : torch.Tensor of shape (n, D)
            Estimate of the local error: the fifth- minus the fourth-order
            solution.
        stages : list of torch.Tensor
            The seven stages, each of shape ``(n, D)``, for :meth:`interpolate`.
        """
        k = [k1]
        for row in self.a[1:]:
            xi = torch.add(x, _combine(row, k), alpha=h)
            k.append(field(xi))
        # The last stage is evaluated at the fifth-order solution (FSAL).
        return xi, k[-1], h * _combine(self.error_weights, k), k

    def interpolate(
        self, x: torch.Tensor, stages: list[torch.Tensor], h: float, theta: np.ndarray
    ) -> torch.Tensor:
        """States at ``t + theta * h`` inside an accepted step from ``x`` at ``t``.

        ``theta`` holds fractions of the step in (0, 1]; returns
        ``(len(theta), *x.shape)``.

        Parameters
        ----------
        x : torch.Tensor of shape (n, D)
            States at the start of the step.
        stages : list of torch.Tensor
            The seven stages of the step, as :meth:`step` returns them.
        h : float
            Size of the step; negative when integrating backwards.
        theta : ndarray of shape (m,)
            Fractions of the step, in (0, 1].

        Returns
        -------
        torch.Tensor of shape (m, n, D)
            The interpolated states, by the continuous extension of order 4.
        """
        columns = [_combine([row[c] for row in self.dense], stages) for c in range(4)]
        powers = torch.as_tensor(
            np.asarray(theta)[:, None] ** np.arange(1, 5),
            dtype=x.dtype,
            device=x.device,
        )
        return x + h * torch.einsum("mc,c...->m...", powers, torch.stack(columns))


def _error_ratios(
    error: torch.Tensor,
    x: torch.Tensor,
    x_new: torch.Tensor,
    rtol: float,
    atol: float,
) -> torch.Tensor:
    """RMS of each trajectory's error relative to the tolerance, shape ``(n,)``,
    computed in at least float32 (``atol`` is below float16's range)."""
    x, x_new, error = (_at_least_float32(v) for v in (x, x_new, error))
    scale = atol + rtol * torch.maximum(x.abs(), x_new.abs())
    return (error / scale).square().mean(dim=-1).sqrt()


def _at_least_float32(v: torch.Tensor) -> torch.Tensor:
    return v.to(torch.promote_types(v.dtype, torch.float32))


def _freeze(
    alive: torch.Tensor,
    x: torch.Tensor,
    x_new: torch.Tensor,
    k_new: torch.Tensor,
    ratios: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A trial step in which the trajectories not ``alive`` stand still at
    ``x``, with zero derivative and zero error."""
    rows = alive.unsqueeze(-1)
    return (
        torch.where(rows, x_new, x),
        torch.where(rows, k_new, 0.0),
        torch.where(alive, ratios, 0.0),
    )


#: Consecutive trial steps rejected with a trajectory that is not healthy after
#: which that trajectory is given up (the step has shrunk by 0.2^30 ~ 1e-21).
MAX_UNHEALTHY_TRIALS = 30


def outputs_passed(forward_t: np.ndarray, forward_time: float, at_end: bool) -> int:
    """How many output times a step ending at ``forward_time`` has reached:
    those up to and including it, or all of them at the end of the run.

    ``forward_t`` and ``forward_time`` are times elapsed since ``t[0]`` in the
    direction of integration, so ``forward_t`` increases.
    """
    if at_end:
        return len(forward_t)
    return int(np.searchsorted(forward_t, forward_time, side="right"))


def _initial_step(
    field: Field,
    x0: torch.Tensor,
    f0: torch.Tensor,
    order: int,
    rtol: float,
    atol: float,
) -> float:
    """Starting step size (Hairer, Norsett & Wanner, Solving ODEs I, II.4).

    Sized on the trajectories whose norms are finite: one whose field is not
    finite (or overflows them) is left to the divergence monitor, and must
    not set the step of the others.
    """
    scale = atol + rtol * _at_least_float32(x0).abs()

    def rms(v: torch.Tensor) -> float:
        norms = (_at_least_float32(v) / scale).square().mean(dim=-1).sqrt()
        norms = norms[torch.isfinite(norms)]
        return float(norms.max()) if norms.numel() else 0.0

    d0, d1 = rms(x0), rms(f0)
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    f1 = field(x0 + h0 * f0)
    d2 = rms(f1 - f0) / h0
    if max(d1, d2) <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / order)
    h = min(100 * h0, h1)
    return h if h > 0.0 else h0  # d2 may overflow


def integrate_adaptive(
    method: AdaptiveMethod,
    field: Field,
    x0: torch.Tensor,
    t: np.ndarray,
    *,
    rtol: float,
    atol: float,
    max_steps: int,
    safety: float = 0.9,
    min_factor: float = 0.2,
    max_factor: float = 10.0,
    monitor: DivergenceMonitor | None = None,
) -> torch.Tensor:
    """Integrate over the grid ``t`` with steps of their own size.

    Steps are not tied to the grid: the states at the times of ``t`` that a
    step passes are interpolated by the method's continuous extension (dense
    output, as :func:`scipy.integrate.solve_ivp` does), and only the last time
    is landed on exactly. The whole batch shares one step size; a step is
    accepted when every trajectory meets the tolerance.

    With a ``monitor``, only accepted steps count. A trial step that leaves a
    trajectory unhealthy (not finite, or past the monitor's bound) is rejected
    like an inaccurate one and retried smaller, unless it met that
    trajectory's tolerance, which is a true blow-up; then, or after
    :data:`MAX_UNHEALTHY_TRIALS` such rejections in a row, the trajectory is
    stopped at its last accepted state. So is one that fails its tolerance on
    a step of ten ticks of the clock, the smallest the clock counts (only a
    blow-up, or an extremely stiff problem, needs smaller); without a monitor
    that raises a RuntimeError. A stopped trajectory no longer limits the step
    size. Returns ``(len(t), *x0.shape)``.
    """
    if len(t) == 1:
        return x0.clone().unsqueeze(0)
    out = [x0]
    direction = 1.0 if t[-1] > t[0] else -1.0
    x, k1 = x0, field(x0)
    h_proposed = _initial_step(field, x0, k1, method.order, rtol, atol)
    n_steps = 0
    unhealthy_trials = 0
    any_stopped = False
    exponent = -1.0 / method.order
    # The clock is the time elapsed since t[0], in the direction of
    # integration: the field is autonomous, and a clock that starts at zero
    # resolves steps however far from zero t lies.
    t0 = float(t[0])
    forward_t = direction * (np.asarray(t, dtype=np.float64) - t0)  # 0, increasing
    t_now, t_end = 0.0, float(forward_t[-1])
    next_out = 1
    while next_out < len(t):
        clipped = h_proposed >= t_end - t_now
        # Steps below ten ticks of the clock are floored there (SciPy refuses
        # them): rounding would distort them, and rejections could not shrink
        # them. The trajectories that fail a floored step are stopped below.
        floored = not clipped and h_proposed < 10.0 * np.spacing(t_now)
        if clipped:
            h, t_new = t_end - t_now, t_end
        else:
            # Step by what the clock can represent, so that the state and the
            # time stay in step.
            t_new = t_now + max(h_proposed, 10.0 * np.spacing(t_now))
            h = t_new - t_now
        x_new, k_new, error, stages = method.step(field, x, k1, direction * h)
        ratios = _error_ratios(error, x, x_new, rtol, atol)
        found = False  # a trajectory that is not healthy
        if monitor is None:
            ratio = float(ratios.max())  # NaN if any trajectory's error is NaN
        else:
            if any_stopped:
                x_new, k_new, ratios = _freeze(monitor.alive, x, x_new, k_new, ratios)
            unhealthy = monitor.alive & ~monitor.healthy(x_new)
            # One host synchronisation for both.
            ratio, found = torch.stack(
                [ratios.max(), unhealthy.any().to(ratios.dtype)]
            ).tolist()
            if found:
                unhealthy_trials += 1
                give_up = unhealthy_trials > MAX_UNHEALTHY_TRIALS
                stopped = unhealthy if give_up else unhealthy & (ratios <= 1.0)
                if bool(stopped.any()):
                    monitor.stop(stopped, t0 + direction * t_now, direction)
                    any_stopped = True
                    x_new, k_new, ratios = _freeze(
                        monitor.alive, x, x_new, k_new, ratios
                    )
                    ratio = float(ratios.max())
            else:
                unhealthy_trials = 0
        if floored and not ratio <= 1.0 and not found:
            # The trajectories that fail even a step of ten ticks need steps
            # the clock cannot count: stop them, or the run if none may stop.
            if monitor is None:
                raise RuntimeError(
                    f"dopri5 needs steps below {h:.3g} at "
                    f"t={t0 + direction * t_now:.6g}, too small for float64 to "
                    f"count {t_now:.6g} after t[0]; the problem may be stiff or "
                    "the solution may have blown up."
                )
            monitor.stop(~(ratios <= 1.0), t0 + direction * t_now, direction)
            any_stopped = True
            x_new, k_new, ratios = _freeze(monitor.alive, x, x_new, k_new, ratios)
            ratio = float(ratios.max())
        n_steps += 1
        if n_steps > max_steps:
            raise RuntimeError(
                f"dopri5 gave up after {max_steps} steps at "
                f"t={t0 + direction * t_now:.6g}; the "
                "problem may be stiff or the solution may have blown up."
            )
        if not np.isfinite(ratio):
            factor = min_factor
        elif ratio == 0.0:
            factor = max_factor
        else:
            factor = min(max_factor, max(min_factor, safety * ratio**exponent))
        if ratio <= 1.0:
            last = outputs_passed(forward_t, t_new, at_end=clipped)
            if last > next_out:
                inside = last - 1 if forward_t[last - 1] == t_new else last
                if inside > next_out:  # strictly inside the step: interpolate
                    theta = (forward_t[next_out:inside] - t_now) / h
                    out.extend(method.interpolate(x, stages, direction * h, theta))
                if inside < last:  # on the step's end
                    out.append(x_new)
                next_out = last
            t_now = t_new
            x, k1 = x_new, k_new
            h_new = h * factor
            h_proposed = max(h_proposed, h_new) if clipped else h_new
        else:
            h_proposed = h * min(1.0, factor)
    return torch.stack(out)
