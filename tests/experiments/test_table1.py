from __future__ import annotations

import json
import os

import numpy as np
import pytest
from sklearn.utils import Bunch

from sklearn_hnn.datasets import sample_two_body_states
from sklearn_hnn.datasets.real import DATA_ENV
from sklearn_hnn.experiments import TASKS, run_task, summarise
from sklearn_hnn.experiments.__main__ import main
from sklearn_hnn.experiments.table1 import format_markdown
from sklearn_hnn.experiments.tasks import Task, evaluation_states, orbit_rollouts
from sklearn_hnn.systems import NBody


def test_evaluation_states_cover_the_training_radius_range():
    x0 = evaluation_states((1.3, 2.3))
    radius = np.linalg.norm(x0, axis=1)
    assert x0.shape == (25, 2)
    assert radius.min() == pytest.approx(1.3) and radius.max() == pytest.approx(2.3)


@pytest.mark.parametrize("name", TASKS)
def test_quick_run_of_every_task_produces_every_metric(name, data_env):
    if name == "pixel-pendulum":
        pytest.importorskip("gymnasium")
    result = run_task(name, 0, quick=True)
    for model in ("baseline", "hnn"):
        assert {"train_loss", "test_loss", "energy_mse"} <= set(result[model])
        assert all(np.isfinite(v) and v >= 0 for v in result[model].values())
    assert set(result["seconds"]) == {"data", "baseline", "hnn"}


STATE_TASKS = [name for name in TASKS if isinstance(TASKS[name], Task)]


@pytest.mark.parametrize("name", STATE_TASKS)
def test_rollouts_match_their_reference(name, data_env):
    task = TASKS[name].quick_version()
    data = task.make_data(0)
    x0, t, reference = task.rollouts(data)
    assert reference.shape == (len(x0), len(t), data.X_train.shape[1])
    np.testing.assert_allclose(reference[:, 0], x0)
    assert np.ptp(reference, axis=1).max() > 0.05  # the reference moves
    if task.measured:  # the measurements themselves
        np.testing.assert_array_equal(reference[0], data.X_test)
    else:  # a true trajectory: it keeps the system's energy
        energy = data.system.hamiltonian(reference)
        start = np.broadcast_to(energy[:, :1], energy.shape)
        np.testing.assert_allclose(energy, start, rtol=1e-6, atol=1e-9)


def test_orbit_evaluation_uses_fresh_seeded_orbits():
    data = Bunch(system=NBody())
    x0, t, reference = orbit_rollouts(
        data, sample_states=sample_two_body_states, n_orbits=3, n_times=20
    )
    expected = sample_two_body_states(np.random.default_rng(2), 1)[0]
    np.testing.assert_array_equal(x0[2], expected)
    assert t[-1] == 25.0 and reference.shape == (3, 20, 8)


def test_real_pendulum_rollout_starts_at_the_first_test_sample(data_env):
    task = TASKS["real-pendulum"]
    data = task.make_data(0)
    x0, t, reference = task.rollouts(data)
    assert x0.shape == (1, 2) and len(t) == 110
    assert t[0] == pytest.approx(81.17, abs=0.01)
    np.testing.assert_array_equal(reference[0], data.X_test)


def test_summarise_mean_and_standard_error():
    runs = [
        {
            "baseline": {"train_loss": v, "test_loss": v, "energy_mse": v},
            "hnn": {"train_loss": 1.0, "test_loss": 1.0, "energy_mse": 1.0},
            "seconds": {"data": v, "baseline": 1.0, "hnn": 2.0},
        }
        for v in (1.0, 2.0, 3.0)
    ]
    summary = summarise(runs)
    assert summary["baseline"]["train_loss"] == pytest.approx((2.0, 1.0 / np.sqrt(3)))
    assert summary["hnn"]["energy_mse"] == (1.0, 0.0)
    assert summary["seconds"] == {"data": 2.0, "baseline": 1.0, "hnn": 2.0}


def test_summarise_rejects_no_runs():
    with pytest.raises(ValueError, match="runs must hold at least one run"):
        summarise([])


def test_markdown_puts_three_bodies_in_its_own_table():
    numbers = {"train_loss": (1e-2, 1e-3), "test_loss": (1e-2, 0), "energy_mse": (1, 0)}
    summary = {"baseline": numbers, "hnn": numbers}
    text = format_markdown({"two-body": summary, "three-body": summary}, 5)
    table1, table2 = text.split("**Table 2")
    assert "two-body" in table1 and "three-body" not in table1
    assert "three-body" in table2
    assert "6.3e4±3e4" in table1  # the paper's baseline energy MSE, beside ours
    assert "| three-body (×1e-02) | ours, 5 seeds | 1.00±0.10 / 1.00±0.10 |" in table2


def test_command_line_writes_markdown_and_json(
    tmp_path, capsys, shared_data_dir, monkeypatch
):
    monkeypatch.delenv(DATA_ENV, raising=False)
    argv = ["spring", "real-pendulum", "--seeds", "2", "--quick"]
    argv += ["--data-dir", str(shared_data_dir), "--output-dir", str(tmp_path)]
    assert main(argv) == 0
    table = (tmp_path / "tables.md").read_text()
    assert "| ideal spring" in table and "| real pendulum" in table
    assert "0.38" in table  # the published HNN energy MSE sits beside ours
    assert table.startswith("Command: `python -m sklearn_hnn.experiments spring")
    record = json.loads((tmp_path / "tables.json").read_text())
    assert len(record["runs"]["real-pendulum"]) == 2
    assert record["summary"]["spring"]["hnn"]["energy_mse"][0] >= 0
    assert "real-pendulum seed 1" in capsys.readouterr().out
    assert DATA_ENV not in os.environ  # --data-dir does not outlive the call


def test_command_line_rejects_unknown_tasks(capsys):
    with pytest.raises(SystemExit):
        main(["spring", "four-body"])
    assert "unknown task(s) ['four-body']" in capsys.readouterr().err


def test_paper_values_are_recorded_for_each_task():
    assert TASKS["spring"].paper["hnn"]["energy_mse"] == (0.38, 0.1)
    assert TASKS["real-pendulum"].paper["hnn"]["energy_mse"] == (14, 5)
    assert TASKS["two-body"].paper["baseline"]["energy_mse"] == (6.3e4, 3e4)
    assert TASKS["three-body"].table == "2"
    assert TASKS["pixel-pendulum"].paper["hnn"]["energy_mse"] == (0.15, 0.01)


@pytest.fixture(scope="module")
def full_tables(shared_data_dir):
    """Tables 1 and 2 with the protocol and 5 seeds (about 16 minutes
    on 2 cores): energy MSE ``(baseline, hnn)`` means and test losses per task."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATA_ENV, str(shared_data_dir))
        summaries = {
            name: summarise([run_task(name, seed) for seed in range(5)])
            for name in STATE_TASKS  # the pixel row has its own (test_pixels.py)
        }
    return summaries


def _energy(summaries, name):
    s = summaries[name]
    return s["baseline"]["energy_mse"][0], s["hnn"]["energy_mse"][0]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["spring", "pendulum", "real-pendulum"])
def test_hnn_energy_error_at_or_below_the_papers(full_tables, name):
    paper = TASKS[name].paper["hnn"]["energy_mse"][0] * TASKS[name].scale
    assert _energy(full_tables, name)[1] <= paper


@pytest.mark.slow
def test_two_body_hnn_energy_error_at_or_below_the_papers(full_tables):
    assert _energy(full_tables, "two-body")[1] <= 39e-6


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "factor"),
    [("spring", 10), ("real-pendulum", 10), ("two-body", 1000), ("three-body", 10)],
)
def test_baseline_energy_error_is_far_above_the_hnns(full_tables, name, factor):
    baseline, hnn = _energy(full_tables, name)
    assert baseline >= factor * hnn


@pytest.mark.slow
def test_two_body_hnn_test_loss_an_order_of_magnitude_below_the_baselines(
    full_tables,
):
    s = full_tables["two-body"]
    assert s["hnn"]["test_loss"][0] * 10 <= s["baseline"]["test_loss"][0]


def test_learning_rate_decays_to_zero_unless_constant_is_asked(monkeypatch):
    from sklearn_hnn.experiments import table1

    fitted = []
    original = table1.MODELS["hnn"].fit

    def spy(self, X, y=None, **kwargs):
        fitted.append(original(self, X, y, **kwargs))
        return fitted[-1]

    monkeypatch.setattr(table1.MODELS["hnn"], "fit", spy)
    table1.run_task("spring", 0, quick=True)  # the protocol: cosine decay
    optimizer = fitted[-1].net_.optimizer_
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)
    table1.run_task("spring", 0, quick=True, lr_schedule="constant")  # the paper's
    assert fitted[-1].net_.optimizer_.param_groups[0]["lr"] == 1e-3
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        table1.run_task("spring", 0, lr_schedule="linear")


def test_differentiation_option_changes_only_measured_data(data_env):
    task = TASKS["real-pendulum"]
    forward = task.make_data(0)
    central = task.make_data(0, differentiation="central")
    assert len(forward.X_test) == len(central.X_test) == 110
    assert len(central.X_train) == len(forward.X_train) + 1  # keeps the last sample
    assert not np.allclose(forward.dXdt_test, central.dXdt_test)
    quick = run_task("real-pendulum", 0, quick=True, differentiation="savgol")
    assert quick["hnn"]["energy_mse"] >= 0
    # Simulated tasks have exact derivatives: the option leaves them alone.
    with_option = run_task("spring", 0, quick=True, differentiation="central")
    without = run_task("spring", 0, quick=True)
    for model in ("baseline", "hnn"):
        assert with_option[model] == without[model]


def test_command_line_labels_departures_from_the_protocol(capsys, shared_data_dir):
    argv = ["real-pendulum", "--seeds", "1", "--quick", "--lr-schedule", "constant"]
    argv += ["--differentiation", "central", "--data-dir", str(shared_data_dir)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "ours, 1 seeds, quick settings, constant lr, central derivatives" in out


def test_command_line_checks_for_the_real_pendulum_data_first(
    capsys, monkeypatch, tmp_path
):
    monkeypatch.delenv(DATA_ENV, raising=False)
    with pytest.raises(SystemExit):
        main(["spring", "real-pendulum", "--quick", "--data-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert "real_pend_h_1.txt" in captured.err and "--data-dir" in captured.err
    assert "spring seed" not in captured.out  # nothing ran


def test_command_line_checks_the_whole_real_pendulum_file_first(
    capsys, shared_data_dir, tmp_path
):
    text = (shared_data_dir / "real_pend_h_1.txt").read_bytes()
    (tmp_path / "real_pend_h_1.txt").write_bytes(text[:20000])
    with pytest.raises(SystemExit):
        main(["spring", "real-pendulum", "--quick", "--data-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert "--data-dir" in captured.err and "truncated" in captured.err
    assert DATA_ENV not in captured.err
    assert "spring seed" not in captured.out  # nothing ran


@pytest.mark.parametrize("option", ["--data-dir", "--cache-dir", "--output-dir"])
def test_command_line_rejects_a_file_for_a_directory_before_running(
    capsys, shared_data_dir, tmp_path, option
):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    argv = ["spring", "real-pendulum", "--quick", "--seeds", "1"]
    if option != "--data-dir":
        argv += ["--data-dir", str(shared_data_dir)]
    with pytest.raises(SystemExit):
        main([*argv, option, str(a_file)])
    captured = capsys.readouterr()
    assert f"{option} must be a directory" in captured.err
    assert "spring seed" not in captured.out  # nothing ran


def test_the_derivatives_label_only_marks_tables_with_measured_data(capsys):
    assert (
        main(["spring", "--seeds", "1", "--quick", "--differentiation", "central"]) == 0
    )
    out = capsys.readouterr().out
    assert "ours, 1 seeds, quick settings |" in out and "derivatives" not in out


def test_command_line_caches_the_simulated_datasets(tmp_path):
    cache_dir = tmp_path / "cache"
    simulated = ["spring", "pendulum", "two-body", "three-body"]
    argv = [*simulated, "--seeds", "1", "--quick", "--cache-dir", str(cache_dir)]
    assert main(argv) == 0
    files = sorted(path.name for path in cache_dir.iterdir())
    assert [name.rsplit("-", 1)[0] for name in files] == sorted(simulated)

    def stamps():
        return {(p, p.stat().st_ino, p.stat().st_mtime_ns) for p in cache_dir.iterdir()}

    written = stamps()
    # Read back, not rewritten; the results are those of uncached data.
    cached = run_task("spring", 0, quick=True, cache_dir=cache_dir)
    assert stamps() == written
    uncached = run_task("spring", 0, quick=True)
    for model in ("baseline", "hnn"):
        assert cached[model] == uncached[model]


def test_with_no_task_named_rows_without_their_data_are_skipped_and_listed(
    capsys, monkeypatch, tmp_path
):
    monkeypatch.delenv(DATA_ENV, raising=False)
    rows = {name: TASKS[name] for name in ("spring", "real-pendulum")}
    monkeypatch.setattr("sklearn_hnn.experiments.__main__.TASKS", rows)
    argv = ["--quick", "--seeds", "1", "--output-dir", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "spring seed 0" in out and "real-pendulum seed" not in out
    skipped = out.split("**Skipped rows**")[1]
    assert "real-pendulum: " in skipped and "real_pend_h_1.txt" in skipped
    assert "--data-dir" in skipped and "Schmidt & Lipson" in skipped
    assert "**Skipped rows**" in (tmp_path / "tables.md").read_text()
    assert list(json.loads((tmp_path / "tables.json").read_text())["runs"]) == [
        "spring"
    ]


def test_with_no_row_able_to_run_the_command_says_why(capsys, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    rows = {"real-pendulum": TASKS["real-pendulum"]}
    monkeypatch.setattr("sklearn_hnn.experiments.__main__.TASKS", rows)
    with pytest.raises(SystemExit):
        main(["--quick", "--seeds", "1"])
    assert "no row can run here" in capsys.readouterr().err


def test_the_pixel_row_is_unavailable_without_its_extra(monkeypatch):
    assert TASKS["pixel-pendulum"].unavailable() is None  # installed here

    def missing():
        raise ImportError("Rendering the pixel pendulum needs the 'pixels' extra")

    monkeypatch.setattr("sklearn_hnn.experiments.pixels.check_pixels_extra", missing)
    assert "'pixels' extra" in TASKS["pixel-pendulum"].unavailable()
    assert TASKS["spring"].unavailable() is None


def test_a_data_dir_without_the_file_fails_at_once_even_with_no_task_named(
    capsys, monkeypatch, tmp_path
):
    monkeypatch.delenv(DATA_ENV, raising=False)
    rows = {name: TASKS[name] for name in ("spring", "real-pendulum")}
    monkeypatch.setattr("sklearn_hnn.experiments.__main__.TASKS", rows)
    with pytest.raises(SystemExit):
        main(["--quick", "--seeds", "1", "--data-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert "real_pend_h_1.txt" in captured.err and "spring seed" not in captured.out
