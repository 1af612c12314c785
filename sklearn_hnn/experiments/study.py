"""The study of Gruver, Finzi, Stanton & Wilson (ICLR 2022): which inductive
bias makes an HNN accurate?

``python -m sklearn_hnn.experiments study`` trains every model of
:data:`MODELS` on every system of :data:`SYSTEMS` it is given, over several
seeds, in their protocol: 1000 trajectories of 10 s at ``dt = 0.03``; each of
the 800 training trajectories contributes one chunk of 5 points, and models
train by matching RK4 rollouts over the chunks (``objective="rollout"``); the
200 test trajectories are rolled out for 100 points from their first state.
Hamiltonian models train on canonical ``[q, p]`` states, the neural ODEs on
``[q, dq/dt]``; every rollout is scored in ``[q, dq/dt]`` form (momenta
converted with the true mass matrix), with
:func:`~sklearn_hnn.metrics.geometric_mean_relative_error` (angles wrapped)
and :func:`~sklearn_hnn.metrics.geometric_mean_relative_energy_error` of the
true energy along the rollout.

Each run is written to its own JSON file as soon as it ends, and a rerun of
the same command skips the runs it finds: the study can be stopped and
resumed, and extended with more systems, models or seeds by the same command.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from sklearn_hnn.datasets import (
    make_chain_pendulum_dataset,
    make_spring_pendulum_dataset,
)
from sklearn_hnn.estimators import (
    BaselineDynamicsRegressor,
    DissipativeHamiltonianRegressor,
    HamiltonianRegressor,
    SecondOrderRegressor,
    SeparableHamiltonianRegressor,
)
from sklearn_hnn.metrics import (
    geometric_mean_relative_energy_error,
    geometric_mean_relative_error,
)

#: Drag coefficient of the systems with drag (Gruver et al.'s friction).
DRAG = 0.5


@dataclass(frozen=True)
class StudySystem:
    """A system of the study and how its dataset is made.

    Parameters
    ----------
    kind : {"chain", "spring"}
        :func:`~sklearn_hnn.datasets.make_chain_pendulum_dataset` or
        :func:`~sklearn_hnn.datasets.make_spring_pendulum_dataset`.
    size : int
        Links of the chain, or masses of the spring pendulum.
    drag : float
        Drag coefficient.
    """

    kind: str
    size: int
    drag: float = 0.0

    def dataset(self, random_state: int, **protocol):
        """The dataset in canonical ``[q, p]`` form."""
        if self.kind == "chain":
            return make_chain_pendulum_dataset(
                self.size, self.drag, random_state=random_state, **protocol
            )
        return make_spring_pendulum_dataset(
            self.size, self.drag, random_state=random_state, **protocol
        )


def _systems() -> dict[str, StudySystem]:
    systems = {}
    for kind, sizes in (("chain", (1, 2, 3)), ("spring", (1, 2))):
        for size in sizes:
            systems[f"{kind}-{size}"] = StudySystem(kind, size)
            systems[f"{kind}-{size}-drag"] = StudySystem(kind, size, DRAG)
    return systems


#: Systems by name: ``chain-K`` (K links), ``spring-K`` (K masses), each also
#: ``-drag``.
SYSTEMS: dict[str, StudySystem] = _systems()


@dataclass(frozen=True)
class StudyModel:
    """A model of the study.

    Parameters
    ----------
    label : str
        Its name in the paper's terms.
    estimator : type
        The estimator class.
    velocities : bool
        Trains on ``[q, dq/dt]`` (True) or on ``[q, p]`` (False).
    params : dict
        Parameters besides the shared training ones.
    """

    label: str
    estimator: type
    velocities: bool
    params: dict = field(default_factory=dict)


#: Models by name.
MODELS: dict[str, StudyModel] = {
    "node": StudyModel("NODE", BaselineDynamicsRegressor, True),
    "node-so": StudyModel("NODE+SO", SecondOrderRegressor, True),
    # The penalty needs canonical states: NODE on [q, p]. Its weight is close
    # to the reference's for a 2-link chain (there, the mean over the 16
    # entries of the 4 x 4 matrix, divided by 1000).
    "node-sp": StudyModel(
        "NODE, symplectic penalty",
        BaselineDynamicsRegressor,
        False,
        {"symplectic_penalty": 1e-4},
    ),
    "hnn": StudyModel("HNN", HamiltonianRegressor, False),
    "separable": StudyModel("separable HNN", SeparableHamiltonianRegressor, False),
    "dissipative": StudyModel(
        "dissipative HNN", DissipativeHamiltonianRegressor, False
    ),
}

#: Training settings shared by every model.
TRAINING = {
    "hidden_layer_sizes": (128, 128),
    "lr": 3e-3,
    "batch_size": 200,
    "objective": "rollout",
    "rollout_length": 5,
}
#: The protocol of Gruver et al., and its ``--quick`` replacement (a check of
#: the pipeline, not a result).
PROTOCOL = {"n_trajectories": 1000, "n_train": 800}
QUICK_PROTOCOL = {"n_trajectories": 30, "n_train": 20}
QUICK_TRAINING = {"hidden_layer_sizes": (16,), "batch_size": None}
#: Epochs when ``--epochs`` is not given.
EPOCHS, QUICK_EPOCHS = 200, 5

#: Published geometric-mean rollout errors on chain pendulums of 1, 2 and 3
#: links (Finzi et al., NeurIPS 2020), quoted by Gruver et al.
REFERENCES = {
    "chain-1": {"NODE": 3.8e-4, "HNN": 1.2e-4},
    "chain-2": {"NODE": 6.5e-2, "HNN": 1.9e-3},
    "chain-3": {"NODE": 0.27, "HNN": 4.7e-2},
}


def run_one(
    system_name: str,
    model_name: str,
    seed: int,
    *,
    epochs: int,
    quick: bool = False,
    cache_dir: Path | None = None,
    threads: int = 1,
) -> dict:
    """Train one model on one system with one seed, and score its rollouts.

    Parameters
    ----------
    system_name : str
        A key of :data:`SYSTEMS`.
    model_name : str
        A key of :data:`MODELS`.
    seed : int
        Seed of the dataset and of the model.
    epochs : int
        Training epochs.
    quick : bool, default=False
        Tiny settings (see :data:`QUICK_PROTOCOL`).
    cache_dir : Path or None, default=None
        Dataset cache.
    threads : int, default=1
        CPU threads of torch during the run: the study's networks and
        batches are small, and one thread runs them several times faster than
        two on a busy 2-core machine (and leaves the other core to a second
        study).

    Returns
    -------
    dict
        ``rollout_error`` and ``energy_error`` (geometric means over the test
        rollouts) and ``seconds`` (training).
    """
    system, model = SYSTEMS[system_name], MODELS[model_name]
    data = system.dataset(
        seed, cache_dir=cache_dir, **(QUICK_PROTOCOL if quick else PROTOCOL)
    )
    truth = data.system

    def form(states: np.ndarray) -> np.ndarray:
        return truth.to_velocities(states) if model.velocities else states

    params = {**TRAINING, **(QUICK_TRAINING if quick else {}), **model.params}
    estimator = model.estimator(
        **params, max_epochs=epochs, angles=_angles(data), random_state=seed
    )
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        start = time.perf_counter()
        estimator.fit(form(data.X_train), t=data.t_train, groups=data.groups_train)
        seconds = time.perf_counter() - start
        rollouts = estimator.simulate(form(data.x0_test), data.t_test)
    finally:
        torch.set_num_threads(previous)
    if not model.velocities:  # score every model in [q, dq/dt]
        rollouts = truth.to_velocities(rollouts)
    expected = truth.to_velocities(data.trajectories_test)
    return {
        "system": system_name,
        "model": model_name,
        "seed": seed,
        "rollout_error": geometric_mean_relative_error(
            rollouts, expected, angles=list(data.angles) or None
        ),
        "energy_error": geometric_mean_relative_energy_error(
            _energy(truth, rollouts), _energy(truth, expected)
        ),
        "seconds": seconds,
    }


def _angles(data) -> list[int] | None:
    return list(data.angles) or None


def _energy(system, velocity_states: np.ndarray) -> np.ndarray:
    """True energy of ``[q, dq/dt]`` states; NaN where a rollout diverged."""
    energy = np.full(velocity_states.shape[:-1], np.nan)
    finite = np.isfinite(velocity_states).all(axis=-1)
    energy[finite] = system.energy_from_velocities(velocity_states[finite])
    return energy


def run_settings(model: str, *, epochs: int, quick: bool) -> dict:
    """What a run of ``model`` was trained with, as its JSON file records it:
    a resumed study reuses a run only if they are the same.

    Parameters
    ----------
    model : str
        A key of :data:`MODELS`.
    epochs : int
        Training epochs.
    quick : bool
        Whether the ``--quick`` settings were used.

    Returns
    -------
    dict
        The protocol and the estimator's parameters, in JSON types.
    """
    settings = {
        "epochs": epochs,
        "protocol": QUICK_PROTOCOL if quick else PROTOCOL,
        "training": {
            **TRAINING,
            **(QUICK_TRAINING if quick else {}),
            **MODELS[model].params,
        },
        "estimator": MODELS[model].estimator.__name__,
        "velocities": MODELS[model].velocities,
    }
    return json.loads(json.dumps(settings))


def run_study(
    systems: list[str],
    models: list[str],
    seeds: int,
    *,
    output_dir: Path,
    epochs: int | None = None,
    quick: bool = False,
    cache_dir: Path | None = None,
    threads: int = 1,
    log=print,
) -> list[dict]:
    """Run every (system, model, seed) not yet in ``output_dir/runs``.

    Parameters
    ----------
    systems, models : list of str
        Keys of :data:`SYSTEMS` and :data:`MODELS`.
    seeds : int
        Seeds ``0 .. seeds - 1``.
    output_dir : Path
        Where each run is written (``runs/SYSTEM__MODEL__SEED.json``) and
        read back from when the study is resumed.
    epochs : int or None, default=None
        Training epochs; None for :data:`EPOCHS` (:data:`QUICK_EPOCHS`).
    quick : bool, default=False
        Tiny settings; their runs go to ``output_dir/runs-quick``.
    cache_dir : Path or None, default=None
        Dataset cache.
    threads : int, default=1
        CPU threads of torch per run (see :func:`run_one`).
    log : callable, default=print
        Receives one line per run.

    Returns
    -------
    list of dict
        Every run of the grid, those found and those run.
    """
    if epochs is None:
        epochs = QUICK_EPOCHS if quick else EPOCHS
    folder = output_dir / ("runs-quick" if quick else "runs")
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for system in systems:
        for model in models:
            for seed in range(seeds):
                path = folder / f"{system}__{model}__{seed}.json"
                settings = run_settings(model, epochs=epochs, quick=quick)
                if path.exists():
                    run = json.loads(path.read_text())
                    if run.get("settings") == settings:
                        results.append(run)
                        continue
                run = run_one(
                    system,
                    model,
                    seed,
                    epochs=epochs,
                    quick=quick,
                    cache_dir=cache_dir,
                    threads=threads,
                )
                run["settings"] = settings
                partial = path.with_suffix(".json.partial")  # a stop mid-write
                partial.write_text(json.dumps(run, indent=2) + "\n")  # leaves
                os.replace(partial, path)  # the last complete run in place
                log(
                    f"{system} {model} seed {seed}: rollout error "
                    f"{run['rollout_error']:.3g}, energy error "
                    f"{run['energy_error']:.3g}, {run['seconds']:.0f} s"
                )
                results.append(run)
    return results
