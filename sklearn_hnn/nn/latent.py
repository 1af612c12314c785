"""Dynamics in the code space of an autoencoder: the loss of the pixel
experiment of Greydanus et al. (2019)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from sklearn_hnn._progress import loss_postfix, progress_bar
from sklearn_hnn.exceptions import TrainingDivergedError


class LatentLosses(NamedTuple):
    """The three terms of :class:`LatentDynamicsLoss`, each of shape ``()``."""

    reconstruction: torch.Tensor
    dynamics: torch.Tensor
    canonical: torch.Tensor


class LatentDynamicsLoss(nn.Module):
    """The joint loss of an autoencoder and a vector field on its codes.

    For a batch of observations ``x`` (pairs of frames), the observations
    ``x_next`` one step ``dt`` later and their codes ``z = encode(x)``,
    ``z_next = encode(x_next)``, whose first half is read as positions
    ``z_q`` and second half as momenta ``z_p``:

    - reconstruction: ``mean((decode(z) - x)^2)``;
    - dynamics: ``mean((z + dt * field_scale * field(z) - z_next)^2)``, one
      Euler step of the field matched to the next code;
    - canonical: ``mean((z_p - (z_q_next - z_q))^2)``, which makes the
      momenta resemble the change of the positions between observations.

    Means are over rows and columns. The sign of the canonical term is the
    one of the original experiment's code; the paper's Eq. 7 prints the
    opposite one, with which the learned energy would be minus the energy.

    Parameters
    ----------
    autoencoder : torch.nn.Module
        With ``encode`` and ``decode`` methods.
    field : torch.nn.Module
        Maps codes ``(n, latent_dim)`` to their time derivatives, in units of
        ``1 / field_scale`` of the time of ``dt``.
    field_scale : float, default=1.0
        Time derivatives per unit of ``field``'s output. The original
        experiment stepped one frame at a time (``field_scale = 1 / dt``):
        a field in those units sees gradients of the size it did, which
        weight decay does not overwhelm.
    """

    def __init__(
        self, autoencoder: nn.Module, field: nn.Module, field_scale: float = 1.0
    ) -> None:
        super().__init__()
        self.autoencoder = autoencoder
        self.field = field
        self.field_scale = float(field_scale)

    def forward(
        self, x: torch.Tensor, x_next: torch.Tensor, dt: torch.Tensor
    ) -> LatentLosses:
        """The three losses of a batch.

        Parameters
        ----------
        x, x_next : torch.Tensor of shape (batch, n_features)
            Observations and the observations ``dt`` later.
        dt : torch.Tensor of shape (batch,)
            Time between them.

        Returns
        -------
        LatentLosses
            The reconstruction, dynamics and canonical losses.
        """
        z = self.autoencoder.encode(x)
        z_next = self.autoencoder.encode(x_next)
        reconstruction = torch.mean((self.autoencoder.decode(z) - x) ** 2)
        step = z + (self.field_scale * dt)[:, None] * self.field(z)
        dynamics = torch.mean((step - z_next) ** 2)
        half = z.shape[1] // 2
        z_q, z_p = z[:, :half], z[:, half:]
        canonical = torch.mean((z_p - (z_next[:, :half] - z_q)) ** 2)
        return LatentLosses(reconstruction, dynamics, canonical)


def train_latent_dynamics(
    loss_module: LatentDynamicsLoss,
    X: torch.Tensor,
    pairs: torch.Tensor,
    dt: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    *,
    weights: tuple[float, float, float],
    batch_size: int,
    max_steps: int,
    seed: int,
    verbose: int = 0,
    check_every: int = 100,
) -> np.ndarray:
    """Train ``loss_module`` on random batches of pairs of observations.

    Each step draws ``batch_size`` pairs without replacement (all of them
    when there are fewer) and takes one optimizer step on the weighted sum
    of the three losses.

    Parameters
    ----------
    loss_module : LatentDynamicsLoss
        The autoencoder and the field, trained in place.
    X : torch.Tensor of shape (n_samples, n_features)
        Observations, on the modules' device.
    pairs : torch.Tensor of shape (n_pairs, 2)
        Row of each observation and of the one ``dt`` later.
    dt : torch.Tensor of shape (n_pairs,)
        Time between them.
    optimizer : torch.optim.Optimizer
        Optimizer of ``loss_module``'s parameters.
    weights : tuple of three floats
        Weights of the reconstruction, dynamics and canonical losses.
    batch_size, max_steps : int
        Pairs per step, and steps.
    seed : int
        Seed of the batches.
    verbose : int, default=0
        Draw one progress bar over the steps, with the loss (updated at each
        finiteness check) and the time left, when positive.
    check_every : int, default=100
        Steps between checks that the loss is finite (each one waits for the
        device).

    Returns
    -------
    ndarray of shape (max_steps,)
        The weighted loss of each step's batch.

    Raises
    ------
    TrainingDivergedError
        If a loss is not finite; the modules then hold the weights of a
        diverged step.
    """
    loss_module.train()
    device = X.device
    generator = torch.Generator(device=device).manual_seed(seed)
    n_pairs = len(pairs)
    curve = torch.empty(max_steps, device=device)
    bar = progress_bar(max_steps, unit="step") if verbose else None
    try:
        for step in range(max_steps):
            pick = torch.randperm(n_pairs, generator=generator, device=device)
            rows = pairs[pick[:batch_size]]
            losses = loss_module(X[rows[:, 0]], X[rows[:, 1]], dt[pick[:batch_size]])
            loss = sum(w * term for w, term in zip(weights, losses, strict=True))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            curve[step] = loss.detach()
            done = step + 1
            if done % check_every == 0 or done == max_steps:
                if not bool(torch.isfinite(curve[:done]).all()):
                    raise TrainingDivergedError(
                        f"The loss stopped being finite by step {done}; lower the "
                        "learning rate, or check the data.",
                        epoch=done,
                    )
                if bar is not None:
                    bar.set_postfix(loss_postfix(float(curve[done - 1])), refresh=False)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    loss_module.eval()
    return curve.cpu().numpy().astype(np.float64)
