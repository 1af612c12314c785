"""
Friction: a Hamiltonian model that can lose energy
===================================================

Greydanus et al. name the HNN's limit themselves: it conserves energy, so it
cannot model friction. :class:`~sklearn_hnn.DissipativeHamiltonianRegressor`
learns an energy ``H(q, p)`` and a damping matrix ``D(q)``, positive
semidefinite by construction, with ``dp/dt = -dH/dq - D(q) dH/dp``: its
energy can only decrease, and how fast is learned from the data.

Both models train here on rollouts of short chunks of the trajectories
(``objective="rollout"``), so no derivative is estimated. First a pendulum
with drag, whose true energy we know; then, when the measured pendulum of
Schmidt & Lipson (Task 3) is at hand (``SKLEARN_HNN_DATA``), the real thing.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_hnn import DissipativeHamiltonianRegressor, HamiltonianRegressor
from sklearn_hnn.datasets import load_real_pendulum, make_chain_pendulum_dataset

# Small networks train fastest on one CPU thread.
torch.set_num_threads(1)
# SKLEARN_HNN_QUICK_EXAMPLES=1 (the test suite's setting) trains for less.
quick = os.environ.get("SKLEARN_HNN_QUICK_EXAMPLES") == "1"
settings = {
    "hidden_layer_sizes": (32, 32),
    "lr": 3e-3,
    "max_epochs": 200 if quick else 300,
    "objective": "rollout",
    "random_state": 0,
}
MODELS = {
    "HNN": HamiltonianRegressor,
    "dissipative HNN": DissipativeHamiltonianRegressor,
}

# %%
# A pendulum with drag
# --------------------
# A point mass on a rod, slowed by a drag force ``-0.3 v``: 200 trajectories
# of 10 s, each giving one chunk of 5 points to train on.
data = make_chain_pendulum_dataset(
    n_links=1, drag=0.3, n_trajectories=200, n_train=180, random_state=0
)
pendulum = data.system
x0 = data.x0_test[0]
t = np.linspace(0.0, 10.0, 201)
curves = {"truth": pendulum.hamiltonian(pendulum.trajectories(x0, t))}
learned = {}
for label, Model in MODELS.items():
    model = Model(**settings, angles=[0])
    model.fit(data.X_train, t=data.t_train, groups=data.groups_train)
    rollout = model.simulate(x0, t)
    curves[label] = pendulum.hamiltonian(rollout)
    learned[label] = model.energy(rollout)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for label, energy in curves.items():
    axes[0].plot(t, energy, "k--" if label == "truth" else "-", label=label)
axes[0].set(title="pendulum with drag: true energy", xlabel="t", ylabel="H")
axes[0].legend()
final = {label: abs(curves[label][-1] - curves["truth"][-1]) for label in MODELS}
for label, error in final.items():
    print(f"drag: |H(t=10) - true H(t=10)| of the {label}: {error:.4f}")

# %%
# The real pendulum
# -----------------
# Angles measured at about 6 Hz. The models train on the first 446 samples
# and roll out over the last 18 s from their first measured state; the energy
# ``2.4 (1 - cos q) + p^2`` of the rollouts is compared with the measured one.
try:
    real = load_real_pendulum()
except FileNotFoundError as missing:
    real = None
    print(f"real pendulum skipped: {missing}")
    axes[1].set_axis_off()
energy_mse = {}
if real is not None:
    train, test = slice(0, 446), slice(446, None)
    measured = real.system.hamiltonian(real.X[test])
    axes[1].plot(real.t[test], measured, "k.", ms=3, label="measured")
    for label, Model in MODELS.items():
        model = Model(**settings).fit(
            real.X[train], t=real.t[train], groups=real.trial[train]
        )
        rollout = model.simulate(real.X[test][0], real.t[test], substeps=10)
        energy = real.system.hamiltonian(rollout)
        energy_mse[label] = float(np.mean((energy - measured) ** 2))
        axes[1].plot(real.t[test], energy, label=label)
        print(f"real pendulum: energy MSE of the {label}: {energy_mse[label]:.2e}")
    axes[1].set(title="real pendulum: energy", xlabel="t (s)", ylabel="H")
    axes[1].legend()
plt.show()
