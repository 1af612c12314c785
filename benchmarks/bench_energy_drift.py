"""Long-horizon energy error per integrator, on a learned pendulum.

An HNN is trained on the paper's pendulum task (Task 2 settings: 2 -> 200 ->
200 -> 1, tanh, 2000 full-batch steps, weight decay 1e-4). Eight initial states
on the data's annulus are rolled out for 10,000 steps of ``dt`` with each
method, and the error of the *learned* energy, ``|H(x_t) - H(x_0)|``, is
summarised over the first and the last 1000 steps. A symplectic method keeps it
bounded (last ~ first); RK4's drifts (last >> first). Leapfrog is shown on the
true, separable pendulum field too, since a learned MLP energy is not
separable.

Run: ``python benchmarks/bench_energy_drift.py [--quick]``.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_pendulum_dataset
from sklearn_hnn.integrate import integrate

METHODS = ("rk4", "implicit_midpoint", "tao", "leapfrog")


def _summary(energy: np.ndarray, window: int) -> tuple[float, float]:
    error = np.abs(energy - energy[:, :1])
    return float(error[:, 1 : window + 1].max()), float(error[:, -window:].max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1000 steps, tiny fit")
    parser.add_argument("--dt", type=float, default=0.1)
    args = parser.parse_args()
    n_steps, window, epochs = (1000, 100, 300) if args.quick else (10_000, 1000, 2000)

    print(
        f"machine: {platform.machine()}, {torch.get_num_threads()} threads, "
        f"torch {torch.__version__}"
    )
    data = make_pendulum_dataset(random_state=0)
    start = time.perf_counter()
    est = HamiltonianRegressor(
        weight_decay=1e-4, max_epochs=epochs, random_state=0
    ).fit(data.X_train, data.dXdt_train)
    print(
        f"trained the pendulum HNN in {time.perf_counter() - start:.1f} s "
        f"(test R^2 {est.score(data.X_test, data.dXdt_test):.4f})"
    )

    angle = np.linspace(0.0, 2.0 * np.pi, 8, endpoint=False)
    x0 = 1.8 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    t = np.arange(n_steps + 1) * args.dt
    print(
        f"\n{len(x0)} initial states, {n_steps} steps of dt = {args.dt} "
        f"(t = 0 .. {t[-1]:g}); max |H(x_t) - H(x_0)| over the first and the last "
        f"{window} steps"
    )

    print("\nlearned H (HNN), est.simulate(..., method=...)")
    for method in METHODS:
        start = time.perf_counter()
        rollout = est.simulate(x0, t, method=method)
        seconds = time.perf_counter() - start
        energy = est.energy(rollout.reshape(-1, 2)).reshape(len(x0), -1)
        first, last = _summary(energy, window)
        note = (
            "  (not valid: the learned H is not separable)"
            if method == "leapfrog"
            else ""
        )
        print(
            f"  {method:18s} first {first:9.2e}  last {last:9.2e}  "
            f"last/first {last / first:7.2f}  "
            f"{1e6 * seconds / n_steps:7.0f} us/step{note}"
        )

    system = data.system
    print(f"\ntrue H ({system!r}), integrate on the exact field")
    x0_tensor = torch.as_tensor(x0)

    def field(x: torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(system.vector_field(x.numpy()))

    for method in METHODS:
        rollout = integrate(field, x0_tensor, t, method).numpy()
        energy = system.hamiltonian(rollout).T
        first, last = _summary(energy, window)
        print(
            f"  {method:18s} first {first:9.2e}  last {last:9.2e}  "
            f"last/first {last / first:7.2f}"
        )


if __name__ == "__main__":
    main()
