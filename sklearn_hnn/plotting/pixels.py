"""Pictures of pixel rollouts and of a code plane's learned energy."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils.validation import check_is_fitted

from sklearn_hnn._validation import (
    check_float_array,
    check_output_file,
    check_positive_float,
    check_positive_int,
)
from sklearn_hnn.plotting._backend import EXTRA, new_figure, pyplot


def rollout_frames(rollout, image_shape) -> np.ndarray:
    """The first frame of each observation of a pixel rollout, as images.

    Parameters
    ----------
    rollout : array-like of shape (n_times, 2 * n_pixels)
        Observations (pairs of frames), such as
        :meth:`~sklearn_hnn.PixelHamiltonianPipeline.simulate` returns.
    image_shape : tuple of int
        ``(height, width)`` of a frame, ``height * width = n_pixels``.

    Returns
    -------
    ndarray of shape (n_times, height, width)
        The frames, clipped to ``[0, 1]``; blank (0) where the rollout is
        NaN (after it blew up).
    """
    rollout = check_float_array(rollout, "rollout", ensure_all_finite=False)
    height, width = (int(n) for n in image_shape)
    if rollout.shape[1] != 2 * height * width:
        raise ValueError(
            f"rollout has {rollout.shape[1]} columns, but two frames of "
            f"image_shape={tuple(image_shape)} make {2 * height * width}."
        )
    frames = rollout[:, : height * width].reshape(-1, height, width)
    return np.clip(np.nan_to_num(frames, nan=0.0), 0.0, 1.0)


def _tiles(rollouts: Mapping, image_shape) -> tuple[list[str], np.ndarray]:
    """Labels and frames ``(n_rollouts, n_times, h, w)`` of equally long
    rollouts."""
    if not isinstance(rollouts, Mapping) or not rollouts:
        raise ValueError(
            "rollouts must be a non-empty mapping of labels to rollouts of shape "
            "(n_times, 2 * n_pixels)."
        )
    frames = [rollout_frames(r, image_shape) for r in rollouts.values()]
    lengths = {len(f) for f in frames}
    if len(lengths) != 1:
        raise ValueError(
            f"rollouts must have the same number of times; got {sorted(lengths)}."
        )
    return [str(label) for label in rollouts], np.stack(frames)


def save_rollout_gif(
    path: str | os.PathLike,
    rollouts: Mapping,
    image_shape,
    *,
    fps: float = 20.0,
    scale: int = 4,
) -> Path:
    """Write an animated GIF of several pixel rollouts, side by side.

    Each frame of the GIF shows, left to right in the order of ``rollouts``,
    the first frame of each rollout's observation at that time, in grey
    levels, enlarged ``scale`` times, with a one-pixel white line between
    them.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; missing directories are created.
    rollouts : mapping of str to array-like of shape (n_times, 2 * n_pixels)
        Labelled rollouts of the same length, such as ``{"true": ...,
        "baseline": ..., "HNN": ...}``.
    image_shape : tuple of int
        ``(height, width)`` of a frame.
    fps : float, default=20.0
        Frames per second.
    scale : int, default=4
        Enlargement of every pixel.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(check_output_file(path, "path"))
    fps = check_positive_float(fps, "fps")
    scale = check_positive_int(scale, "scale")
    _, frames = _tiles(rollouts, image_shape)
    try:
        import imageio.v3 as iio
    except ImportError as exc:
        raise ImportError(f"Writing a GIF {EXTRA}") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    n_rollouts, n_times, height, width = frames.shape
    scale = int(scale)
    tile = np.ones((n_times, height * scale, (width * scale + 1) * n_rollouts - 1))
    for k in range(n_rollouts):
        enlarged = frames[k].repeat(scale, axis=1).repeat(scale, axis=2)
        left = k * (width * scale + 1)
        tile[:, :, left : left + width * scale] = 1.0 - enlarged  # dark rod
    images = np.round(255 * tile).astype(np.uint8)
    iio.imwrite(path, images, extension=".gif", duration=1000.0 / fps, loop=0)
    return path


def plot_frame_strip(rollouts: Mapping, image_shape, *, every: int = 10, axes=None):
    """Frames of several pixel rollouts in rows, every ``every`` times.

    Parameters
    ----------
    rollouts : mapping of str to array-like of shape (n_times, 2 * n_pixels)
        Labelled rollouts of the same length; one row each.
    image_shape : tuple of int
        ``(height, width)`` of a frame.
    every : int, default=10
        Show times ``0, every, 2 every, ...``.
    axes : ndarray of matplotlib Axes of shape (n_rollouts, n_shown) or None
        Where to draw; None makes a new figure.

    Returns
    -------
    Bunch
        ``axes`` (the grid) and ``images`` (the ``AxesImage`` of each cell,
        in the same grid).
    """
    every = check_positive_int(every, "every")
    labels, frames = _tiles(rollouts, image_shape)
    shown = np.arange(0, frames.shape[1], int(every))
    if axes is None:
        _, axes = new_figure(
            len(labels),
            len(shown),
            figsize=(0.8 * len(shown), 0.9 * len(labels)),
            squeeze=False,
        )
    axes = np.asarray(axes).reshape(len(labels), len(shown))
    images = np.empty(axes.shape, dtype=object)
    for row, label in enumerate(labels):
        for col, time in enumerate(shown):
            ax = axes[row, col]
            images[row, col] = ax.imshow(
                frames[row, time], cmap="gray_r", vmin=0.0, vmax=1.0
            )
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(label)
            if row == 0:
                ax.set_title(f"{time}", fontsize="small")
    return Bunch(axes=axes, images=images)


def plot_latent_phase_space(
    model, X=None, *, trajectories=None, ax=None, resolution: int = 60, levels=15
):
    """The learned energy of a pixel model over its code plane, as contours,
    with the codes of observations and rollouts in code space.

    Parameters
    ----------
    model : PixelHamiltonianPipeline
        Fitted, with a 2-d code and a dynamics model with an ``energy``.
    X : array-like of shape (n_samples, n_features) or None, default=None
        Observations whose codes are drawn as points, and which set the
        extent of the plane (otherwise set by ``trajectories``).
    trajectories : array-like of shape (n, n_times, 2) or None, default=None
        Code trajectories (:meth:`simulate_latent`) drawn as lines.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.
    resolution : int, default=60
        Grid points per axis of the contours.
    levels : int or array-like, default=15
        Contour levels, as matplotlib's ``contour`` takes them.

    Returns
    -------
    Bunch
        ``ax``, ``contours`` (the ``QuadContourSet``), ``points`` (the
        ``PathCollection`` of the codes, or None) and ``lines`` (a list of
        ``Line2D``, one per trajectory).
    """
    check_is_fitted(model)
    pyplot()  # without the plot extra, fail before any work
    if not hasattr(model, "energy"):
        raise ValueError(
            f"model's dynamics ({type(model.dynamics_).__name__}) has no energy "
            "to draw."
        )
    codes = None if X is None else model.transform(X)
    if trajectories is not None:
        trajectories = check_float_array(
            trajectories, "trajectories", ensure_2d=False, allow_nd=True
        )
        trajectories = trajectories.reshape(-1, *trajectories.shape[-2:])
    shown = [a.reshape(-1, a.shape[-1]) for a in (codes, trajectories) if a is not None]
    if not shown:
        raise ValueError("Give X or trajectories: they set the extent of the plane.")
    everything = np.concatenate(shown)
    if everything.shape[1] != 2:
        raise ValueError(
            f"The code plane needs a 2-d code; this model's has {everything.shape[1]}."
        )
    low, high = everything.min(axis=0), everything.max(axis=0)
    pad = 0.15 * np.maximum(high - low, 1e-6)
    q, p = np.meshgrid(
        np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
        np.linspace(low[1] - pad[1], high[1] + pad[1], resolution),
    )
    grid = np.stack([q.ravel(), p.ravel()], axis=1)
    energy = model.dynamics_.energy(grid).reshape(q.shape)
    if ax is None:
        _, ax = new_figure(figsize=(4, 4))
    contours = ax.contour(q, p, energy, levels=levels, cmap="viridis")
    points = None
    if codes is not None:
        points = ax.scatter(codes[:, 0], codes[:, 1], s=4, c="k", alpha=0.5)
    lines = []
    for trajectory in [] if trajectories is None else trajectories:
        lines.extend(ax.plot(trajectory[:, 0], trajectory[:, 1], lw=1.5))
    ax.set_xlabel("$z_q$")
    ax.set_ylabel("$z_p$")
    return Bunch(ax=ax, contours=contours, points=points, lines=lines)
