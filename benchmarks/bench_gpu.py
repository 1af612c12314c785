"""GPU benchmark: issue 4's two H100 targets and the CUDA-graph loop, in one run.

(0) The fixed-step loop replayed from a CUDA graph against the eager loop:
    time per RK4 step for 1, 100 and 10,000 pendulum states over 1000 steps,
    and their largest difference.
(1) ``simulate`` of 100,000 pendulum initial conditions x 1000 RK4 steps on
    the GPU: the first call, and the best of two more, end to end (the result,
    1.6 GB, comes back to the host as a numpy array); then the rollout alone
    (``integrate`` on the frozen field, the result left on the device) eager
    and replayed, with float64 and float32 states, and with TF32 matrix
    products allowed; and the floor: the 4000 field evaluations alone.
    Target on one H100: under 2 s.
(2) Issue 2's benchmark (b) on this machine: ``simulate`` of 1000 initial
    conditions x 1000 RK4 steps, on the GPU and on this machine's CPU, against
    the original research code's way (one ``solve_ivp`` per trajectory at
    ``rtol=1e-12``, the network called per evaluation with autograd's
    ``create_graph=True``) on 10 of them, per trajectory. Target: >= 50x.
(3) The two-body protocol of Table 1 (40,000 training samples, batches of 200,
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
    autograd_field,
    best_time,
    machine_line,
    original_style_loop,
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


def _timed_rollout(field, x0, t, dtype, cuda_graph: bool, device: str):
    """Best of two timings of ``integrate`` on the device, and its result."""
    states = torch.as_tensor(x0, dtype=dtype, device=device)
    result = []

    def once() -> None:
        with torch.inference_mode():
            result[:] = [integrate(field, states, t, "rk4", cuda_graph=cuda_graph)]
        _synchronized(device)

    once()  # the first call pays for allocations (and cuBLAS's set-up)
    return best_time(once, repeats=2), result[0]


def step_latency(
    est: HamiltonianRegressor, device: str, n_steps: int, sizes: tuple[int, ...]
) -> None:
    field = freeze_field(est.module_.eval(), "forward")
    t = np.linspace(0.0, 20.0, n_steps + 1)
    for n in sizes:
        x0 = pendulum_initial_states(n)
        eager, plain = _timed_rollout(field, x0, t, torch.float64, False, device)
        graph, replayed = _timed_rollout(field, x0, t, torch.float64, True, device)
        difference = (plain - replayed).abs().max().item()
        print(
            f"(0) {n} states x {n_steps} RK4 steps on {device}: eager "
            f"{eager / n_steps * 1e6:.0f} us/step, CUDA graph "
            f"{graph / n_steps * 1e6:.0f} us/step ({eager / graph:.1f}x); "
            f"max |eager - graph| {difference:.1e}"
        )


def rollout(
    est: HamiltonianRegressor,
    on_cpu: HamiltonianRegressor,
    device: str,
    n_initial: int,
    n_steps: int,
) -> None:
    x0 = pendulum_initial_states(n_initial)
    t = np.linspace(0.0, 20.0, n_steps + 1)
    times = []
    for _ in range(3):  # the first call pays for allocations
        _synchronized(device)
        start = time.perf_counter()
        out = est.simulate(x0, t)
        _synchronized(device)
        times.append(time.perf_counter() - start)
    print(
        f"(1) simulate {n_initial} initial conditions x {n_steps} RK4 steps on "
        f"{device}: first call {times[0]:.2f} s, then {min(times[1:]):.2f} s end "
        "to end   (target on one H100: < 2 s)"
    )
    field = freeze_field(est.module_.eval(), "forward")
    reference = None
    for dtype, cuda_graph, tf32 in [
        (torch.float64, False, False),
        (torch.float64, True, False),
        (torch.float32, True, False),
        (torch.float32, True, True),
    ]:
        allowed = torch.backends.cuda.matmul.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = tf32
        try:
            seconds, states = _timed_rollout(field, x0, t, dtype, cuda_graph, device)
        finally:
            torch.backends.cuda.matmul.allow_tf32 = allowed
        states = states[-1].double()
        reference = states if reference is None else reference
        print(
            f"    the rollout alone, on the device: {str(dtype)[6:]} states, "
            f"{'CUDA graph' if cuda_graph else 'eager'}"
            f"{', TF32 products' if tf32 else ''}: {seconds:.2f} s; final states "
            f"differ from the first row's by {(states - reference).abs().max():.1e}"
        )
    states = torch.as_tensor(x0, dtype=torch.float32, device=device)

    def evaluations(f) -> float:  # best time of the run's 4 n_steps evaluations
        def run() -> None:
            with torch.inference_mode():
                for _ in range(4 * n_steps):
                    f(states)
            _synchronized(device)

        return best_time(run, repeats=2)

    floor = evaluations(field)
    print(f"    floor: the {4 * n_steps} field evaluations alone: {floor:.2f} s")
    try:  # what fusing the elementwise work would buy (an experiment, not an API)
        start = time.perf_counter()
        fused = torch.compile(field.__call__, dynamic=False)
        with torch.inference_mode():
            fused(states)
        _synchronized(device)
        compiling = time.perf_counter() - start
        fused_floor = evaluations(fused)
        with torch.inference_mode():
            difference = (fused(states) - field(states)).abs().max().item()
        print(
            f"    the same evaluations through torch.compile (fused elementwise "
            f"work): {fused_floor:.2f} s, after a {compiling:.0f} s compile; "
            f"max |fused - plain| {difference:.1e}"
        )
    except Exception as error:  # report it and go on
        print(f"    torch.compile of the field failed: {type(error).__name__}: {error}")
    reference = on_cpu.simulate(x0[:100], t)
    print(
        f"    max |{device} - cpu| over 100 of the trajectories: "
        f"{np.abs(out[:100] - reference).max():.1e}"
    )


def against_original_loop(
    est: HamiltonianRegressor, on_cpu: HamiltonianRegressor, device: str, quick: bool
) -> None:
    n_initial, n_steps, n_loop = (100, 200, 3) if quick else (1000, 1000, 10)
    x0 = pendulum_initial_states(n_initial)
    t = np.linspace(0.0, 20.0, n_steps + 1)
    seconds = {}
    for where, model in ((device, est), ("cpu", on_cpu)):
        model.simulate(x0[:10], t[:3])  # warm up
        seconds[where] = best_time(lambda m=model: m.simulate(x0, t), repeats=2)
    start = time.perf_counter()
    original_style_loop(autograd_field(on_cpu.module_.eval()), x0[:n_loop], t, 1e-12)
    loop = (time.perf_counter() - start) / n_loop
    for where, total in seconds.items():
        per = total / n_initial
        print(
            f"(2) simulate {n_initial} x {n_steps} RK4 steps on {where}: {total:.2f} "
            f"s, {per * 1e3:.3f} ms per trajectory; the original's solve_ivp loop "
            f"on cpu: {loop * 1e3:.1f} ms per trajectory; {loop / per:.0f}x less "
            "time   (target >= 50x)"
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
        failures = [str(w.message) for w in caught if "compil" in str(w.message)]
        how = ""
        if compile_step:
            how = (
                f" (compiling FAILED, trained eagerly: {failures[0]})"
                if failures
                else " (compiled; the compile included)"
            )
        print(
            f"(3) two-body protocol, {steps} steps of batch 200 on {device}, "
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
    est = trained_pendulum(max_epochs=300, device=args.device)
    with tempfile.TemporaryDirectory() as folder:  # the same weights, on CPU
        save(est, Path(folder) / "pendulum.pt")
        on_cpu = load(Path(folder) / "pendulum.pt", device="cpu")
    step_latency(est, args.device, n_steps, (1, 100) if args.quick else (1, 100, 10**4))
    rollout(est, on_cpu, args.device, n_initial, n_steps)
    against_original_loop(est, on_cpu, args.device, args.quick)
    two_body_training(args.device, args.quick)


if __name__ == "__main__":
    main()
