"""Task 5 of Greydanus, Dzamba & Yosinski (2019): the pendulum seen in pixels.

:func:`run_pixel_pendulum` trains the HNN and the baseline pipelines
(:class:`~sklearn_hnn.PixelHamiltonianPipeline` with a
:class:`~sklearn_hnn.HamiltonianRegressor` or a
:class:`~sklearn_hnn.BaselineDynamicsRegressor` in code space) on
:func:`~sklearn_hnn.datasets.make_pixel_pendulum_dataset` with one seed and
scores them as Table 1, row 5:

- train and test loss: the combined training loss (reconstruction, plus 0.1
  times the latent dynamics loss, plus the canonical-coordinate loss) over
  all pairs of consecutive observations;
- energy MSE: each model is rolled out in code space from the first
  observation of every test trajectory for ``n_frames`` frames (RK4 with
  ``substeps`` steps per frame). A least-squares map, fitted on the training
  codes, reads ``(θ, 0.25 θ')`` off each code; the energy
  ``1.9 (1 - cos θ) + (0.25 θ')^2``
  (:func:`~sklearn_hnn.datasets.pixel_pendulum_energy`) along that rollout is
  compared with the same energy along the true motion from the same initial
  state, integrated accurately beyond the recorded frames. ``energy_mse``
  reads the coordinates with an affine map, as the original analysis did.
  Each run also records ``energy_mse_cubic`` (a cubic polynomial map, which
  reads codes inside the training range more closely but extrapolates
  wildly outside it, where a drifting rollout goes) and ``readout_mse`` (the
  affine map's own energy error on the encoded test observations, without
  any rollout: the floor the reading puts under ``energy_mse``); see
  ``docs/pixels.md``. The paper used one test trajectory; we average over
  all of them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

from sklearn_hnn.datasets import make_pixel_pendulum_dataset
from sklearn_hnn.datasets.pixels import (
    PIXEL_PENDULUM,
    check_pixels_extra,
    measure_rod_angle,
    pixel_pendulum_energy,
)
from sklearn_hnn.estimators import (
    AutoencoderTransformer,
    BaselineDynamicsRegressor,
    HamiltonianRegressor,
    PixelHamiltonianPipeline,
)

#: The dynamics model in code space of each row's column.
DYNAMICS = {"baseline": BaselineDynamicsRegressor, "hnn": HamiltonianRegressor}
#: Scale of ``(θ, θ')`` in the original's canonical coordinates.
MOMENTUM_SCALE = 0.25


@dataclass(frozen=True)
class PixelTask:
    """How Table 1, row 5 is produced.

    Parameters
    ----------
    title, table : str
        Row label, and the paper's table holding it (``"1"``).
    scale, loss_scale : float
        Units of the paper's energy MSE and of its losses.
    paper : dict
        Published ``(mean, standard error)`` per model and metric, in those
        units.
    data : dict
        Arguments of :func:`~sklearn_hnn.datasets.make_pixel_pendulum_dataset`
        besides ``random_state`` and ``cache_dir``.
    pipeline : dict
        Parameters of both pipelines besides ``dynamics`` and
        ``random_state``; empty means the pipeline's defaults, the paper's.
    n_frames : int
        Frames of each evaluation rollout.
    substeps : int
        RK4 steps per frame of the rollouts.
    quick : dict
        Replacements for ``--quick``: tiny settings that check the pipeline in
        seconds. Not a result.
    """

    title: str
    table: str
    scale: float
    loss_scale: float
    paper: dict
    data: dict = field(default_factory=dict)
    pipeline: dict = field(default_factory=dict)
    n_frames: int = 200
    substeps: int = 10
    quick: dict = field(default_factory=dict, repr=False)
    #: The data are simulated, so ``--data-dir`` does not concern this task.
    measured: bool = False

    def unavailable(self) -> str | None:
        """Why this row cannot run here, if it cannot.

        Returns
        -------
        str or None
            The error met importing the ``pixels`` extra, or None when it is
            installed.
        """
        try:
            check_pixels_extra()
        except ImportError as exc:
            return str(exc)
        return None

    def quick_version(self) -> PixelTask:
        """This task with its ``quick`` replacements."""
        return replace(self, **self.quick)


PIXEL_TASK = PixelTask(
    title="pixel pendulum",
    table="1",
    scale=1e-3,
    loss_scale=1e-5,
    paper={
        "baseline": {
            "train_loss": (18, 0.2),
            "test_loss": (17, 0.3),
            "energy_mse": (9.3, 1),
        },
        "hnn": {
            "train_loss": (19, 0.2),
            "test_loss": (18, 0.3),
            "energy_mse": (0.15, 0.01),
        },
    },
    quick={
        "data": {"n_trajectories": 6, "n_points": 20},
        "pipeline": {
            "autoencoder": AutoencoderTransformer(hidden_layer_sizes=(32, 32)),
            "dynamics__hidden_layer_sizes": (32, 32),
            "max_steps": 30,
        },
        "n_frames": 20,
        "substeps": 2,
    },
)


def latent_to_coordinates(model, data, degree: int = 1):
    """The least-squares polynomial map (of ``degree``; 1 is the original's
    affine map) from a fitted pipeline's codes of the training observations
    to their ``(θ, 0.25 θ')``."""
    targets = data.coords_train * np.array([1.0, MOMENTUM_SCALE])
    reader = make_pipeline(
        PolynomialFeatures(degree, include_bias=False), LinearRegression()
    )
    return reader.fit(model.transform(data.X_train), targets)


def _first_rows(groups: np.ndarray) -> np.ndarray:
    """Index of the first row of each trajectory (rows in time order)."""
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])


def energy_of_coordinates(coords: np.ndarray) -> np.ndarray:
    """``1.9 (1 - cos q) + p^2`` for ``(q, p) = (θ, 0.25 θ')``."""
    return pixel_pendulum_energy(coords / np.array([1.0, MOMENTUM_SCALE]))


def score_pipeline(model, data, *, n_frames: int, substeps: int) -> dict:
    """Train loss, test loss and energy MSE of a fitted pipeline (see the
    module's documentation)."""
    first = _first_rows(data.groups_test)
    t = data.dt * np.arange(n_frames)
    codes = model.simulate_latent(
        data.X_test[first], t, method="rk4", substeps=substeps
    )
    truth = PIXEL_PENDULUM.trajectories(data.coords_test[first], t)
    energy_true = pixel_pendulum_energy(truth.reshape(-1, 2))
    result = {
        "train_loss": -model.score(
            data.X_train, t=data.t_train, groups=data.groups_train
        ),
        "test_loss": -model.score(data.X_test, t=data.t_test, groups=data.groups_test),
    }
    for key, degree in (("energy_mse", 1), ("energy_mse_cubic", 3)):
        reader = latent_to_coordinates(model, data, degree)
        # A rollout that blew up is NaN from then on: its error is infinite.
        result[key] = float("inf")
        if np.isfinite(codes).all():
            predicted = reader.predict(codes.reshape(-1, codes.shape[-1]))
            energy = energy_of_coordinates(predicted)
            if np.isfinite(energy).all():
                result[key] = float(np.mean((energy - energy_true) ** 2))
        if degree == 1:
            read = energy_of_coordinates(reader.predict(model.transform(data.X_test)))
            error = read - pixel_pendulum_energy(data.coords_test)
            result["readout_mse"] = float(np.mean(error**2))
    return result


def run_pixel_pendulum(
    seed: int,
    *,
    quick: bool = False,
    cache_dir: str | os.PathLike | None = None,
    task: PixelTask = PIXEL_TASK,
) -> dict:
    """Train and evaluate the baseline and HNN pipelines with one seed.

    Parameters
    ----------
    seed : int
        Seeds the data and both pipelines.
    quick : bool, default=False
        Tiny settings that check the code in seconds; not a result.
    cache_dir : str, os.PathLike or None, default=None
        Directory of the dataset cache; None renders every time.
    task : PixelTask, default=PIXEL_TASK
        The settings.

    Returns
    -------
    dict
        ``{"baseline": {metric: value}, "hnn": {...}, "seconds": {"data": ...,
        "baseline": ..., "hnn": ...}}``; each model's seconds include its
        scoring.
    """
    task = task.quick_version() if quick else task
    start = time.perf_counter()
    data = make_pixel_pendulum_dataset(
        **task.data, random_state=seed, cache_dir=cache_dir
    )
    result: dict = {"seconds": {"data": time.perf_counter() - start}}
    for name, dynamics in DYNAMICS.items():
        start = time.perf_counter()
        model = PixelHamiltonianPipeline(dynamics=dynamics(), random_state=seed)
        model.set_params(**task.pipeline)
        model.fit(data.X_train, t=data.t_train, groups=data.groups_train)
        result[name] = score_pipeline(
            model, data, n_frames=task.n_frames, substeps=task.substeps
        )
        result["seconds"][name] = time.perf_counter() - start
    return result


def swing_amplitudes(model, data, *, n_frames: int = 250, window: int = 50) -> dict:
    """How far the rod swings early and late in decoded rollouts, measured on
    the pixels.

    Each test trajectory's first observation is rolled out for ``n_frames``
    frames in code space and decoded; the rod's angle is measured on each
    decoded frame (:func:`~sklearn_hnn.datasets.pixels.measure_rod_angle`).
    A window's amplitude is half the range of the angle over its frames.

    Parameters
    ----------
    model : PixelHamiltonianPipeline
        Fitted.
    data : Bunch
        :func:`~sklearn_hnn.datasets.make_pixel_pendulum_dataset`'s output.
    n_frames : int, default=250
        Frames of each rollout.
    window : int, default=50
        Frames of the first and of the last window.

    Returns
    -------
    dict
        ``"first"`` and ``"last"``: arrays of shape ``(n_test_trajectories,)``
        with the amplitude over the first and the last ``window`` frames
        (NaN for a rollout that blew up);
        ``"true"``: the true amplitude of each trajectory, from its energy.
    """
    first = _first_rows(data.groups_test)
    t = data.dt * np.arange(n_frames)
    decoded = model.simulate(data.X_test[first], t, method="rk4", substeps=10)
    n_pixels = decoded.shape[-1] // 2
    frames = decoded[..., :n_pixels].reshape(-1, n_pixels)
    finite = np.isfinite(frames).all(axis=1)
    angles = np.full(len(frames), np.nan)  # NaN where a rollout blew up
    angles[finite] = measure_rod_angle(frames[finite])
    angles = angles.reshape(len(first), n_frames)

    def amplitude(part: np.ndarray) -> np.ndarray:
        return np.ptp(part, axis=1) / 2

    energy = PIXEL_PENDULUM.hamiltonian(data.coords_test[first])
    true = np.arccos(1.0 - energy / PIXEL_PENDULUM.gravity)
    return {
        "first": amplitude(angles[:, :window]),
        "last": amplitude(angles[:, -window:]),
        "true": true,
    }
