"""Stopping the trajectories of a batch that blow up, and only those.

A learned vector field can send some initial states off to infinity (or to NaN)
while the rest of the batch is fine. :class:`DivergenceMonitor` marks a
trajectory as failed the first time its state is not finite or exceeds a bound,
and at the end replaces its states from the failure on with NaN and reports
which trajectories failed and when. Adaptive methods check every accepted
step and freeze a failed trajectory at its last healthy state, so that it
cannot disturb the others (their step size is chosen from the healthy
trajectories only); fixed-step methods, whose trajectories evolve
independently, check the whole solution once at the end. Its checks are tensor
operations; it synchronises with the host only to write its report.
"""

from __future__ import annotations

import numpy as np
import torch

#: How many failed trajectories a warning lists by index.
LISTED = 10


class DivergenceMonitor:
    """Which trajectories of a batch are still healthy, and when others failed.

    A state is healthy when it is finite and, with ``max_growth`` given, no
    component exceeds ``max_growth * max(1, max|x0|)`` of its own trajectory.

    Parameters
    ----------
    x0 : torch.Tensor of shape (n, D)
        Initial states, all finite.
    max_growth : float or None
        Growth factor beyond which a trajectory counts as blown up; None checks
        finiteness only.
    """

    def __init__(self, x0: torch.Tensor, max_growth: float | None) -> None:
        n = x0.shape[0]
        self.max_growth = max_growth
        # Without max_growth the bound is the largest finite value, so one
        # comparison checks both: NaN and infinity compare False. The bound is
        # kept in at least float32: in float16 a bound of 1e6 would be infinite.
        bound_dtype = torch.promote_types(x0.dtype, torch.float32)
        largest = torch.finfo(x0.dtype).max
        self.bound = (
            torch.full((n,), largest, dtype=bound_dtype, device=x0.device)
            if max_growth is None
            else (max_growth * x0.detach().abs().amax(dim=-1).clamp_min(1.0))
            .to(bound_dtype)
            .clamp_max(largest)
        )
        self.alive = torch.ones(n, dtype=torch.bool, device=x0.device)
        self.failed_at = torch.full(
            (n,), float("nan"), dtype=torch.float64, device=x0.device
        )

    def healthy(self, x: torch.Tensor) -> torch.Tensor:
        """Boolean ``(..., n)``: which states of ``x`` (shape ``(..., n, D)``)
        are finite and within bounds."""
        # The max-norm propagates NaN, and NaN <= bound is False.
        return torch.linalg.vector_norm(x, ord=float("inf"), dim=-1) <= self.bound

    def scan(self, states: torch.Tensor, t: np.ndarray) -> None:
        """Record failures in a finished solution on the grid ``t``.

        For methods whose trajectories evolve independently (fixed steps),
        checking once after the run finds the same failures, at the same
        output times, as :meth:`update` at every step would, at a fraction of
        the cost for small batches. ``states`` has shape ``(n_times, n, D)``.
        """
        healthy = self.healthy(states)  # (n_times, n)
        failed = self.alive & ~healthy.all(dim=0)
        first = (~healthy).to(torch.uint8).argmax(dim=0)  # first unhealthy output
        times = torch.as_tensor(
            np.ascontiguousarray(t), dtype=torch.float64, device=states.device
        )
        self.failed_at = torch.where(failed, times[first], self.failed_at)
        self.alive = self.alive & ~failed

    def stop(self, rows: torch.Tensor, after: float, direction: float) -> None:
        """Record the trajectories ``rows`` (boolean, shape ``(n,)``) as failed
        just after the time ``after`` of their last healthy state, integrating
        in ``direction`` (1 or -1): their outputs past ``after`` are lost."""
        rows = rows & self.alive
        just_after = float(np.nextafter(after, direction * np.inf))
        self.failed_at = torch.where(rows, just_after, self.failed_at)
        self.alive = self.alive & ~rows

    def finish(self, states: torch.Tensor, t: np.ndarray) -> torch.Tensor:
        """NaN out failed trajectories from their failure on.

        Parameters
        ----------
        states : torch.Tensor of shape (n_times, n, D)
            The solution on the grid ``t``.
        t : ndarray of shape (n_times,)
            The output times (increasing or decreasing).

        Returns
        -------
        torch.Tensor of shape (n_times, n, D)
        """
        failed_at = self.failed_at.cpu().numpy()
        if np.isnan(failed_at).all():
            return states
        direction = 1.0 if len(t) < 2 or t[-1] > t[0] else -1.0
        # Output j of trajectory i is lost when t_j is at or past its failure.
        lost = direction * (t[:, None] - failed_at[None, :]) >= 0  # NaN -> False
        mask = torch.as_tensor(lost, device=states.device).unsqueeze(-1)
        return torch.where(mask, torch.nan, states)

    def report(self) -> str | None:
        """Which trajectories failed and when, for a
        :class:`~sklearn_hnn.exceptions.DivergenceWarning`; None if none did."""
        failed_at = self.failed_at.cpu().numpy()
        failed = np.flatnonzero(~np.isnan(failed_at))
        if failed.size == 0:
            return None
        listed = ", ".join(f"{i} at t={failed_at[i]:.4g}" for i in failed[:LISTED])
        more = f", and {failed.size - LISTED} more" if failed.size > LISTED else ""
        bound = (
            ""
            if self.max_growth is None
            else f", or larger than max_growth={self.max_growth:g} times max(1, |x0|)"
        )
        return (
            f"{failed.size} of {len(failed_at)} trajectories diverged (a state not "
            f"finite{bound}) and were stopped; their states are NaN from then on. "
            f"Initial condition (index) and time: {listed}{more}."
        )
