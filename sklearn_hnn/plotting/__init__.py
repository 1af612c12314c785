"""Pictures of learned dynamics (matplotlib and imageio, the ``plot`` extra).

============================  ==============================================
:func:`plot_phase_portrait`   data, a model's (or system's) field and its
                              energy's contours over the plane ``(q, p)``
:func:`plot_rollout`          several rollouts over time
:func:`plot_energy`           energy over time along several rollouts
:func:`plot_latent_phase_space` contours of a pixel model's learned energy
                              over its code plane, with codes and rollouts
:func:`plot_frame_strip`      frames of several rollouts side by side
:func:`save_rollout_gif`      an animated GIF of several rollouts
============================  ==============================================

Given ``ax=None`` (``axes=None``), a function makes its own figure, with
matplotlib's constrained layout so that its labels stay on the canvas:
``bunch.ax.figure.savefig("phase.png")`` saves it whole. Axes you pass are
drawn on and left as they are.

matplotlib and imageio are imported when a picture is drawn, so
``import sklearn_hnn`` works without them.
"""

from sklearn_hnn.plotting.dynamics import (
    plot_energy,
    plot_phase_portrait,
    plot_rollout,
)
from sklearn_hnn.plotting.pixels import (
    plot_frame_strip,
    plot_latent_phase_space,
    rollout_frames,
    save_rollout_gif,
)

__all__ = [
    "plot_energy",
    "plot_frame_strip",
    "plot_latent_phase_space",
    "plot_phase_portrait",
    "plot_rollout",
    "rollout_frames",
    "save_rollout_gif",
]
