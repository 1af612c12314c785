"""Datasets of states and time derivatives, or of frames, split by trajectory."""

from sklearn_hnn.datasets.chains import (
    make_chain_pendulum_dataset,
    make_spring_pendulum_dataset,
    reference_constants,
    sample_chain_pendulum_states,
    sample_spring_pendulum_states,
)
from sklearn_hnn.datasets.ideal import make_pendulum_dataset, make_spring_dataset
from sklearn_hnn.datasets.orbits import (
    make_three_body_dataset,
    make_two_body_dataset,
    sample_three_body_states,
    sample_two_body_states,
)
from sklearn_hnn.datasets.pixels import (
    make_pixel_pendulum_dataset,
    measure_rod_angle,
    pixel_pendulum_energy,
    render_pendulum_frames,
)
from sklearn_hnn.datasets.real import load_real_pendulum, make_real_pendulum_dataset
from sklearn_hnn.datasets.rollouts import make_rollout_dataset
from sklearn_hnn.datasets.stacking import stack_trajectories
from sklearn_hnn.datasets.trajectories import (
    make_simulated_dataset,
    make_trajectory_dataset,
    sample_annulus,
)

__all__ = [
    "load_real_pendulum",
    "make_chain_pendulum_dataset",
    "make_pendulum_dataset",
    "make_pixel_pendulum_dataset",
    "make_real_pendulum_dataset",
    "make_rollout_dataset",
    "make_simulated_dataset",
    "make_spring_dataset",
    "make_spring_pendulum_dataset",
    "make_three_body_dataset",
    "make_trajectory_dataset",
    "make_two_body_dataset",
    "measure_rod_angle",
    "pixel_pendulum_energy",
    "reference_constants",
    "render_pendulum_frames",
    "sample_annulus",
    "sample_chain_pendulum_states",
    "sample_spring_pendulum_states",
    "sample_three_body_states",
    "sample_two_body_states",
    "stack_trajectories",
]
