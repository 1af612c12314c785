"""
Quick start: a mass-spring learned from noisy states
====================================================

Fits a :class:`~sklearn_hnn.HamiltonianRegressor` and the baseline on Task 1
of Greydanus et al. (2019), compares their accuracy on held-out trajectories,
and rolls both out for far longer than they were trained on: the HNN keeps the
true energy, the baseline drifts. The three phase portraits are the paper's
Figure 1: the data, the baseline's field, and the HNN's field with its learned
energy.
"""

# %%
# Fit both models
# ---------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.datasets import make_spring_dataset
from sklearn_hnn.plotting import plot_energy, plot_phase_portrait, plot_rollout

data = make_spring_dataset(random_state=0)  # X columns are [q, p]
settings = {"hidden_layer_sizes": (64, 64), "lr": 3e-3, "max_epochs": 400}

models = {
    "baseline": BaselineDynamicsRegressor(**settings, random_state=0),
    "HNN": HamiltonianRegressor(**settings, random_state=0),
}
x0 = data.initial_states[data.n_train :]  # clean starts of the test trajectories
t = np.linspace(0.0, 30.0, 301)  # ten times the training span
true_energy = data.system.hamiltonian(x0)

drifts, rollouts = {}, {}
for name, model in models.items():
    model.fit(data.X_train, data.dXdt_train)
    r2 = model.score(data.X_test, data.dXdt_test)
    rollouts[name] = model.simulate(x0, t, substeps=5)  # (25, 301, 2), one call
    final = data.system.hamiltonian(rollouts[name][:, -1])
    drifts[name] = np.abs(final - true_energy).mean()
    print(f"{name:8s}  test R² = {r2:.3f}   mean |ΔH| after t = 30: {drifts[name]:.4f}")

learned = models["HNN"].energy(data.X_test)
print(
    "correlation of learned and true energy:",
    round(float(np.corrcoef(learned, data.system.hamiltonian(data.X_test))[0, 1]), 4),
)

# %%
# Figure 1: data, baseline field, HNN field and energy
# ----------------------------------------------------
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharex=True, sharey=True)
extent = (-1.2, 1.2, -1.2, 1.2)
plot_phase_portrait(X=data.X_train, y=data.dXdt_train, ax=axes[0], extent=extent)
plot_phase_portrait(models["baseline"], ax=axes[1], extent=extent, resolution=15)
plot_phase_portrait(models["HNN"], ax=axes[2], extent=extent, resolution=15)
for ax, title in zip(axes, ["data", "baseline", "HNN"], strict=True):
    ax.set_title(title)
fig.tight_layout()

# %%
# One test trajectory for ten times the training span
# ---------------------------------------------------
truth = data.system.trajectories(x0[:1], t)[0]
one = {"true": truth, **{name: r[0] for name, r in rollouts.items()}}
fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
plot_rollout(t, one, coordinates=[0], ax=top)
top.set_ylabel("q")
plot_energy(t, one, energy=data.system.hamiltonian, ax=bottom)
bottom.set_ylabel("true energy")
fig.tight_layout()
plt.show()
