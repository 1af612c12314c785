"""Core benchmark: training-step cost and batched simulation.

(a) Cost of one HNN training step over one baseline training step, full batch of
    750 states (Task 1 size), two hidden layers of 200 units. Measured twice:
    through the estimators' skorch nets (``net.train_step``, what ``fit`` runs
    each epoch) and as a plain torch step (forward, loss, backward, Adam).
    Target: <= 2.0.

(b) ``simulate`` of 1000 initial conditions x 1000 RK4 steps of a trained
    pendulum HNN, against the way the original research code integrates: one
    ``scipy.integrate.solve_ivp`` call per trajectory, calling the network on a
    (1, 2) tensor at each right-hand-side evaluation and taking ``dH/dx`` by
    autograd with ``create_graph=True``. The loop is timed on a subset of the
    trajectories and compared per trajectory. It is run with the original's
    ``rtol=1e-12`` and with SciPy's default ``rtol=1e-3``, and once more at
    ``rtol=1e-12`` with our module's explicit ``dH/dx`` in place of autograd.
    Beside them, two lower bounds for the batched run: the field evaluations
    alone, and their matrix products alone.
    Target: >= 50x less time per trajectory.

Run: ``python benchmarks/bench_core.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _common import (
    autograd_field,
    best_time,
    machine_line,
    median_block_time,
    original_style_loop,
    pendulum_initial_states,
    plain_step,
    trained_pendulum,
)

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.datasets import make_spring_dataset
from sklearn_hnn.nn import freeze_field


def training_step_ratio(repeats: int, blocks: int) -> dict[str, float]:
    data = make_spring_dataset(random_state=0)
    X = torch.from_numpy(data.X_train.astype(np.float32))
    y = torch.from_numpy(data.dXdt_train.astype(np.float32))
    nets = {
        name: cls(max_epochs=1, random_state=0).fit(data.X_train, data.dXdt_train).net_
        for name, cls in (
            ("baseline", BaselineDynamicsRegressor),
            ("hnn", HamiltonianRegressor),
        )
    }

    def skorch_step(net):
        return lambda: net.train_step((X, y))

    def torch_step(net):
        return plain_step(net.module_, net.optimizer_, X, y)

    result = {}
    for kind, make_step in (
        ("skorch train_step", skorch_step),
        ("plain torch", torch_step),
    ):
        steps = {name: make_step(net) for name, net in nets.items()}
        for step in steps.values():  # warm up
            for _ in range(5):
                step()
        # Interleave the two models so that drift in machine speed hits both.
        per_model = {name: [] for name in steps}
        for _ in range(blocks):
            for name, step in steps.items():
                per_model[name].append(median_block_time(step, repeats, 1))
        base, hnn = np.median(per_model["baseline"]), np.median(per_model["hnn"])
        result[kind] = (base, hnn)
    return result


def simulation_ratio(n_initial: int, n_steps: int, n_loop: int) -> dict:
    model = trained_pendulum(max_epochs=300)
    x0 = pendulum_initial_states(n_initial)
    t = np.linspace(0.0, 20.0, n_steps + 1)

    model.simulate(x0[:10], t[:3])  # warm up
    batched = model.simulate(x0, t, method="rk4")
    # Each timing is the best of three runs: the first large batch of a process
    # can pay for allocations and thread start-up.
    batched_seconds = best_time(lambda: model.simulate(x0, t, method="rk4"))

    # The arithmetic floor: the 4 field evaluations per RK4 step alone, as
    # simulate makes them (the frozen field on float64 states).
    module = model.module_.eval()
    field = freeze_field(module, "forward")
    states = torch.as_tensor(x0)

    def evaluations() -> None:
        with torch.inference_mode():
            for _ in range(4 * n_steps):
                field(states)

    floor_seconds = best_time(evaluations)

    # The two matrix products of every evaluation (forward through the
    # 200 x 200 layer, and back for dH/dx) alone, in float32 like the field's
    # weights: what the arithmetic costs with nothing else.
    width = module.hamiltonian[2].weight.shape[0]
    hidden = torch.randn(n_initial, width)
    weight = torch.randn(width, width)

    def products() -> None:
        with torch.inference_mode():
            for _ in range(4 * n_steps):
                hidden @ weight.T
                hidden @ weight

    products_seconds = best_time(products)

    loops = {}
    for label, loop_field, rtol in (
        ("original", autograd_field(module), 1e-12),
        ("original", autograd_field(module), 1e-3),
        ("explicit", module, 1e-12),
    ):
        start = time.perf_counter()
        reference, evaluations = original_style_loop(loop_field, x0[:n_loop], t, rtol)
        first = time.perf_counter() - start
        seconds = min(  # best of three, the first run included
            first,
            best_time(
                lambda f=loop_field, r=rtol: original_style_loop(f, x0[:n_loop], t, r),
                repeats=2,
            ),
        )
        loops[label, rtol] = (seconds / n_loop, evaluations)
        if (label, rtol) == ("original", 1e-12):
            deviation = float(np.abs(reference - batched[:n_loop]).max())
    return {
        "batched_seconds": batched_seconds,
        "floor_seconds": floor_seconds,
        "products_seconds": products_seconds,
        "batched_per_trajectory": batched_seconds / n_initial,
        "loop_per_trajectory": loops,
        "max_deviation_from_rtol_1e-12_loop": deviation,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args()
    n_initial, n_steps, n_loop = (100, 200, 3) if args.quick else (1000, 1000, 10)
    repeats, blocks = (5, 3) if args.quick else (20, 15)

    print(machine_line())
    print("\n(a) training step, full batch of 750, hidden (200, 200), tanh")
    for kind, (base, hnn) in training_step_ratio(repeats, blocks).items():
        print(
            f"  {kind:18s} baseline {base * 1e3:6.2f} ms   hnn {hnn * 1e3:6.2f} ms"
            f"   ratio hnn/baseline = {hnn / base:.2f}   (target <= 2.0)"
        )

    print(
        f"\n(b) simulate {n_initial} initial conditions x {n_steps} RK4 steps, "
        "t in [0, 20], pendulum HNN"
    )
    sim = simulation_ratio(n_initial, n_steps, n_loop)
    per = sim["batched_per_trajectory"]
    print(
        f"  batched simulate: {sim['batched_seconds']:.2f} s in all, "
        f"{per * 1e3:.2f} ms per trajectory"
    )
    floor = sim["floor_seconds"] / n_initial
    print(
        f"  floor, the {4 * n_steps} field evaluations alone: "
        f"{sim['floor_seconds']:.2f} s; simulate / floor = "
        f"{sim['batched_seconds'] / sim['floor_seconds']:.2f}"
    )
    products = sim["products_seconds"]
    print(
        f"  the {8 * n_steps} matrix products of those evaluations alone: "
        f"{products:.2f} s, {products / n_initial * 1e3:.2f} ms per trajectory"
    )
    fields = {
        "original": "autograd, create_graph=True, as the original",
        "explicit": "our module's explicit dH/dx",
    }
    # The target is for 1000 RK4 steps; --quick takes fewer, so no verdict.
    target = "" if args.quick else "target >= 50x; "
    for (label, rtol), (loop, evaluations) in sim["loop_per_trajectory"].items():
        print(
            f"  solve_ivp loop, rtol={rtol:g}, {fields[label]} "
            f"({n_loop} trajectories, {evaluations:.0f} evaluations each, "
            f"against {4 * n_steps} for RK4): {loop * 1e3:.1f} ms per trajectory\n"
            f"      speed-up = {loop / per:.0f}x   ({target}"
            f"{loop / floor:.0f}x at the floor, "
            f"{loop * n_initial / products:.0f}x at the matrix products)"
        )
    print(
        f"  max |batched RK4 - rtol 1e-12 loop| = "
        f"{sim['max_deviation_from_rtol_1e-12_loop']:.1e}"
    )


if __name__ == "__main__":
    main()
