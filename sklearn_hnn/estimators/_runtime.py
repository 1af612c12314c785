"""Where and with which randomness torch runs for an estimator: its device,
and seeds drawn from scikit-learn's ``random_state``."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state

from sklearn_hnn._validation import backend_missing
from sklearn_hnn.estimators._constraints import Device


def draw_seed(random_state) -> int:
    """A seed for torch drawn from ``random_state`` (an int, a RandomState or
    None), as scikit-learn estimators draw theirs."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextmanager
def seeded_torch(seed: int, device: torch.device):
    """Seed torch inside a block without disturbing its global random state."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def resolve_device(device) -> torch.device:
    """``device`` as a torch device; raise a ValueError naming it when it is not
    one that holds data here."""
    if not Device().is_satisfied_by(device):
        raise ValueError(
            f"device must name a torch device that holds data, such as 'cpu' or "
            f"'cuda'; got {device!r}."
        )
    resolved = torch.device(device)
    if backend_missing(resolved):
        raise ValueError(
            f"device={device!r} was asked for, but {resolved.type.upper()} is not "
            "available."
        )
    return resolved
