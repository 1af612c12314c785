from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.util import find_spec

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_hnn.datasets import (
    make_pixel_pendulum_dataset,
    measure_rod_angle,
    pixel_pendulum_energy,
    pixels,
    render_pendulum_frames,
)
from sklearn_hnn.datasets.pixels import PIXEL_PENDULUM
from sklearn_hnn.exceptions import CacheWarning

needs_pixels = pytest.mark.skipif(
    not all(find_spec(name) for name in ("gymnasium", "pygame", "PIL")),
    reason="needs the optional 'pixels' extra",
)
EXTRA = r"needs the optional 'pixels' extra: pip install 'sklearn-hnn\[pixels\]'"
#: Two training and two test trajectories of 7 frames, 6 pairs each.
SMALL = {"n_trajectories": 4, "n_points": 6, "train_fraction": 0.5, "random_state": 0}
SIDE = 28
HALF = SIDE * SIDE


@pytest.fixture(scope="module")
def data():
    return make_pixel_pendulum_dataset(**SMALL)


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """The number of frames of each call of render_pendulum_frames."""
    calls = []
    original = pixels.render_pendulum_frames

    def spy(theta, **kwargs):
        calls.append(len(theta))
        return original(theta, **kwargs)

    monkeypatch.setattr(pixels, "render_pendulum_frames", spy)
    return calls


def _per_trajectory(array, n_points=SMALL["n_points"]):
    return array.reshape(-1, n_points, *array.shape[1:])


@needs_pixels
def test_frames_show_the_rod_on_a_blank_background():
    frames = render_pendulum_frames(np.array([0.0, 0.5]), image_size=SIDE)
    assert frames.shape == (2, SIDE, SIDE) and frames.dtype == np.float32
    assert frames.min() == 0.0 and frames.max() == 1.0
    covered = (frames > 0).mean(axis=(1, 2))
    assert np.all((covered > 0.03) & (covered < 0.2))  # a rod, not a blot
    # Hanging down: a shaft symmetric about the middle column (pygame's round
    # ends are not quite), below the pivot's row.
    shaft = frames[0, 7:22]
    assert shaft.sum() > 0.5 * frames[0].sum()
    assert_allclose(shaft, shaft[:, ::-1], atol=0.01)
    rows = frames[0].sum(axis=1)
    assert rows[: round(pixels.PIVOT[0] * SIDE) - 2].sum() == 0
    # Positive angles swing the end to the right (counter-clockwise).
    left, right = frames[1, :, : SIDE // 2].sum(), frames[1, :, SIDE // 2 :].sum()
    assert right > 3 * left


@needs_pixels
@pytest.mark.parametrize("image_size", [14, 28])
def test_measure_rod_angle_reads_back_the_angle(image_size):
    theta = np.linspace(-1.0, 1.0, 21)
    frames = render_pendulum_frames(theta, image_size=image_size)
    measured = measure_rod_angle(frames)
    assert measured.shape == (21,) and measured.dtype == np.float64
    assert np.abs(measured - theta).max() < 0.02
    assert_array_equal(measure_rod_angle(frames.reshape(21, -1)), measured)


def test_measure_rod_angle_reads_a_drawn_rod():
    # A rod drawn by hand, from the pivot towards the lower right at 45 degrees.
    side = 40
    frame = np.zeros((side, side))
    row, column = pixels.PIVOT[0] * side, pixels.PIVOT[1] * side
    for step in range(1, 20):
        frame[int(row + step), int(column + step)] = 1.0
    assert measure_rod_angle(frame[None])[0] == pytest.approx(np.pi / 4, abs=0.05)
    assert measure_rod_angle(frame[None, :, ::-1])[0] == pytest.approx(
        -np.pi / 4, abs=0.05
    )
    assert np.isnan(measure_rod_angle(np.zeros((1, 4, 4)))[0])


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (np.zeros((2, 2 * HALF)), "1568 is not a square number"),
        (np.zeros((2, 4, 5)), r"frames must have shape .*got shape \(2, 4, 5\)"),
        (np.zeros(16), r"frames must have shape .*got shape \(16,\)"),
        (np.full((1, 16), np.nan), "frames"),
    ],
)
def test_measure_rod_angle_names_bad_frames(frames, message):
    with pytest.raises(ValueError, match=message):
        measure_rod_angle(frames)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"theta": np.zeros((2, 2))}, "theta must be a 1-D array"),
        ({"theta": [0.0, np.inf]}, "theta"),
        ({"theta": [0.0], "image_size": 0}, "image_size must be an integer >= 1"),
    ],
)
def test_render_names_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        render_pendulum_frames(**kwargs)


def test_pixel_pendulum_energy():
    coords = np.array([[0.0, 0.0], [np.pi / 2, 0.0], [0.0, 4.0], [np.pi, 2.0]])
    assert_allclose(pixel_pendulum_energy(coords), [0.0, 1.9, 1.0, 4.05])
    assert pixel_pendulum_energy(coords[None]).shape == (1, 4)
    with pytest.raises(ValueError, match="coords"):
        pixel_pendulum_energy(np.zeros((3, 3)))


@needs_pixels
def test_shapes_and_dtypes(data):
    n = 2 * SMALL["n_points"]
    assert data.X_train.shape == data.X_test.shape == (n, 2 * HALF)
    assert data.X_train.dtype == data.X_test.dtype == np.float32
    for split in ("train", "test"):
        assert data[f"coords_{split}"].shape == (n, 2)
        assert data[f"t_{split}"].shape == data[f"groups_{split}"].shape == (n,)
        assert data[f"initial_states_{split}"].shape == (2, 2)
        assert data[f"groups_{split}"].dtype.kind == "i"
        X = data[f"X_{split}"]
        assert X.min() == 0.0 and X.max() == 1.0
    assert data.image_shape == (SIDE, SIDE)
    assert data.dt == 0.05 and data.system is PIXEL_PENDULUM


@needs_pixels
def test_rows_are_pairs_of_consecutive_frames(data):
    for X in (data.X_train, data.X_test):
        rows = _per_trajectory(X)
        # Within a trajectory, a row's second frame is the next row's first.
        assert_array_equal(rows[:, 1:, :HALF], rows[:, :-1, HALF:])
        assert np.any(rows[:, 1:, :HALF] != rows[:, 1:, HALF:])
        # Not across trajectories.
        assert np.any(rows[1, 0, :HALF] != rows[0, -1, HALF:])


@needs_pixels
def test_times_groups_and_split(data):
    steps = 0.05 * np.arange(SMALL["n_points"])
    assert_allclose(data.t_train, np.tile(steps, 2), rtol=0, atol=1e-15)
    assert_allclose(data.t_test, np.tile(steps, 2), rtol=0, atol=1e-15)
    assert_array_equal(data.groups_train, np.repeat([0, 1], 6))
    assert_array_equal(data.groups_test, np.repeat([2, 3], 6))
    assert_array_equal(data.coords_train[::6], data.initial_states_train)
    assert_array_equal(data.coords_test[::6], data.initial_states_test)


@needs_pixels
def test_coords_are_the_states_of_the_first_frames(data):
    for split in ("train", "test"):
        X, coords = data[f"X_{split}"], data[f"coords_{split}"]
        theta = _per_trajectory(coords[:, 0])
        first = _per_trajectory(measure_rod_angle(X[:, :HALF]))
        second = _per_trajectory(measure_rod_angle(X[:, HALF:]))
        assert np.abs(first - theta).max() < 0.02
        assert np.abs(second[:, :-1] - theta[:, 1:]).max() < 0.02
        # The last frame is the true state one step after the last row.
        t = data.dt * np.arange(SMALL["n_points"] + 1)
        x0 = data[f"initial_states_{split}"]
        end = PIXEL_PENDULUM.trajectories(x0, t)[:, -1, 0]
        assert np.abs(second[:, -1] - end).max() < 0.02
        # The velocity is the derivative of the angle (central differences).
        speed = _per_trajectory(coords[:, 1])
        difference = (theta[:, 2:] - theta[:, :-2]) / (2 * data.dt)
        assert_allclose(difference, speed[:, 1:-1], atol=0.02)


@needs_pixels
def test_coords_follow_the_ideal_pendulum(data):
    for split in ("train", "test"):
        energy = _per_trajectory(PIXEL_PENDULUM.hamiltonian(data[f"coords_{split}"]))
        assert_allclose(energy, energy[:, :1] * np.ones_like(energy), rtol=1e-6)
        # Not a standing pendulum: the energy is that of theta'' = -15 sin theta.
        theta, speed = data[f"initial_states_{split}"].T
        assert_allclose(energy[:, 0], 15 * (1 - np.cos(theta)) + speed**2 / 2)


@needs_pixels
def test_initial_states_fill_their_ranges():
    data = make_pixel_pendulum_dataset(
        n_trajectories=40, n_points=1, max_angle=0.3, image_size=8, random_state=1
    )
    x0 = np.concatenate([data.initial_states_train, data.initial_states_test])
    assert len(x0) == 40 and len(data.initial_states_train) == 32
    assert np.abs(x0[:, 0]).max() <= 0.3 and np.abs(x0[:, 0]).max() > 0.25
    assert np.abs(x0[:, 1]).max() <= 1.0 and np.abs(x0[:, 1]).max() > 0.9
    assert x0[:, 0].min() < 0 < x0[:, 0].max() and x0[:, 1].min() < 0 < x0[:, 1].max()
    assert_array_equal(np.unique(data.groups_test), np.arange(32, 40))


@needs_pixels
def test_seeded_and_noisy():
    kwargs = {**SMALL, "n_trajectories": 2}
    first, again = (make_pixel_pendulum_dataset(**kwargs) for _ in range(2))
    for key in ("X_train", "X_test", "coords_train", "initial_states_test"):
        assert_array_equal(again[key], first[key])
    other = make_pixel_pendulum_dataset(**{**kwargs, "random_state": 1})
    assert not np.allclose(other.coords_train, again.coords_train)
    assert not np.allclose(other.X_train, again.X_train)
    noisy = make_pixel_pendulum_dataset(**kwargs, noise_std=0.1)
    assert_array_equal(noisy.coords_train, again.coords_train)  # noise drawn last
    assert noisy.X_train.min() == 0.0 and noisy.X_train.max() == 1.0
    rows = noisy.X_train
    assert_array_equal(rows[1:, :HALF], rows[:-1, HALF:])  # one noise per frame
    background = rows[again.X_train == 0]
    # max(0, N(0, 0.1^2)) has mean 0.1 / sqrt(2 pi) and is 0 half the time.
    assert background.mean() == pytest.approx(0.1 / np.sqrt(2 * np.pi), rel=0.1)
    assert (background == 0).mean() == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_trajectories": 0}, "n_trajectories must be an integer >= 1"),
        ({"n_points": 1.5}, "n_points must be an integer >= 1"),
        ({"dt": 0.0}, "dt must be a positive finite number"),
        ({"dt": float("nan")}, "dt must be a positive finite number"),
        ({"dt": 1e308}, "dt=1e[+]?308 is too large"),
        ({"noise_std": -0.1}, "noise_std must be a finite number >= 0"),
        ({"train_fraction": 1.0}, "train_fraction must be strictly between 0 and 1"),
        ({"n_trajectories": 1}, "train_fraction=0.5 of n_trajectories=1 leaves no"),
        ({"max_angle": 0.0}, "max_angle must be a positive finite number"),
        ({"max_angle": 3.5}, "max_angle must be at most pi"),
        ({"image_size": 0}, "image_size must be an integer >= 1"),
        ({"random_state": -1}, "random_state must be None, an int"),
    ],
)
def test_bad_arguments_are_named_before_rendering(kwargs, message, tmp_path, renders):
    with pytest.raises(ValueError, match=message):
        make_pixel_pendulum_dataset(**{**SMALL, **kwargs})
    with pytest.raises(ValueError, match=message):
        make_pixel_pendulum_dataset(**{**SMALL, **kwargs}, cache_dir=tmp_path / "c")
    assert renders == [] and not (tmp_path / "c").exists()


def test_the_cache_needs_an_int_seed(tmp_path, renders):
    with pytest.raises(ValueError, match="random_state must be an int when"):
        make_pixel_pendulum_dataset(
            **{**SMALL, "random_state": None}, cache_dir=tmp_path
        )
    assert renders == [] and list(tmp_path.iterdir()) == []


def test_rendering_without_the_extra_says_how_to_install_it(monkeypatch, renders):
    monkeypatch.setitem(sys.modules, "gymnasium", None)  # import fails
    with pytest.raises(ImportError, match=EXTRA):
        render_pendulum_frames([0.0])
    with pytest.raises(ImportError, match=EXTRA):
        make_pixel_pendulum_dataset(**SMALL)
    assert renders == []


def test_the_package_imports_without_the_extra():
    code = (
        "import sys\n"
        "sys.modules.update(gymnasium=None, pygame=None, PIL=None)\n"
        "import sklearn_hnn, sklearn_hnn.datasets\n"
        "print(sklearn_hnn.datasets.pixel_pendulum_energy([[0.0, 4.0]])[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1.0"


def _arrays(data):
    return {key: value for key, value in data.items() if isinstance(value, np.ndarray)}


@needs_pixels
@pytest.mark.filterwarnings("error")
def test_cache_hit_and_miss(tmp_path, renders, monkeypatch):
    kwargs = {**SMALL, "n_trajectories": 2, "n_points": 3}
    fresh = make_pixel_pendulum_dataset(**kwargs)
    first = make_pixel_pendulum_dataset(**kwargs, cache_dir=tmp_path)
    assert renders == [8, 8]
    (path,) = tmp_path.iterdir()
    assert re.fullmatch(r"pixel-pendulum-[0-9a-f]{20}\.npz", path.name)
    with np.load(path, allow_pickle=False) as archive:
        assert set(archive.files) == {"__meta__", "frames", "states"}
        assert archive["frames"].shape == (2, 4, SIDE, SIDE)  # each frame once
        assert archive["frames"].dtype == np.float32
        params = json.loads(archive["__meta__"].item())["params"]
    gymnasium = pytest.importorskip("gymnasium")
    assert params["gymnasium"] == gymnasium.__version__
    assert params["render_size"] == 500 and params["crop_rows"] == [0.44, 0.78]

    def refuse(*args, **kwargs):
        raise AssertionError("rendered despite the cache")

    with monkeypatch.context() as patch:
        patch.setattr(pixels, "render_pendulum_frames", refuse)
        again = make_pixel_pendulum_dataset(**kwargs, cache_dir=str(tmp_path))
    for got in (first, again):
        assert set(got) == set(fresh)
        for key, value in _arrays(fresh).items():
            assert got[key].dtype == value.dtype
            assert got[key].tobytes() == value.tobytes(), key
        assert got.image_shape == fresh.image_shape and got.dt == fresh.dt
    make_pixel_pendulum_dataset(**kwargs, noise_std=0.01, cache_dir=tmp_path)
    assert renders == [8, 8, 8]  # another noise: another file
    # The split is made after loading: another one reads the same file.
    make_pixel_pendulum_dataset(**{**kwargs, "train_fraction": 0.6}, cache_dir=tmp_path)
    assert renders == [8, 8, 8]
    assert len(list(tmp_path.iterdir())) == 2


@needs_pixels
def test_damaged_cache_file_is_rebuilt(tmp_path, renders):
    kwargs = {**SMALL, "n_trajectories": 2, "n_points": 2}
    first = make_pixel_pendulum_dataset(**kwargs, cache_dir=tmp_path)
    (path,) = tmp_path.iterdir()
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.warns(CacheWarning, match="BadZipFile") as record:
        rebuilt = make_pixel_pendulum_dataset(**kwargs, cache_dir=tmp_path)
    assert str(path) in str(record[0].message)
    assert renders == [6, 6]
    for key, value in _arrays(first).items():
        assert_array_equal(rebuilt[key], value)
    make_pixel_pendulum_dataset(**kwargs, cache_dir=tmp_path)
    assert renders == [6, 6] and list(tmp_path.iterdir()) == [path]
