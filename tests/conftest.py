"""Shared fixtures: small, clean data and quickly fitted models."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import settings

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor

# Property-based tests draw the same examples on every run (so CI is stable);
# HYPOTHESIS_PROFILE=explore draws new ones, to hunt for more failures.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# Small settings that still learn the mass-spring field well.
FAST = {"hidden_layer_sizes": (64, 64), "lr": 1e-2, "max_epochs": 300}


def spring_field(X: np.ndarray) -> np.ndarray:
    """Exact dynamics of H = q^2 + p^2 (Task 1)."""
    return np.stack([2.0 * X[:, 1], -2.0 * X[:, 0]], axis=1)


def spring_energy(X: np.ndarray) -> np.ndarray:
    return (np.asarray(X) ** 2).sum(-1)


@pytest.fixture(scope="session")
def spring_data() -> tuple[np.ndarray, np.ndarray]:
    """400 clean samples of the Task 1 spring on [-1, 1]^2."""
    X = np.random.default_rng(0).uniform(-1.0, 1.0, size=(400, 2))
    return X, spring_field(X)


@pytest.fixture(scope="session")
def fitted_hnn(spring_data) -> HamiltonianRegressor:
    return HamiltonianRegressor(random_state=0, **FAST).fit(*spring_data)


@pytest.fixture(scope="session")
def fitted_baseline(spring_data) -> BaselineDynamicsRegressor:
    return BaselineDynamicsRegressor(random_state=0, **FAST).fit(*spring_data)


@pytest.fixture(scope="session")
def has_cuda() -> bool:
    return torch.cuda.is_available()


#: The shared data directory beside the checkout (never inside the repository).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """``../shared/data``; tests that need the real pendulum skip without it."""
    if not (SHARED_DATA / "real_pend_h_1.txt").is_file():
        pytest.skip(f"real_pend_h_1.txt not found in {SHARED_DATA}")
    return SHARED_DATA
