"""The study subcommand of Gruver et al. (2022), at its --quick size."""

from __future__ import annotations

import json

import pytest

from sklearn_hnn.experiments.__main__ import main
from sklearn_hnn.experiments.study import MODELS, SYSTEMS, run_one

ARGS = [
    "study",
    "--quick",
    "--seeds",
    "1",
    "--systems",
    "chain-1",
    "spring-1-drag",
    "--models",
    "node",
    "node-so",
    "dissipative",
]


def test_quick_study_writes_its_table_figure_and_runs_and_resumes(tmp_path, capsys):
    out = tmp_path / "study"
    assert main([*ARGS, "--output-dir", str(out)]) == 0
    runs = sorted(p.name for p in (out / "runs-quick").iterdir())
    assert len(runs) == 6
    record = json.loads((out / "study-quick.json").read_text())
    assert record["command"].startswith("python -m sklearn_hnn.experiments study")
    for run in record["runs"]:
        assert 0 <= run["rollout_error"] <= 1 and 0 <= run["energy_error"] <= 1
    table = (out / "study-quick.md").read_text()
    assert "| chain-1 | NODE+SO |" in table and "3.8e-04" in table  # the reference
    assert (out / "study-quick.png").stat().st_size > 0
    printed = capsys.readouterr().out
    assert printed.count("seed 0:") == 6
    # Resumed: every run is found, none is trained again.
    assert main([*ARGS, "--output-dir", str(out)]) == 0
    assert "seed 0:" not in capsys.readouterr().out


def test_every_model_trains_on_its_own_form_and_is_scored_in_one():
    for name in MODELS:
        run = run_one("chain-1", name, 0, epochs=1, quick=True)
        assert run["model"] == name and 0 <= run["rollout_error"] <= 1
    assert {MODELS["node"].velocities, MODELS["hnn"].velocities} == {True, False}
    assert {"chain-1", "chain-3-drag", "spring-2"} <= set(SYSTEMS)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--systems", "chain-9"], "unknown"),
        (["--models", "lnn"], "unknown"),
        (["--seeds", "0"], "--seeds"),
        (["--epochs", "0"], "--epochs"),
    ],
)
def test_bad_options_are_refused_before_any_run(tmp_path, capsys, args, match):
    with pytest.raises(SystemExit):
        main(["study", "--quick", *args, "--output-dir", str(tmp_path / "o")])
    assert match in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_run_is_redone_when_its_settings_change(tmp_path, monkeypatch, capsys):
    from sklearn_hnn.experiments import study

    args = ["study", "--quick", "--seeds", "1", "--systems", "chain-1"]
    args += ["--models", "node", "--output-dir", str(tmp_path)]
    assert main(args) == 0
    (run,) = (tmp_path / "runs-quick").glob("*.json")
    assert json.loads(run.read_text())["settings"]["training"]["lr"] == 3e-3
    capsys.readouterr()
    monkeypatch.setitem(study.TRAINING, "lr", 1e-2)
    assert main(args) == 0
    assert "seed 0:" in capsys.readouterr().out  # trained again
    assert json.loads(run.read_text())["settings"]["training"]["lr"] == 1e-2
