"""Every benchmark script runs in its ``--quick`` form and prints each of its
sections, so that none rots between the runs whose output the docs record.

Most ``--quick`` runs train a model and time things: seconds to minutes, and
many minutes on a busy 2-core machine, so they are ``slow`` (``pytest -m
slow``) and the default run keeps only the ones that take seconds. What it
does not run whole, it covers in process below, with a tiny model and tiny
sizes. No test here has a time limit as such: the subprocess timeout only
stops a hung script.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.experiments import run_task
from sklearn_hnn.experiments.tasks import TASKS

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"

#: Only stops a hung script; a slow machine must not fail a test. On 2 cores
#: shared with other work, ``bench_simulate.py --quick`` alone took 31 minutes.
HANG_TIMEOUT = 2 * 3600

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
    "bench_gpu.py": (
        ["--device", "cpu"],
        [
            "(0) 1 states",
            "(1) simulate 2000",
            "floor:",
            "(2) simulate 100",
            "(3) two-body",
        ],
    ),
    "two_body_original_loop.py": (
        ["--seeds", "2", "--loop", "original"],
        ["seed  train loss", "energy_mse: mean", "seeds with energy MSE"],
    ),
    "two_body_replay.py": (
        ["--data-seeds", "2"],
        ["data seed  torch seed", "hnn energy_mse: mean", "test-loss ratio"],
    ),
}

#: The ``--quick`` runs that take about 5 s on 2 idle cores, run by default.
#: The others take 11 s to 80 s there, and up to 20 times as long when other
#: torch processes share the cores: they are ``slow``.
TINY_QUICK_RUNS = {"two_body_original_loop.py", "two_body_replay.py"}


def test_every_benchmark_has_a_quick_run():
    assert {path.name for path in BENCHMARKS.glob("*.py")} - {"_common.py"} == set(
        QUICK_RUNS
    )
    assert TINY_QUICK_RUNS <= set(QUICK_RUNS)


@pytest.mark.parametrize(
    "script",
    [
        script
        if script in TINY_QUICK_RUNS
        else pytest.param(script, marks=pytest.mark.slow)
        for script in sorted(QUICK_RUNS)
    ],
)
def test_quick_run_prints_every_section(script):
    arguments, sections = QUICK_RUNS[script]
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick", *arguments],
        capture_output=True,
        text=True,
        timeout=HANG_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith(("command:", "machine:"))
    for section in sections:
        assert section in result.stdout, f"{section!r} missing from {script}"


# --- the slow scripts' code, in process, at tiny sizes --------------------------


@pytest.fixture
def bench_script(monkeypatch):
    """``bench_script("bench_core")``: that script of ``benchmarks/`` as a module."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module


@pytest.fixture(scope="module")
def tiny_pendulum() -> HamiltonianRegressor:
    """A pendulum HNN of two 8-unit layers after one epoch: code paths, not
    figures, are under test."""
    X = np.random.default_rng(0).uniform(-2.0, 2.0, size=(64, 2))
    dXdt = np.stack([2.0 * X[:, 1], -3.0 * np.sin(X[:, 0])], axis=1)
    return HamiltonianRegressor(
        hidden_layer_sizes=(8, 8), max_epochs=1, random_state=0
    ).fit(X, dXdt)


def test_bench_core_simulation_ratio(bench_script, monkeypatch, tiny_pendulum):
    bench_core = bench_script("bench_core")
    monkeypatch.setattr(bench_core, "trained_pendulum", lambda **_: tiny_pendulum)
    result = bench_core.simulation_ratio(n_initial=3, n_steps=4, n_loop=1)
    assert set(result["loop_per_trajectory"]) == {
        ("original", 1e-12),
        ("original", 1e-3),
        ("explicit", 1e-12),
    }
    assert result["batched_seconds"] > 0 and result["floor_seconds"] > 0
    assert np.isfinite(result["max_deviation_from_rtol_1e-12_loop"])


def test_bench_simulate_sections(bench_script, tiny_pendulum, capsys):
    bench_simulate = bench_script("bench_simulate")
    rk4, _ = bench_simulate.grid(tiny_pendulum, (1, 100), 4)
    bench_simulate.floor_and_latency(tiny_pendulum, rk4, 4)
    bench_simulate.original_loop(tiny_pendulum, 1, 4, rk4)
    bench_simulate.against_torchdiffeq(tiny_pendulum, (1, 2), 4)
    out = capsys.readouterr().out
    for section in ("(a) simulate", "one trajectory:", "(b) original", "(c) torch"):
        assert section in out


def test_bench_training_fit_against_loop(bench_script):
    result = bench_script("bench_training").fit_against_loop(epochs=2, rounds=1)
    # The estimator's fit and the plain loop take the same steps.
    assert result["weight difference"] < 1e-5
    assert result["fit"] > 0 and result["loop"] > 0


def test_bench_gpu_paths_on_cpu(bench_script, tiny_pendulum, capsys):
    bench_gpu = bench_script("bench_gpu")
    bench_gpu.step_latency(tiny_pendulum, "cpu", 4, (1, 2))
    bench_gpu.against_original_loop(tiny_pendulum, tiny_pendulum, "cpu", True)
    out = capsys.readouterr().out
    assert "(0) 1 states x 4 RK4 steps on cpu" in out
    assert "(2) simulate 100 x 200 RK4 steps on cpu" in out


def test_bench_energy_drift_summary(bench_script):
    energy = np.array([[1.0, 1.1, 0.9, 1.0, 1.5]])
    first, last = bench_script("bench_energy_drift")._summary(energy, window=2)
    assert first == pytest.approx(0.1) and last == pytest.approx(0.5)


@pytest.fixture
def original_loop(monkeypatch):
    """``benchmarks/two_body_original_loop.py`` as a module."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import two_body_original_loop

    return two_body_original_loop


def test_original_loop_script_scores_as_the_table_command(original_loop):
    """Its estimator loop and its scoring reproduce the Table 1 command's
    figures at the constant rate it studies, for the same seed (quick
    settings)."""
    task = TASKS["two-body"].quick_version()
    data = task.make_data(0)
    x0, t, reference = task.rollouts(data)
    module = original_loop.train_estimator(data.X_train, data.dXdt_train, 0, task)
    scores = original_loop.score_module(module, data, x0, t, reference, task.substeps)
    expected = run_task("two-body", 0, quick=True, lr_schedule="constant")["hnn"]
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


@pytest.fixture
def replay(monkeypatch):
    """``benchmarks/two_body_replay.py`` as a module."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import two_body_replay

    return two_body_replay


def test_replay_draws_the_original_initial_states(replay):
    """Body 1 at ``0.5 + U[0, 1]^2`` from the first two uniform draws, body 2
    opposite, and the circular speed times ``1 + 0.05 n`` from the next normal
    draw, orthogonal to the position (counter-clockwise)."""
    for seed in range(5):
        state = replay.legacy_initial_state(np.random.RandomState(seed))
        draws = np.random.RandomState(seed)
        position = 0.5 + draws.rand(2)
        factor = 1.0 + 0.05 * draws.randn()
        np.testing.assert_array_equal(state[:2], position)
        np.testing.assert_array_equal(state[2:4], -position)
        np.testing.assert_array_equal(state[6:], -state[4:6])
        radius = np.linalg.norm(position)
        speed = np.linalg.norm(state[4:6])
        assert speed == pytest.approx(factor / (2 * np.sqrt(radius)), rel=1e-12)
        assert position[0] * state[5] - position[1] * state[4] > 0


def test_replay_dataset_is_exact_and_split_as_the_original(replay):
    data = replay.legacy_dataset(3, n_orbits=10, n_points=20, t_max=5.0)
    assert data.X_test.shape == (40, 8) and data.X_train.shape == (160, 8)
    # The first orbits drawn are the test set.
    np.testing.assert_array_equal(
        data.X_test[0], replay.legacy_initial_state(np.random.RandomState(3))
    )
    np.testing.assert_allclose(
        data.dXdt_train, data.system.vector_field(data.X_train), rtol=1e-12
    )
    energy = data.system.hamiltonian(data.X_train).reshape(8, 20)
    # Each orbit keeps its energy to the original's loose tolerance (atol 1e-6).
    assert np.abs(energy - energy[:, :1]).max() < 1e-5


def test_replay_network_is_the_original_field_in_our_order(replay):
    """The original network reads ``[x1, x2, y1, y2, vx1, ...]``; on states in
    our order ``[x1, y1, x2, y2, px1, ...]`` the HNN module is ``(dH/dp,
    -dH/dq)`` of ``H``, the network's second output on the reordered state."""
    torch.manual_seed(0)
    module = replay.OriginalNetwork(hnn=True).eval()
    x = torch.randn(6, 8, dtype=torch.float32, requires_grad=True)
    original = x[:, [0, 2, 1, 3, 4, 6, 5, 7]]
    hidden = module.linear2(module.linear1(original).tanh()).tanh()
    (grad,) = torch.autograd.grad(module.linear3(hidden)[:, 1].sum(), x)
    expected = torch.cat([grad[:, 4:], -grad[:, :4]], dim=1)
    torch.testing.assert_close(module(x.detach()), expected)
    assert module(x.detach()).shape == (6, 8)


def test_replay_training_learns_and_is_repeatable(replay):
    data = replay.legacy_dataset(0, n_orbits=10, n_points=20, t_max=5.0)
    runs = [replay.train_replay(data, 1, True, 150) for _ in range(2)]
    untrained = replay.train_replay(data, 1, True, 0)

    def loss(module) -> float:
        x = torch.tensor(data.X_train, dtype=torch.float32)
        prediction = module(x).detach().numpy()
        return float(np.mean((prediction - data.dXdt_train) ** 2))

    assert loss(runs[0]) < 0.1 * loss(untrained)
    for first, second in zip(runs[0].parameters(), runs[1].parameters(), strict=True):
        torch.testing.assert_close(first, second, rtol=0, atol=0)


def test_replay_estimator_scores_as_the_table_command(replay):
    """With ``--trainer estimator --data table1`` a row is the Table 1
    command's, the energy on the Table 1 orbits included (quick settings)."""
    task = TASKS["two-body"].quick_version()
    data = task.make_data(0)
    orbits = replay.evaluation_orbits(data, task)
    np.testing.assert_array_equal(
        orbits["paper"][0][1], replay.legacy_initial_state(np.random.RandomState(1))
    )
    row = replay.train_and_score("estimator", "hnn", data, 0, orbits, task, 0)
    expected = run_task("two-body", 0, quick=True, lr_schedule="constant")["hnn"]
    for name in ("train_loss", "test_loss"):
        assert row[name] == pytest.approx(expected[name], rel=1e-6), name
    assert row["energy_mse_table1"] == pytest.approx(expected["energy_mse"], rel=1e-6)
    assert row["energy_mse"] != pytest.approx(expected["energy_mse"], rel=1e-3)
