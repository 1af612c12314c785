"""Stopping the trajectories of a batch that blow up, and only those.

A learned vector field can send some initial states off to infinity (or to NaN)
while the rest of the batch is fine. :class:`DivergenceMonitor` marks a
trajectory as failed the first time its state is not finite or exceeds a bound,
freezes it at its last healthy state so that it cannot disturb the others (an
adaptive step size is chosen from the healthy trajectories only), and at the end
replaces its states from the failure on with NaN and reports which trajectories
failed and when. Its checks are tensor operations, with no host synchronisation.
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
        self.bound = (
            None
            if max_growth is None
            else max_growth * x0.detach().abs().amax(dim=-1).clamp_min(1.0)
        )
        self.alive = torch.ones(n, dtype=torch.bool, device=x0.device)
        self.failed_at = torch.full(
            (n,), float("nan"), dtype=torch.float64, device=x0.device
        )

    def healthy(self, x: torch.Tensor) -> torch.Tensor:
        """Boolean ``(n,)``: which rows of ``x`` are finite and within bounds."""
        ok = torch.isfinite(x).all(dim=-1)
        if self.bound is not None:
            ok = ok & (x.abs().amax(dim=-1) <= self.bound)
        return ok

    def update(
        self, x_new: torch.Tensor, x_old: torch.Tensor, time: float
    ) -> torch.Tensor:
        """Record rows of ``x_new`` that failed at ``time``; return ``x_new`` with
        every failed row frozen at its value in ``x_old``."""
        newly = self.alive & ~self.healthy(x_new)
        self.failed_at = torch.where(newly, time, self.failed_at)
        self.alive = self.alive & ~newly
        return torch.where(self.alive.unsqueeze(-1), x_new, x_old)

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
