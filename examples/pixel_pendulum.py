"""
A Hamiltonian learned from pixels (Task 5)
==========================================

An autoencoder maps pairs of frames of a pendulum to a 2-d code; an HNN learns
the dynamics of the code; both train together. Rollouts run in code space and
are decoded back to frames. The paper's setting is the pipeline's defaults on
``make_pixel_pendulum_dataset()`` (about 7 minutes on 2 cores); this script
trains a small one for a few seconds, then adds energy in code space (the
paper's Figure 5), writes a GIF and draws the code plane.
Needs the ``pixels`` and ``plot`` extras.
"""

import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np

from sklearn_hnn import (
    AutoencoderTransformer,
    HamiltonianRegressor,
    PixelHamiltonianPipeline,
)
from sklearn_hnn.datasets import make_pixel_pendulum_dataset
from sklearn_hnn.plotting import plot_latent_phase_space, save_rollout_gif

data = make_pixel_pendulum_dataset(n_trajectories=12, n_points=40, random_state=0)
model = PixelHamiltonianPipeline(
    AutoencoderTransformer(hidden_layer_sizes=(64, 64)),
    HamiltonianRegressor(hidden_layer_sizes=(64, 64)),
    max_steps=600,
    random_state=0,
).fit(data.X_train, t=data.t_train, groups=data.groups_train)
print(
    f"test loss {-model.score(data.X_test, t=data.t_test, groups=data.groups_test):.4f}"
)

# Roll out from the first observation of a test trajectory, in seconds.
x0 = data.X_test[0]
t = data.dt * np.arange(40)  # the length of a recorded trajectory
frames = model.simulate(x0, t)
codes = model.simulate_latent(x0, t)
learned = model.dynamics_.energy(codes)
print(f"learned energy along the rollout: spread {np.ptp(learned):.2e}")

# Figure 5: the gradient field for a while adds energy; then the symplectic
# field keeps the new level.
pushed = model.simulate_latent(x0, t[:10], field="gradient")
added = model.dynamics_.energy(pushed)
kept = model.dynamics_.energy(model.dynamics_.simulate(pushed[-1], t))
print(f"energy added by the gradient field: {added[0]:.3f} -> {added[-1]:.3f}")
print(f"then kept by the symplectic field: spread {np.ptp(kept):.2e}")

out = Path(tempfile.mkdtemp())
gif = save_rollout_gif(
    out / "rollout.gif",
    {"data": data.X_test[: len(t)], "HNN": frames},
    data.image_shape,
)
drawn = plot_latent_phase_space(model, data.X_test, trajectories=codes[None])
drawn.ax.figure.savefig(out / "code_plane.png")
print(f"wrote {gif} and {out / 'code_plane.png'}")
