"""integrate's one entry point: a method is a name or a configured instance."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

import sklearn_hnn.integrate as integrate_module
from sklearn_hnn.exceptions import DivergenceWarning
from sklearn_hnn.integrate import (
    ADAPTIVE_METHODS,
    FIXED_GRID_METHODS,
    INTEGRATORS,
    METHODS,
    RK4,
    SYMPLECTIC_METHODS,
    Dopri5,
    ImplicitMidpoint,
    Leapfrog,
    ScipyIVP,
    Tao,
    integrate,
)
from sklearn_hnn.integrate.adaptive import AdaptiveMethod
from sklearn_hnn.integrate.fixed_grid import FixedStepMethod, axpy
from sklearn_hnn.integrate.scipy_ivp import SOLVERS


def rotation(x: torch.Tensor) -> torch.Tensor:
    """Harmonic oscillator with unit frequency: q(t) = q0 cos t + p0 sin t."""
    return torch.stack([x[:, 1], -x[:, 0]], dim=1)


def exact(x0: np.ndarray, t: np.ndarray) -> np.ndarray:
    c, s = np.cos(t)[:, None], np.sin(t)[:, None]
    return np.stack([c * x0[:, 0] + s * x0[:, 1], -s * x0[:, 0] + c * x0[:, 1]], -1)


def square(x: torch.Tensor) -> torch.Tensor:
    """dx/dt = x^2: a trajectory with x0 > 0 blows up at t = 1 / x0."""
    return x * x


X0 = torch.tensor([[1.0, 0.0], [0.3, -0.7], [0.0, 2.0]], dtype=torch.float64)
T = np.linspace(0.0, 2.0, 5)


# ------------------------------------------------------------------ registry


def test_the_registry_is_one_dict_and_the_rest_are_views_of_it():
    assert METHODS == tuple(INTEGRATORS)
    assert FIXED_GRID_METHODS == {
        n: c for n, c in INTEGRATORS.items() if issubclass(c, FixedStepMethod)
    }
    assert SYMPLECTIC_METHODS == {
        "leapfrog": Leapfrog,
        "implicit_midpoint": ImplicitMidpoint,
        "tao": Tao,
    }
    assert ADAPTIVE_METHODS == {"dopri5": Dopri5}
    assert INTEGRATORS["scipy"] is ScipyIVP
    assert "rk4" in METHODS and sorted(METHODS)[0] == "dopri5"
    for cls in INTEGRATORS.values():
        assert issubclass(cls, FixedStepMethod | AdaptiveMethod | ScipyIVP)


def test_integrate_and_report_is_gone():
    assert not hasattr(integrate_module, "integrate_and_report")


@pytest.mark.parametrize("name", METHODS)
def test_a_name_runs_its_class_with_the_default_settings(name):
    kwargs = {"substeps": 20, "rtol": 1e-8, "atol": 1e-10}
    by_name = integrate(rotation, X0, T, name, **kwargs)
    by_instance = integrate(rotation, X0, T, INTEGRATORS[name](), **kwargs)
    assert torch.equal(by_name, by_instance)


# ---------------------------------------------------------- configured methods


def test_a_configured_tao_is_used():
    default = integrate(rotation, X0, T, "tao", substeps=20)
    assert torch.equal(
        integrate(rotation, X0, T, Tao(omega=20.0), substeps=20), default
    )
    tuned = integrate(rotation, X0, T, method=Tao(omega=5.0), substeps=20)
    assert not torch.equal(tuned, default)
    assert_allclose(tuned.numpy(), exact(X0.numpy(), T), atol=1e-2)


def test_a_configured_implicit_midpoint_is_used():
    t = [0.0, 1.0]
    converged = integrate(rotation, X0, t, ImplicitMidpoint(tol=1e-14, max_iter=50))
    guess_only = integrate(rotation, X0, t, ImplicitMidpoint(max_iter=0))
    # No iteration: the explicit midpoint guess, which is not the implicit rule.
    assert_allclose(guess_only, integrate(rotation, X0, t, "midpoint"), rtol=1e-14)
    assert not torch.allclose(guess_only, converged, rtol=1e-3)
    # The implicit midpoint rule conserves the quadratic energy exactly.
    energy = converged.square().sum(-1)
    assert_allclose(energy[-1].numpy(), energy[0].numpy(), rtol=1e-12)


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_scipy_solver_solves_the_oscillator(solver):
    out = integrate(rotation, X0, T, ScipyIVP(solver=solver), rtol=1e-8, atol=1e-10)
    assert out.shape == (len(T), *X0.shape) and out.dtype == X0.dtype
    assert_allclose(out.numpy(), exact(X0.numpy(), T), atol=1e-5)


def test_scipy_solvers_differ():
    kwargs = {"rtol": 1e-3, "atol": 1e-6}
    rk45 = integrate(rotation, X0, T, "scipy", **kwargs)
    assert torch.equal(rk45, integrate(rotation, X0, T, ScipyIVP("RK45"), **kwargs))
    rk23 = integrate(rotation, X0, T, ScipyIVP(solver="RK23"), **kwargs)
    assert not torch.equal(rk45, rk23)


def test_a_method_class_of_ones_own_needs_no_registration():
    class Heun(FixedStepMethod):
        order = 2

        def step(self, field, x, dt):
            k1 = field(x)
            k2 = field(axpy(x, k1, dt))
            return axpy(x, k1 + k2, 0.5 * dt)

    out = integrate(rotation, X0, T, Heun(), substeps=200)
    assert_allclose(out.numpy(), exact(X0.numpy(), T), atol=1e-4)
    assert repr(Heun()) == "Heun()"


def test_the_symplectic_width_check_is_decided_by_class():
    class Symplectic(FixedStepMethod):
        symplectic = True

        def step(self, field, x, dt):
            return x

    odd = torch.ones(2, 3, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"x0 has width 3.*Symplectic\(\).*even"):
        integrate(lambda x: x, odd, T, Symplectic())


@pytest.mark.parametrize(
    "method", [Leapfrog(), ImplicitMidpoint(tol=1e-8), Tao(omega=5.0)], ids=repr
)
def test_configured_symplectic_methods_refuse_odd_widths(method):
    odd = torch.ones(2, 3, dtype=torch.float64)
    pattern = rf"x0 has width 3, but method={type(method).__name__}\(.*even width"
    with pytest.raises(ValueError, match=pattern):
        integrate(lambda x: x, odd, T, method)


def test_the_rtol_resolution_check_applies_to_adaptive_instances():
    x0 = X0.float()
    with pytest.raises(ValueError, match=r"rtol=1e-08 is finer .*method=Dopri5\(\)"):
        integrate(rotation, x0, T, Dopri5(), rtol=1e-8)
    # SciPy steps in float64, whatever the dtype of the states.
    out = integrate(rotation, x0, T, ScipyIVP(), rtol=1e-8)
    assert out.dtype == torch.float32


# ----------------------------------------------------------------- bad methods


@pytest.mark.parametrize(
    "method", [object(), 4, None, ["rk4"], RK4, torch.optim.SGD, b"rk4"], ids=repr
)
def test_anything_else_is_refused_naming_method_and_the_names(method):
    with pytest.raises(ValueError, match=r"method must be one of \[.*'rk4'.*\]"):
        integrate(rotation, X0, T, method)


def test_a_method_class_is_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"such as Tao\(\), not the class"):
        integrate(rotation, X0, T, Tao)


def test_an_unknown_name_keeps_its_message():
    with pytest.raises(ValueError, match=r"method must be one of \[.*\]; got 'rk5'"):
        integrate(rotation, X0, T, "rk5")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Tao(omega=0.0), "omega must be a positive"),
        (lambda: Tao(omega=float("inf")), "omega must be a positive"),
        (lambda: Tao(omega="20"), "omega must be a real number"),
        (lambda: ImplicitMidpoint(tol=-1e-10), "tol must be a positive"),
        (lambda: ImplicitMidpoint(max_iter=-1), r"max_iter must be an integer >= 0"),
        (lambda: ImplicitMidpoint(max_iter=2.5), r"max_iter must be an integer >= 0"),
        (lambda: ImplicitMidpoint(max_iter=True), r"max_iter must be an integer"),
        (lambda: ScipyIVP(solver="rk45"), r"solver must be one of \[.*'RK45'"),
        (lambda: ScipyIVP(solver=None), r"solver must be one of"),
    ],
)
def test_bad_settings_are_refused_when_built(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    ("method", "setting", "value"),
    [
        (Tao(), "omega", -1.0),
        (ImplicitMidpoint(), "max_iter", -3),
        (ScipyIVP(), "solver", "euler"),
    ],
    ids=["omega", "max_iter", "solver"],
)
def test_settings_changed_afterwards_are_checked_before_integrating(
    method, setting, value
):
    setattr(method, setting, value)
    calls = []

    def field(x):
        calls.append(1)
        return rotation(x)

    with pytest.raises(ValueError, match=setting):
        integrate(field, X0, T, method)
    assert not calls


def test_settings_are_stored_as_numbers_of_their_type():
    tao, implicit = Tao(omega=np.float32(3)), ImplicitMidpoint(max_iter=np.int64(3))
    assert type(tao.omega) is float and type(implicit.max_iter) is int


@pytest.mark.parametrize(
    ("method", "text"),
    [
        (Tao(omega=10.0), "Tao(omega=10.0)"),
        (
            ImplicitMidpoint(tol=1e-12, max_iter=20),
            "ImplicitMidpoint(tol=1e-12, max_iter=20)",
        ),
        (ScipyIVP(solver="DOP853"), "ScipyIVP(solver='DOP853')"),
        (Dopri5(), "Dopri5()"),
        (RK4(), "RK4()"),
    ],
)
def test_repr_shows_the_settings(method, text):
    assert repr(method) == text
    namespace = {cls.__name__: cls for cls in INTEGRATORS.values()}
    assert repr(eval(text, namespace)) == text


# --------------------------------------------------------------- return_report


@pytest.mark.parametrize("method", ["rk4", Tao(omega=5.0), "dopri5", "scipy"], ids=str)
def test_return_report_on_a_healthy_run_is_none(method):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        states, report = integrate(
            rotation, X0, T, method, substeps=20, return_report=True
        )
    assert report is None
    assert torch.equal(states, integrate(rotation, X0, T, method, substeps=20))


@pytest.mark.parametrize("method", ["rk4", "dopri5", ScipyIVP()], ids=str)
def test_return_report_returns_the_warning_instead_of_issuing_it(method):
    x0 = torch.tensor([[4.0, 0.0], [-0.5, 0.2]], dtype=torch.float64)  # 0 blows up
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        states, report = integrate(
            square, x0, T, method, substeps=100, return_report=True
        )
    assert isinstance(report, str) and "1 of 2 trajectories" in report
    assert torch.isnan(states[-1, 0]).all() and torch.isfinite(states[:, 1]).all()
    with pytest.warns(DivergenceWarning) as record:
        warned = integrate(square, x0, T, method, substeps=100)
    assert str(record[0].message) == report
    torch.testing.assert_close(warned, states, equal_nan=True, rtol=0, atol=0)


@pytest.mark.parametrize("value", [1, 0, None, "yes", np.bool_(True)])
def test_return_report_must_be_a_bool(value):
    with pytest.raises(ValueError, match="return_report must be True or False"):
        integrate(rotation, X0, T, return_report=value)
