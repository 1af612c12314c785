"""The fixed-step loop captured once in a CUDA graph and replayed at every step.

On a GPU, an eager step of a modest batch costs the host time of launching its
kernels (several microseconds each; an RK4 step of a frozen two-layer field is
about sixty of them), not their arithmetic. :class:`ReplayedSteps` captures one
step in a CUDA graph and replays it: a step is then one launch, and the host
queues the whole run without waiting on the device. The graph reads its step
size, and picks the output row it writes, through a step counter that lives on
the device, so one graph serves every step of any grid (uneven, decreasing,
with substeps) and nothing inside the loop synchronises with the host.

The field must be capturable: torch operations on tensors of fixed shapes, with
no Python control flow that depends on their values (no ``.item()``, no
``bool(tensor)``), and no new CUDA streams. The frozen fields of
:func:`~sklearn_hnn.nn.freeze_field` are; ``simulate`` replays them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:  # fixed_grid imports this module
    from sklearn_hnn.integrate.fixed_grid import FixedStepMethod

Field = Callable[[torch.Tensor], torch.Tensor]

#: Runs of fewer steps stay eager: a warm-up step, the capture and the graph's
#: instantiation cost about as much as a few dozen eager steps.
MIN_REPLAYED_STEPS = 64


def can_replay(method: FixedStepMethod, x0: torch.Tensor, n_steps: int) -> bool:
    """Whether a run is replayed from a CUDA graph.

    Parameters
    ----------
    method : FixedStepMethod
        The run's method; it must be :attr:`~FixedStepMethod.capturable`.
    x0 : torch.Tensor of shape (n, D)
        Initial states; they must be on a CUDA device.
    n_steps : int
        Steps in the run; at least :data:`MIN_REPLAYED_STEPS` repay the capture.

    Returns
    -------
    bool
        True when all three hold.
    """
    return x0.is_cuda and method.capturable and n_steps >= MIN_REPLAYED_STEPS


class ReplayedSteps:
    """A fixed-step run over the grid ``t``, with its step captured for replay.

    Building it allocates the output and, with ``capture``, runs one warm-up
    step on a side stream and captures one step into a CUDA graph; :meth:`run`
    then replays the graph once per step. The result equals the eager loop of
    :func:`~sklearn_hnn.integrate.fixed_grid.integrate_fixed_grid` up to float
    rounding: the step sizes are the same, read from a device tensor instead of
    passed as Python floats. Beside the output it keeps one step size per
    interval of ``t`` on the device.

    Parameters
    ----------
    method : FixedStepMethod
        A method whose step is capturable (:attr:`FixedStepMethod.capturable`).
    field : callable
        Capturable vector field mapping states of shape ``(n, D)`` to their time
        derivatives.
    x0 : torch.Tensor of shape (n, D)
        Initial states at ``t[0]``, on a CUDA device when ``capture``.
    t : ndarray of shape (n_times,)
        Strictly monotonic output times (checked by the caller).
    substeps : int, default=1
        Steps per interval of ``t``.
    capture : bool, default=True
        False runs the same step, counter and all, eagerly at every step instead
        of replaying a graph, so that the bookkeeping can be tested anywhere.

    Attributes
    ----------
    n_steps : int
        Steps in the run, ``(len(t) - 1) * substeps``.
    graph : torch.cuda.CUDAGraph or None
        The captured step; None without ``capture``.
    """

    def __init__(
        self,
        method: FixedStepMethod,
        field: Field,
        x0: torch.Tensor,
        t: np.ndarray,
        *,
        substeps: int = 1,
        capture: bool = True,
    ) -> None:
        self.method, self.field = method, field
        self.n_steps = (len(t) - 1) * substeps
        step_sizes = np.diff(t) / substeps
        device = x0.device
        # The counter starts at ``substeps``, so that during step j it holds
        # j + substeps and ``counter // substeps`` is j's output row, the end of
        # its interval (the interval's index + 1). The last substep of an
        # interval writes its row last. Entry 0 of the step sizes is never read.
        self._substeps = substeps
        self._step_sizes = torch.as_tensor(
            np.r_[np.nan, step_sizes], dtype=x0.dtype, device=device
        )
        self._out = x0.new_empty((len(t), *x0.shape))
        self._out[0] = x0
        self._start = method.lift(x0)
        self._state = self._start.clone()
        self._counter = torch.full((1,), substeps, dtype=torch.long, device=device)
        self.graph = self._capture(device) if capture else None

    def _step(self) -> None:
        """One step of the run, in place: state, output row and counter."""
        row = self._counter
        if self._substeps > 1:
            row = torch.div(row, self._substeps, rounding_mode="floor")
        dt = self._step_sizes.index_select(0, row).squeeze(0)
        self._state.copy_(self.method.step(self.field, self._state, dt))
        self._out.index_copy_(0, row, self.method.project(self._state).unsqueeze(0))
        self._counter.add_(1)

    def _capture(self, device: torch.device) -> torch.cuda.CUDAGraph:
        """Capture :meth:`_step`, after one warm-up step on a side stream (it
        creates the cuBLAS handle and workspace, which a capture cannot)."""
        with torch.cuda.device(device):
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                self._step()
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph, stream=side):
                self._step()
        self._rewind()  # the warm-up step moved the state and the counter
        return graph

    def _rewind(self) -> None:
        self._state.copy_(self._start)
        self._counter.fill_(self._substeps)

    def run(self) -> torch.Tensor:
        """Take every step; the states at each time of ``t``.

        Returns
        -------
        torch.Tensor of shape (n_times, n, D)
            The first entry is ``x0``. This is the run's own buffer: running
            again starts again from ``x0`` and overwrites it.
        """
        step = self._step if self.graph is None else self.graph.replay
        for _ in range(self.n_steps):
            step()
        self._rewind()
        return self._out


__all__ = ["MIN_REPLAYED_STEPS", "ReplayedSteps", "can_replay"]
