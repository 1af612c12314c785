"""Table 1, row 5 (the pixel pendulum): the metric, and the swinging rod."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils import Bunch

pytest.importorskip("gymnasium")

from sklearn_hnn import (
    BaselineDynamicsRegressor,
    HamiltonianRegressor,
    PixelHamiltonianPipeline,
)
from sklearn_hnn.datasets import make_pixel_pendulum_dataset
from sklearn_hnn.datasets.pixels import PIXEL_PENDULUM
from sklearn_hnn.experiments.pixels import (
    score_pipeline,
    swing_amplitudes,
)


class Oracle:
    """A stand-in pipeline whose codes are an affine map of the true
    ``(θ, θ')`` and whose latent rollouts follow the true motion."""

    def __init__(self, data, A, b, rollout_scale=1.0):
        rows = np.concatenate([data.X_train, data.X_test])
        coords = np.concatenate([data.coords_train, data.coords_test])
        self._coords = {x.tobytes(): c for x, c in zip(rows, coords, strict=True)}
        self.A, self.b, self.rollout_scale = np.asarray(A), np.asarray(b), rollout_scale

    def _true(self, X) -> np.ndarray:
        return np.array([self._coords[x.tobytes()] for x in X])

    def transform(self, X):
        return self._true(X) @ self.A.T + self.b

    def simulate_latent(self, x0, t, **options):
        motion = PIXEL_PENDULUM.trajectories(self._true(x0), t)
        return self.rollout_scale * motion @ self.A.T + self.b

    def score(self, X, t=None, groups=None):
        return 0.0


@pytest.fixture(scope="module")
def small_data():
    return make_pixel_pendulum_dataset(n_trajectories=4, n_points=10, random_state=1)


def test_energy_error_of_the_true_motion_is_nearly_zero(small_data):
    """Codes that are any invertible affine map of the true coordinates, and
    rollouts that follow the true motion, score (almost) no energy error."""
    oracle = Oracle(small_data, [[2.0, 1.0], [-0.5, 3.0]], [0.3, -1.0])
    exact = score_pipeline(oracle, small_data, n_frames=40, substeps=1)
    assert exact["energy_mse"] < 1e-12
    assert exact["train_loss"] == exact["test_loss"] == 0.0


def test_energy_error_grows_with_a_wrong_rollout(small_data):
    oracle = Oracle(small_data, np.eye(2), [0.0, 0.0], rollout_scale=0.9)
    result = score_pipeline(oracle, small_data, n_frames=40, substeps=1)
    assert result["energy_mse"] > 1e-4


@pytest.fixture(scope="module")
def protocol_data(tmp_path_factory):
    return make_pixel_pendulum_dataset(
        random_state=0, cache_dir=tmp_path_factory.mktemp("pixel-cache")
    )


@pytest.mark.slow
def test_default_hnn_keeps_swinging_and_the_baseline_does_not(protocol_data):
    """With the pipeline's defaults, decoded HNN rollouts still swing after
    250 frames (angles measured on the decoded pixels); the baseline's decay
    or drift."""
    data = protocol_data
    amplitudes = {}
    for name, dynamics in (
        ("hnn", HamiltonianRegressor),
        ("baseline", BaselineDynamicsRegressor),
    ):
        model = PixelHamiltonianPipeline(dynamics=dynamics(), random_state=0)
        model.fit(data.X_train, t=data.t_train, groups=data.groups_train)
        amplitudes[name] = Bunch(**swing_amplitudes(model, data, n_frames=250))
    hnn, baseline = amplitudes["hnn"], amplitudes["baseline"]
    swinging = hnn.true > 0.2  # clear swings, well above the angle's noise
    assert swinging.sum() >= 20  # of the 40 test trajectories
    kept = hnn.last[swinging] / hnn.first[swinging]
    kept_baseline = baseline.last[swinging] / baseline.first[swinging]
    for name, ratio in (("HNN", kept), ("baseline", kept_baseline)):
        share = amplitudes[name.lower()].last[swinging] / hnn.true[swinging]
        print(  # shown with -rA: the figures docs/pixels.md quotes
            f"{name}: last/first amplitude median {np.nanmedian(ratio):.3f} "
            f"range [{np.nanmin(ratio):.3f}, {np.nanmax(ratio):.3f}]; last/true "
            f"median {np.nanmedian(share):.3f} min {np.nanmin(share):.3f}; "
            f"{int(swinging.sum())} trajectories"
        )
    assert np.all((0.7 <= kept) & (kept <= 1.3)), kept
    assert np.all(hnn.last[swinging] >= 0.5 * hnn.true[swinging])
    drifted = ~((0.7 <= kept_baseline) & (kept_baseline <= 1.3))  # NaN: blew up
    assert drifted.mean() >= 0.5
