"""Symplectic integrators: accuracy, reversibility, and bounded energy error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.integrate import SYMPLECTIC_METHODS, integrate
from sklearn_hnn.integrate.symplectic import Tao

ALL = list(SYMPLECTIC_METHODS)
GENERAL = ["implicit_midpoint", "tao"]  # for non-separable H too


def pendulum(x: torch.Tensor) -> torch.Tensor:
    """H = p^2/2 + 10 (1 - cos q), separable."""
    q, p = x[:, :1], x[:, 1:]
    return torch.cat([p, -10.0 * torch.sin(q)], dim=1)


def pendulum_energy(x: np.ndarray) -> np.ndarray:
    return 0.5 * x[..., 1] ** 2 + 10.0 * (1.0 - np.cos(x[..., 0]))


def coupled(x: torch.Tensor) -> torch.Tensor:
    """H = (q^2 + 1)(p^2 + 1) / 2, not separable (Tao's test problem)."""
    q, p = x[:, :1], x[:, 1:]
    return torch.cat([p * (q * q + 1.0), -q * (p * p + 1.0)], dim=1)


def coupled_energy(x: np.ndarray) -> np.ndarray:
    return 0.5 * (x[..., 0] ** 2 + 1.0) * (x[..., 1] ** 2 + 1.0)


X0 = torch.tensor([[1.0, 0.0], [2.0, 1.0], [-0.5, 2.0]], dtype=torch.float64)


def _energy_error(field, energy, method, dt, n_steps):
    t = np.arange(n_steps + 1) * dt
    out = integrate(field, X0, t, method).numpy()
    return np.abs(energy(out) - energy(X0.numpy())[:, None].T)


def _error(field, method, substeps, reference) -> float:
    """Largest deviation from ``reference`` at t = 1."""
    end = integrate(field, X0, [0.0, 1.0], method, substeps=substeps)[-1]
    return float((end - reference).abs().max())


@pytest.mark.parametrize("method", ALL)
def test_second_order_convergence(method):
    t = [0.0, 1.0]
    reference = integrate(pendulum, X0, t, "rk4", substeps=4000)[-1]
    errors = [
        float(
            (integrate(pendulum, X0, t, method, substeps=n)[-1] - reference).abs().max()
        )
        for n in (50, 100, 200)
    ]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert_allclose(orders, 2.0, atol=0.15)


@pytest.mark.parametrize("method", ALL)
def test_energy_error_stays_bounded_while_rk4_drifts(method):
    """10,000 steps of a stiff-ish pendulum: RK4's error keeps growing; the
    symplectic methods' oscillates within the same band from start to end."""
    rk4 = _energy_error(pendulum, pendulum_energy, "rk4", 0.05, 10_000)
    ours = _energy_error(pendulum, pendulum_energy, method, 0.05, 10_000)
    early, late = slice(0, 1000), slice(-1000, None)
    assert rk4[late].max() > 5 * rk4[early].max()  # the drift we avoid
    assert ours[late].max() < 1.2 * ours[early].max()


@pytest.mark.parametrize("method", GENERAL)
def test_non_separable_energy_stays_bounded(method):
    rk4 = _energy_error(coupled, coupled_energy, "rk4", 0.1, 5_000)
    ours = _energy_error(coupled, coupled_energy, method, 0.1, 5_000)
    early, late = slice(0, 500), slice(-500, None)
    assert rk4[late].max() > 5 * rk4[early].max()
    assert ours[late].max() < 1.5 * ours[early].max()


def test_leapfrog_is_wrong_for_non_separable_h_and_tao_is_not():
    """Leapfrog assumes separability: on a non-separable H it loses its
    accuracy, while Tao keeps second order."""
    t = [0.0, 1.0]
    reference = integrate(coupled, X0, t, "rk4", substeps=4000)[-1]
    error = {
        m: float(
            (integrate(coupled, X0, t, m, substeps=200)[-1] - reference).abs().max()
        )
        for m in ("leapfrog", "tao")
    }
    assert error["tao"] < 1e-3 < error["leapfrog"]


def test_implicit_midpoint_conserves_quadratic_energy_exactly():
    def oscillator(x):
        return torch.cat([2.0 * x[:, 1:], -2.0 * x[:, :1]], dim=1)

    t = np.linspace(0.0, 100.0, 1001)
    out = integrate(oscillator, X0, t, "implicit_midpoint").numpy()
    energy = (out**2).sum(-1)
    assert_allclose(energy, np.broadcast_to(energy[0], energy.shape), rtol=1e-8)


@pytest.mark.parametrize("method", ["leapfrog", "implicit_midpoint"])
def test_forward_then_backward_returns_to_the_start(method):
    t = np.linspace(0.0, 5.0, 101)
    forward = integrate(pendulum, X0, t, method)
    back = integrate(pendulum, forward[-1], t[::-1].copy(), method)
    assert_allclose(back[-1].numpy(), X0.numpy(), atol=1e-8)


def test_tao_lifts_and_projects_the_doubled_state():
    tao = Tao(omega=5.0)
    lifted = tao.lift(X0)
    assert lifted.shape == (3, 4)
    assert torch.equal(tao.project(lifted), X0)
    assert tao.step(pendulum, lifted, 0.1).shape == (3, 4)


@pytest.mark.parametrize("method", ALL)
def test_odd_widths_are_refused(method):
    with pytest.raises(ValueError, match=r"x0 has width 3.*even width"):
        integrate(
            lambda x: x, torch.ones(2, 3, dtype=torch.float64), [0.0, 1.0], method
        )


def test_implicit_midpoint_says_when_its_iteration_does_not_converge():
    def oscillator(x):
        return torch.cat([x[:, 1:], -x[:, :1]], dim=1)

    x0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    with pytest.warns(ConvergenceWarning, match="step of 1.5"):
        integrate(oscillator, x0, np.arange(5) * 1.5, "implicit_midpoint")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        integrate(oscillator, x0, np.arange(5) * 0.5, "implicit_midpoint")


def test_tao_warns_at_its_resonant_step_sizes():
    omega = Tao().omega
    for resonant in (np.pi / 2, np.pi):
        with pytest.warns(RuntimeWarning, match="near a multiple of pi/2"):
            integrate(coupled, X0, [0.0, resonant / omega], "tao")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        integrate(coupled, X0, [0.0, 0.05, 0.1], "tao")  # omega dt = 1


def test_tao_warns_once_per_run_on_an_uneven_resonant_grid():
    omega = Tao().omega
    steps = np.pi / omega * (1.0 + 1e-4 * np.arange(1, 21))  # 20 distinct sizes
    t = np.concatenate([[0.0], np.cumsum(steps)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        integrate(coupled, X0, t, "tao")
    messages = [str(w.message) for w in caught if w.category is RuntimeWarning]
    assert len(messages) == 1
    assert "and 19 other step sizes" in messages[0]
    # An even grid's steps differ only by rounding: one size.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        integrate(coupled, X0, np.linspace(0.0, 1000 * np.pi / omega, 1001), "tao")
    (message,) = [str(w.message) for w in caught if "tao:" in str(w.message)]
    assert "other step sizes" not in message


@pytest.mark.parametrize("method", GENERAL)
def test_simulate_a_learned_hamiltonian_symplectically(method, spring_data):
    est = HamiltonianRegressor(
        hidden_layer_sizes=(32, 32), lr=1e-2, max_epochs=200, random_state=0
    ).fit(*spring_data)
    t = np.linspace(0.0, 50.0, 1001)
    with warnings.catch_warnings():  # a float32 field's rounding is no failure
        warnings.simplefilter("error", ConvergenceWarning)
        out = est.simulate([[0.5, 0.0], [0.0, 0.8]], t, method=method)
    assert out.shape == (2, 1001, 2)

    def growth(states):  # energy error over the last 100 steps / the first 100
        learned = est.energy(states.reshape(-1, 2)).reshape(2, -1)
        error = np.abs(learned - learned[:, :1])
        return error[:, -100:].max() / error[:, 1:101].max()

    # The learned energy's error stays bounded; RK4's grows on the same model.
    assert growth(out) < 1.5
    assert growth(est.simulate([[0.5, 0.0], [0.0, 0.8]], t, method="rk4")) > 3.0
