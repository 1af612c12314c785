"""Training benchmark: step cost, skorch's overhead, compilation and memory.

(a) One training step (forward, loss, backward, Adam) of an HNN over one of the
    baseline, 2 -> 200 -> 200 -> out, tanh, at a full batch of 750 and at a
    batch of 20,000. Both are timed as ``fit`` runs them: eager (the HNN's
    input gradient by explicit chain rule) and with ``compile=True``
    (:func:`sklearn_hnn.nn.compiled.compile_training_step`: the loss and its
    weight gradients written with ``torch.func`` and compiled by
    ``torch.compile``). The compiled gradients are checked against eager
    autograd ones.
    Target: HNN / baseline <= 1.7 at both sizes.

(b) ``fit`` for 2000 full-batch steps (750 states) against a plain torch loop
    doing the same steps from the same weights and optimizer state; the two
    must end with the same weights. Target: fit / loop <= 1.15.

(c) Peak memory of ``fit`` on 10^6 samples of 8-d states with mini-batches of
    1000 (one epoch, in a fresh process). Target: a few GB.

Run: ``python benchmarks/bench_training.py [--quick]``.
"""

from __future__ import annotations

import argparse
import copy
import subprocess
import sys
import time

import numpy as np
import torch
from _common import machine_line, median_block_time, plain_step

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_pendulum_dataset
from sklearn_hnn.nn import DirectField, HamiltonianField
from sklearn_hnn.nn.compiled import compile_training_step
from sklearn_hnn.objectives import DerivativeMatching

# ----------------------------------------------------------------- (a) steps


def _compiled_step(module, optimizer, X, y):
    compiled = compile_training_step(module, DerivativeMatching())  # fit(compile=True)

    def step():
        optimizer.zero_grad(set_to_none=True)
        compiled(X, y)
        optimizer.step()

    start = time.perf_counter()
    step()  # compiles: the process's first compile, or a recompile for a new size
    return step, time.perf_counter() - start


def step_costs(batch: int, repeats: int, blocks: int) -> dict:
    torch.manual_seed(0)
    X = torch.randn(batch, 2)
    y = torch.randn(batch, 2)
    modules = {"baseline": DirectField(2), "hnn": HamiltonianField(2)}
    steps, result = {}, {"cold": {}}
    for name, module in modules.items():
        eager = copy.deepcopy(module)
        steps[f"{name} eager"] = plain_step(
            eager, torch.optim.Adam(eager.parameters()), X, y
        )
        compiled = copy.deepcopy(module)
        step, result["cold"][name] = _compiled_step(
            compiled, torch.optim.Adam(compiled.parameters()), X, y
        )
        steps[f"{name} compiled"] = step
        if name == "hnn":  # compiled gradients against eager autograd ones
            want, got = copy.deepcopy(module), copy.deepcopy(module)
            torch.nn.functional.mse_loss(want(X), y).backward()
            compile_training_step(got, DerivativeMatching())(X, y)
            result["gradient mismatch"] = max(
                float((g.grad - w.grad).abs().max() / w.grad.abs().max())
                for g, w in zip(got.parameters(), want.parameters(), strict=True)
            )
    for step in steps.values():  # warm up
        for _ in range(3):
            step()
    times = {name: [] for name in steps}
    for _ in range(blocks):  # interleaved, so drift hits all alike
        for name, step in steps.items():
            times[name].append(median_block_time(step, repeats, 1))
    result["seconds"] = {name: float(np.median(ts)) for name, ts in times.items()}
    return result


# ----------------------------------------------------- (b) fit against a loop


def fit_against_loop(epochs: int, rounds: int) -> dict:
    data = make_pendulum_dataset(random_state=0)
    X, y = data.X_train[:750], data.dXdt_train[:750]
    start = HamiltonianRegressor(
        weight_decay=1e-4, normalize=False, max_epochs=1, random_state=0
    ).fit(X, y)
    Xt = torch.as_tensor(X, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.float32)

    def run_fit():
        est = copy.deepcopy(start).set_params(warm_start=True, max_epochs=epochs)
        began = time.perf_counter()
        est.fit(X, y)
        return time.perf_counter() - began, est.module_

    def run_loop():
        net = copy.deepcopy(start.net_)
        module, optimizer = net.module_, net.optimizer_
        module.train()
        began = time.perf_counter()
        for _ in range(epochs):
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.mse_loss(module(Xt), yt)
            loss.backward()
            optimizer.step()
            loss.item()  # the loss a loop would log
        return time.perf_counter() - began, module

    run_fit(), run_loop()  # warm up
    fits, loops = [], []
    for _ in range(rounds):
        fit_seconds, fitted = run_fit()
        loop_seconds, looped = run_loop()
        fits.append(fit_seconds)
        loops.append(loop_seconds)
    difference = max(
        float((a - b).detach().abs().max())
        for a, b in zip(fitted.parameters(), looped.parameters(), strict=True)
    )
    ratios = [f / lo for f, lo in zip(fits, loops, strict=True)]
    return {
        "fit": float(np.median(fits)),
        "loop": float(np.median(loops)),
        "ratio": float(np.median(ratios)),
        "ratios": ratios,
        "weight difference": difference,
    }


# ---------------------------------------------------------------- (c) memory

_MEMORY_SCRIPT = """
import time
import numpy as np
from sklearn_hnn import HamiltonianRegressor
def status_mib(field):  # VmRSS now, VmHWM the peak (ru_maxrss survives exec)
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024
def peak_mib():
    return status_mib("VmHWM")
def resident_mib():
    return status_mib("VmRSS")
rng = np.random.default_rng(0)
X = rng.standard_normal((N, 8))
y = rng.standard_normal((N, 8))
before = resident_mib()
began = time.perf_counter()
HamiltonianRegressor(batch_size=1000, max_epochs=1, random_state=0).fit(X, y)
print(before, peak_mib(), time.perf_counter() - began)
"""


def fit_memory(n_samples: int) -> tuple[float, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT.replace("N", str(n_samples))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    before, peak, seconds = map(float, out)
    return before, peak, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args()
    print(machine_line())

    print("\n(a) one training step, 2 -> 200 -> 200, tanh, Adam")
    batches = (750,) if args.quick else (750, 20_000)
    for batch in batches:
        repeats, blocks = (
            (3, 3) if args.quick else ((10, 9) if batch < 5000 else (2, 7))
        )
        r = step_costs(batch, repeats, blocks)
        s = r["seconds"]
        print(f"  batch {batch}:")
        for name, seconds in s.items():
            print(f"    {name:18s} {seconds * 1e3:8.2f} ms")
        print(
            f"    hnn/baseline: eager {s['hnn eager'] / s['baseline eager']:.2f}, "
            f"compiled hnn over eager baseline "
            f"{s['hnn compiled'] / s['baseline eager']:.2f}, both compiled "
            f"{s['hnn compiled'] / s['baseline compiled']:.2f}   (target <= 1.7)"
        )
        print(
            "    compiled over eager hnn step "
            f"{s['hnn compiled'] / s['hnn eager']:.2f}; "
            f"first-step compile in this process {r['cold']['hnn']:.1f} s (hnn), "
            f"{r['cold']['baseline']:.1f} s (baseline; not cold: see the docs); "
            "compiled gradients vs "
            f"eager: max relative difference {r['gradient mismatch']:.1e}"
        )

    epochs, rounds = (200, 1) if args.quick else (2000, 3)
    print(f"\n(b) fit for {epochs} full-batch steps (750 states) vs a plain torch loop")
    r = fit_against_loop(epochs, rounds)
    print(
        f"  fit {r['fit']:.2f} s, loop {r['loop']:.2f} s (medians): fit/loop = "
        f"{r['ratio']:.3f} (median of {rounds} paired runs; each "
        f"{', '.join(f'{x:.3f}' for x in r['ratios'])})   (target <= 1.15)"
    )
    print(f"  max |weights after fit - after loop| = {r['weight difference']:.1e}")

    n = 10_000 if args.quick else 1_000_000
    before, peak, seconds = fit_memory(n)
    print(f"\n(c) fit on {n} samples of 8-d states, batches of 1000, one epoch")
    print(
        f"  resident before fit (data loaded) {before:.0f} MiB; peak of the "
        f"process {peak:.0f} MiB, at most {peak - before:.0f} MiB above; "
        f"{seconds:.1f} s"
        "   (target: a few GB)"
    )


if __name__ == "__main__":
    main()
