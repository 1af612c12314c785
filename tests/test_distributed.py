"""Searches on a Dask cluster through joblib's Dask backend, with no glue code."""

from __future__ import annotations

import logging

import joblib
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.model_selection import GridSearchCV

from sklearn_hnn import HamiltonianRegressor
from tests.conftest import spring_field

distributed = pytest.importorskip("distributed")

GRID = {"hidden_layer_sizes": [(8,), (16,)], "lr": [1e-3, 1e-2]}


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(2)
        yield client


@pytest.fixture(scope="module")
def data():
    X = np.random.default_rng(0).uniform(-1, 1, size=(90, 2))
    return X, spring_field(X)


def _search(**kwargs) -> GridSearchCV:
    return GridSearchCV(
        HamiltonianRegressor(max_epochs=20, random_state=0), GRID, cv=3, **kwargs
    )


def test_a_search_on_two_worker_processes_matches_the_local_one(client, data):
    local = _search(n_jobs=1).fit(*data)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_backend("dask"):
            remote = _search(n_jobs=-1).fit(*data)
    # The fits ran on the cluster (which workers is the scheduler's choice).
    assert len(tasks.data) >= len(local.cv_results_["params"]) * 3
    assert remote.best_params_ == local.best_params_
    for key in local.cv_results_:
        if key.startswith(("split", "mean_test", "rank")):
            assert_allclose(remote.cv_results_[key], local.cv_results_[key], rtol=1e-5)
    assert_allclose(remote.predict(data[0]), local.predict(data[0]), rtol=1e-5)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a worker without CUDA")
def test_a_gpu_estimator_on_a_worker_without_one_fails_clearly(client, data):
    search = GridSearchCV(
        HamiltonianRegressor(max_epochs=2, device="cuda"),
        {"lr": [1e-3]},
        cv=2,
        error_score="raise",
    )
    with joblib.parallel_backend("dask"), pytest.raises(ValueError, match="CUDA"):
        search.fit(*data)
