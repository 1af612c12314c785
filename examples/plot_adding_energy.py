"""
Adding and removing energy with the learned Hamiltonian
=======================================================

Section 6 of Greydanus et al. (2019): following the symplectic gradient of
the learned energy conserves it; following its plain gradient,
``(dH/dq, dH/dp)``, raises it forward in time and lowers it backward in time.
``simulate(..., field="gradient")`` follows the latter.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_pendulum_dataset
from sklearn_hnn.plotting import plot_phase_portrait

data = make_pendulum_dataset(noise_std=0.0, random_state=0)
model = HamiltonianRegressor(
    hidden_layer_sizes=(64, 64), lr=3e-3, max_epochs=400, random_state=0
).fit(data.X_train, data.dXdt_train)

x0 = np.array([1.0, 0.0])
t = np.linspace(0.0, 0.3, 4)
paths, states = {}, {}  # true energy along each path, and the path
for field, times in [("symplectic", t), ("gradient", t), ("gradient", -t)]:
    direction = "forward" if times[-1] > 0 else "backward"
    states[field, direction] = model.simulate(x0, times, field=field, substeps=10)
    paths[field, direction] = data.system.hamiltonian(states[field, direction])
    energies = ", ".join(f"{h:.3f}" for h in paths[field, direction])
    print(f"{field:10s} {direction:8s} true energy along the path: {energies}")

# %%
# The paths over the learned energy's contours: along the symplectic field
# the state stays on its level; along the gradient it climbs (forward) or
# descends (backward) across the levels.
drawn = plot_phase_portrait(model, extent=(-2.5, 2.5, -2.5, 2.5), resolution=15)
longer = np.linspace(0.0, 0.6, 30)
for field, times, style in [
    ("symplectic", np.linspace(0.0, 3.0, 120), "k-"),
    ("gradient", longer, "r-"),
    ("gradient", -longer, "b-"),
]:
    path = model.simulate(x0, times, field=field, substeps=5)
    drawn.ax.plot(path[:, 0], path[:, 1], style, lw=2)
drawn.ax.plot(*x0, "ko")
drawn.ax.set_title(
    "symplectic (black); gradient forward (red), back (blue)", fontsize="small"
)
plt.show()
