"""Trajectories that blow up are stopped, reported, and leave the rest alone."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.exceptions import DivergenceWarning
from sklearn_hnn.integrate import METHODS, SYMPLECTIC_METHODS, integrate

#: dx/dt = x^2 blows up at t = 1/x0 for x0 > 0: x(t) = x0 / (1 - x0 t).
X0 = torch.tensor([[0.5, -1.0], [4.0, 0.25], [-0.5, 0.2]], dtype=torch.float64)
T = np.linspace(0.0, 1.0, 21)
BLOWUP = 0.25  # of trajectory 1, whose first component starts at 4


def square(x: torch.Tensor) -> torch.Tensor:
    return x * x


def exact(x0: torch.Tensor, t: np.ndarray) -> np.ndarray:
    x0 = x0.numpy()
    return x0[None] / (1.0 - x0[None] * t[:, None, None])


OPTIONS = {
    "euler": {"substeps": 2000},
    "midpoint": {"substeps": 200},
    "rk4": {"substeps": 100},
    "dopri5": {"rtol": 1e-9, "atol": 1e-12},
    "scipy": {"rtol": 1e-9, "atol": 1e-12},
}
TOLERANCE = {
    "euler": 1e-2,
    "midpoint": 1e-4,
    "rk4": 1e-7,
    "dopri5": 1e-6,
    "scipy": 1e-6,
}


#: dx/dt = x^2 is not Hamiltonian; the symplectic methods are tested below.
GENERAL = [m for m in METHODS if m not in SYMPLECTIC_METHODS]


@pytest.mark.parametrize("method", GENERAL)
def test_blown_up_trajectory_is_stopped_and_the_others_are_exact(method):
    with pytest.warns(DivergenceWarning, match=r"1 of 3 trajectories") as record:
        out = integrate(square, X0, T, method, **OPTIONS[method]).numpy()
    failed_at = re.search(r"\b1 at t=([-+.\de]+)", str(record[0].message))
    assert failed_at is not None
    assert float(failed_at.group(1).rstrip(".")) <= BLOWUP + 0.05 + 1e-9
    # The failed trajectory: finite before the failure, NaN from it on.
    lost = np.isnan(out[:, 1]).all(axis=-1)
    assert lost[-1] and not lost[0]
    assert np.isfinite(out[~lost, 1]).all()
    assert np.isnan(out[lost, 1]).all()
    assert (np.diff(lost.astype(int)) >= 0).all()  # never comes back
    # The others are unaffected: finite and accurate throughout.
    healthy = out[:, [0, 2]]
    assert np.isfinite(healthy).all()
    assert_allclose(healthy, exact(X0[[0, 2]], T), rtol=TOLERANCE[method], atol=1e-9)


@pytest.mark.parametrize("method", ["euler", "midpoint", "rk4"])
def test_fixed_steps_give_the_healthy_trajectories_bit_for_bit(method):
    with pytest.warns(DivergenceWarning):
        batch = integrate(square, X0, T, method, **OPTIONS[method])
    alone = integrate(square, X0[[0, 2]], T, method, **OPTIONS[method])
    assert_array_equal(batch[:, [0, 2]].numpy(), alone.numpy())


@pytest.mark.parametrize("method", list(SYMPLECTIC_METHODS))
def test_symplectic_methods_stop_failed_trajectories_too(method):
    def pendulum_failing_beyond_2(x):
        field = torch.cat([x[:, 1:], -torch.sin(x[:, :1])], dim=1)
        return torch.where(x[:, :1] > 2.0, torch.nan, field)

    x0 = torch.tensor([[0.5, 0.0], [2.5, 0.0]], dtype=torch.float64)
    t = np.linspace(0.0, 2.0, 11)
    with pytest.warns(DivergenceWarning, match="1 of 2 trajectories.*1 at t=0.2"):
        out = integrate(pendulum_failing_beyond_2, x0, t, method, substeps=10)
    alone = integrate(pendulum_failing_beyond_2, x0[:1], t, method, substeps=10)
    # Implicit midpoint iterates until the whole batch has converged.
    assert_allclose(out[:, 0].numpy(), alone[:, 0].numpy(), rtol=1e-9, atol=1e-12)
    assert np.isnan(out[1:, 1].numpy()).all()


def wall(x: torch.Tensor) -> torch.Tensor:
    """A free particle bouncing off a steep, smooth wall at q = 1: healthy, but
    an adaptive method's over-long trial steps into the wall overflow."""
    q, p = x[:, :1], x[:, 1:]
    return torch.cat([p, -400.0 * torch.relu(q - 1.0) ** 3], dim=1)


@pytest.mark.parametrize("method", ["dopri5", "scipy"])
@pytest.mark.parametrize("max_growth", [1e6, None])
def test_rejected_trial_steps_do_not_stop_healthy_trajectories(method, max_growth):
    x0 = torch.tensor([[0.0, 1.0], [0.0, -0.5]], dtype=torch.float64)
    t = np.linspace(0.0, 20.0, 201)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        out = integrate(wall, x0, t, method, max_growth=max_growth).numpy()
    reference = integrate(wall, x0, t, "rk4", substeps=100).numpy()
    assert_allclose(out, reference, atol=1e-3)


@pytest.mark.parametrize("method", ["dopri5", "scipy"])
def test_adaptive_methods_lose_no_healthy_output_and_keep_no_wrong_one(method):
    x0 = torch.tensor([[3.9, 0.0], [0.5, 0.0]], dtype=torch.float64)
    with pytest.warns(DivergenceWarning, match=r"0 at t=0\.256"):
        out = integrate(square, x0, T, method).numpy()
    kept = ~np.isnan(out[:, 0, 0])
    assert kept[:6].all() and not kept[6:].any()  # blows up at t = 0.2564
    assert_allclose(out[kept, 0], exact(x0[:1], T)[kept, 0], rtol=1e-4)
    assert_allclose(out[:, 1], exact(x0[1:], T)[:, 0], rtol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("method", ["rk4", "dopri5"])
def test_half_precision_blow_ups_are_caught(dtype, method):
    x0 = torch.tensor([[1.0, 0.1]], dtype=dtype)
    rtol = 1e-2  # dopri5 refuses tolerances finer than the dtype resolves
    with pytest.warns(DivergenceWarning, match=r"0 at t=(0\.9|1\.)"):
        out = integrate(square, x0, np.linspace(0.0, 2.0, 11), method, rtol=rtol)
    assert torch.isnan(out[-1]).all()


def test_growth_beyond_the_bound_counts_as_divergence():
    def grow(x):  # exponential growth: finite, but by e^20 at t = 20
        return x

    x0 = torch.tensor([[1.0, 0.0], [0.0, 0.0]], dtype=torch.float64)
    t = np.linspace(0.0, 20.0, 41)
    with pytest.warns(DivergenceWarning, match="max_growth=1e\\+06") as record:
        out = integrate(grow, x0, t, "rk4", substeps=10, max_growth=1e6)
    assert "0 at t=14" in str(record[0].message)  # e^t > 1e6 once t > 13.8
    assert np.isnan(out[-1, 0].numpy()).all() and (out[:, 1] == 0).all()
    with warnings.catch_warnings():  # no bound: e^20 is fine
        warnings.simplefilter("error", DivergenceWarning)
        out = integrate(grow, x0, t, "rk4", substeps=10, max_growth=None)
    assert np.isfinite(out.numpy()).all()


def test_non_finite_states_are_caught_without_a_bound():
    def sometimes_nan(x):
        return torch.where(x[:, :1] > 1.0, torch.nan, -x)

    x0 = torch.tensor([[0.5, 0.0], [2.0, 1.0]], dtype=torch.float64)
    with pytest.warns(DivergenceWarning, match="1 of 2"):
        out = integrate(sometimes_nan, x0, [0.0, 0.5, 1.0], "rk4", max_growth=None)
    assert np.isfinite(out[:, 0].numpy()).all()
    assert np.isnan(out[1:, 1].numpy()).all()


def test_backward_integration_reports_failures_too():
    x0 = torch.tensor([[-4.0, 0.0], [0.5, 0.0]], dtype=torch.float64)
    t = np.linspace(0.0, -1.0, 21)  # x0 = -4 blows up backwards at t = -0.25
    with pytest.warns(DivergenceWarning, match=r"0 at t=-0\.(25|3)\b"):
        out = integrate(square, x0, t, "rk4", substeps=100)
    assert np.isnan(out[-1, 0].numpy()).all()
    assert_allclose(out[:, 1].numpy(), exact(x0[1:], t)[:, 0], rtol=1e-7)


def test_the_warning_points_at_the_caller():
    with pytest.warns(DivergenceWarning) as record:
        integrate(square, X0, T, "rk4")
    assert record[0].filename == __file__


def test_healthy_batches_are_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        integrate(square, X0[[0, 2]], T, "dopri5")


def test_warning_lists_at_most_ten_failures():
    x0 = torch.full((15, 1), 4.0, dtype=torch.float64)
    with pytest.warns(DivergenceWarning, match="15 of 15.*and 5 more"):
        integrate(square, x0, T, "rk4", substeps=50)


@pytest.mark.parametrize("max_growth", [0, -1.0, float("nan"), "big"])
def test_bad_max_growth_is_named(max_growth):
    with pytest.raises((ValueError, TypeError), match="max_growth"):
        integrate(square, X0, T, "rk4", max_growth=max_growth)


# -------------------------------------------------------------- estimators


@pytest.mark.parametrize(
    "estimator_cls", [BaselineDynamicsRegressor, HamiltonianRegressor]
)
def test_simulate_stops_failed_initial_conditions_only(estimator_cls, monkeypatch):
    X = np.random.default_rng(0).uniform(-1, 1, size=(64, 2))
    y = np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)
    est = estimator_cls(hidden_layer_sizes=(16,), max_epochs=5, random_state=0)
    est.fit(X, y)
    t = np.linspace(0.0, 1.0, 11)
    x0 = np.array([[0.5, 0.0], [3.0, 0.0], [0.0, -0.5]])
    alone = est.simulate(x0[[0, 2]], t)
    learned_field = est._vector_field

    def faulty_field(field):  # the learned field, but NaN beyond q = 2
        learned, frozen = learned_field(field)
        return lambda x: torch.where(x[:, :1] > 2.0, torch.nan, learned(x)), frozen

    monkeypatch.setattr(est, "_vector_field", faulty_field)
    with pytest.warns(DivergenceWarning, match="1 of 3 trajectories.*1 at t=0.1") as w:
        out = est.simulate(x0, t)
    assert w[0].filename == __file__  # reported where simulate was called
    assert np.isnan(out[1, 1:]).all() and (out[1, 0] == x0[1]).all()
    # Same up to float32 rounding (matrix kernels round by batch size).
    assert_allclose(out[[0, 2]], alone, rtol=1e-6, atol=1e-7)
