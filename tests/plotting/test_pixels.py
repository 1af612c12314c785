"""Pictures of pixel rollouts, drawn headless (Agg)."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
iio = pytest.importorskip("imageio.v3")
pytest.importorskip("gymnasium")

import matplotlib.pyplot as plt  # noqa: E402

from sklearn_hnn import (  # noqa: E402
    AutoencoderTransformer,
    BaselineDynamicsRegressor,
    HamiltonianRegressor,
    PixelHamiltonianPipeline,
)
from sklearn_hnn.datasets import make_pixel_pendulum_dataset  # noqa: E402
from sklearn_hnn.plotting import (  # noqa: E402
    plot_frame_strip,
    plot_latent_phase_space,
    rollout_frames,
    save_rollout_gif,
)
from tests.plotting._canvas import assert_labels_on_canvas  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return make_pixel_pendulum_dataset(n_trajectories=4, n_points=12, random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    return PixelHamiltonianPipeline(
        AutoencoderTransformer(hidden_layer_sizes=(16,)),
        HamiltonianRegressor(hidden_layer_sizes=(16,)),
        max_steps=10,
        random_state=0,
    ).fit(data.X_train, t=data.t_train, groups=data.groups_train)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_rollout_frames_are_the_first_frames(data):
    frames = rollout_frames(data.X_train[:12], (28, 28))
    assert frames.shape == (12, 28, 28)
    np.testing.assert_array_equal(frames[1], data.X_train[0, 784:].reshape(28, 28))
    with pytest.raises(ValueError, match=r"image_shape=\(27, 27\)"):
        rollout_frames(data.X_train, (27, 27))


def test_gif_holds_every_time_side_by_side(data, tmp_path):
    rollouts = {"true": data.X_train[:12], "other": data.X_train[12:24]}
    path = save_rollout_gif(tmp_path / "sub" / "roll.gif", rollouts, (28, 28), scale=2)
    images = iio.imread(path, index=None)
    assert images.shape[:3] == (12, 56, 2 * 56 + 1)
    first = images[0] if images.ndim == 3 else images[0, ..., 0]
    # The rod is dark on white, where the frame has it.
    rod = data.X_train[0, :784].reshape(28, 28) > 0.9
    assert first[:, :56][np.kron(rod, np.ones((2, 2), bool))].mean() < 60
    assert first[:, :56][~np.kron(rod, np.ones((2, 2), bool))].mean() > 200
    with pytest.raises(ValueError, match="same number of times"):
        save_rollout_gif(
            tmp_path / "x.gif", {"a": data.X_train[:3], "b": data.X_train[:4]}, (28, 28)
        )


def test_frame_strip_draws_one_row_per_rollout(data):
    rollouts = {"true": data.X_train[:12], "HNN": data.X_train[12:24]}
    drawn = plot_frame_strip(rollouts, (28, 28), every=5)
    assert drawn.axes.shape == drawn.images.shape == (2, 3)
    assert drawn.axes[1, 0].get_ylabel() == "HNN"
    np.testing.assert_array_equal(
        drawn.images[0, 1].get_array(), rollout_frames(data.X_train[5:6], (28, 28))[0]
    )


def test_latent_phase_space_draws_contours_points_and_lines(data, fitted):
    t = np.linspace(0, 1, 21)
    trajectories = fitted.simulate_latent(data.X_test[[0, 6]], t)
    drawn = plot_latent_phase_space(fitted, data.X_test, trajectories=trajectories)
    assert len(drawn.contours.levels) > 3
    assert drawn.points.get_offsets().shape == (len(data.X_test), 2)
    assert len(drawn.lines) == 2
    np.testing.assert_allclose(drawn.lines[1].get_xydata(), trajectories[1])
    _, ax = plt.subplots()
    assert plot_latent_phase_space(fitted, data.X_test, ax=ax).ax is ax


def test_figures_made_for_the_user_save_with_their_labels(data, fitted, tmp_path):
    rollouts = {"true": data.X_train[:12], "baseline": data.X_train[12:24]}
    strip = plot_frame_strip(rollouts, (28, 28), every=5)
    assert_labels_on_canvas(strip.axes[0, 0].figure, tmp_path / "strip.png")
    latent = plot_latent_phase_space(fitted, data.X_test)
    assert_labels_on_canvas(latent.ax.figure, tmp_path / "latent.png")


def test_latent_phase_space_needs_an_energy(data):
    baseline = PixelHamiltonianPipeline(
        AutoencoderTransformer(hidden_layer_sizes=(16,)),
        BaselineDynamicsRegressor(hidden_layer_sizes=(16,)),
        max_steps=2,
        random_state=0,
    ).fit(data.X_train, t=data.t_train, groups=data.groups_train)
    with pytest.raises(ValueError, match="has no energy"):
        plot_latent_phase_space(baseline, data.X_test)
