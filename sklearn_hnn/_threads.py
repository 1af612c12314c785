"""How many CPU threads torch uses for work too small to share out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

#: Below this many activations per layer (states in the batch times the widest
#: layer), one thread is faster than several: the operations are too small to
#: split, and waking a pool (or competing with another library's OpenMP pool)
#: costs more than it saves. Measured on 2 cores with the paper's 200-wide
#: network (docs/benchmarks.md): one thread was 3-6% faster for one state and
#: 12-14% for four; from 16 states on, two threads were as fast or faster.
SMALL_WORK = 2048


@contextmanager
def threads_for(n_states: int, width: int, device: torch.device) -> Iterator[None]:
    """Run torch on one CPU thread while inside, if the work is small.

    Parameters
    ----------
    n_states : int
        Rows of the batch.
    width : int
        Widest layer of the network.
    device : torch.device
        Where the work runs; only CPU work is limited.

    Notes
    -----
    :func:`torch.set_num_threads` is process-wide: the previous setting is
    restored on leaving, but other Python threads running torch meanwhile see
    the limit too.
    """
    previous = torch.get_num_threads()
    small = device.type == "cpu" and n_states * width < SMALL_WORK
    if not small or previous == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
