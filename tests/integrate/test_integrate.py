from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from sklearn_hnn.exceptions import DivergenceWarning
from sklearn_hnn.integrate import METHODS, integrate


def rotation(x: torch.Tensor) -> torch.Tensor:
    """Harmonic oscillator with unit frequency: q(t) = q0 cos t + p0 sin t."""
    return torch.stack([x[:, 1], -x[:, 0]], dim=1)


def exact(x0: np.ndarray, t: np.ndarray) -> np.ndarray:
    c, s = np.cos(t)[:, None], np.sin(t)[:, None]
    return np.stack([c * x0[:, 0] + s * x0[:, 1], -s * x0[:, 0] + c * x0[:, 1]], -1)


X0 = np.array([[1.0, 0.0], [0.3, -0.7], [0.0, 2.0]])


@pytest.mark.parametrize("method", METHODS)
def test_methods_solve_the_oscillator(method):
    t = np.linspace(0.0, 4.0, 9)
    out = integrate(
        rotation, torch.tensor(X0), t, method, substeps=400, rtol=1e-10, atol=1e-12
    )
    assert out.shape == (9, 3, 2) and out.dtype == torch.float64
    second_order = {"midpoint", "leapfrog", "implicit_midpoint", "tao"}
    tolerance = 2e-2 if method == "euler" else 1e-5 if method in second_order else 1e-8
    assert_allclose(out.numpy(), exact(X0, t), atol=tolerance)


@pytest.mark.parametrize(
    ("method", "order"), [("euler", 1), ("midpoint", 2), ("rk4", 4)]
)
def test_fixed_step_convergence_order(method, order):
    t = np.array([0.0, 1.0])
    errors = [
        np.abs(
            integrate(rotation, torch.tensor(X0), t, method, substeps=n)[-1].numpy()
            - exact(X0, t)[-1]
        ).max()
        for n in (20, 40)
    ]
    assert errors[0] / errors[1] == pytest.approx(2**order, rel=0.15)


@pytest.mark.parametrize("method", ["rk4", "dopri5", "scipy"])
def test_backwards_in_time(method):
    t = np.linspace(0.0, -3.0, 7)
    out = integrate(
        rotation, torch.tensor(X0), t, method, substeps=50, rtol=1e-10, atol=1e-12
    )
    assert_allclose(out.numpy(), exact(X0, t), atol=1e-7)


def test_dopri5_meets_its_tolerance_on_every_trajectory():
    t = np.linspace(0.0, 10.0, 21)
    x0 = np.array([[1.0, 0.0], [1e-3, 0.0]])  # very different scales
    for rtol in (1e-4, 1e-7):
        out = integrate(rotation, torch.tensor(x0), t, "dopri5", rtol=rtol, atol=1e-12)
        relative = np.abs(out.numpy() - exact(x0, t)).max(axis=(0, 2)) / np.abs(x0).max(
            1
        )
        assert np.all(relative < 50 * rtol), relative


def test_dopri5_takes_few_steps_on_smooth_problems():
    calls = []

    def counted(x):
        calls.append(1)
        return rotation(x)

    integrate(counted, torch.tensor(X0), [0.0, 10.0], "dopri5", rtol=1e-6, atol=1e-9)
    assert len(calls) < 600


@pytest.mark.parametrize("direction", [1.0, -1.0])
def test_dopri5_steps_do_not_depend_on_the_output_grid(direction):
    calls = {}

    def counting(name):
        def field(x):
            calls[name] = calls.get(name, 0) + 1
            return rotation(x)

        return field

    x0 = torch.tensor(X0)
    coarse = direction * np.array([0.0, 10.0])
    fine = direction * np.linspace(0.0, 10.0, 2001)
    ends = integrate(counting("coarse"), x0, coarse, "dopri5", rtol=1e-8, atol=1e-10)
    dense = integrate(counting("fine"), x0, fine, "dopri5", rtol=1e-8, atol=1e-10)
    assert calls["fine"] == calls["coarse"] < 2000  # interpolated, not stepped to
    assert torch.equal(dense[-1], ends[-1])  # the end is landed on, not interpolated
    # The continuous extension keeps the tolerance between the steps.
    assert_allclose(dense.numpy(), exact(X0, fine), atol=1e-6)


def test_single_time_returns_the_initial_state():
    for method in METHODS:
        x0 = torch.tensor(X0)
        out = integrate(rotation, x0, [1.5], method)
        assert_allclose(out[0].numpy(), X0)
        out[0] += 1.0  # a copy: the caller's x0 is untouched
        assert_allclose(x0.numpy(), X0)


@pytest.mark.parametrize("method", ["rk4", "dopri5", "tao", "scipy"])
def test_a_field_that_changes_the_dtype_is_refused(method):
    x0 = torch.tensor(X0, dtype=torch.float32)
    with pytest.raises(TypeError, match=r"dtype of its input.*float64.*float32"):
        integrate(lambda x: rotation(x).double(), x0, [0.0, 1.0], method)


def test_float32_states_stay_float32():
    out = integrate(rotation, torch.tensor(X0, dtype=torch.float32), [0.0, 1.0], "rk4")
    assert out.dtype == torch.float32


def test_dopri5_gives_up_on_a_blow_up_it_is_not_told_to_stop():
    with pytest.raises(RuntimeError, match="dopri5 gave up after 200 steps"):
        integrate(
            lambda x: x**2,  # x(t) = 1 / (1 - t)
            torch.ones(1, 1, dtype=torch.float64),
            [0.0, 2.0],
            "dopri5",
            max_steps=200,
            max_growth=None,  # finite all the way, so only max_steps stops it
        )


@pytest.mark.parametrize("t0", [0.0, -1e5, 1e8])
@pytest.mark.parametrize("direction", [1.0, -1.0])
def test_dopri5_stops_a_blow_up_when_its_steps_fall_below_the_clocks_resolution(
    t0, direction
):
    # Row 0 blows up 1 after t0 and stays finite on the way (max_growth=None):
    # its steps shrink until float64 cannot count them beside that elapsed
    # time. It is stopped there; row 1, at rest, runs to the end.
    def field(x):
        return torch.stack([direction * x[:, 0] ** 2, 0.0 * x[:, 1]], dim=1)

    x0 = torch.tensor([[1.0, 1.0], [0.0, 1.0]], dtype=torch.float64)
    t = t0 + direction * np.linspace(0.0, 2.0, 5)
    with pytest.warns(DivergenceWarning, match="1 of 2 trajectories") as caught:
        out = integrate(field, x0, t, "dopri5", max_growth=None)
    assert "0 at t=" in str(caught[0].message)
    assert torch.isfinite(out[:2, 0]).all() and torch.isnan(out[3:, 0]).all()
    assert_allclose(out[:, 1].numpy(), np.tile([0.0, 1.0], (5, 1)))


@pytest.mark.parametrize("method", ["rk4", "dopri5"])
def test_shifting_the_grid_far_from_zero_keeps_the_accuracy(method):
    # At t ~ 1.7e9 (a Unix time) float64 times are 2.4e-7 apart: the clock
    # rounds every step, and the state must move by the step the clock took.
    t = np.linspace(0.0, 10.0, 11)
    kwargs = {"substeps": 100, "rtol": 1e-10, "atol": 1e-12}
    for offset in (0.0, 1.7e9):
        out = integrate(rotation, torch.tensor(X0), offset + t, method, **kwargs)
        assert_allclose(out.numpy(), exact(X0, t), atol=1e-8)


def test_dopri5_finishes_with_steps_near_the_clocks_resolution():
    # At t ~ 1.7e9 times are 2.4e-7 apart and a fast oscillator needs steps of
    # about 1e-7: dopri5 counts time from t[0], where such steps are exact.
    def fast(x):
        return 1e6 * rotation(x)

    t = 1.7e9 + np.linspace(0.0, 2e-5, 5)  # rounded to the clock's grid
    out = integrate(fast, torch.tensor(X0), t, "dopri5", rtol=1e-8)
    assert_allclose(out.numpy(), exact(X0, 1e6 * (t - t[0])), atol=1e-6)


@pytest.mark.parametrize("offset", [1e15, 2.0**50, -1e15])
@pytest.mark.parametrize("rtol", [1e-3, 1e-5])
def test_dopri5_is_as_accurate_far_from_zero_as_at_zero(offset, rtol):
    # Every offset + k/4 is a float64, but the times between are 0.125 or
    # 0.25 apart: steps counted on t itself would be rounded to that grid.
    s = np.arange(41) * 0.25
    kwargs = {"rtol": rtol, "atol": 1e-9, "max_steps": 5000}
    near = integrate(rotation, torch.tensor(X0), s, "dopri5", **kwargs)
    far = integrate(rotation, torch.tensor(X0), offset + s, "dopri5", **kwargs)
    assert_allclose(far.numpy(), near.numpy(), atol=1e-12)


@pytest.mark.parametrize("bad", ["nan", "huge"])
def test_dopri5_sizes_its_steps_on_the_trajectories_whose_field_is_finite(bad):
    # Row 0's field is NaN, or so large that its norm overflows: that row is
    # stopped at t = 0, and the others are solved as if alone.
    def field(x):
        out = rotation(x)
        if bad == "nan":
            return torch.cat([torch.full_like(out[:1], torch.nan), out[1:]])
        return torch.cat([-1e300 * x[:1], out[1:]])

    x0 = torch.tensor(X0)
    t = np.linspace(0.0, 5.0, 11)
    just_after_0 = r"0 at t=4.94\d*e-324"
    with pytest.warns(DivergenceWarning, match=rf"1 of 3 trajectories.*{just_after_0}"):
        out = integrate(field, x0, t, "dopri5", rtol=1e-8, atol=1e-10)
    assert torch.isnan(out[1:, 0]).all()
    alone = integrate(rotation, x0[1:], t, "dopri5", rtol=1e-8, atol=1e-10)
    assert_allclose(out[:, 1:].numpy(), alone.numpy(), atol=1e-7)


def test_a_time_too_large_for_a_float_names_t():
    with pytest.raises(ValueError, match=r"t must be .*too large"):
        integrate(rotation, torch.tensor(X0), [0.0, 10**400])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"t": [0.0, 1.0, 0.5]}, "t must be strictly monotonic"),
        ({"t": [[0.0, 1.0]]}, "t must be a 1-D array"),
        ({"t": [-1.7e308, 1.7e308]}, "t must span less than the largest float64"),
        ({"method": "verlet"}, "method must be one of"),
        ({"substeps": 0}, "substeps must be an integer >= 1"),
        ({"rtol": 0.0}, "rtol must be a positive"),
        ({"rtol": 1e-300, "method": "dopri5"}, r"rtol must be at least 2.2e-14"),
        (
            {
                "x0": torch.tensor(X0, dtype=torch.float32),
                "method": "dopri5",
                "rtol": 1e-8,
            },
            r"rtol=1e-08 is finer than torch.float32 states can resolve .* 1.2e-07",
        ),
        ({"x0": torch.zeros(2)}, r"x0 must have shape \(n, D\)"),
    ],
)
def test_bad_arguments(kwargs, message):
    args = {"x0": torch.tensor(X0), "t": [0.0, 1.0]} | kwargs
    with pytest.raises(ValueError, match=message):
        integrate(rotation, args.pop("x0"), args.pop("t"), **args)


def test_the_package_attribute_is_the_subpackage():
    import sklearn_hnn
    import sklearn_hnn.integrate.cuda_graph as cuda_graph

    assert sklearn_hnn.integrate.cuda_graph is cuda_graph
    assert sklearn_hnn.integrate.integrate is integrate
