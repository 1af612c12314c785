"""
Training on a GPU
=================

``device="cuda"`` trains and simulates on a GPU with no other change; on a
machine without one, this example runs the same code on the CPU. The larger
the batch and the network, the more the GPU gains; the fit below is the
paper's two-body setting on a reduced number of epochs.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_hnn import HamiltonianRegressor
from sklearn_hnn.datasets import make_two_body_dataset

device = "cuda" if torch.cuda.is_available() else "cpu"
data = make_two_body_dataset(n_trajectories=50, random_state=0)
hnn = HamiltonianRegressor(
    hidden_layer_sizes=(200, 200),
    batch_size=200,
    max_epochs=5,
    device=device,
    random_state=0,
)
start = time.perf_counter()
hnn.fit(data.X_train, data.dXdt_train)
seconds = time.perf_counter() - start
steps = hnn.max_epochs * int(np.ceil(len(data.X_train) / hnn.batch_size))
print(f"device {device}: {steps} steps in {seconds:.1f} s")

# %%
# The fitted model lives on ``device``; predictions come back as NumPy arrays
# and ``simulate`` integrates there too.
x0 = data.X_test[:1]
t = np.linspace(0.0, 10.0, 101)
orbit = hnn.simulate(x0, t)[0]  # (101, 8): q of both bodies, then p
fig, ax = plt.subplots(figsize=(4, 4))
ax.plot(orbit[:, 0], orbit[:, 1], label="body 1")
ax.plot(orbit[:, 2], orbit[:, 3], label="body 2")
ax.set_aspect("equal")
ax.set_title(f"learned two-body rollout ({device}, {hnn.max_epochs} epochs)")
ax.legend(fontsize="small")
plt.show()
