"""
Learning from trajectories without derivatives
==============================================

Measurements come as states at times, trajectory by trajectory, without
``dX/dt``. :func:`~sklearn_hnn.datasets.stack_trajectories` turns a list of
trajectories into the rows ``X, t, groups`` the estimators take, and
``fit(X, t=t, groups=groups)`` estimates the derivatives itself, within each
trajectory and never across two. Here an HNN learns a pendulum from noisy
sampled trajectories alone, and its rollout is compared with one trained on
the exact derivatives.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import stack_trajectories
from sklearn_hnn.plotting import plot_rollout
from sklearn_hnn.systems import Pendulum

pendulum = Pendulum(mass=0.5, length=1.0, gravity=6.0)  # the paper's Task 2
rng = np.random.default_rng(0)

# %%
# Thirty trajectories of different lengths, sampled every 0.1 s, with noise:
# a list of ``(n_times, 2)`` arrays, as measurements usually come.
trajectories, times = [], []
for _ in range(30):
    n_times = rng.integers(20, 40)
    t = 0.1 * np.arange(n_times)
    start = rng.uniform(-1.5, 1.5, size=(1, 2))
    clean = pendulum.trajectories(start, t)[0]
    trajectories.append(clean + rng.normal(scale=0.01, size=clean.shape))
    times.append(t)
X, t, groups = stack_trajectories(trajectories, times)
print(f"{len(trajectories)} trajectories -> rows X {X.shape}, t {t.shape}")

# %%
# Fit from times alone (Savitzky-Golay derivatives), and on the exact
# derivatives for comparison.
settings = {"hidden_layer_sizes": (64, 64), "lr": 3e-3, "max_epochs": 400}
from_times = HamiltonianRegressor(differentiation="savgol", random_state=0, **settings)
from_times.fit(X, t=t, groups=groups)
exact = HamiltonianRegressor(random_state=0, **settings)
exact.fit(X, pendulum.vector_field(X))

x0 = np.array([1.2, 0.0])
horizon = np.linspace(0.0, 10.0, 201)
rollouts = {
    "true": pendulum.trajectories(x0[None], horizon)[0],
    "from t alone": from_times.simulate(x0, horizon),
    "from exact dX/dt": exact.simulate(x0, horizon),
}
errors = {
    name: float(np.sqrt(np.mean((r - rollouts["true"]) ** 2)))
    for name, r in rollouts.items()
    if name != "true"
}
for name, error in errors.items():
    print(f"{name:18s} RMS error of the 10 s rollout: {error:.3f}")

drawn = plot_rollout(horizon, rollouts, coordinates=[0])
drawn.ax.set_ylabel("q (rad)")
plt.show()
