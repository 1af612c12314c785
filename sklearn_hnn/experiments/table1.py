"""Table 1 of Greydanus, Dzamba & Yosinski (2019): baseline against HNN.

Protocol (the settings behind the published numbers):

* data from :func:`~sklearn_hnn.datasets.make_spring_dataset` or
  :func:`~sklearn_hnn.datasets.make_pendulum_dataset`, seeded by the run's seed;
* both models: 2 hidden layers of 200 tanh units, Adam, learning rate 1e-3,
  weight decay 1e-4, full batch, 2000 steps, seeded by the run's seed;
* train and test loss: mean squared error of the predicted ``dX/dt``;
* energy MSE: from a fixed grid of 25 initial states (5 radii evenly spaced
  over the task's training radius range, times 5 angles ``2 pi (k + 1/2) / 5``),
  roll each model out over ``t`` in ``[0, 20]`` (100 points, RK4 with 20
  substeps per interval) and compare the true Hamiltonian along the predicted
  and the true trajectories (:func:`~sklearn_hnn.metrics.energy_mse`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from sklearn_hnn.datasets import make_pendulum_dataset, make_spring_dataset
from sklearn_hnn.datasets.ideal import PENDULUM_RADIUS, SPRING_RADIUS
from sklearn_hnn.estimators import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.metrics import energy_mse

METRICS = ("train_loss", "test_loss", "energy_mse")
MODELS = {"baseline": BaselineDynamicsRegressor, "hnn": HamiltonianRegressor}

#: Published values (mean, standard error), in units of ``scale``.
PAPER_TABLE1 = {
    "spring": {
        "scale": 1e-3,
        "baseline": {
            "train_loss": (37, 2),
            "test_loss": (37, 2),
            "energy_mse": (170, 20),
        },
        "hnn": {"train_loss": (37, 2), "test_loss": (36, 2), "energy_mse": (0.38, 0.1)},
    },
    "pendulum": {
        "scale": 1e-3,
        "baseline": {
            "train_loss": (33, 2),
            "test_loss": (35, 2),
            "energy_mse": (42, 10),
        },
        "hnn": {"train_loss": (33, 2), "test_loss": (36, 2), "energy_mse": (25, 5)},
    },
}


@dataclass(frozen=True)
class Task:
    """How one row of the table is produced."""

    make_dataset: object
    radius: tuple[float, float]
    weight_decay: float = 1e-4
    max_epochs: int = 2000
    hidden_layer_sizes: tuple[int, ...] = (200, 200)
    horizon: float = 20.0
    n_eval_times: int = 100
    substeps: int = 20
    dataset_kwargs: dict = field(default_factory=dict)


TASKS = {
    "spring": Task(make_spring_dataset, SPRING_RADIUS),
    "pendulum": Task(make_pendulum_dataset, PENDULUM_RADIUS),
}

#: Settings of ``--quick``: a smoke test of the whole pipeline, not a result.
QUICK = {
    "max_epochs": 20,
    "hidden_layer_sizes": (32, 32),
    "horizon": 2.0,
    "n_eval_times": 10,
    "substeps": 2,
    "dataset_kwargs": {"n_trajectories": 10},
}


def evaluation_states(radius: tuple[float, float]) -> np.ndarray:
    """The fixed grid of 25 initial states ``(q, p)`` used for the energy MSE."""
    radii = np.linspace(radius[0], radius[1], 5)
    angles = 2.0 * np.pi * (np.arange(5) + 0.5) / 5
    r, a = np.meshgrid(radii, angles, indexing="ij")
    return np.stack([(r * np.cos(a)).ravel(), (r * np.sin(a)).ravel()], axis=1)


def run_task(name: str, seed: int, *, quick: bool = False) -> dict:
    """Train and evaluate both models on one task with one seed.

    Returns
    -------
    dict
        ``{"baseline": {metric: value}, "hnn": {...}, "seconds": {...}}``.
    """
    task = TASKS[name]
    if quick:
        task = Task(task.make_dataset, task.radius, task.weight_decay, **QUICK)
    data = task.make_dataset(random_state=seed, **task.dataset_kwargs)
    x0 = evaluation_states(task.radius)
    t = np.linspace(0.0, task.horizon, task.n_eval_times)
    true_rollout = data.system.trajectories(x0, t)
    result: dict = {"seconds": {}}
    for model_name, model_cls in MODELS.items():
        start = time.perf_counter()
        model = model_cls(
            hidden_layer_sizes=task.hidden_layer_sizes,
            activation="tanh",
            optimizer="adam",
            lr=1e-3,
            weight_decay=task.weight_decay,
            max_epochs=task.max_epochs,
            batch_size=None,
            random_state=seed,
        ).fit(data.X_train, data.dXdt_train)
        rollout = model.simulate(x0, t, method="rk4", substeps=task.substeps)
        result[model_name] = {
            "train_loss": float(
                np.mean((model.predict(data.X_train) - data.dXdt_train) ** 2)
            ),
            "test_loss": float(
                np.mean((model.predict(data.X_test) - data.dXdt_test) ** 2)
            ),
            "energy_mse": energy_mse(data.system.hamiltonian, true_rollout, rollout),
        }
        result["seconds"][model_name] = time.perf_counter() - start
    return result


def summarise(runs: list[dict]) -> dict:
    """Mean and standard error over seeds of every metric of every model."""
    summary = {}
    for model_name in MODELS:
        summary[model_name] = {}
        for metric in METRICS:
            values = np.array([run[model_name][metric] for run in runs])
            stderr = (
                values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
            )
            summary[model_name][metric] = (float(values.mean()), float(stderr))
    return summary


def _cell(mean_se: tuple[float, float], scale: float) -> str:
    mean, se = mean_se[0] / scale, mean_se[1] / scale
    digits = 2 if abs(mean) < 10 else 1 if abs(mean) < 100 else 0
    return f"{mean:.{digits}f}±{se:.{digits}f}"


def format_markdown(summaries: dict[str, dict], n_seeds: int) -> str:
    """Our numbers beside the paper's, as a Markdown table (B = baseline)."""
    lines = [
        "| task | source | train loss B / H | test loss B / H | energy MSE B / H |",
        "|---|---|---|---|---|",
    ]
    for task_name, summary in summaries.items():
        paper = PAPER_TABLE1[task_name]
        scale = paper["scale"]
        label = f"{task_name} (×{scale:.0e})"
        for source, numbers in (
            (f"ours, {n_seeds} seeds", summary),
            ("paper", {m: {k: v for k, v in paper[m].items()} for m in MODELS}),
        ):
            unit = scale if source != "paper" else 1.0
            cells = [
                f"{_cell(numbers['baseline'][metric], unit)} / "
                f"{_cell(numbers['hnn'][metric], unit)}"
                for metric in METRICS
            ]
            lines.append(f"| {label} | {source} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
