"""The two-body HNN trained by the original research code's loop, and by ours.

With the paper's constant learning rate (``--lr-schedule constant``), Table
1's two-body HNN misses the paper's energy MSE on the mean over its 5 seeds,
and its test loss is less far below the baseline's than in the paper
(``docs/reproduction.md``). This script asks whether our estimator's training
is the cause. On the protocol's data (the same datasets, seed for seed, as
``python -m sklearn_hnn.experiments two-body``) it trains the energy network
with one of three loops (``--loop``):

- ``original``: the loop of the original ``train.py``. ``torch.manual_seed``,
  then the network (2 hidden layers of 200 tanh units, orthogonal weights, no
  output bias); 10,001 steps of Adam (learning rate 1e-3, no weight decay),
  each on a fresh random subset of 200 training samples; the field by autograd
  with ``create_graph=True`` on every call, times the symplectic matrix
  (``_common.autograd_field``).
- ``epochs``: the same, but one shuffle per epoch walked through in batches,
  as our estimator draws them (10,000 steps).
- ``estimator``: ``HamiltonianRegressor`` with the Table 1 command's settings
  at the paper's constant learning rate.

Every model is scored by the Table 1 command's own ``score``: train and test
MSE of ``dX/dt`` over the full sets, and the energy MSE of RK4 rollouts of the
15 evaluation orbits (10 steps per interval of the 500-point grid on
``[0, 25]``), here evaluated in float32.

    python benchmarks/two_body_original_loop.py --loop original --seeds 0:20
    python benchmarks/two_body_original_loop.py --loop estimator --seeds 0:20
    python benchmarks/two_body_original_loop.py --quick   # smoke test, seconds

On 2 cores each seed takes about 15 s to train and score (20 s with
``estimator``), plus about 10 s to simulate its data unless ``--cache-dir``
holds them.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch
from _common import autograd_field, machine_line

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.experiments.table1 import make_model, score
from sklearn_hnn.experiments.tasks import TASKS, Task
from sklearn_hnn.integrate import integrate
from sklearn_hnn.nn import HamiltonianField


def train_like_original(
    X: np.ndarray,
    dXdt: np.ndarray,
    seed: int,
    steps: int,
    task: Task,
    shuffle_epochs: bool = False,
) -> HamiltonianField:
    """The original ``train.py``'s loop: a fresh random batch every step, or
    with ``shuffle_epochs`` one shuffle per epoch."""
    torch.manual_seed(seed)
    module = HamiltonianField(X.shape[1], task.hidden_layer_sizes, "tanh")
    batch_size = task.batch_size
    field = autograd_field(module)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, weight_decay=0.0)
    x = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(dXdt, dtype=torch.float32)
    n_samples = x.shape[0]
    position = n_samples  # shuffle before the first step
    for _ in range(steps):
        if not shuffle_epochs:  # the original's: a fresh random subset every step
            rows = torch.randperm(n_samples)[:batch_size]
        else:  # ours: one permutation per epoch, walked through in batches
            if position + batch_size > n_samples:
                order, position = torch.randperm(n_samples), 0
            rows = order[position : position + batch_size]
            position += batch_size
        loss = (field(x[rows].requires_grad_(True)) - y[rows]).pow(2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return module


def evaluate_and_roll_out(
    module: HamiltonianField, x0: np.ndarray, t: np.ndarray, substeps: int
) -> tuple:
    """The module's ``dX/dt`` as a function of states, and its RK4 rollout of
    shape ``(n_orbits, n_times, 8)``, both in float32."""

    def predict(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return module(torch.tensor(x, dtype=torch.float32)).double().numpy()

    with torch.no_grad():
        rollout = integrate(
            module,
            torch.tensor(x0, dtype=torch.float32),
            torch.tensor(t),
            method="rk4",
            substeps=substeps,
        )
    return predict, rollout.transpose(0, 1).double().numpy()


def score_module(
    module: HamiltonianField, data, x0, t, reference, substeps: int
) -> dict:
    """Train and test loss and rollout energy MSE, scored by the Table 1
    command's :func:`~sklearn_hnn.experiments.table1.score`."""
    predict, rollout = evaluate_and_roll_out(module, x0, t, substeps)
    return score(predict, rollout, data, reference)


def train_estimator(
    X: np.ndarray, dXdt: np.ndarray, seed: int, task: Task
) -> HamiltonianField:
    """``HamiltonianRegressor`` as the Table 1 command fits it with
    ``--lr-schedule constant``."""
    model = make_model(HamiltonianRegressor, task, seed, "constant").fit(X, dXdt)
    if model.X_offset_ is not None or model.X_scale_ != 1.0 or model.y_scale_ != 1.0:
        raise RuntimeError("expected the data to be used as given (normalize)")
    return model.module_


def seed_range(text: str) -> range:
    """``"a:b"`` as ``range(a, b)``; ``"n"`` as ``range(n)``."""
    first, _, last = text.rpartition(":")
    return range(int(first or 0), int(last))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--loop", choices=("original", "epochs", "estimator"), default="original"
    )
    parser.add_argument(
        "--seeds", type=seed_range, default=range(10), help="N (0..N-1) or A:B"
    )
    parser.add_argument("--cache-dir", default=None, help="dataset cache")
    parser.add_argument("--quick", action="store_true", help="tiny smoke test")
    args = parser.parse_args()

    task = TASKS["two-body"].quick_version() if args.quick else TASKS["two-body"]
    print("command: python " + " ".join(sys.argv))
    print(machine_line())
    print(
        f"two-body HNN, loop {args.loop!r}: batches of {task.batch_size}; scores "
        "as in Table 1 (x1e-6)"
    )
    print("seed  train loss  test loss  energy MSE  seconds")
    rows = []
    for seed in args.seeds:
        start = time.perf_counter()
        data = task.make_data(seed, cache_dir=args.cache_dir)
        x0, t, reference = task.rollouts(data)
        X, dXdt = data.X_train, data.dXdt_train
        if args.loop == "estimator":
            module = train_estimator(X, dXdt, seed, task)
        else:  # the estimator's number of steps; the original took one more
            steps = task.max_epochs * (len(X) // task.batch_size)
            steps += args.loop == "original"
            module = train_like_original(
                X, dXdt, seed, steps, task, shuffle_epochs=args.loop == "epochs"
            )
        row = score_module(module, data, x0, t, reference, task.substeps)
        rows.append(row)
        print(
            f"{seed:4d}  {row['train_loss'] / 1e-6:10.2f}  "
            f"{row['test_loss'] / 1e-6:9.2f}  {row['energy_mse'] / 1e-6:10.1f}"
            f"  {time.perf_counter() - start:7.1f}",
            flush=True,
        )
    for name in ("train_loss", "test_loss", "energy_mse"):
        values = np.array([row[name] for row in rows]) / 1e-6
        stderr = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0
        print(
            f"{name}: mean {values.mean():.2f} ± {stderr:.2f}, median "
            f"{np.median(values):.2f}, geometric mean "
            f"{np.exp(np.log(values).mean()):.2f}, range {values.min():.2f} to "
            f"{values.max():.2f}"
        )
    energies = np.array([row["energy_mse"] for row in rows]) / 1e-6
    print(f"seeds with energy MSE at or below the paper's 39: {(energies <= 39).sum()}")


if __name__ == "__main__":
    main()
