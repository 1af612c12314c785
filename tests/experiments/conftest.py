"""Fixtures of the experiment tests."""

from __future__ import annotations

import pytest

from sklearn_hnn.datasets.real import DATA_ENV


@pytest.fixture
def data_env(shared_data_dir, monkeypatch):
    """Point the real pendulum task at ../shared/data."""
    monkeypatch.setenv(DATA_ENV, str(shared_data_dir))
