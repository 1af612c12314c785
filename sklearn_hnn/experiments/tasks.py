"""The experiments of Greydanus, Dzamba & Yosinski (2019).

Each :class:`Task` says how one row of the paper's Table 1 (or of Table 2, the
three-body problem of the appendix) is produced: its data, its training
settings, and the rollouts on which the energy MSE is measured. The settings
are those behind the published numbers, which come from the original
experiments' code where it differs from the paper's text; every difference is
listed in ``docs/reproduction.md``.

Common to all tasks: 2 hidden layers of 200 tanh units, Adam with learning rate
1e-3 (which :func:`~sklearn_hnn.experiments.table1.run_task` decays to zero
over the run unless asked for the paper's constant rate), models seeded by the
run's seed, train and test loss as the mean squared
error of the predicted ``dX/dt``, and the energy MSE of
:func:`~sklearn_hnn.metrics.energy_mse` (true energy along each model's rollout
against the true energy along the reference trajectory), with rollouts by RK4
on the evaluation grid with ``substeps`` steps per interval.

The pixel pendulum (Task 5), learned from frames rather than states, is a
:class:`~sklearn_hnn.experiments.pixels.PixelTask`, run by
:func:`~sklearn_hnn.experiments.pixels.run_pixel_pendulum`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
from sklearn.utils import Bunch

from sklearn_hnn.datasets import (
    load_real_pendulum,
    make_pendulum_dataset,
    make_real_pendulum_dataset,
    make_spring_dataset,
    make_three_body_dataset,
    make_two_body_dataset,
    sample_three_body_states,
    sample_two_body_states,
)
from sklearn_hnn.datasets.ideal import PENDULUM_RADIUS, SPRING_RADIUS
from sklearn_hnn.experiments.pixels import PIXEL_TASK, PixelTask


def evaluation_states(radius: tuple[float, float]) -> np.ndarray:
    """The fixed grid of 25 initial states ``(q, p)`` used for tasks 1 and 2.

    5 radii evenly spaced over the task's training range, times 5 angles
    ``2 pi (k + 1/2) / 5``.
    """
    radii = np.linspace(radius[0], radius[1], 5)
    angles = 2.0 * np.pi * (np.arange(5) + 0.5) / 5
    r, a = np.meshgrid(radii, angles, indexing="ij")
    return np.stack([(r * np.cos(a)).ravel(), (r * np.sin(a)).ravel()], axis=1)


def grid_rollouts(data: Bunch, *, radius, horizon=20.0, n_times=100) -> tuple:
    """Tasks 1-2: the 25 states of :func:`evaluation_states`, ``t`` in
    ``[0, horizon]``; the reference is the true system's trajectory."""
    x0 = evaluation_states(radius)
    t = np.linspace(0.0, horizon, n_times)
    return x0, t, data.system.trajectories(x0, t)


def orbit_rollouts(
    data: Bunch, *, sample_states, n_orbits=15, horizon=25.0, n_times=500
) -> tuple:
    """Tasks 4 and 4b: fresh orbits, the ``i``-th drawn with seed ``i``; the
    reference is the true system's trajectory."""
    x0 = np.concatenate(
        [sample_states(np.random.default_rng(seed), 1) for seed in range(n_orbits)]
    )
    t = np.linspace(0.0, horizon, n_times)
    return x0, t, data.system.trajectories(x0, t)


def measured_rollout(data: Bunch) -> tuple:
    """Task 3: one rollout from the first test sample over the test times; the
    reference is the measured trajectory itself."""
    return data.X_test[:1], data.t_test, data.X_test[None]


@dataclass(frozen=True)
class Task:
    """How one row of a table is produced.

    Parameters
    ----------
    title : str
        Row label.
    table : str
        ``"1"`` or ``"2"``: the paper's table holding the row.
    scale : float
        Unit of the row's numbers in the paper.
    paper : dict
        Published ``(mean, standard error)`` per model and metric, in ``scale``.
    make_data : callable
        ``make_data(seed)`` returns a Bunch with ``X_train``, ``dXdt_train``,
        ``X_test``, ``dXdt_test`` and ``system``. For simulated tasks (not
        ``measured``), ``make_data(seed, cache_dir=...)`` reads and writes the
        dataset cache there (see :func:`~sklearn_hnn.datasets.make_spring_dataset`).
    rollouts : callable
        ``rollouts(data)`` returns ``(x0, t, reference)``: initial states of
        shape ``(n, 2d)``, times, and reference trajectories of shape
        ``(n, len(t), 2d)`` whose true energy the rollouts are compared with.
    weight_decay : float
        L2 penalty of the optimizer.
    max_epochs : int
        Training epochs; steps = epochs x batches per epoch.
    batch_size : int or None, default=None
        Samples per batch; None is full batch.
    substeps : int, default=10
        RK4 steps per interval of the rollout grid.
    hidden_layer_sizes : tuple of int, default=(200, 200)
        Widths of the hidden layers of both models.
    measured : bool, default=False
        Whether the data are measurements without derivatives; then
        ``make_data(seed, differentiation=...)`` chooses how ``dX/dt`` is
        estimated (the protocol's choice is its default).
    quick : dict, default={}
        Replacements for ``--quick``: tiny settings that check the pipeline in
        seconds. Not a result.
    """

    title: str
    table: str
    scale: float
    paper: dict
    make_data: Callable[..., Bunch]
    rollouts: Callable[[Bunch], tuple]
    weight_decay: float
    max_epochs: int
    batch_size: int | None = None
    substeps: int = 10
    hidden_layer_sizes: tuple[int, ...] = (200, 200)
    measured: bool = False
    quick: dict = field(default_factory=dict, repr=False)

    def unavailable(self) -> str | None:
        """Why this row cannot run here, if it cannot.

        Returns
        -------
        str or None
            The error met reading the row's measurements (a measured row
            whose file is missing or damaged), or None when the row can run.
        """
        if self.measured:
            try:
                load_real_pendulum()
            except (FileNotFoundError, ValueError) as exc:
                return str(exc)
        return None

    def quick_version(self) -> Task:
        """This task with its ``quick`` replacements and a small network.

        Returns
        -------
        Task
            A copy with ``hidden_layer_sizes=(32, 32)``, ``max_epochs=20`` and
            ``substeps=2``, then the replacements of ``quick`` (which win).
        """
        settings = {"hidden_layer_sizes": (32, 32), "max_epochs": 20, "substeps": 2}
        return replace(self, **{**settings, **self.quick})


def _paper(baseline, hnn) -> dict:
    names = ("train_loss", "test_loss", "energy_mse")
    return {
        "baseline": dict(zip(names, baseline, strict=True)),
        "hnn": dict(zip(names, hnn, strict=True)),
    }


def _seeded(make, **kwargs) -> Callable[..., Bunch]:
    return lambda seed, cache_dir=None: make(
        random_state=seed, cache_dir=cache_dir, **kwargs
    )


def _real_pendulum(seed: int, differentiation: str = "forward") -> Bunch:
    # The measurements are fixed: the seed only changes the models.
    return make_real_pendulum_dataset(method=differentiation)


def _ideal_task(title: str, make, radius, paper: dict) -> Task:
    """Tasks 1-2: simulated noisy trajectories, full batch, 2000 steps."""
    return Task(
        title=title,
        table="1",
        scale=1e-3,
        paper=paper,
        make_data=_seeded(make),
        rollouts=partial(grid_rollouts, radius=radius),
        weight_decay=1e-4,
        max_epochs=2000,
        substeps=20,
        quick={
            "make_data": _seeded(make, n_trajectories=10),
            "rollouts": partial(grid_rollouts, radius=radius, horizon=2.0, n_times=10),
        },
    )


def _orbit_task(
    title: str,
    table: str,
    scale: float,
    paper: dict,
    make,
    sample_states,
    *,
    horizon: float,
    quick_horizon: float,
    **training,
) -> Task:
    """Tasks 4 and 4b: exact orbits, mini-batches, 15 fresh evaluation orbits
    with 500 points on ``[0, horizon]``."""
    return Task(
        title=title,
        table=table,
        scale=scale,
        paper=paper,
        make_data=_seeded(make),
        rollouts=partial(
            orbit_rollouts, sample_states=sample_states, horizon=horizon, n_times=500
        ),
        quick={
            "make_data": _seeded(make, n_trajectories=10, n_points=10),
            "rollouts": partial(
                orbit_rollouts,
                sample_states=sample_states,
                n_orbits=2,
                horizon=quick_horizon,
                n_times=10,
            ),
            "max_epochs": 2,
            "batch_size": 20,
        },
        **training,
    )


TASKS: dict[str, Task | PixelTask] = {
    "spring": _ideal_task(
        "ideal spring",
        make_spring_dataset,
        SPRING_RADIUS,
        _paper(((37, 2), (37, 2), (170, 20)), ((37, 2), (36, 2), (0.38, 0.1))),
    ),
    "pendulum": _ideal_task(
        "ideal pendulum",
        make_pendulum_dataset,
        PENDULUM_RADIUS,
        _paper(((33, 2), (35, 2), (42, 10)), ((33, 2), (36, 2), (25, 5))),
    ),
    "real-pendulum": Task(
        title="real pendulum",
        table="1",
        scale=1e-3,
        paper=_paper(
            baseline=((2.7, 0.2), (2.2, 0.3), (390, 70)),
            hnn=((9.2, 0.5), (6.0, 0.6), (14, 5)),
        ),
        make_data=_real_pendulum,
        rollouts=measured_rollout,
        measured=True,
        weight_decay=1e-5,
        max_epochs=2000,
        substeps=10,
    ),
    "two-body": _orbit_task(
        "two-body",
        "1",
        1e-6,
        _paper(
            baseline=((33, 1), (30, 0.9), (6.3e4, 3e4)),
            hnn=((3.0, 0.1), (2.8, 0.1), (39, 5)),
        ),
        make_two_body_dataset,
        sample_two_body_states,
        horizon=25.0,
        quick_horizon=1.0,
        weight_decay=0.0,
        max_epochs=50,  # 40,000 samples / 200 per batch x 50 = 10,000 steps
        batch_size=200,
        substeps=10,
    ),
    "three-body": _orbit_task(
        "three-body",
        "2",
        1e-2,
        _paper(
            baseline=((9.6, 7), (38, 40), (1.1e4, 8e3)),
            hnn=((8.0, 2), (49, 48), (4.2, 3)),
        ),
        make_three_body_dataset,
        sample_three_body_states,
        horizon=3.0,
        quick_horizon=0.5,
        weight_decay=1e-4,
        max_epochs=75,  # 80,000 samples / 600 per batch = 134 batches x 75 = 10,050
        batch_size=600,
        substeps=4,
    ),
    "pixel-pendulum": PIXEL_TASK,
}
