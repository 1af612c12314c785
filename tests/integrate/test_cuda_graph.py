"""The fixed-step loop replayed from a CUDA graph.

The bookkeeping (step sizes and output rows read through a device counter) runs
anywhere with ``capture=False``, so CI checks it against the eager loop; the
capture itself, and that nothing in the loop synchronises, need a GPU.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.integrate import FIXED_GRID_METHODS, fixed_grid, integrate
from sklearn_hnn.integrate import cuda_graph as cuda_graph_module
from sklearn_hnn.integrate.cuda_graph import (
    MIN_REPLAYED_STEPS,
    ReplayedSteps,
    can_replay,
)
from sklearn_hnn.integrate.fixed_grid import integrate_fixed_grid
from sklearn_hnn.nn import HamiltonianField, freeze_field
from sklearn_hnn.persistence import load, save

CAPTURABLE = [name for name, cls in FIXED_GRID_METHODS.items() if cls.capturable]
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

GRIDS = {
    "even": np.linspace(0.0, 2.0, 21),
    "uneven": np.cumsum(np.r_[0.0, np.linspace(0.02, 0.06, 15)]),
    "backwards": np.linspace(1.5, -0.5, 17),
}


def pendulum(x: torch.Tensor) -> torch.Tensor:
    """H = (1 - cos q) + p^2 / 2, for any number of degrees of freedom."""
    q, p = x.chunk(2, dim=-1)
    return torch.cat([p, -torch.sin(q)], dim=-1)


def _x0(device: str = "cpu", dtype=torch.float64, n: int = 5) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return torch.randn(n, 4, generator=generator, dtype=dtype).to(device)


def _eager(method: str, field, x0, t, substeps: int) -> torch.Tensor:
    return integrate_fixed_grid(
        FIXED_GRID_METHODS[method](), field, x0, t, substeps=substeps
    )


def test_implicit_midpoint_alone_is_not_capturable():
    assert set(FIXED_GRID_METHODS) - set(CAPTURABLE) == {"implicit_midpoint"}


@pytest.mark.parametrize("method", CAPTURABLE)
@pytest.mark.parametrize("grid", GRIDS)
@pytest.mark.parametrize("substeps", [1, 3])
def test_counter_driven_steps_match_the_eager_loop(method, grid, substeps):
    t, x0 = GRIDS[grid], _x0()
    run = ReplayedSteps(
        FIXED_GRID_METHODS[method](), pendulum, x0, t, substeps=substeps, capture=False
    )
    assert run.graph is None and run.n_steps == (len(t) - 1) * substeps
    out = run.run()
    assert out.shape == (len(t), *x0.shape) and out.dtype == x0.dtype
    expected = _eager(method, pendulum, x0, t, substeps)
    assert_allclose(out.numpy(), expected.numpy(), rtol=1e-13, atol=1e-13)


def test_float32_states_stay_float32():
    x0 = _x0(dtype=torch.float32)
    t = GRIDS["uneven"]
    out = ReplayedSteps(FIXED_GRID_METHODS["rk4"](), pendulum, x0, t, capture=False)
    out = out.run()
    assert out.dtype == torch.float32
    assert_allclose(out.numpy(), _eager("rk4", pendulum, x0, t, 1).numpy(), atol=1e-6)


def test_running_again_starts_again_from_x0():
    run = ReplayedSteps(
        FIXED_GRID_METHODS["rk4"](), pendulum, _x0(), GRIDS["even"], capture=False
    )
    first = run.run().clone()
    assert_allclose(run.run().numpy(), first.numpy(), rtol=0, atol=0)


def test_tao_warns_of_resonant_steps_once_before_any_step(monkeypatch):
    # The replay is attempted and its capture fails, as it may on a GPU: the
    # resonance warning comes before it, and not again in the eager fallback.
    events = []

    def failing_capture(*args, **kwargs):
        events.append("capture")
        raise RuntimeError("capture failed")

    monkeypatch.setattr(fixed_grid, "can_replay", lambda *args: True)
    monkeypatch.setattr(fixed_grid, "ReplayedSteps", failing_capture)
    omega = FIXED_GRID_METHODS["tao"]().omega
    t = np.array([0.0, np.pi / 2 / omega])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        integrate_fixed_grid(
            FIXED_GRID_METHODS["tao"](), pendulum, _x0(), t, cuda_graph=True
        )
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2 and events == ["capture"]
    assert "near a multiple of pi/2" in messages[0]
    assert "Capturing the step in a CUDA graph failed" in messages[1]


def test_replay_needs_cuda_a_capturable_method_and_a_long_enough_run():
    rk4 = FIXED_GRID_METHODS["rk4"]()
    assert not can_replay(rk4, _x0(), 10 * MIN_REPLAYED_STEPS)
    on_cuda = type("OnCuda", (), {"is_cuda": True})()  # stands in for a CUDA tensor
    assert can_replay(rk4, on_cuda, MIN_REPLAYED_STEPS)
    assert not can_replay(rk4, on_cuda, MIN_REPLAYED_STEPS - 1)
    assert not can_replay(FIXED_GRID_METHODS["implicit_midpoint"](), on_cuda, 10**4)


def test_cuda_graph_on_cpu_changes_nothing():
    x0, t = _x0(), np.linspace(0.0, 5.0, 201)
    plain = integrate(pendulum, x0, t, "rk4")
    assert torch.equal(integrate(pendulum, x0, t, "rk4", cuda_graph=True), plain)


def test_a_failed_capture_warns_and_integrates_eagerly(monkeypatch):
    # On a CPU the capture itself fails (no CUDA streams): the same fallback
    # as for a field that cannot be captured.
    monkeypatch.setattr(fixed_grid, "can_replay", lambda *args: True)
    x0, t = _x0(), np.linspace(0.0, 5.0, 101)
    with pytest.warns(RuntimeWarning, match="CUDA graph failed .* eagerly"):
        out = integrate(pendulum, x0, t, "rk4", cuda_graph=True)
    assert torch.equal(out, integrate(pendulum, x0, t, "rk4"))


@pytest.mark.parametrize("value", [1, "yes", None])
def test_cuda_graph_must_be_a_bool(value):
    with pytest.raises(ValueError, match="cuda_graph must be True or False"):
        integrate(pendulum, _x0(), [0.0, 1.0], cuda_graph=value)


# -------------------------------------------------------------------- on a GPU


def _frozen_pendulum(device: str):
    torch.manual_seed(0)
    module = HamiltonianField(4, (200, 200)).to(device).eval()
    return freeze_field(module, "forward")


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("method", CAPTURABLE)
@pytest.mark.parametrize("grid", GRIDS)
def test_captured_steps_match_the_eager_loop_on_the_gpu(method, grid):
    field, t, x0 = _frozen_pendulum("cuda"), GRIDS[grid], _x0("cuda", n=300)
    with torch.inference_mode():
        run = ReplayedSteps(FIXED_GRID_METHODS[method](), field, x0, t, substeps=2)
        assert isinstance(run.graph, torch.cuda.CUDAGraph)
        replayed = run.run().cpu().numpy()
        eager = _eager(method, field, x0, t, 2).cpu().numpy()
    assert np.isfinite(replayed).all()
    assert_allclose(replayed, eager, rtol=1e-5, atol=1e-5)


def _captured_rk4_run() -> ReplayedSteps:
    """100 captured RK4 steps of 64 states, the device idle."""
    field = _frozen_pendulum("cuda")
    x0, t = _x0("cuda", n=64), np.linspace(0.0, 4.0, 101)
    run = ReplayedSteps(FIXED_GRID_METHODS["rk4"](), field, x0, t)
    torch.cuda.synchronize()
    return run


@pytest.mark.gpu
@needs_cuda
def test_nothing_in_the_replayed_loop_synchronises_with_the_host():
    with torch.inference_mode():
        run = _captured_rk4_run()
        torch.cuda.set_sync_debug_mode("error")
        try:
            out = run.run()
        finally:
            torch.cuda.set_sync_debug_mode("default")
        torch.cuda.synchronize()
    assert torch.isfinite(out).all()


@pytest.mark.gpu
@needs_cuda
def test_the_replayed_loop_launches_one_graph_per_step_and_no_kernels():
    from torch.profiler import ProfilerActivity, profile

    with torch.inference_mode():
        run = _captured_rk4_run()
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            run.run()
            torch.cuda.synchronize()
    events = prof.key_averages()

    def calls(prefix: str) -> int:
        return sum(e.count for e in events if e.key.startswith(prefix))

    assert calls("cudaGraphLaunch") == run.n_steps
    # Only the rewind after the run (two small copies) is launched outside the graph.
    assert calls("cudaLaunchKernel") <= 2


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_simulate_on_the_gpu_replays_and_matches_the_cpu(
    spring_data, dtype, monkeypatch, tmp_path
):
    cpu = HamiltonianRegressor(hidden_layer_sizes=(64, 64), max_epochs=50)
    cpu.fit(*spring_data)
    save(cpu, tmp_path / "spring.pt")
    gpu = load(tmp_path / "spring.pt", device="cuda")  # the same weights
    runs = []
    original = cuda_graph_module.ReplayedSteps.run

    def counted(self):
        runs.append(self.graph is not None)
        return original(self)

    monkeypatch.setattr(cuda_graph_module.ReplayedSteps, "run", counted)
    x0, t = spring_data[0][:50].astype(dtype), np.linspace(0.0, 10.0, 501)
    on_gpu = gpu.simulate(x0, t)
    assert runs == [True]
    assert on_gpu.dtype == dtype
    tolerance = 1e-3 if dtype == np.float32 else 1e-4
    assert_allclose(on_gpu, cpu.simulate(x0, t), atol=tolerance)
