"""GPU benchmark: issue 4's two H100 targets, eager and compiled, in one run.

(1) ``simulate`` of 100,000 pendulum initial conditions x 1000 RK4 steps on
    the GPU, after a warm-up. Target on one H100: under 2 s.
(2) The two-body protocol of Table 1 (40,000 training samples, batches of 200,
    10,000 Adam steps, 2 -> 200 -> 200 -> 1) trained on the GPU, eagerly and
    with ``compile=True``. Target on one H100: under 30 s.

It also checks the GPU rollout against a CPU one from the same initial states.
Without a CUDA device it says so and exits, unless ``--device cpu`` asks for a
(slow) CPU run of the same code, which with ``--quick`` is its smoke test.

Run: ``python benchmarks/bench_gpu.py [--quick] [--device cpu]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _common import machine_line, pendulum_initial_states, trained_pendulum

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_two_body_dataset
from sklearn_hnn.persistence import load, save


def _synchronized(device: str):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def rollout(device: str, n_initial: int, n_steps: int) -> None:
    est = trained_pendulum(max_epochs=300, device=device)
    x0 = pendulum_initial_states(n_initial)
    t = np.linspace(0.0, 20.0, n_steps + 1)
    est.simulate(x0[:1000], t[:11])  # warm up
    _synchronized(device)
    start = time.perf_counter()
    out = est.simulate(x0, t)
    _synchronized(device)
    seconds = time.perf_counter() - start
    print(
        f"(1) simulate {n_initial} initial conditions x {n_steps} RK4 steps on "
        f"{device}: {seconds:.2f} s   (target on one H100: < 2 s)"
    )
    with tempfile.TemporaryDirectory() as folder:  # the same weights, on CPU
        save(est, Path(folder) / "pendulum.pt")
        on_cpu = load(Path(folder) / "pendulum.pt", device="cpu")
    reference = on_cpu.simulate(x0[:100], t)
    print(
        f"    max |{device} - cpu| over 100 of the trajectories: "
        f"{np.abs(out[:100] - reference).max():.1e}"
    )


def two_body_training(device: str, quick: bool) -> None:
    data = make_two_body_dataset(n_trajectories=50 if quick else 1000, random_state=0)
    epochs = 2 if quick else 50  # 40,000 samples / 200 per batch x 50 = 10,000
    for compile_step in (False, True):
        est = HamiltonianRegressor(
            max_epochs=epochs,
            batch_size=200,
            weight_decay=0.0,
            compile=compile_step,
            device=device,
            random_state=0,
        )
        _synchronized(device)
        start = time.perf_counter()
        est.fit(data.X_train, data.dXdt_train)
        _synchronized(device)
        seconds = time.perf_counter() - start
        steps = epochs * -(-len(data.X_train) // 200)
        print(
            f"(2) two-body protocol, {steps} steps of batch 200 on {device}, "
            f"compile={compile_step}: {seconds:.1f} s"
            f"{' (its first compile included)' if compile_step else ''}; "
            f"train loss {est.history_[-1]['train_loss']:.2e}   "
            "(target on one H100: < 30 s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("no CUDA device here: nothing to measure (try --device cpu --quick)")
        sys.exit(0)
    print(machine_line())
    n_initial, n_steps = (2000, 100) if args.quick else (100_000, 1000)
    rollout(args.device, n_initial, n_steps)
    two_body_training(args.device, args.quick)


if __name__ == "__main__":
    main()
