"""Adding and removing energy with the learned Hamiltonian.

Section 6 of Greydanus et al. (2019): following the symplectic gradient of the
learned energy conserves it; following its plain gradient, (dH/dq, dH/dp),
raises it forward in time and lowers it backward in time.
"""

import numpy as np

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_pendulum_dataset

data = make_pendulum_dataset(noise_std=0.0, random_state=0)
model = HamiltonianRegressor(
    hidden_layer_sizes=(64, 64), lr=3e-3, max_epochs=400, random_state=0
).fit(data.X_train, data.dXdt_train)

x0 = np.array([1.0, 0.0])
t = np.linspace(0.0, 0.3, 4)
paths = {}  # true energy along each path
for field, times in [("symplectic", t), ("gradient", t), ("gradient", -t)]:
    states = model.simulate(x0, times, field=field, substeps=10)
    direction = "forward" if times[-1] > 0 else "backward"
    paths[field, direction] = data.system.hamiltonian(states)
    energies = ", ".join(f"{h:.3f}" for h in paths[field, direction])
    print(f"{field:10s} {direction:8s} true energy along the path: {energies}")
