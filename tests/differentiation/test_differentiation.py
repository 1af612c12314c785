"""Tests for finite-difference and Savitzky-Golay time derivatives."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_hnn.differentiation import (
    METHODS,
    Differentiator,
    FiniteDifference,
    SavitzkyGolay,
    time_derivative,
)


def signal(t: np.ndarray) -> np.ndarray:
    return np.column_stack([np.sin(t), np.cos(2 * t)])


def signal_derivative(t: np.ndarray) -> np.ndarray:
    return np.column_stack([np.cos(t), -2 * np.sin(2 * t)])


def random_grid(h: float, stop: float = 2 * np.pi, seed: int = 0) -> np.ndarray:
    """Sorted times with steps drawn from U[0.5h, 1.5h]."""
    steps = np.random.default_rng(seed).uniform(0.5 * h, 1.5 * h, int(stop / h))
    return np.concatenate([[0.0], np.cumsum(steps)])


def smooth_grid(n_steps: int) -> np.ndarray:
    """Uneven grid whose local step varies smoothly between ~0.6h and ~1.4h.

    Doubling ``n_steps`` halves every local step, so convergence orders show
    cleanly at interior and end points alike.
    """
    s = np.linspace(0.0, 2 * np.pi, n_steps + 1)
    return s + 0.4 * np.sin(1.3 * s) / 1.3


def grid(kind: str, h: float) -> np.ndarray:
    if kind == "uniform":
        return np.arange(int(2 * np.pi / h) + 1) * h
    return random_grid(h)


# Max error allowed at h = 0.01: first order ~ h|x''|, second order ~ h^2|x'''|.
TOLERANCES = {"forward": 0.04, "backward": 0.04, "central": 5e-4, "savgol": 1e-4}


@pytest.mark.parametrize("grid_kind", ["uniform", "random"])
@pytest.mark.parametrize("method", METHODS)
def test_close_to_analytic_derivative(method, grid_kind):
    t = grid(grid_kind, 0.01)
    assert not np.allclose(np.diff(t), 0.01) or grid_kind == "uniform"
    error = np.abs(time_derivative(signal(t), t, method=method) - signal_derivative(t))
    assert error.max() < TOLERANCES[method]


@pytest.mark.parametrize("grid_kind", ["uniform", "random"])
def test_accuracy_ranks_by_order(grid_kind):
    t = grid(grid_kind, 0.01)
    errors = {
        method: np.abs(
            time_derivative(signal(t), t, method=method) - signal_derivative(t)
        ).max()
        for method in METHODS
    }
    assert errors["savgol"] < errors["central"] < errors["forward"] / 10
    assert errors["central"] < errors["backward"] / 10


@pytest.mark.parametrize(
    ("method", "order"), [("forward", 1), ("backward", 1), ("central", 2)]
)
@pytest.mark.parametrize("uneven", [False, True])
def test_convergence_order(method, order, uneven):
    def errors(n_steps):
        if uneven:
            t = smooth_grid(n_steps)
        else:
            t = np.linspace(0.0, 2 * np.pi, n_steps + 1)
        err = np.abs(
            time_derivative(signal(t), t, method=method) - signal_derivative(t)
        )
        return err[1:-1].max(), err[0].max(), err[-1].max()

    coarse, fine = errors(300), errors(600)
    expected = 2.0**order
    for where, c, f in zip(("interior", "start", "end"), coarse, fine, strict=True):
        assert c / f == pytest.approx(expected, rel=0.1), where


def test_central_not_second_order_when_spacing_is_ignored():
    """The uneven formula matters: the uniform-grid formula is only first order."""
    t = random_grid(0.01)
    x = signal(t)
    naive = (x[2:] - x[:-2]) / (t[2:] - t[:-2])[:, None]
    ours = time_derivative(x, t)[1:-1]
    truth = signal_derivative(t)[1:-1]
    assert np.abs(ours - truth).max() < np.abs(naive - truth).max() / 20


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_central_exact_for_quadratics_on_uneven_grid(seed):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(-2.0, 3.0, 12))
    coef = rng.normal(size=(3, 2))
    X = coef[0] + coef[1] * t[:, None] + coef[2] * t[:, None] ** 2
    exact = coef[1] + 2 * coef[2] * t[:, None]
    result = time_derivative(X, t, method="central")
    np.testing.assert_allclose(result, exact, rtol=0, atol=1e-10)
    # Not exact for a cubic: the test above is not vacuous.
    cubic = X + t[:, None] ** 3
    assert np.abs(time_derivative(cubic, t) - exact - 3 * t[:, None] ** 2).max() > 1e-3


def test_central_on_three_and_two_points():
    t = np.array([0.0, 0.5, 2.0])
    X = (1 + t - t**2)[:, None]
    np.testing.assert_allclose(time_derivative(X, t).ravel(), 1 - 2 * t, atol=1e-12)
    # Two points: the plain difference at both.
    np.testing.assert_allclose(time_derivative(X[:2], t[:2]).ravel(), [0.5, 0.5])


@pytest.mark.parametrize(
    ("window_length", "polyorder"), [(3, 1), (5, 2), (7, 3), (9, 4), (7, 6)]
)
def test_savgol_exact_for_polynomials_up_to_its_order(window_length, polyorder):
    rng = np.random.default_rng(polyorder)
    t = np.sort(rng.uniform(-1.0, 2.0, 15))
    method = SavitzkyGolay(window_length, polyorder)
    for degree in range(polyorder + 1):
        coef = rng.normal(size=(degree + 1, 3))
        X = np.polynomial.polynomial.polyval(t, coef).T
        exact = np.polynomial.polynomial.polyval(
            t, np.polynomial.polynomial.polyder(coef)
        ).T
        result = time_derivative(X, t, method=method)
        np.testing.assert_allclose(result, exact, rtol=0, atol=1e-8)
    # One degree more is no longer exact (the fit is a genuine least squares).
    if polyorder < window_length - 1:
        X = t[:, None] ** (polyorder + 1)
        exact = (polyorder + 1) * t[:, None] ** polyorder
        assert np.abs(time_derivative(X, t, method=method) - exact).max() > 1e-6


def test_savgol_uses_actual_times():
    """Fitting in real time offsets beats the uniform-grid Savitzky-Golay filter."""
    t = random_grid(0.05)
    x = signal(t)
    ours = time_derivative(x, t, method=SavitzkyGolay(7, 3))
    # Uniform-weight filter: the same fit with the sample index as abscissa.
    index = np.arange(len(t), dtype=float)
    uniform = (
        time_derivative(x, index, method=SavitzkyGolay(7, 3)) / np.gradient(t)[:, None]
    )
    truth = signal_derivative(t)
    assert np.abs(ours - truth).max() < np.abs(uniform - truth).max() / 10


@pytest.mark.parametrize("grid_kind", ["uniform", "random"])
def test_savgol_smooths_noise(grid_kind):
    t = grid(grid_kind, 0.01)
    X = signal(t) + np.random.default_rng(1).normal(0.0, 1e-3, (len(t), 2))
    truth = signal_derivative(t)

    def rms(method):
        return np.sqrt(np.mean((time_derivative(X, t, method=method) - truth) ** 2))

    central = rms("central")
    assert rms("savgol") < 0.85 * central
    assert rms(SavitzkyGolay(window_length=21, polyorder=3)) < 0.2 * central


def test_forward_and_backward_formulas():
    t = np.array([0.0, 1.0, 3.0, 3.5])
    X = np.array([[0.0, 1.0], [2.0, 1.0], [3.0, 5.0], [5.0, 4.0]])
    slopes = np.diff(X, axis=0) / np.diff(t)[:, None]
    forward = time_derivative(X, t, method="forward")
    backward = time_derivative(X, t, method="backward")
    np.testing.assert_allclose(forward, slopes[[0, 1, 2, 2]])
    np.testing.assert_allclose(backward, slopes[[0, 0, 1, 2]])


# --- trajectories, groups and gaps -------------------------------------------


def two_trajectories():
    t1 = random_grid(0.1, stop=3.0, seed=1)
    t2 = random_grid(0.07, stop=2.0, seed=2) + 0.3
    X1 = signal(t1)
    X2 = 100.0 + 5 * signal(t2)[:, ::-1]  # far away: a cross difference is huge
    return (t1, X1), (t2, X2)


@pytest.mark.parametrize("method", [*METHODS, SavitzkyGolay(5, 2)])
def test_stacked_trajectories_are_differentiated_separately(method):
    (t1, X1), (t2, X2) = two_trajectories()
    X = np.vstack([X1, X2])
    t = np.concatenate([t1, t2])
    groups = np.repeat([0, 1], [len(t1), len(t2)])
    result = time_derivative(X, t, groups=groups, method=method)
    expected = np.vstack(
        [
            time_derivative(X1, t1, method=method),
            time_derivative(X2, t2, method=method),
        ]
    )
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)
    assert np.abs(result).max() < 20  # nothing differenced across the boundary


@pytest.mark.parametrize("method", METHODS)
def test_interleaved_rows_with_string_labels(method):
    (t1, X1), (t2, X2) = two_trajectories()
    X = np.vstack([X1, X2])
    t = np.concatenate([t1, t2])
    groups = np.array(["b"] * len(t1) + ["a"] * len(t2))
    expected = np.vstack(
        [
            time_derivative(X1, t1, method=method),
            time_derivative(X2, t2, method=method),
        ]
    )
    # Interleave the two trajectories at random, each keeping its time order.
    slots_a = np.sort(np.random.default_rng(2).permutation(len(t))[: len(t2)])
    slots_b = np.setdiff1d(np.arange(len(t)), slots_a)
    order = np.empty(len(t), dtype=int)
    order[slots_a] = np.flatnonzero(groups == "a")
    order[slots_b] = np.flatnonzero(groups == "b")
    result = time_derivative(
        X[order], t[order], groups=list(groups[order]), method=method
    )
    np.testing.assert_allclose(result, expected[order], rtol=1e-12, atol=1e-12)
    assert len(set(groups[order][:20])) == 2  # really interleaved


def test_max_gap_splits_a_trajectory():
    t = np.concatenate([np.linspace(0.0, 1.0, 11), np.linspace(3.0, 4.0, 11)])
    X = np.column_stack([t**2, np.where(t > 2, 50.0, 0.0) + t])
    for method in METHODS:
        method = SavitzkyGolay(5, 2) if method == "savgol" else method
        result = time_derivative(X, t, method=method, max_gap=0.5)
        expected = np.vstack(
            [
                time_derivative(X[:11], t[:11], method=method),
                time_derivative(X[11:], t[11:], method=method),
            ]
        )
        np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(result[:, 1], 1.0, atol=1e-10)
    # The regular step (0.1) is below max_gap: same result as no max_gap there.
    np.testing.assert_allclose(
        time_derivative(X[:11], t[:11], max_gap=0.11), time_derivative(X[:11], t[:11])
    )


def test_without_max_gap_the_gap_is_differenced_with_its_real_length():
    t = np.concatenate([np.linspace(0.0, 1.0, 11), np.linspace(3.0, 4.0, 11)])
    X = np.column_stack([t**2, np.where(t > 2, 50.0, 0.0) + t])
    forward = time_derivative(X, t, method="forward")
    np.testing.assert_allclose(forward[10], (X[11] - X[10]) / 2.0)
    backward = time_derivative(X, t, method="backward")
    np.testing.assert_allclose(backward[11], (X[11] - X[10]) / 2.0)
    # Central across the gap is still exact for the quadratic column.
    np.testing.assert_allclose(time_derivative(X, t)[:, 0], 2 * t, atol=1e-10)


def test_max_gap_and_groups_combine():
    t_a = np.array([0.0, 0.1, 0.2, 5.0, 5.1])
    t_b = np.array([0.0, 0.2, 0.4])
    X = np.concatenate([3 * t_a, -2 * t_b])[:, None]
    t = np.concatenate([t_a, t_b])
    groups = [7, 7, 7, 7, 7, 8, 8, 8]
    result = time_derivative(X, t, groups=groups, method="forward", max_gap=1.0)
    np.testing.assert_allclose(result.ravel(), [3, 3, 3, 3, 3, -2, -2, -2])


def test_output_dtype_shape_and_input_untouched():
    t = random_grid(0.1, stop=2.0)
    X = signal(t).astype(np.float32)
    X_copy, t_copy = X.copy(), t.copy()
    result = time_derivative(X, t, method="savgol")
    assert result.dtype == np.float64
    assert result.shape == X.shape
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(t, t_copy)
    X64 = signal(t)
    X64_copy = X64.copy()
    out = time_derivative(X64, t)
    assert out is not X64 and not np.shares_memory(out, X64)
    np.testing.assert_array_equal(X64, X64_copy)
    # Lists are accepted as well.
    np.testing.assert_allclose(time_derivative(X64.tolist(), t.tolist()), out)


def test_custom_differentiator():
    class Slope(Differentiator):
        min_points = 3

        def differentiate_segment(self, x, t):
            slope = (x[-1] - x[0]) / (t[-1] - t[0])
            return np.broadcast_to(slope, x.shape)

        def __repr__(self):
            return "Slope()"

    t = np.array([0.0, 1.0, 2.0, 0.0, 2.0, 4.0])
    X = np.array([[0.0], [1.0], [2.0], [0.0], [1.0], [10.0]])
    result = time_derivative(X, t, groups=[0, 0, 0, 1, 1, 1], method=Slope())
    np.testing.assert_allclose(result.ravel(), [1, 1, 1, 2.5, 2.5, 2.5])
    with pytest.raises(ValueError, match=r"2 point\(s\).*Slope\(\).*at least 3"):
        time_derivative(X[:2], t[:2], method=Slope())


def test_repr_and_min_points():
    assert repr(FiniteDifference("forward")) == "FiniteDifference(kind='forward')"
    assert repr(SavitzkyGolay(9, 2)) == "SavitzkyGolay(window_length=9, polyorder=2)"
    assert FiniteDifference().min_points == 2
    assert SavitzkyGolay(9, 2).min_points == 9
    assert METHODS == ("forward", "backward", "central", "savgol")


# --- errors --------------------------------------------------------------------


def test_bad_X():
    t = np.arange(4.0)
    X = np.ones((4, 2))
    for value in (np.nan, np.inf):
        bad = X.copy()
        bad[2, 1] = value
        with pytest.raises(ValueError, match=r"\bX\b contains"):
            time_derivative(bad, t)
    with pytest.raises(ValueError, match="X must be a 2-D"):
        time_derivative(np.ones(4), t)
    with pytest.raises(ValueError, match="X must be an array of finite real"):
        time_derivative([["a"], ["b"], ["c"], ["d"]], t)
    with pytest.raises(ValueError, match="X is empty"):
        time_derivative(np.ones((0, 2)), np.ones(0))


def test_bad_t():
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match=r"t has 3 entries but X has 4 rows"):
        time_derivative(X, np.arange(3.0))
    with pytest.raises(ValueError, match="t must be a 1-D"):
        time_derivative(X, np.arange(4.0)[:, None])
    with pytest.raises(ValueError, match=r"\bt\b contains NaN"):
        time_derivative(X, [0.0, 1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match="t must be an array of finite real"):
        time_derivative(X, ["a", "b", "c", "d"])


@pytest.mark.parametrize("bad_t", [[0.0, 1.0, 1.0, 2.0], [0.0, 2.0, 1.0, 3.0]])
def test_t_not_increasing_within_trajectory(bad_t):
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(
        ValueError, match=r"increasing.*groups=None.*label them with groups"
    ):
        time_derivative(X, bad_t)
    # Split over groups, the same times are fine ...
    time_derivative(X, bad_t, groups=[0, 0, 1, 1])
    # ... and a bad trajectory is named by its label.
    with pytest.raises(ValueError, match=r"t must be strictly increasing.*'walk'"):
        time_derivative(X, [0.0, 2.0, 1.0, 1.5], groups=["run", "walk", "run", "walk"])


def test_bad_groups():
    X = np.ones((4, 1))
    t = np.arange(4.0)
    with pytest.raises(ValueError, match="groups"):
        time_derivative(X, t, groups=[0, 0, 1])
    with pytest.raises(ValueError, match="groups"):
        time_derivative(X, t, groups=np.zeros((4, 1)))
    with pytest.raises(ValueError, match="groups labels must be mutually comparable"):
        time_derivative(X, t, groups=[None, 1, None, 1])
    with pytest.raises(ValueError, match="a mix of numbers and strings"):
        time_derivative(X, t, groups=[1, "1", 1, "1"])


def test_too_short_segment():
    t = np.linspace(0.0, 1.0, 5)
    X = np.ones((5, 2))
    with pytest.raises(
        ValueError, match=r"5 point\(s\).*SavitzkyGolay.*at least 7.*groups"
    ):
        time_derivative(X, t, method="savgol")
    X = np.ones((6, 1))
    t = np.array([0.0, 1.0, 2.0, 0.0, 1.0, 5.0])
    with pytest.raises(
        ValueError, match=r"trajectory 'c'.*\[5\.0, 5\.0\] has 1 point\(s\).*at least 2"
    ):
        time_derivative(X, t, groups=["a", "a", "a", "b", "b", "c"], method="forward")
    # A gap that leaves one isolated point.
    with pytest.raises(ValueError, match=r"\[5\.0, 5\.0\].*1 point\(s\).*max_gap"):
        time_derivative(X[3:], t[3:], method="central", max_gap=2.0)


@pytest.mark.parametrize("method", ["Central", "spline", "", None, 3, FiniteDifference])
def test_bad_method(method):
    with pytest.raises(ValueError, match=r"method must be one of.*'savgol'"):
        time_derivative(np.ones((4, 1)), np.arange(4.0), method=method)


@pytest.mark.parametrize("kind", ["centre", "savgol", None, 1])
def test_bad_kind(kind):
    with pytest.raises(ValueError, match="kind must be one of"):
        FiniteDifference(kind)


@pytest.mark.parametrize("window_length", [2, 4, 1, -3, 7.0, True, "7"])
def test_bad_window_length(window_length):
    with pytest.raises(ValueError, match="window_length"):
        SavitzkyGolay(window_length=window_length, polyorder=1)


@pytest.mark.parametrize(
    ("window_length", "polyorder"), [(7, 7), (5, 9), (7, 0), (7, -1), (7, 2.0)]
)
def test_bad_polyorder(window_length, polyorder):
    with pytest.raises(ValueError, match="polyorder"):
        SavitzkyGolay(window_length=window_length, polyorder=polyorder)


@pytest.mark.parametrize("max_gap", [0.0, -1.0, np.nan, np.inf, "big"])
def test_bad_max_gap(max_gap):
    with pytest.raises(ValueError, match="max_gap"):
        time_derivative(np.ones((4, 1)), np.arange(4.0), max_gap=max_gap)


def test_validation_precedes_computation():
    calls = []

    class Recorder(Differentiator):
        min_points = 2

        def differentiate_segment(self, x, t):
            calls.append(len(t))
            return np.zeros_like(x)

    X = np.ones((6, 1))
    t = np.array([0.0, 1.0, 2.0, 0.0, 1.0, 0.5])  # second trajectory is bad
    with pytest.raises(ValueError, match="t must be strictly increasing"):
        time_derivative(X, t, groups=[0, 0, 0, 1, 1, 1], method=Recorder())
    t = np.array([0.0, 1.0, 2.0, 0.0, 1.0, 9.0])  # last segment too short
    with pytest.raises(ValueError, match="1 point"):
        time_derivative(X, t, groups=[0, 0, 0, 1, 1, 1], method=Recorder(), max_gap=2)
    assert calls == []


@pytest.mark.parametrize("unit", [1e-9, 1e6])
@pytest.mark.parametrize("method", METHODS)
def test_time_unit_only_rescales(method, unit):
    t = random_grid(0.05, stop=3.0)
    X = signal(t)
    result = time_derivative(X, t * unit, method=method)
    np.testing.assert_allclose(result * unit, time_derivative(X, t, method=method))


@pytest.mark.parametrize("unit", [1e-200, 1e-300])
@pytest.mark.parametrize("method", METHODS)
def test_tiny_time_steps_whose_products_underflow(method, unit):
    # Squares and products of these steps underflow to 0 (the central formula
    # once divided by them); the derivatives themselves are finite.
    t = random_grid(0.05, stop=3.0)
    X = signal(t)
    result = time_derivative(X, t * unit, method=method)
    np.testing.assert_allclose(
        result * unit, time_derivative(X, t, method=method), rtol=1e-9
    )


def test_central_on_steps_whose_sum_overflows():
    # x = t² / 1e308 on steps of 1e308: their sum is beyond float64.
    t = np.array([-1e308, 0.0, 1e308])
    x = np.array([1e308, 0.0, 1e308])[:, None]
    assert_array_equal(time_derivative(x, t).ravel(), [-2.0, 0.0, 2.0])


@pytest.mark.parametrize("method", METHODS)
def test_derivatives_beyond_float64_raise(method):
    t = np.arange(8) * 1e-300
    X = signal(np.arange(8.0)) * 1e10  # changes of 1e10 over steps of 1e-300
    with np.errstate(all="raise"):  # and no RuntimeWarning on the way
        with pytest.raises(ValueError, match=r"not finite in \d+ of 8 rows.*overflow"):
            time_derivative(X, t, method=method)


def test_non_finite_output_of_a_custom_method_is_reported():
    class Broken(Differentiator):
        min_points = 1

        def differentiate_segment(self, x, t):
            return np.full(np.shape(x), np.nan)

    with pytest.raises(ValueError, match="not finite in 3 of 3 rows"):
        time_derivative(np.ones((3, 1)), np.arange(3.0), method=Broken())


def test_parameters_can_be_read_and_set_as_in_scikit_learn():
    savgol = SavitzkyGolay(window_length=5, polyorder=2)
    assert savgol.get_params() == {"window_length": 5, "polyorder": 2}
    assert savgol.set_params(window_length=9) is savgol
    assert (savgol.window_length, savgol.min_points) == (9, 9)
    assert FiniteDifference("forward").get_params() == {"kind": "forward"}


@pytest.mark.parametrize(
    ("differentiator", "params", "message"),
    [
        (SavitzkyGolay(), {"window_length": 4}, "window_length must be an odd"),
        (SavitzkyGolay(), {"polyorder": 0}, "polyorder must be an integer"),
        (SavitzkyGolay(), {"order": 2}, r"has no parameter\(s\) \['order'\]"),
        (FiniteDifference(), {"kind": "sideways"}, "kind must be one of"),
    ],
)
def test_bad_set_params_raises_and_keeps_the_old_values(
    differentiator, params, message
):
    before = differentiator.get_params()
    with pytest.raises(ValueError, match=message):
        differentiator.set_params(**params)
    assert differentiator.get_params() == before


@pytest.mark.parametrize(
    ("differentiator", "attribute", "value", "message"),
    [
        (SavitzkyGolay(), "polyorder", 0, "polyorder must be an integer"),
        (FiniteDifference(), "kind", "sideways", "kind must be one of"),
    ],
)
def test_parameters_changed_by_hand_are_checked_before_use(
    differentiator, attribute, value, message
):
    setattr(differentiator, attribute, value)
    t = np.linspace(0.0, 1.0, 12)
    with pytest.raises(ValueError, match=message):
        time_derivative(np.sin(t)[:, None], t, method=differentiator)


def test_grid_search_tunes_the_differentiator_of_an_estimator():
    from sklearn import config_context
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, GroupKFold

    from sklearn_hnn import HamiltonianRegressor

    t = np.tile(np.linspace(0.0, 2.0, 15), 4)
    groups = np.repeat(np.arange(4), 15)
    phase = np.repeat(np.linspace(0.0, 1.5, 4), 15)
    X = np.stack([np.sin(t + phase), np.cos(t + phase)], axis=1)
    est = HamiltonianRegressor(
        hidden_layer_sizes=(8,), max_epochs=3, differentiation=SavitzkyGolay()
    )
    copy = clone(est)
    assert copy.differentiation is not est.differentiation
    assert copy.get_params()["differentiation__window_length"] == 7
    with config_context(enable_metadata_routing=True):  # routes t and groups
        est.set_fit_request(t=True, groups=True).set_score_request(t=True, groups=True)
        search = GridSearchCV(
            est,
            {"differentiation__window_length": [5, 9]},
            cv=GroupKFold(n_splits=2),
        ).fit(X, t=t, groups=groups)
    tried = search.cv_results_["param_differentiation__window_length"]
    assert sorted(tried) == [5, 9]
    assert search.best_estimator_.differentiation.window_length in (5, 9)
    assert est.differentiation.window_length == 7  # the original is untouched
