"""Every benchmark script runs in its ``--quick`` form and prints each of its
sections, so that none rots between the runs whose output the docs record."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_hnn.experiments import run_task
from sklearn_hnn.experiments.tasks import TASKS

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"

#: Script -> (extra arguments, text each section of its output starts with).
QUICK_RUNS = {
    "bench_core.py": ([], ["(a) training step", "(b) simulate", "speed-up = "]),
    "bench_training.py": ([], ["(a) one training step", "(b) fit for", "(c) fit on"]),
    "bench_simulate.py": (
        [],
        ["(a) simulate", "(b) original", "(c) torchdiffeq", "(d) work against"],
    ),
    "bench_energy_drift.py": ([], ["learned H (HNN)", "true H ("]),
    # Its CUDA code paths, on the CPU.
    "bench_gpu.py": (["--device", "cpu"], ["(1) simulate 2000", "(2) two-body"]),
    "two_body_original_loop.py": (
        ["--seeds", "2", "--loop", "original"],
        ["seed  train loss", "energy_mse: mean", "seeds with energy MSE"],
    ),
}


def test_every_benchmark_has_a_quick_run():
    assert {path.name for path in BENCHMARKS.glob("*.py")} - {"_common.py"} == set(
        QUICK_RUNS
    )


@pytest.mark.parametrize("script", sorted(QUICK_RUNS))
def test_quick_run_prints_every_section(script):
    arguments, sections = QUICK_RUNS[script]
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick", *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith(("command:", "machine:"))
    for section in sections:
        assert section in result.stdout, f"{section!r} missing from {script}"


@pytest.fixture
def original_loop(monkeypatch):
    """``benchmarks/two_body_original_loop.py`` as a module."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import two_body_original_loop

    return two_body_original_loop


def test_original_loop_script_scores_as_the_table_command(original_loop):
    """Its estimator loop and its scoring reproduce the Table 1 command's
    figures for the same seed (quick settings)."""
    task = TASKS["two-body"].quick_version()
    data = task.make_data(0)
    x0, t, reference = task.rollouts(data)
    module = original_loop.train_estimator(data.X_train, data.dXdt_train, 0, task)
    scores = original_loop.score_module(module, data, x0, t, reference, task.substeps)
    expected = run_task("two-body", 0, quick=True)["hnn"]
    for name, value in expected.items():
        assert scores[name] == pytest.approx(value, rel=1e-4), name


@pytest.mark.parametrize("shuffle_epochs", [False, True])
def test_original_loop_trains_and_is_repeatable(original_loop, shuffle_epochs):
    task = TASKS["two-body"].quick_version()
    data = task.make_data(0)
    untrained = original_loop.train_like_original(
        data.X_train, data.dXdt_train, 0, 0, task
    )
    trained = [
        original_loop.train_like_original(
            data.X_train, data.dXdt_train, 0, 200, task, shuffle_epochs
        )
        for _ in range(2)
    ]

    def loss(module) -> float:
        x0, t, reference = task.rollouts(data)
        scored = original_loop.score_module(module, data, x0, t, reference, 1)
        return scored["train_loss"]

    assert loss(trained[0]) < 0.1 * loss(untrained)
    first, second = (
        np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
        for m in trained
    )
    np.testing.assert_array_equal(first, second)
