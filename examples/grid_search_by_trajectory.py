"""
Tune an HNN with GridSearchCV, holding out whole trajectories
=============================================================

Neighbouring samples of one trajectory are nearly identical, so shuffled
K-fold splits leak: GroupKFold with the trajectory index as the group keeps each
trajectory on one side of every split.
"""

import numpy as np
from sklearn.model_selection import GridSearchCV, GroupKFold

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_spring_dataset

data = make_spring_dataset(random_state=0)
n_points = len(data.t)
groups = np.repeat(np.arange(data.n_train), n_points)  # trajectory of each sample

search = GridSearchCV(
    HamiltonianRegressor(max_epochs=150, random_state=0),
    {"hidden_layer_sizes": [(32,), (64, 64)], "lr": [1e-3, 1e-2]},
    cv=GroupKFold(n_splits=3),
)
search.fit(data.X_train, data.dXdt_train, groups=groups)
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
):
    print(f"{params}  mean R² = {score:.3f}")
print(
    "best:",
    search.best_params_,
    f"test R² = {search.score(data.X_test, data.dXdt_test):.3f}",
)
