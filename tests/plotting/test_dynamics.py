"""Phase portraits, rollouts and energy plots, drawn headless (Agg)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sklearn_hnn.plotting import (  # noqa: E402
    plot_energy,
    plot_phase_portrait,
    plot_rollout,
)
from sklearn_hnn.systems import MassSpring  # noqa: E402
from tests.conftest import spring_energy, spring_field  # noqa: E402
from tests.plotting._canvas import assert_labels_on_canvas  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_phase_portrait_of_a_fitted_hnn_draws_its_field_energy_and_data(
    fitted_hnn, spring_data
):
    X, dXdt = spring_data
    drawn = plot_phase_portrait(fitted_hnn, X[:50], dXdt[:50], resolution=7)
    # The field's arrows are the model's prediction on a 7 x 7 grid.
    grid = np.asarray(drawn.field.XY)
    assert grid.shape == (49, 2)
    arrows = np.stack([drawn.field.U, drawn.field.V], axis=1)
    assert_allclose(arrows, fitted_hnn.predict(grid), rtol=1e-5, atol=1e-6)
    # The energy's contours are circles, as H = q^2 + p^2's are.
    assert drawn.contours is not None and len(drawn.contours.levels) > 3
    assert drawn.data.N == 50
    low, high = drawn.ax.get_xlim()
    assert low < X[:50, 0].min() and X[:50, 0].max() < high


def test_a_baseline_has_no_contours_and_streamlines_work(fitted_baseline):
    drawn = plot_phase_portrait(
        fitted_baseline, extent=(-1, 1, -1, 1), kind="streamlines", resolution=9
    )
    assert drawn.contours is None and drawn.data is None
    assert len(drawn.field.lines.get_segments()) > 10
    assert drawn.ax.get_xlim() == (-1, 1) and drawn.ax.get_ylim() == (-1, 1)


def test_a_system_draws_its_true_field_and_energy_on_a_given_axes():
    _, ax = plt.subplots()
    system = MassSpring()
    drawn = plot_phase_portrait(system, extent=(-2, 2, -1, 1), ax=ax, resolution=5)
    assert drawn.ax is ax
    grid = np.asarray(drawn.field.XY)
    arrows = np.stack([drawn.field.U, drawn.field.V], axis=1)
    assert_allclose(arrows, system.vector_field(grid))
    assert drawn.contours.levels.min() >= 0  # the spring's energy is >= 0


def test_data_alone_sets_the_extent_with_a_margin():
    X = np.array([[0.0, 0.0], [1.0, 2.0]])
    drawn = plot_phase_portrait(X=X)
    low, high = drawn.ax.get_xlim()
    assert low < 0 < 1 < high
    assert drawn.data.get_offsets().shape == (2, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "Nothing to draw"),
        ({"X": np.zeros((3, 4))}, "2 columns"),
        ({"X": np.zeros((3, 2)), "y": np.zeros((2, 2))}, "shape of X"),
        ({"model": MassSpring(), "y": np.zeros((2, 2))}, "give X too"),
        ({"model": MassSpring()}, "Give X or extent"),
        ({"model": MassSpring(), "extent": (1, 0, 0, 1)}, "q_min < q_max"),
        ({"model": MassSpring(), "extent": (0, 1)}, "four finite numbers"),
        ({"model": object(), "extent": (0, 1, 0, 1)}, "with predict"),
        ({"X": np.zeros((3, 2)), "kind": "quiver"}, "kind"),
        ({"X": np.zeros((3, 2)), "resolution": 1}, "at least 2"),
    ],
)
def test_phase_portrait_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_phase_portrait(**kwargs)


def test_rollouts_draw_one_line_per_model_and_coordinate(fitted_hnn):
    t = np.linspace(0, 3, 31)
    x0 = np.array([0.5, 0.0])
    true = MassSpring().trajectories(x0[None], t)[0]
    hnn = fitted_hnn.simulate(x0, t)
    drawn = plot_rollout(t, {"true": true, "HNN": hnn})
    assert [len(lines) for lines in drawn.lines.values()] == [2, 2]
    assert_allclose(drawn.lines["HNN"][1].get_ydata(), hnn[:, 1])
    only_q = plot_rollout(t, {"true": true}, coordinates=[0])
    assert len(only_q.lines["true"]) == 1
    assert only_q.ax.get_legend() is not None


@pytest.mark.parametrize(
    ("rollouts", "kwargs", "message"),
    [
        ({"a": np.zeros((4, 2))}, {}, "has 4 times, but t has 5"),
        ({"a": np.zeros((5, 2)), "b": np.zeros((5, 3))}, {}, "of one width"),
        ({"a": np.zeros((5, 2))}, {"coordinates": [2]}, r"in \[0, 2\)"),
        ({}, {}, "non-empty mapping"),
    ],
)
def test_plot_rollout_rejects_bad_input(rollouts, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_rollout(np.arange(5.0), rollouts, **kwargs)


def test_energy_of_states_and_given_energies_and_gaps_after_a_blow_up():
    t = np.linspace(0, 1, 6)
    states = np.stack([np.cos(2 * t), -np.sin(2 * t)], axis=1)
    blown = states.copy()
    blown[4:] = np.nan
    drawn = plot_energy(
        t,
        {"true": states, "blown up": blown, "given": np.full(6, 0.5)},
        energy=spring_energy,
    )
    assert_allclose(drawn.energies["true"], 1.0)
    assert np.isnan(drawn.energies["blown up"][4:]).all()
    assert_allclose(drawn.energies["blown up"][:4], 1.0)
    assert_allclose(drawn.lines["given"].get_ydata(), 0.5)


def test_energy_of_states_needs_an_energy_function():
    with pytest.raises(ValueError, match="give energy="):
        plot_energy(np.arange(3.0), {"a": spring_field(np.zeros((3, 2)))})


def test_a_model_of_the_wrong_width_leaves_the_users_axes_untouched(fitted_hnn):
    class Wide:
        def predict(self, X):
            return np.zeros((len(X), 4))

    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"\(n, 2\) derivatives"):
        plot_phase_portrait(Wide(), extent=(0, 1, 0, 1), ax=ax)
    assert not ax.lines and not ax.collections


T = np.linspace(0, 1, 6)
STATES = np.stack([np.cos(2 * T), -np.sin(2 * T)], axis=1)


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plot_phase_portrait(MassSpring(), extent=(-1, 1, -1, 1)),
        lambda: plot_rollout(T, {"true": STATES}),
        lambda: plot_energy(T, {"true": STATES}, energy=spring_energy),
    ],
    ids=["phase_portrait", "rollout", "energy"],
)
def test_a_figure_made_for_the_user_saves_with_its_labels(draw, tmp_path):
    drawn = draw()
    assert_labels_on_canvas(drawn.ax.figure, tmp_path / "figure.png")


def test_the_users_axes_keep_their_figures_layout():
    figure, ax = plt.subplots()
    plot_energy(T, {"true": STATES}, energy=spring_energy, ax=ax)
    assert figure.get_layout_engine() is None
