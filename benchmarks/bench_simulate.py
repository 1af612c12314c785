"""Simulation benchmark: every method at every batch size, the original loop,
torchdiffeq, and work against accuracy.

All on one trained pendulum HNN (Task 2 data, 2 -> 200 -> 200 -> 1, tanh).

(a) ``simulate`` of N in {1, 10, 100, 1000, 10^4} initial conditions over
    1000 output steps (t in [0, 20]) with every method; adaptive methods at
    their default tolerances. Beside it: the arithmetic floor at N = 1000 (the
    4000 evaluations of the field that RK4 makes, timed alone; target: RK4
    reaches >= 0.8 of it), the latency of one trajectory (target: <= 100 us
    per RK4 step), and small batches with and without the one-thread limit.

(b) The original research code's rollout: one ``solve_ivp`` per trajectory at
    ``rtol=1e-12``, the network called on one state at a time with ``dH/dx``
    taken by autograd (``create_graph=True``), as the original does.

(c) torchdiffeq's ``rk4`` and ``dopri5`` on the same (frozen) field, same grid
    and tolerances, where torchdiffeq is installed.

(d) Work against accuracy: 100 initial conditions over t in [0, 20] (101
    outputs), the field in float64, errors against a float64 reference
    (``dopri5`` at rtol = atol = 1e-12). RK4 with sub-steps, our ``dopri5``
    and torchdiffeq's at a range of tolerances; for each target error, the
    cheapest setting of each method that meets it.

Run: ``python benchmarks/bench_simulate.py [--quick]``.
"""

from __future__ import annotations

import argparse
import copy
import time

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

import sklearn_hnn._threads as threads
from sklearn_hnn.integrate import METHODS, integrate
from sklearn_hnn.nn import freeze_field

try:
    import torchdiffeq
except ImportError:  # an optional comparison
    torchdiffeq = None


def frozen_field(est, dtype=torch.float32):
    module = copy.deepcopy(est.module_).to(dtype)
    offset = est.X_offset_
    return freeze_field(
        module,
        "forward",
        offset=None if offset is None else offset.tolist(),
        x_scale=est.X_scale_,
        y_scale=est.y_scale_,
    )


def grid(est, sizes, n_steps):
    t = np.linspace(0.0, 20.0, n_steps + 1)
    print(
        f"\n(a) simulate: microseconds per output step, {n_steps} steps, t in [0, 20]"
    )
    print(f"  {'method':18s}" + "".join(f"{f'N={n}':>12s}" for n in sizes))
    rk4 = {}
    for method in METHODS:
        row = []
        for n in sizes:
            x0 = pendulum_initial_states(n)
            seconds = best_time(
                lambda x0=x0, method=method: est.simulate(x0, t, method=method),
                repeats=3 if n <= 100 else 1,
            )
            row.append(seconds / n_steps)
            if method == "rk4":
                rk4[n] = seconds
        print(f"  {method:18s}" + "".join(f"{1e6 * s:12.0f}" for s in row))
    return rk4, t


def floor_and_latency(est, rk4, n_steps):
    if 1000 in rk4:
        field = frozen_field(est)
        x = torch.as_tensor(pendulum_initial_states(1000))
        with torch.inference_mode():

            def evaluations():
                for _ in range(4 * n_steps):
                    field(x)

            floor = best_time(evaluations, repeats=1)
        print(
            f"  floor at N=1000: {4 * n_steps} field evaluations alone {floor:.2f} s; "
            f"RK4 {rk4[1000]:.2f} s; floor / RK4 = {floor / rk4[1000]:.2f}"
            "   (target >= 0.8)"
        )
    print(
        f"  one trajectory: {1e6 * rk4[1] / n_steps:.0f} us per RK4 step"
        "   (target <= 100)"
    )


def thread_limit(est, n_steps):
    t = np.linspace(0.0, 20.0, n_steps + 1)
    print(
        f"  small batches, RK4, us per step: one-thread limit on / off "
        f"({torch.get_num_threads()} threads)"
    )
    for n in (1, 4, 16):
        x0 = pendulum_initial_states(n)
        on = best_time(lambda x0=x0: est.simulate(x0, t), repeats=3)
        saved, threads.SMALL_WORK = threads.SMALL_WORK, 0
        try:
            off = best_time(lambda x0=x0: est.simulate(x0, t), repeats=3)
        finally:
            threads.SMALL_WORK = saved
        print(
            f"    N={n:<3d} {1e6 * on / n_steps:6.0f} / {1e6 * off / n_steps:6.0f}"
            f"   off/on = {off / on:.2f}"
        )


def original_loop(est, n_loop, n_steps, rk4):
    t = np.linspace(0.0, 20.0, n_steps + 1)
    x0 = pendulum_initial_states(n_loop)
    field = autograd_field(est.module_.eval())
    seconds = best_time(lambda: original_style_loop(field, x0, t, 1e-12))
    per = seconds / n_loop
    batched = {n: s / n for n, s in rk4.items() if n >= 100}
    best_n = min(batched, key=batched.get)
    print(
        f"\n(b) original per-trajectory solve_ivp loop (rtol=1e-12): "
        f"{1e3 * per:.1f} ms per trajectory; batched RK4 at N={best_n}: "
        f"{1e3 * batched[best_n]:.2f} ms per trajectory, {per / batched[best_n]:.0f}x"
    )


def against_torchdiffeq(est, sizes, n_steps):
    print("\n(c) torchdiffeq on the same frozen field, microseconds per output step")
    if torchdiffeq is None:
        print("  torchdiffeq is not installed; skipped")
        return
    field = frozen_field(est)
    t = np.linspace(0.0, 20.0, n_steps + 1)
    tt = torch.as_tensor(t)

    def ours(x0, method):
        return integrate(field, x0, t, method)

    def theirs(x0, method):
        return torchdiffeq.odeint(
            lambda _t, x: field(x), x0, tt, method=method, rtol=1e-6, atol=1e-8
        )

    print(f"  {'':26s}" + "".join(f"{f'N={n}':>12s}" for n in sizes))
    for method in ("rk4", "dopri5"):
        for name, run in (("sklearn_hnn", ours), ("torchdiffeq", theirs)):
            row = []
            for n in sizes:
                x0 = torch.as_tensor(pendulum_initial_states(n))
                with torch.inference_mode():
                    seconds = best_time(
                        lambda x0=x0, run=run, method=method: run(x0, method),
                        repeats=3 if n <= 100 else 1,
                    )
                row.append(seconds / n_steps)
            print(
                f"  {method:7s} {name:18s}" + "".join(f"{1e6 * s:12.0f}" for s in row)
            )


def work_precision(est, n):
    print(
        f"\n(d) work against accuracy: {n} initial conditions, t in [0, 20], "
        "101 outputs, field in float64"
    )
    field = frozen_field(est, torch.float64)
    t = np.linspace(0.0, 20.0, 101)
    x0 = torch.as_tensor(pendulum_initial_states(n, seed=1))
    with torch.inference_mode():
        reference = integrate(field, x0, t, "dopri5", rtol=1e-12, atol=1e-12)
    runs = {f"rk4, {s} sub-steps": ("rk4", {"substeps": s}) for s in (1, 2, 4, 8, 16)}
    tolerances = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10)
    for rtol in tolerances:
        runs[f"dopri5, rtol={rtol:g}"] = ("dopri5", {"rtol": rtol, "atol": rtol})
    # (family, label) -> the run; every setting is timed once per round and
    # keeps its best round, so a slow spell of the machine hits all alike.
    settings = {
        (f"sklearn_hnn {method}", label): (
            lambda m=method, o=options: integrate(field, x0, t, m, **o)
        )
        for label, (method, options) in runs.items()
    }
    if torchdiffeq is not None:
        tt = torch.as_tensor(t)
        for rtol in tolerances:
            settings["torchdiffeq dopri5", f"rtol={rtol:g}"] = lambda rtol=rtol: (
                torchdiffeq.odeint(
                    lambda _t, x: field(x),
                    x0,
                    tt,
                    method="dopri5",
                    rtol=rtol,
                    atol=rtol,
                )
            )
    best = dict.fromkeys(settings, float("inf"))
    with torch.inference_mode():
        for _ in range(3):
            for key, run in settings.items():
                best[key] = min(best[key], best_time(run, repeats=1))
        results = [  # (family, label, seconds, error)
            (family, label, best[family, label], float((run() - reference).abs().max()))
            for (family, label), run in settings.items()
        ]
    for family, label, seconds, error in results:
        print(
            f"  {family:20s} {label:24s} {1e3 * seconds:9.1f} ms   "
            f"max error {error:8.1e}"
        )
    print(
        "  at the accuracy of each RK4 setting, the time of each adaptive method "
        "(interpolated\n  between its tolerances, log time against log error):"
    )
    for family, label, seconds, error in results:
        if not family.endswith("rk4"):
            continue
        cells = []
        for other in dict.fromkeys(r[0] for r in results if r[0] != family):
            points = sorted((r[3], r[2]) for r in results if r[0] == other)
            errors = np.log([e for e, _ in points])
            times = np.log([s for _, s in points])
            if not errors[0] <= np.log(error) <= errors[-1]:
                cells.append(f"{other} --")
                continue
            at = float(np.exp(np.interp(np.log(error), errors, times)))
            cells.append(f"{other} {1e3 * at:.0f} ms (RK4 / it = {seconds / at:.2f})")
        print(
            f"    {label} (error {error:.1e}, {1e3 * seconds:.0f} ms): "
            + "; ".join(cells)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few steps")
    args = parser.parse_args()
    sizes = (1, 10, 100) if args.quick else (1, 10, 100, 1000, 10_000)
    n_steps = 100 if args.quick else 1000
    print(machine_line())
    start = time.perf_counter()
    est = trained_pendulum(max_epochs=50 if args.quick else 300)
    print(f"trained the pendulum HNN in {time.perf_counter() - start:.1f} s")
    est.simulate(pendulum_initial_states(4), np.linspace(0, 1, 5))  # warm up
    rk4, _ = grid(est, sizes, n_steps)
    floor_and_latency(est, rk4, n_steps)
    thread_limit(est, n_steps)
    original_loop(est, 3 if args.quick else 10, n_steps, rk4)
    against_torchdiffeq(est, sizes[:4], n_steps)
    work_precision(est, 10 if args.quick else 100)


if __name__ == "__main__":
    main()
