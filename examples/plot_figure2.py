"""
Figure 2: rollouts, coordinate error and energy of the spring and the pendulum
==============================================================================

The paper's Figure 2 compares the baseline and the HNN on its first tasks: a
rollout from a held-out initial state in phase space, the mean squared error
of the coordinates along it, and the total energy along it. The baseline's
rollouts spiral in or out and its energy drifts; the HNN's keep their level.
Both tasks train here on the paper's data for a few hundred epochs.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.datasets import make_pendulum_dataset, make_spring_dataset

# SKLEARN_HNN_QUICK_EXAMPLES=1 (the test suite's setting) trains for less.
quick = os.environ.get("SKLEARN_HNN_QUICK_EXAMPLES") == "1"
settings = {
    "hidden_layer_sizes": (64, 64),
    "lr": 3e-3,
    "max_epochs": 300 if quick else 400,
}
tasks = {
    "mass-spring": make_spring_dataset(random_state=0),
    "pendulum": make_pendulum_dataset(random_state=0),
}
t = np.linspace(0.0, 20.0, 401)
STYLES = {
    "ground truth": {"color": "k", "ls": "--"},
    "baseline": {"color": "tab:red"},
    "HNN": {"color": "tab:blue"},
}

fig, axes = plt.subplots(len(tasks), 3, figsize=(11, 6.5))
final_drift = {}
for row, (name, data) in zip(axes, tasks.items(), strict=True):
    x0 = data.initial_states[data.n_train :][:1]  # a held-out initial state
    truth = data.system.trajectories(x0, t)[0]
    curves = {"ground truth": truth}
    for label, Model in (
        ("baseline", BaselineDynamicsRegressor),
        ("HNN", HamiltonianRegressor),
    ):
        model = Model(random_state=0, **settings).fit(data.X_train, data.dXdt_train)
        curves[label] = model.simulate(x0, t, substeps=5)[0]
    energy = {label: data.system.hamiltonian(c) for label, c in curves.items()}
    truth_energy = energy["ground truth"][0]
    for label, curve in curves.items():
        style = STYLES[label]
        row[0].plot(curve[:, 0], curve[:, 1], label=label, **style)
        row[2].plot(t, energy[label], label=label, **style)
        if label != "ground truth":
            row[1].plot(t, np.mean((curve - truth) ** 2, axis=1), **style)
            final_drift[name, label] = abs(energy[label][-1] - truth_energy)
    row[0].set(title=f"{name}: phase space", xlabel="q", ylabel="p")
    row[1].set(title="MSE of the coordinates", xlabel="t", yscale="log")
    row[2].set(title="total energy", xlabel="t")
axes[0, 0].legend(fontsize="small")
fig.tight_layout()

for (name, label), drift in final_drift.items():
    print(f"{name:12s} {label:8s} |H(t=20) - H(0)| = {drift:.4f}")
plt.show()
