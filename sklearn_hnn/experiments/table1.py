"""Tables 1 and 2 of Greydanus, Dzamba & Yosinski (2019): baseline against HNN.

:func:`run_task` trains (:func:`make_model`) and scores (:func:`score`) both
models on one task (see :mod:`sklearn_hnn.experiments.tasks`) with one seed;
:func:`summarise` and
:func:`format_markdown` turn runs into the tables, beside the paper's values.
"""

from __future__ import annotations

import os
import time

import numpy as np
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

from sklearn_hnn.estimators import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.experiments.pixels import PixelTask, run_pixel_pendulum
from sklearn_hnn.experiments.tasks import TASKS, Task
from sklearn_hnn.metrics import energy_mse

METRICS = ("train_loss", "test_loss", "energy_mse")
MODELS = {"baseline": BaselineDynamicsRegressor, "hnn": HamiltonianRegressor}
TABLES = {"1": "Table 1", "2": "Table 2 (appendix: three bodies)"}


#: Learning-rate schedules: ``"cosine"`` decays to zero over the run,
#: ``"constant"`` is the paper's.
LR_SCHEDULES = ("cosine", "constant")
#: The protocol's schedule, the default of every function and of the command;
#: docs/reproduction.md (The learning rate) says why it is not the paper's.
PROTOCOL_LR_SCHEDULE = "cosine"


def _lr_callbacks(schedule: str, max_epochs: int) -> list | None:
    if schedule == "constant":
        return None
    # Cosine decay to zero over the whole run, one update per epoch.
    return [LRScheduler(policy=CosineAnnealingLR, T_max=max_epochs)]


def make_model(
    model_cls, task: Task, seed: int, lr_schedule: str = PROTOCOL_LR_SCHEDULE
):
    """``model_cls`` (an estimator class) with ``task``'s training settings,
    seeded by ``seed``, unfitted."""
    return model_cls(
        hidden_layer_sizes=task.hidden_layer_sizes,
        activation="tanh",
        optimizer="adam",
        lr=1e-3,
        weight_decay=task.weight_decay,
        max_epochs=task.max_epochs,
        batch_size=task.batch_size,
        callbacks=_lr_callbacks(lr_schedule, task.max_epochs),
        compile=False,  # the committed tables were trained eagerly
        random_state=seed,
    )


def score(predict, rollout: np.ndarray, data, reference: np.ndarray) -> dict:
    """A model's row of the table: train and test MSE of ``predict`` (states to
    ``dX/dt``) on ``data``, and the energy MSE of its ``rollout`` against the
    ``reference`` trajectories, both of shape ``(n, n_times, 2d)``."""
    return {
        "train_loss": float(np.mean((predict(data.X_train) - data.dXdt_train) ** 2)),
        "test_loss": float(np.mean((predict(data.X_test) - data.dXdt_test) ** 2)),
        # A rollout that blew up is NaN from then on: its error is infinite.
        "energy_mse": (
            energy_mse(data.system.hamiltonian, reference, rollout)
            if np.isfinite(rollout).all()
            else float("inf")
        ),
    }


def run_task(
    name: str,
    seed: int,
    *,
    quick: bool = False,
    lr_schedule: str = PROTOCOL_LR_SCHEDULE,
    differentiation: str | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> dict:
    """Train and evaluate both models on one task with one seed.

    Parameters
    ----------
    name : str
        A key of :data:`~sklearn_hnn.experiments.tasks.TASKS`.
    seed : int
        Seeds the data (where it is simulated) and both models.
    quick : bool, default=False
        Tiny settings that check the pipeline in seconds; not a result.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"``, the protocol, decays the learning rate from 1e-3 to zero
        over the run (one cosine, updated every epoch); ``"constant"`` keeps
        it at 1e-3, as the paper did.
    differentiation : str or None, default=None
        For tasks with measured data (``Task.measured``), how ``dX/dt`` is
        estimated (see :func:`~sklearn_hnn.differentiation.time_derivative`);
        None keeps the protocol's forward differences. Ignored by the other
        tasks, whose derivatives are exact.
    cache_dir : str, os.PathLike or None, default=None
        For simulated tasks, the directory of the dataset cache (see
        :func:`~sklearn_hnn.datasets.make_spring_dataset`); None simulates
        every time. Ignored by tasks with measured data.

    Returns
    -------
    dict
        ``{"baseline": {metric: value}, "hnn": {...}, "seconds": {"data": ...,
        "baseline": ..., "hnn": ...}}``; each model's seconds include its
        rollouts.

    Notes
    -----
    The pixel pendulum runs :func:`~sklearn_hnn.experiments.pixels.run_pixel_pendulum`,
    with the pipeline's own training; ``lr_schedule`` and ``differentiation``
    do not apply to it.
    """
    if name not in TASKS:
        raise ValueError(f"name must be one of {sorted(TASKS)}; got {name!r}.")
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(
            f"lr_schedule must be one of {list(LR_SCHEDULES)}; got {lr_schedule!r}."
        )
    if isinstance(TASKS[name], PixelTask):
        return run_pixel_pendulum(
            seed, quick=quick, cache_dir=cache_dir, task=TASKS[name]
        )
    task = TASKS[name].quick_version() if quick else TASKS[name]
    start = time.perf_counter()
    options: dict = {}
    if differentiation is not None and task.measured:
        options["differentiation"] = differentiation
    if cache_dir is not None and not task.measured:
        options["cache_dir"] = cache_dir
    data = task.make_data(seed, **options)
    x0, t, reference = task.rollouts(data)
    result: dict = {"seconds": {"data": time.perf_counter() - start}}
    for model_name, model_cls in MODELS.items():
        start = time.perf_counter()
        model = make_model(model_cls, task, seed, lr_schedule).fit(
            data.X_train, data.dXdt_train
        )
        rollout = model.simulate(x0, t, method="rk4", substeps=task.substeps)
        result[model_name] = score(model.predict, rollout, data, reference)
        result["seconds"][model_name] = time.perf_counter() - start
    return result


def summarise(runs: list[dict]) -> dict:
    """Mean and standard error over seeds of every metric of every model, and
    the mean seconds per seed of every stage.

    Parameters
    ----------
    runs : list of dict
        Results of :func:`run_task` for one task, one per seed.

    Returns
    -------
    dict
        ``{"baseline": {metric: (mean, stderr)}, "hnn": {...}}`` and, when every
        run was timed, ``"seconds": {stage: mean}``. The standard error is 0.0
        for a single run.
    """
    if not runs:
        raise ValueError("runs must hold at least one run; got none.")
    summary: dict = {}
    for model_name in MODELS:
        summary[model_name] = {}
        for metric in METRICS:
            values = np.array([run[model_name][metric] for run in runs])
            stderr = (
                values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
            )
            summary[model_name][metric] = (float(values.mean()), float(stderr))
    if all("seconds" in run for run in runs):
        stages = runs[0]["seconds"]
        summary["seconds"] = {
            stage: float(np.mean([run["seconds"][stage] for run in runs]))
            for stage in stages
        }
    return summary


def _cell(mean_se, scale: float) -> str:
    mean, se = mean_se[0] / scale, mean_se[1] / scale
    if abs(mean) >= 1e4:
        return f"{mean:.1e}±{se:.0e}".replace("e+0", "e")
    digits = 2 if abs(mean) < 10 else 1 if abs(mean) < 100 else 0
    return f"{mean:.{digits}f}±{se:.{digits}f}"


def format_markdown(summaries: dict[str, dict], n_seeds: int, variant: str = "") -> str:
    """Our numbers beside the paper's, as Markdown tables (B = baseline), then
    the time each task took per seed. ``variant`` names any departure from the
    protocol, for the label of our rows.

    Parameters
    ----------
    summaries : dict of str to dict
        :func:`summarise` of each task's runs, keyed by task name (a key of
        :data:`~sklearn_hnn.experiments.tasks.TASKS`).
    n_seeds : int
        Number of seeds behind each summary, for the label of our rows.
    variant : str, default=""
        Departure from the protocol, added to the label of our rows; empty for
        none.

    Returns
    -------
    str
        One Markdown table per paper table with a task in ``summaries``, then a
        table of seconds per seed for the timed tasks, separated by blank lines.
    """
    ours = f"ours, {n_seeds} seeds" + (f", {variant}" if variant else "")
    blocks = []
    for table, heading in TABLES.items():
        rows = [name for name in summaries if TASKS[name].table == table]
        if not rows:
            continue
        lines = [
            f"**{heading}**",
            "",
            "| task | source | train loss B / H | test loss B / H | energy MSE B / H |",
            "|---|---|---|---|---|",
        ]
        for name in rows:
            task = TASKS[name]
            loss_scale = getattr(task, "loss_scale", task.scale)
            label = f"{task.title} (×{task.scale:.0e})"
            if loss_scale != task.scale:
                label = (
                    f"{task.title} (losses ×{loss_scale:.0e}, energy ×{task.scale:.0e})"
                )
            for source, numbers, ours_units in (
                (ours, summaries[name], True),
                ("paper", task.paper, False),
            ):
                cells = []
                for metric in METRICS:
                    unit = loss_scale if metric != "energy_mse" else task.scale
                    unit = unit if ours_units else 1.0
                    cells.append(
                        f"{_cell(numbers['baseline'][metric], unit)} / "
                        f"{_cell(numbers['hnn'][metric], unit)}"
                    )
                lines.append(f"| {label} | {source} | " + " | ".join(cells) + " |")
        blocks.append("\n".join(lines))
    timed = [name for name in summaries if "seconds" in summaries[name]]
    if timed:
        lines = [
            "**Seconds per seed** (data, baseline, HNN; each model's time includes "
            "its rollouts)",
            "",
            "| task | data | baseline | HNN | total |",
            "|---|---|---|---|---|",
        ]
        for name in timed:
            seconds = summaries[name]["seconds"]
            lines.append(
                f"| {TASKS[name].title} | "
                + " | ".join(
                    f"{seconds[stage]:.1f}" for stage in ("data", "baseline", "hnn")
                )
                + f" | {sum(seconds.values()):.1f} |"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
