"""
Hyperparameter search on a Dask cluster
=======================================

A sweep over architectures and learning rates outgrows one machine. Through
joblib's Dask backend, ``GridSearchCV`` sends its fits to a Dask cluster's
workers with no other change: the estimators pickle to the worker processes
as they are. Here the cluster is a ``LocalCluster`` of two processes on this
machine; to use a real one, connect the client to its scheduler instead,
``Client("tcp://scheduler-address:8786")``, and keep the rest. Needs the
``distributed`` extra.
"""

import os

import joblib
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV, GroupKFold

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_spring_dataset

data = make_spring_dataset(n_trajectories=20, random_state=0)
groups = np.repeat(np.arange(data.n_train), len(data.t))  # one per trajectory
grid = {"hidden_layer_sizes": [(16,), (64,), (64, 64)], "lr": [1e-3, 1e-2]}
if os.environ.get("SKLEARN_HNN_QUICK_EXAMPLES") == "1":  # the test suite's setting
    grid = {"hidden_layer_sizes": [(64, 64)], "lr": [1e-3, 1e-2]}

# Worker processes start by importing the main module: as in any script that
# starts processes, the work goes under this guard.
if __name__ == "__main__":
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    client = Client(cluster)
    search = GridSearchCV(
        HamiltonianRegressor(max_epochs=100, random_state=0),
        grid,
        cv=GroupKFold(n_splits=3),
        n_jobs=-1,
    )
    with joblib.parallel_backend("dask"):
        search.fit(data.X_train, data.dXdt_train, groups=groups)
    workers = len(client.scheduler_info()["workers"])
    client.close()
    cluster.close()
    print(
        f"{len(search.cv_results_['params'])} settings x 3 folds on {workers} workers"
    )
    print("best:", search.best_params_, f"R² {search.best_score_:.4f}")

    # %%
    # Held-out R² of each setting.
    labels = [
        f"{p['hidden_layer_sizes']}, lr={p['lr']:g}"
        for p in search.cv_results_["params"]
    ]
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.barh(labels, search.cv_results_["mean_test_score"])
    ax.set_xlabel("mean held-out R² of dX/dt")
    ax.set_xlim(min(0.9, search.cv_results_["mean_test_score"].min()), 1.0)
    fig.tight_layout()
    plt.show()
