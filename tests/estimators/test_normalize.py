"""Data far from unit scale: the ``normalize`` parameter."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.persistence import load, save

FAST = {
    "hidden_layer_sizes": (64, 64),
    "lr": 1e-2,
    "max_epochs": 300,
    "random_state": 0,
}


@pytest.fixture(
    params=[BaselineDynamicsRegressor, HamiltonianRegressor], ids=lambda c: c.__name__
)
def estimator_cls(request):
    return request.param


def _spring(scale=1.0, offset=0.0, n=400):
    """The Task 1 spring, H = q^2 + p^2, in units ``scale`` around ``offset``."""
    X = np.random.default_rng(0).uniform(-1, 1, size=(n, 2))
    y = np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)
    return scale * X + offset, scale * y


@pytest.mark.parametrize(
    ("scale", "offset"), [(1e6, 0.0), (1e-4, 0.0), (1.0, 1e6)], ids=str
)
def test_data_far_from_unit_scale_is_learned(estimator_cls, scale, offset):
    X, y = _spring(scale, offset)
    est = estimator_cls(**FAST).fit(X, y)
    assert est.score(X, y) > 0.99
    assert est.X_offset_ is not None


@pytest.mark.parametrize("scale", [1e160, 1e-170], ids=str)
def test_scales_whose_squares_leave_float64_are_found(estimator_cls, scale):
    # Squares of 1e160 overflow and squares of 1e-170 underflow; the model is
    # the unit-scale one, in those units.
    X, y = _spring(scale)
    est = estimator_cls(**{**FAST, "max_epochs": 5}).fit(X, y)
    assert np.isfinite(est.X_scale_) and est.X_scale_ / scale == pytest.approx(
        np.sqrt(np.mean((X / scale - (X / scale).mean(0)) ** 2))
    )
    unit = estimator_cls(**{**FAST, "max_epochs": 5}, normalize=True)
    unit.fit(*_spring())
    assert_allclose(est.predict(X) / scale, unit.predict(_spring()[0]), rtol=1e-6)


def test_without_normalisation_such_data_is_not_learned(estimator_cls):
    X, y = _spring(1e6)
    assert estimator_cls(**FAST, normalize=False).fit(X, y).score(X, y) < 0.5


def test_unit_scale_data_is_used_as_given(estimator_cls):
    X, y = _spring()
    est = estimator_cls(**FAST).fit(X, y)
    assert est.X_offset_ is None and est.X_scale_ == 1.0 and est.y_scale_ == 1.0
    plain = estimator_cls(**FAST, normalize=False).fit(X, y)
    assert_array_equal(est.predict(X), plain.predict(X))


def test_normalising_unit_scale_data_still_learns(estimator_cls):
    X, y = _spring()
    est = estimator_cls(**FAST, normalize=True).fit(X, y)
    assert est.X_offset_ is not None
    assert est.score(X, y) > 0.99


@pytest.mark.parametrize(("scale", "offset"), [(1e3, 0.0), (1.0, 1e6)], ids=str)
def test_learned_energy_generates_the_predicted_field(scale, offset):
    """Hamilton's equations hold in the user's units: dq/dt = dH/dp and
    dp/dt = -dH/dq, with H = energy, so the energy's scale factor is right."""
    X, y = _spring(scale, offset)
    est = HamiltonianRegressor(**FAST).fit(X, y)
    x = X[:20]
    h = 1e-4 * scale
    dq, dp = np.array([h, 0.0]), np.array([0.0, h])
    dH_dq = (est.energy(x + dq) - est.energy(x - dq)) / (2 * h)
    dH_dp = (est.energy(x + dp) - est.energy(x - dp)) / (2 * h)
    field = est.predict(x)
    assert_allclose(field[:, 0], dH_dp, rtol=1e-4, atol=1e-6 * scale)
    assert_allclose(field[:, 1], -dH_dq, rtol=1e-4, atol=1e-6 * scale)


def test_rollouts_conserve_the_learned_energy_far_from_unit_scale():
    X, y = _spring(1.0, 1e6)
    est = HamiltonianRegressor(**FAST).fit(X, y)
    trajectory = est.simulate(X[0], np.linspace(0.0, 3.0, 301))
    spread = np.ptp(est.energy(X))
    assert np.ptp(est.energy(trajectory)) < 1e-5 * spread
    # It stays on the data's orbit, a circle around the offset.
    radius = np.linalg.norm(trajectory - 1e6, axis=1)
    assert np.ptp(radius) < 0.02 * radius.mean()


def test_normalisation_survives_save_load_and_warm_start(estimator_cls, tmp_path):
    X, y = _spring(1e6)
    est = estimator_cls(**{**FAST, "max_epochs": 20}).fit(X, y)
    save(est, tmp_path / "m.pt")
    copy = load(tmp_path / "m.pt")
    assert_array_equal(copy.predict(X), est.predict(X))
    assert copy.X_scale_ == est.X_scale_ and copy.y_scale_ == est.y_scale_
    assert_array_equal(copy.X_offset_, est.X_offset_)
    scale = est.X_scale_
    est.set_params(warm_start=True).fit(X[:100] * 10, y[:100] * 10)
    assert est.X_scale_ == scale  # the fitted units are kept while continuing
