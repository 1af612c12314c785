"""Every example runs, and what it prints holds."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_hnn.datasets.real import DATA_ENV

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


def test_examples_exist():
    assert len(EXAMPLES) >= 3


def _quickstart(names: dict) -> None:
    """The HNN keeps the true energy far better than the baseline."""
    assert names["drifts"]["HNN"] < names["drifts"]["baseline"] / 10


def _adding_energy(names: dict) -> None:
    """The symplectic field keeps H; the gradient raises it forward in time and
    lowers it backward."""
    paths = names["paths"]
    kept = paths["symplectic", "forward"]
    assert np.ptp(kept) < 0.01 * kept[0]
    assert (np.diff(paths["gradient", "forward"]) > 0).all()
    assert (np.diff(paths["gradient", "backward"]) < 0).all()


def _grid_search(names: dict) -> None:
    """The search keeps the setting whose rollouts follow the held-out
    trajectories best, which also fits their derivatives; the worst setting's
    rollouts are far off."""
    search = names["search"]
    errors = -search.cv_results_["mean_test_rollout"]  # rollout MSE per setting
    assert search.best_index_ == np.argmin(errors)
    assert search.cv_results_["mean_test_R²"][search.best_index_] > 0.9
    assert errors[search.best_index_] < errors.max() / 5


def _real_pendulum(names: dict) -> None:
    """The two models swap places when the derivatives change."""
    errors = names["errors"]
    hnn, baseline = "HamiltonianRegressor", "BaselineDynamicsRegressor"
    assert errors["forward", hnn] < errors["forward", baseline] / 10
    assert errors["central", baseline] < errors["central", hnn]


def _pixel_pendulum(names: dict) -> None:
    """The rollout keeps the learned energy; the gradient field adds some; the
    pictures are written."""
    learned = names["learned"]
    assert np.ptp(learned) < 1e-3 * max(np.abs(learned).max(), 1e-6) + 1e-6
    assert (np.diff(names["added"]) > 0).all()
    kept = names["kept"]
    assert np.ptp(kept) < 1e-3 * np.abs(kept).max() + 1e-6
    assert names["gif"].stat().st_size > 0
    assert (names["out"] / "code_plane.png").stat().st_size > 0


def _integrators(names: dict) -> None:
    """RK4's energy error grows; the symplectic methods' stays bounded."""
    drift = names["drift"]
    assert drift["rk4"][1] > 3 * drift["rk4"][0]  # it grows about linearly
    for method in ("implicit_midpoint", "tao"):
        first, last = drift[method]
        assert last < 1.5 * first


def _without_derivatives(names: dict) -> None:
    """Learned from times alone, the rollout follows the truth as closely as
    one learned from the exact derivatives."""
    errors = names["errors"]
    assert errors["from t alone"] < 0.05
    assert errors["from t alone"] < 3 * errors["from exact dX/dt"] + 0.01


def _gpu(names: dict) -> None:
    """The fit ran on the device it names, and the rollout is finite."""
    device = next(names["hnn"].module_.parameters()).device
    assert device.type == names["device"]
    assert np.isfinite(names["orbit"]).all()


def _dask_search(names: dict) -> None:
    """The search ran on both workers and found a setting that fits."""
    assert names["workers"] == 2
    assert names["search"].best_score_ > 0.9


def _two_body(names: dict) -> None:
    """Over the held-out orbits, the HNN's energy drifts far less than the
    baseline's."""
    drift = names["drift"]
    assert drift["HNN"] < drift["baseline"] / 10


def _three_body(names: dict) -> None:
    """Both models part from the truth on most orbits; the HNN later, and
    with far less energy drift."""
    parted, drift = names["parted"], names["drift"]
    for name in ("baseline", "HNN"):
        assert np.mean(np.isfinite(parted[name])) > 0.5
    assert np.median(parted["HNN"]) > np.median(parted["baseline"])
    assert np.median(drift["HNN"]) < np.median(drift["baseline"]) / 2


def _figure2(names: dict) -> None:
    """On both tasks, the HNN's energy after 20 s is far closer to the start
    than the baseline's."""
    drift = names["final_drift"]
    for task in ("mass-spring", "pendulum"):
        assert drift[task, "HNN"] < drift[task, "baseline"] / 10


def _dissipative(names: dict) -> None:
    """With drag, the dissipative model ends near the true energy and the HNN
    far from it; its learned energy never rises; on the real pendulum its
    energy error is well below the HNN's."""
    final = names["final"]
    assert final["dissipative HNN"] < final["HNN"] / 5
    learned = names["learned"]["dissipative HNN"]
    assert np.diff(learned).max() <= 1e-6 * np.abs(learned).max()
    mse = names["energy_mse"]
    assert mse["dissipative HNN"] < mse["HNN"] / 3


#: What each example claims, checked on the names it leaves behind.
CLAIMS = {
    "plot_quickstart.py": _quickstart,
    "plot_adding_energy.py": _adding_energy,
    "plot_integrators.py": _integrators,
    "plot_without_derivatives.py": _without_derivatives,
    "plot_gpu.py": _gpu,
    "plot_dask_search.py": _dask_search,
    "plot_figure2.py": _figure2,
    "plot_two_body.py": _two_body,
    "plot_three_body.py": _three_body,
    "plot_grid_search.py": _grid_search,
    "plot_real_pendulum.py": _real_pendulum,
    "plot_pixel_pendulum.py": _pixel_pendulum,
    "plot_dissipative.py": _dissipative,
}


def test_every_example_has_its_claims_checked():
    assert {path.name for path in EXAMPLES} == set(CLAIMS)


#: Examples that read the real pendulum of the shared data directory.
NEEDS_DATA = {"plot_real_pendulum.py", "plot_dissipative.py"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_and_holds_its_claims(path, capsys, monkeypatch, request):
    if path.name in NEEDS_DATA:  # reads the shared data directory
        directory = request.getfixturevalue("shared_data_dir")
        monkeypatch.setenv(DATA_ENV, str(directory))
    monkeypatch.setenv("MPLBACKEND", "Agg")  # figures drawn headless
    monkeypatch.setenv("SKLEARN_HNN_QUICK_EXAMPLES", "1")  # reduced sizes
    names = runpy.run_path(str(path), run_name="__main__")
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    assert capsys.readouterr().out.strip()
    CLAIMS[path.name](names)
