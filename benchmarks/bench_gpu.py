"""GPU benchmark: issue 4's two H100 targets, eager and compiled, in one run.

(1) ``simulate`` of 100,000 pendulum initial conditions x 1000 RK4 steps on
    the GPU: the first call, and the best of two more, end to end (the result,
    1.6 GB, comes back to the host as a numpy array); and the rollout alone,
    ``integrate`` on the frozen field with the result left on the device.
    Target on one H100: under 2 s.
(2) The two-body protocol of Table 1 (40,000 training samples, batches of 200,
    10,000 Adam steps, 8 -> 200 -> 200 -> 1) trained on the GPU, eagerly and
    with ``compile=True`` (saying whether it did compile). Target on one H100:
    under 30 s.

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
import warnings
from pathlib import Path

import numpy as np
import torch
from _common import (
    best_time,
    machine_line,
    pendulum_initial_states,
    trained_pendulum,
)

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_two_body_dataset
from sklearn_hnn.integrate import integrate
from sklearn_hnn.nn import freeze_field
from sklearn_hnn.persistence import load, save


def _synchronized(device: str):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def rollout(device: str, n_initial: int, n_steps: int) -> None:
    est = trained_pendulum(max_epochs=300, device=device)
    x0 = pendulum_initial_states(n_initial)
    t = np.linspace(0.0, 20.0, n_steps + 1)
    times = []
    for _ in range(3):  # the first call pays for allocations
        _synchronized(device)
        start = time.perf_counter()
        out = est.simulate(x0, t)
        _synchronized(device)
        times.append(time.perf_counter() - start)
    field = freeze_field(est.module_.eval(), "forward")
    states = torch.as_tensor(x0, device=device)

    def on_device() -> None:
        with torch.inference_mode():
            integrate(field, states, t, "rk4")
        _synchronized(device)

    device_only = best_time(on_device, repeats=2)
    print(
        f"(1) simulate {n_initial} initial conditions x {n_steps} RK4 steps on "
        f"{device}: first call {times[0]:.2f} s, then {min(times[1:]):.2f} s end "
        f"to end; the rollout alone, left on the device: {device_only:.2f} s   "
        "(target on one H100: < 2 s)"
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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            est.fit(data.X_train, data.dXdt_train)
        _synchronized(device)
        seconds = time.perf_counter() - start
        steps = epochs * -(-len(data.X_train) // 200)
        fell_back = any("compil" in str(w.message) for w in caught)
        how = ""
        if compile_step:
            how = (
                " (compiling FAILED, trained eagerly)"
                if fell_back
                else " (compiled; the compile included)"
            )
        print(
            f"(2) two-body protocol, {steps} steps of batch 200 on {device}, "
            f"compile={compile_step}: {seconds:.1f} s{how}; "
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
