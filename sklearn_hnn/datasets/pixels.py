"""Task 5 of Greydanus, Dzamba & Yosinski (2019): a pendulum seen only in pixels.

gymnasium's ``Pendulum-v1`` draws the frames; the motion behind them is the
ideal pendulum ``θ'' = -15 sin θ`` (``g = 10``, ``l = 1`` in
``θ'' = 3 g / (2 l) sin θ_gym``, with ``θ = θ_gym - π`` the angle from the
bottom), integrated accurately by :data:`PIXEL_PENDULUM` rather than by the
environment's own semi-implicit Euler step. Each frame is cropped around the
pivot as in the original experiments, reduced to the rod's colour channel
(red minus green) and downsampled.

Rendering needs the optional ``pixels`` extra (gymnasium, pygame, pillow),
imported only when a frame is drawn.
"""

from __future__ import annotations

import math
import os

import numpy as np
from sklearn.utils import Bunch

from sklearn_hnn._validation import (
    check_float_array,
    check_non_negative_float,
    check_positive_float,
    check_positive_int,
    check_seed,
    check_states,
    shape_of,
)
from sklearn_hnn.datasets._cache import check_cache_arguments, load_or_build
from sklearn_hnn.datasets.trajectories import check_train_fraction
from sklearn_hnn.systems import Pendulum

#: The true dynamics behind the frames, ``H = 15 (1 - cos θ) + θ'^2 / 2`` with
#: states ``[θ, θ']`` (the momentum is the angular velocity): use it to extend
#: the truth beyond the recorded frames.
PIXEL_PENDULUM = Pendulum(mass=1.0, length=1.0, gravity=15.0)
#: Side of the square frames gymnasium renders, in pixels.
RENDER_SIZE = 500
#: Rows and columns of a rendered frame that are kept, as fractions of its side.
CROP_ROWS = (0.44, 0.78)
CROP_COLUMNS = (0.33, 0.67)
#: Where the pivot lies in a processed frame, (row, column) as fractions of its
#: side: gymnasium draws it at the centre of the rendered frame.
PIVOT = (
    (0.5 - CROP_ROWS[0]) / (CROP_ROWS[1] - CROP_ROWS[0]),
    (0.5 - CROP_COLUMNS[0]) / (CROP_COLUMNS[1] - CROP_COLUMNS[0]),
)
#: Largest ``|θ|``, in radians, at which the whole rod lies inside the crop;
#: beyond it the rod's end is cut off (from 0.71 rad on).
MAX_VISIBLE_ANGLE = 0.7
#: Red minus green of the rod's colour (204, 77, 77): a pixel fully covered by
#: the rod. The white background and the black axle give 0.
ROD_INTENSITY = 127
#: Initial angular velocities are drawn from ``U[-1, 1]``, in rad/s.
MAX_INITIAL_SPEED = 1.0
_EXTRA = "needs the optional 'pixels' extra: pip install 'sklearn-hnn[pixels]'"


def check_pixels_extra() -> None:
    """Check that the optional ``pixels`` extra is installed.

    Raises
    ------
    ImportError
        Naming the extra and the missing package, when gymnasium, pygame or
        pillow cannot be imported.
    """
    _renderer()


def _renderer():
    """gymnasium, PIL's Image module and the versions of the three packages that
    draw the frames; an ImportError naming the extra when one is missing."""
    # Draw without a display or a sound card, and without pygame's greeting.
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import gymnasium
        import PIL
        import pygame
        from PIL import Image
    except ImportError as exc:
        raise ImportError(f"Rendering the pixel pendulum {_EXTRA} ({exc}).") from exc
    versions = {
        "gymnasium": gymnasium.__version__,
        "pygame": pygame.version.ver,
        "pillow": PIL.__version__,
    }
    return gymnasium, Image, versions


def _process(frame: np.ndarray, image_size: int, image) -> np.ndarray:
    """Crop an RGB frame, keep red minus green, downsample by area averaging and
    scale so that the rod reads 1."""
    rows, columns = frame.shape[:2]
    top, bottom = (round(f * rows) for f in CROP_ROWS)
    left, right = (round(f * columns) for f in CROP_COLUMNS)
    crop = frame[top:bottom, left:right].astype(np.int16)
    rod = (crop[..., 0] - crop[..., 1]).astype(np.float32)
    small = image.fromarray(rod).resize((image_size, image_size), image.Resampling.BOX)
    return np.clip(np.asarray(small) / ROD_INTENSITY, 0.0, 1.0)


def render_pendulum_frames(theta, *, image_size: int = 28) -> np.ndarray:
    """Draw the pendulum at each angle, as the frames of the pixel dataset.

    Positive angles swing the rod counter-clockwise as seen in the image: its
    end moves to the right of the pivot. The rod lies wholly inside the frame
    for ``|θ| <= 0.7`` rad (:data:`MAX_VISIBLE_ANGLE`); beyond, its end is cut
    off.

    Parameters
    ----------
    theta : array-like of shape (n_frames,)
        Angles from the bottom, in radians.
    image_size : int, default=28
        Side of the square frames, in pixels.

    Returns
    -------
    ndarray of shape (n_frames, image_size, image_size), dtype float32
        The frames, values in ``[0, 1]``: the fraction of each pixel that the
        rod covers (0 for the background and the black axle at the pivot).

    Raises
    ------
    ImportError
        Without the optional ``pixels`` extra (gymnasium, pygame, pillow).

    Examples
    --------
    >>> frames = render_pendulum_frames([-0.5, 0.0, 0.5])
    >>> frames.shape, frames.dtype
    ((3, 28, 28), dtype('float32'))
    >>> np.round(measure_rod_angle(frames), 1)
    array([-0.5,  0. ,  0.5])
    """
    if shape_of(theta) is None or len(shape_of(theta)) != 1:
        raise ValueError(
            f"theta must be a 1-D array of angles; got shape {shape_of(theta)}."
        )
    theta = check_float_array(theta, "theta", dtype=np.float64, ensure_2d=False)
    image_size = check_positive_int(image_size, "image_size")
    gymnasium, image, _ = _renderer()
    frames = np.empty((len(theta), image_size, image_size), dtype=np.float32)
    env = gymnasium.make("Pendulum-v1", render_mode="rgb_array")
    try:
        pendulum = env.unwrapped
        pendulum.screen_dim = RENDER_SIZE
        env.reset(seed=0)  # leaves no torque arrow to draw
        for i, angle in enumerate(theta):
            pendulum.state = np.array([angle + np.pi, 0.0])
            frames[i] = _process(env.render(), image_size, image)
    finally:
        env.close()
    return frames


def measure_rod_angle(frames) -> np.ndarray:
    """Read the rod's angle off each frame, from its pixels alone.

    The angle is that of the intensity-weighted centroid of the frame as seen
    from the pivot, whose place in the frame is known (:data:`PIVOT`): the rod
    is symmetric about its axis, so the centroid lies on it. It is exact up to
    the pixels' coarseness (0.007 rad at the default size) while the whole
    rod is in the frame, ``|θ| <= 0.7`` rad, and stays within 0.01 rad up to
    1.8 rad, the frame's edges cutting the rod nearly square. Negative values
    count as 0; noise on the background pulls the estimate towards the
    frame's centre.

    Parameters
    ----------
    frames : array-like of shape (n_frames, side, side) or (n_frames, side**2)
        Frames as :func:`render_pendulum_frames` draws them, square or
        flattened row by row.

    Returns
    -------
    ndarray of shape (n_frames,)
        Angles from the bottom, in radians, positive counter-clockwise as in
        :func:`render_pendulum_frames`; NaN for a frame without a positive
        pixel.

    Examples
    --------
    >>> frames = render_pendulum_frames([0.3])
    >>> float(np.round(measure_rod_angle(frames.reshape(1, -1))[0], 2))
    0.3
    """
    shape = shape_of(frames)
    if shape is not None and len(shape) == 2:
        side = math.isqrt(shape[1])
        if side * side != shape[1]:
            raise ValueError(
                f"frames of shape {shape} are not flattened square images: "
                f"{shape[1]} is not a square number. Split a pair of frames into "
                "its halves first."
            )
        shape = (shape[0], side, side)
    elif shape is None or len(shape) != 3 or shape[1] != shape[2]:
        raise ValueError(
            "frames must have shape (n_frames, side, side) or (n_frames, side**2); "
            f"got shape {shape}."
        )
    frames = check_float_array(frames, "frames", ensure_2d=False, allow_nd=True)
    weights = np.clip(frames.reshape(shape), 0.0, None)
    side = shape[1]
    centres = (np.arange(side) + 0.5) / side
    mass = weights.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        down = (weights.sum(axis=2) @ (centres - PIVOT[0])) / mass
        right = (weights.sum(axis=1) @ (centres - PIVOT[1])) / mass
    return np.arctan2(right, down).astype(np.float64)


def pixel_pendulum_energy(coords) -> np.ndarray:
    """The energy by which the original work scored Task 5 (its Table 1, row 5).

    ``1.9 (1 - cos θ) + (θ' / 4)^2``: nearly, but not exactly, proportional to
    the true energy of :data:`PIXEL_PENDULUM`, ``15 (1 - cos θ) + θ'^2 / 2``
    (their ratios of potential to kinetic terms are 30.4 and 30), so it is
    nearly conserved along a true trajectory.

    Parameters
    ----------
    coords : array-like of shape (..., 2)
        States ``[θ, θ']``, such as the ``coords_*`` of
        :func:`make_pixel_pendulum_dataset`.

    Returns
    -------
    ndarray of shape (...)
        The energy of each state.

    Examples
    --------
    >>> float(pixel_pendulum_energy([[0.0, 4.0]])[0])
    1.0
    """
    coords = check_states(
        coords, "coords", "(..., 2)", owner="the pixel pendulum", n_features=2
    )
    theta, speed = coords[..., 0], coords[..., 1]
    return 1.9 * (1.0 - np.cos(theta)) + (0.25 * speed) ** 2


def _check_max_angle(max_angle) -> float:
    max_angle = check_positive_float(max_angle, "max_angle")
    if max_angle > np.pi:
        raise ValueError(f"max_angle must be at most pi; got {max_angle!r}.")
    return max_angle


def make_pixel_pendulum_dataset(
    n_trajectories: int = 200,
    n_points: int = 100,
    dt: float = 0.05,
    noise_std: float = 0.0,
    train_fraction: float = 0.8,
    max_angle: float = np.pi / 6,
    image_size: int = 28,
    random_state=None,
    cache_dir: str | os.PathLike | None = None,
) -> Bunch:
    """Task 5: pairs of consecutive frames of a pendulum, and its true states.

    Each trajectory starts at ``θ0 ~ U[-max_angle, max_angle]`` (from the
    bottom) and ``θ'0 ~ U[-1, 1]``, follows ``θ'' = -15 sin θ`` exactly (see
    :data:`PIXEL_PENDULUM`) and is drawn at ``n_points + 1`` times ``dt``
    apart by :func:`render_pendulum_frames`. Row ``k`` of a trajectory is
    frame ``k`` then frame ``k + 1``, each flattened row by row, so the second
    half of a row is the first half of the next one. Rows are in time order,
    trajectory after trajectory; the first ``floor(n_trajectories *
    train_fraction)`` trajectories train, the rest test.

    The rod stays wholly in the frames while ``|θ| <= 0.7`` rad, as it does
    with the default ``max_angle`` (amplitudes up to 0.59 rad); larger swings
    cut its end off, as they did in the original experiments.

    Parameters
    ----------
    n_trajectories : int, default=200
        Number of trajectories.
    n_points : int, default=100
        Pairs of frames per trajectory.
    dt : float, default=0.05
        Time between consecutive frames, in seconds.
    noise_std : float, default=0.0
        Gaussian noise added to every pixel of every frame, then clipped to
        ``[0, 1]``; a frame shared by two rows is the same in both.
    train_fraction : float, default=0.8
        Fraction of the trajectories (the first ones) used for training.
    max_angle : float, default=pi/6
        Largest initial angle from the bottom, in ``(0, pi]`` radians.
    image_size : int, default=28
        Side of the square frames, in pixels.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial states and the noise.
    cache_dir : str, os.PathLike or None, default=None
        Directory of the dataset cache, a non-empty path (``"."`` for the
        current directory): the frames are read from there when these
        parameters were rendered before (with the same versions of
        gymnasium, pygame and pillow), and rendered and written there
        otherwise; the default dataset takes 64 MB. None renders every time.
        Needs an int ``random_state``.

    Returns
    -------
    Bunch
        ``X_train`` of shape ``(n_train * n_points, 2 * image_size**2)``,
        float32 in ``[0, 1]``, and ``X_test`` likewise for the other
        trajectories; ``coords_train``, ``coords_test`` of shape
        ``(n_samples, 2)``: the true ``[θ, θ']`` of each row's first frame;
        ``t_train``, ``t_test`` of shape ``(n_samples,)``: the time of each
        row's first frame, from 0 in each trajectory; ``groups_train``,
        ``groups_test`` of shape ``(n_samples,)``: the index of each row's
        trajectory among all of them (test ids continue after the training
        ones); ``initial_states_train``, ``initial_states_test`` of shape
        ``(n_train, 2)`` and ``(n_trajectories - n_train, 2)``: the clean
        ``[θ0, θ'0]``; ``image_shape``, ``(image_size, image_size)``; ``dt``;
        ``system``, :data:`PIXEL_PENDULUM`.

    Raises
    ------
    ValueError
        If an argument is invalid; every check runs before anything is drawn.
    ImportError
        Without the optional ``pixels`` extra (gymnasium, pygame, pillow).

    See Also
    --------
    measure_rod_angle : Reads the angle back from a frame.
    pixel_pendulum_energy : The energy the original work scored.

    References
    ----------
    S. Greydanus, M. Dzamba and J. Yosinski, "Hamiltonian Neural Networks",
    Advances in Neural Information Processing Systems 32 (NeurIPS), 2019.

    Examples
    --------
    >>> data = make_pixel_pendulum_dataset(n_trajectories=2, n_points=3,
    ...                                    random_state=0)
    >>> data.X_train.shape, data.coords_train.shape, data.image_shape
    ((3, 1568), (3, 2), (28, 28))
    """
    cache_dir = check_cache_arguments(cache_dir, random_state)
    n_trajectories = check_positive_int(n_trajectories, "n_trajectories")
    n_points = check_positive_int(n_points, "n_points")
    dt = check_positive_float(dt, "dt")
    noise_std = check_non_negative_float(noise_std, "noise_std")
    n_train = check_train_fraction(train_fraction, n_trajectories)
    max_angle = _check_max_angle(max_angle)
    image_size = check_positive_int(image_size, "image_size")
    seed = check_seed(random_state).randint(np.iinfo(np.int32).max)
    with np.errstate(over="ignore"):  # reported just below
        t = dt * np.arange(n_points + 1)
    if not np.isfinite(t[-1]):
        raise ValueError(f"dt={dt!r} is too large: the times overflow float64.")
    _, _, versions = _renderer()

    def build() -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        x0 = rng.uniform(
            [-max_angle, -MAX_INITIAL_SPEED],
            [max_angle, MAX_INITIAL_SPEED],
            size=(n_trajectories, 2),
        )
        states = PIXEL_PENDULUM.trajectories(x0, t)
        states[:, 0] = x0  # bit for bit, whatever the solver returns
        frames = render_pendulum_frames(
            states[..., 0].ravel(), image_size=image_size
        ).reshape(n_trajectories, n_points + 1, image_size, image_size)
        if noise_std > 0:
            for trajectory in frames:  # float64 noise, one trajectory at a time
                with np.errstate(over="ignore"):
                    noise = noise_std * rng.standard_normal(trajectory.shape)
                trajectory[...] = np.clip(trajectory + noise, 0.0, 1.0)
        return {"frames": frames, "states": states}

    if cache_dir is None:
        arrays = build()
    else:
        params = {
            "system": repr(PIXEL_PENDULUM),
            "n_trajectories": n_trajectories,
            "n_points": n_points,
            "dt": dt,
            "noise_std": noise_std,  # not train_fraction: it splits after loading
            "max_angle": max_angle,
            "image_size": image_size,
            "random_state": int(random_state),
            "max_initial_speed": MAX_INITIAL_SPEED,
            "render_size": RENDER_SIZE,
            "crop_rows": CROP_ROWS,
            "crop_columns": CROP_COLUMNS,
            "rod_intensity": ROD_INTENSITY,
            **versions,
        }
        arrays = load_or_build("pixel-pendulum", params, build, cache_dir)
    return _pairs(**arrays, t=t, n_train=n_train, dt=dt)


def _pairs(
    *, frames: np.ndarray, states: np.ndarray, t: np.ndarray, n_train: int, dt: float
) -> Bunch:
    """The Bunch of :func:`make_pixel_pendulum_dataset` from its frames, of
    shape ``(n_trajectories, n_points + 1, side, side)``, and true states."""
    n_trajectories, n_frames, side, _ = frames.shape
    n_points = n_frames - 1
    flat = frames.reshape(n_trajectories, n_frames, side * side)
    pairs = np.concatenate([flat[:, :-1], flat[:, 1:]], axis=-1)
    coords = states[:, :-1]
    groups = np.repeat(np.arange(n_trajectories), n_points).reshape(
        n_trajectories, n_points
    )
    times = np.broadcast_to(t[:-1], (n_trajectories, n_points))
    train, test = slice(None, n_train), slice(n_train, None)
    return Bunch(
        X_train=pairs[train].reshape(-1, 2 * side * side),
        X_test=pairs[test].reshape(-1, 2 * side * side),
        coords_train=coords[train].reshape(-1, 2),
        coords_test=coords[test].reshape(-1, 2),
        t_train=times[train].ravel(),
        t_test=times[test].ravel(),
        groups_train=groups[train].ravel(),
        groups_test=groups[test].ravel(),
        initial_states_train=states[train, 0],
        initial_states_test=states[test, 0],
        image_shape=(side, side),
        dt=dt,
        system=PIXEL_PENDULUM,
    )
