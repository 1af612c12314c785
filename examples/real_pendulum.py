"""
Learn a real pendulum from measured angles alone (Task 3)
=========================================================

The measurements of Schmidt & Lipson (2009) come without derivatives: ``fit``
estimates them from the sample times, within the one trial of the file, and
respects the gaps in its 6 Hz sampling. Both models then roll out over the last
18 seconds from their first measured state, and we compare the energy
``H = 2.4 (1 - cos q) + p^2`` along the rollouts with the measured one.

How the derivatives are estimated matters. The paper's forward differences
look half a step ahead, which makes the estimated field spiral inward far faster
than the real pendulum loses energy: the baseline learns that spiral and its
energy error is far larger than the HNN's. With central differences it is the
other way round, because the baseline can learn the pendulum's real friction
and the HNN, which conserves energy by construction, cannot.

The data file is not distributed with sklearn-hnn. Point at it with
``SKLEARN_HNN_DATA=/directory/holding/it python examples/real_pendulum.py``.
"""

import numpy as np

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.datasets import load_real_pendulum

data = load_real_pendulum()  # X columns: angle, angular velocity (q, p)
train, test = slice(0, 446), slice(446, None)  # the last 110 samples held out
energy = data.system.hamiltonian
settings = {"hidden_layer_sizes": (64, 64), "weight_decay": 1e-5, "max_epochs": 1000}

print("derivatives  model                      energy MSE of the rollout")
errors = {}
for differentiation in ("forward", "central"):
    for model in (
        BaselineDynamicsRegressor(**settings, random_state=0),
        HamiltonianRegressor(**settings, random_state=0),
    ):
        model.set_params(differentiation=differentiation)
        model.fit(data.X[train], t=data.t[train], groups=data.trial[train])
        rollout = model.simulate(data.X[test][0], data.t[test], substeps=10)
        error = np.mean((energy(rollout) - energy(data.X[test])) ** 2)
        errors[differentiation, type(model).__name__] = error
        print(f"{differentiation:12s} {type(model).__name__:26s} {error:.4f}")
