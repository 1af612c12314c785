"""What the benchmark scripts share: the machine line, timing, a trained
pendulum HNN and its initial states, and the original code's rollout loop."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable

import numpy as np
import torch
from scipy.integrate import solve_ivp

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_pendulum_dataset


def machine_line() -> str:
    """One line naming what the figures were measured on."""
    device = (
        torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU in use"
    )
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, torch "
        f"{torch.__version__} with {torch.get_num_threads()} threads; {device}"
    )


def best_time(fn: Callable[[], object], repeats: int = 3) -> float:
    """Shortest of ``repeats`` timings of ``fn()``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_block_time(fn: Callable[[], object], repeats: int, blocks: int) -> float:
    """Median over ``blocks`` of the mean time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(blocks):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        times.append((time.perf_counter() - start) / repeats)
    return float(np.median(times))


def plain_step(
    module: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
) -> Callable[[], None]:
    """One plain torch training step: zero_grad, forward, MSE, backward, step."""

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        torch.nn.functional.mse_loss(module(X), y).backward()
        optimizer.step()

    return step


def trained_pendulum(
    max_epochs: int = 300, device: str = "cpu"
) -> HamiltonianRegressor:
    """An HNN trained on the paper's pendulum task (Task 2 data, seed 0)."""
    data = make_pendulum_dataset(random_state=0)
    return HamiltonianRegressor(
        weight_decay=1e-4, max_epochs=max_epochs, random_state=0, device=device
    ).fit(data.X_train, data.dXdt_train)


def pendulum_initial_states(n: int, seed: int = 0) -> np.ndarray:
    """``n`` states on the pendulum data's annulus, radius ~ U[1.3, 2.3]."""
    rng = np.random.default_rng(seed)
    radius = rng.uniform(1.3, 2.3, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def autograd_field(module: torch.nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """An HNN's field as the original research code computes it.

    The energy network's forward pass, its input gradient by autograd with the
    graph kept (``create_graph=True``, as the original does on every call, in
    training or not), then the product with the symplectic matrix. Same
    numbers as ``module(x)``, which uses an explicit chain rule instead.
    """
    n_dof = module.n_dof
    eye = torch.eye(n_dof)
    symplectic = torch.zeros(2 * n_dof, 2 * n_dof)
    symplectic[:n_dof, n_dof:] = eye
    symplectic[n_dof:, :n_dof] = -eye

    def field(x: torch.Tensor) -> torch.Tensor:
        energy = module.hamiltonian(x).sum()
        (grad,) = torch.autograd.grad(energy, x, create_graph=True)
        return grad @ symplectic.T

    return field


def original_style_loop(
    field: Callable[[torch.Tensor], torch.Tensor],
    x0: np.ndarray,
    t: np.ndarray,
    rtol: float,
) -> tuple[np.ndarray, float]:
    """One solve_ivp per trajectory, ``field`` called on one float32 state at a
    time (a ``(1, d)`` tensor that requires grad), as the original research
    code integrates. Returns the trajectories and the mean number of field
    evaluations per trajectory."""

    def rhs(_time, state):
        x = torch.tensor(state, requires_grad=True, dtype=torch.float32).view(1, -1)
        return field(x).detach().numpy().reshape(-1)

    out, evaluations = [], 0
    for state in x0:
        solution = solve_ivp(rhs, (t[0], t[-1]), state, t_eval=t, rtol=rtol)
        out.append(solution.y.T)
        evaluations += solution.nfev
    return np.stack(out), evaluations / len(x0)
