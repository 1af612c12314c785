"""Quick start: learn a mass-spring from noisy states, then roll it out.

Fits a HamiltonianRegressor and the baseline on Task 1 of Greydanus et al.
(2019), compares their accuracy on held-out trajectories, and rolls both out for
far longer than they were trained on: the HNN keeps the true energy, the
baseline drifts.
"""

import numpy as np

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.datasets import make_spring_dataset

data = make_spring_dataset(random_state=0)  # X columns are [q, p]
settings = {"hidden_layer_sizes": (64, 64), "lr": 3e-3, "max_epochs": 400}

models = {
    "baseline": BaselineDynamicsRegressor(**settings, random_state=0),
    "HNN": HamiltonianRegressor(**settings, random_state=0),
}
x0 = data.initial_states[data.n_train :]  # clean starts of the test trajectories
t = np.linspace(0.0, 30.0, 301)  # ten times the training span
true_energy = data.system.hamiltonian(x0)

drifts = {}
for name, model in models.items():
    model.fit(data.X_train, data.dXdt_train)
    r2 = model.score(data.X_test, data.dXdt_test)
    rollout = model.simulate(x0, t, substeps=5)  # (25, 301, 2), one batched call
    drift = np.abs(data.system.hamiltonian(rollout[:, -1]) - true_energy).mean()
    drifts[name] = drift
    print(f"{name:8s}  test R² = {r2:.3f}   mean |ΔH| after t = 30: {drift:.4f}")

learned = models["HNN"].energy(data.X_test)
print(
    "correlation of learned and true energy:",
    round(float(np.corrcoef(learned, data.system.hamiltonian(data.X_test))[0, 1]), 4),
)
