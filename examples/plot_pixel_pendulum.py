"""
A Hamiltonian learned from pixels (Task 5)
==========================================

An autoencoder maps pairs of frames of a pendulum to a 2-d code; an HNN
learns the dynamics of the code; both train together in a
:class:`~sklearn_hnn.PixelHamiltonianPipeline`. Rollouts run in code space
and are decoded back to frames. Then, as in the paper's Figure 5, following
the gradient of the learned energy for a while adds energy in code space,
and the symplectic field keeps the new level.

The paper's setting is the pipeline's defaults on
``make_pixel_pendulum_dataset()`` (about 7 minutes on 2 cores). So that
this example runs in well under a minute, it trains a small model on 12
trajectories of 40 pairs of frames for 600 steps; its rollouts keep their
learned energy, but its decoded frames are blurrier than the recorded ones.
``python -m sklearn_hnn.experiments pixel-pendulum`` runs the full
experiment and measures Table 1's row 5. Needs the ``pixels`` and ``plot``
extras.
"""

# %%
# Train the pipeline
# ------------------
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sklearn_hnn import (
    AutoencoderTransformer,
    HamiltonianRegressor,
    PixelHamiltonianPipeline,
)
from sklearn_hnn.datasets import make_pixel_pendulum_dataset
from sklearn_hnn.plotting import (
    plot_frame_strip,
    plot_latent_phase_space,
    save_rollout_gif,
)

data = make_pixel_pendulum_dataset(n_trajectories=12, n_points=40, random_state=0)
model = PixelHamiltonianPipeline(
    AutoencoderTransformer(hidden_layer_sizes=(64, 64)),
    HamiltonianRegressor(hidden_layer_sizes=(64, 64)),
    max_steps=600,
    random_state=0,
).fit(data.X_train, t=data.t_train, groups=data.groups_train)
loss = -model.score(data.X_test, t=data.t_test, groups=data.groups_test)
print(f"test loss {loss:.4f}")

# %%
# Roll out in code space
# ----------------------
# From the first observation of a test trajectory, for as long as a recorded
# trajectory, in seconds. The learned energy stays put along the rollout.
x0 = data.X_test[0]
t = data.dt * np.arange(40)
frames = model.simulate(x0, t)  # decoded observations
codes = model.simulate_latent(x0, t)  # the same rollout in code space
learned = model.dynamics_.energy(codes)
print(f"learned energy along the rollout: spread {np.ptp(learned):.2e}")

# %%
# Add energy, then keep it (Figure 5)
# -----------------------------------
# Two steps of ``dt`` along the gradient of the learned energy raise it; from
# there the symplectic field keeps the new level.
pushed = model.simulate_latent(x0, t[:3], field="gradient")
added = model.dynamics_.energy(pushed)
after = model.dynamics_.simulate(pushed[-1], t)
kept = model.dynamics_.energy(after)
print(f"energy added by the gradient field: {added[0]:.3f} -> {added[-1]:.3f}")
print(f"then kept by the symplectic field: spread {np.ptp(kept):.2e}")

# The code plane: contours of the learned energy, the codes of the test
# observations (dots), the rollout (inner loop), the push along the gradient
# (red) and the rollout after it (outer loop).
drawn = plot_latent_phase_space(
    model, data.X_test, trajectories=np.stack([codes, after])
)
drawn.ax.plot(pushed[:, 0], pushed[:, 1], "r-", lw=2)

# Decoded, every fifth frame: the recorded trajectory, the rollout, and the
# rollout after the push, whose rod swings a little wider.
rollouts = {
    "data": data.X_test[: len(t)],
    "HNN": frames,
    "+ energy": model.inverse_transform(after),
}
strip = plot_frame_strip(rollouts, data.image_shape, every=5)

# %%
# Pictures on disk
# ----------------
# The three rollouts side by side as an animated GIF, and the code plane as a
# PNG, written to a fresh temporary directory.
out = Path(tempfile.mkdtemp(prefix="sklearn_hnn_pixels_"))
gif = save_rollout_gif(out / "rollout.gif", rollouts, data.image_shape)
drawn.ax.figure.savefig(out / "code_plane.png")
print(f"wrote {gif} and {out / 'code_plane.png'}")
plt.show()
