"""
Figure 3: two bodies in orbit
=============================

The paper's Task 4 and its Figure 3: two unit masses attract each other
(``G = 1``) and circle their common centre. A model sees states
``[x_1, y_1, x_2, y_2, px_1, py_1, px_2, py_2]`` and their exact time
derivatives over 20 time units, about one orbit. Rolled out from held-out
initial states for 50, the baseline's orbits come apart and their total
energy swings ever further from the truth, while the HNN's stay orbits and
keep their energy.

The paper trains on 1,000 orbits for 10,000 steps of 200 samples. So that
this example runs in well under a minute, the models here see 100 orbits
(4,000 training samples) for 100 epochs, 2,000 steps; the rest is the
paper's recipe: 2 hidden layers of 200 tanh units, Adam from a learning
rate of 1e-3, batches of 200. The learning rate decays to zero over the
run (skorch's ``LRScheduler`` callback), as in this library's reproduction
of the tables: with so few steps, a constant rate leaves some fits at a
poor point of their last oscillation. ``python -m sklearn_hnn.experiments
two-body`` trains at the paper's size and measures the task's row of
Table 1.
"""

# %%
# Data and models
# ---------------
import os

import matplotlib.pyplot as plt
import numpy as np
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.datasets import make_two_body_dataset

# SKLEARN_HNN_QUICK_EXAMPLES=1 (the test suite's setting) trains for less.
quick = os.environ.get("SKLEARN_HNN_QUICK_EXAMPLES") == "1"
epochs = 60 if quick else 100
data = make_two_body_dataset(n_trajectories=100, random_state=0)
models = {}
for name, Model in (
    ("baseline", BaselineDynamicsRegressor),
    ("HNN", HamiltonianRegressor),
):
    models[name] = Model(
        hidden_layer_sizes=(200, 200),
        batch_size=200,
        max_epochs=epochs,
        callbacks=[LRScheduler(policy=CosineAnnealingLR, T_max=epochs)],
        random_state=0,
    )

# Roll out from the 20 held-out initial states for 2.5 times the training span.
x0 = data.initial_states[data.n_train :]
t = np.linspace(0.0, 50.0, 1001)
curves = {"ground truth": data.system.trajectories(x0, t)}
for name, model in models.items():
    model.fit(data.X_train, data.dXdt_train)
    curves[name] = model.simulate(x0, t, substeps=10)  # (20, 1001, 8)
    r2 = model.score(data.X_test, data.dXdt_test)
    print(f"{name:8s} test R² of dX/dt: {r2:.4f}")

# The total energy along each rollout, and its distance from the starting
# value, averaged over time and over the held-out orbits.
energy = {name: data.system.hamiltonian(curve) for name, curve in curves.items()}
start = energy["ground truth"][:, :1]
drift = {name: float(np.mean(np.abs(energy[name] - start))) for name in models}
for name, value in drift.items():
    print(f"{name:8s} mean |H(t) - H(0)| over {len(x0)} held-out orbits: {value:.4f}")

# %%
# Figure 3: the orbits of both bodies, and the total energy
# ---------------------------------------------------------
# The first held-out orbit: body 1 in blue, body 2 dotted in orange, each
# starting at its dot. Within two periods the baseline's orbit has lost its
# shape and its energy swings far from the true value; the HNN's bodies stay
# close to their circle, a little ahead or behind the truth, and its energy
# keeps its level.
STYLES = {
    "ground truth": {"color": "k", "ls": "--"},
    "baseline": {"color": "tab:red"},
    "HNN": {"color": "tab:blue"},
}
fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
for ax, (name, curve) in zip(axes[:3], curves.items(), strict=True):
    orbit = curve[0]
    for body, style in ((0, "C0-"), (1, "C1:")):
        x, y = orbit[:, 2 * body], orbit[:, 2 * body + 1]
        ax.plot(x, y, style, lw=1)
        ax.plot(x[0], y[0], "o", color=style[:2])
    ax.set(title=name, xlabel="x", ylabel="y", aspect="equal")
for name, values in energy.items():
    axes[3].plot(t, values[0], label=name, **STYLES[name])
axes[3].set(title="total energy", xlabel="t")
axes[3].legend(fontsize="small")
fig.tight_layout()
plt.show()
