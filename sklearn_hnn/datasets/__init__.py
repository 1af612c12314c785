"""Datasets of states and time derivatives, split by trajectory."""

from sklearn_hnn.datasets.ideal import make_pendulum_dataset, make_spring_dataset
from sklearn_hnn.datasets.trajectories import (
    make_trajectory_dataset,
    sample_annulus,
)

__all__ = [
    "make_pendulum_dataset",
    "make_spring_dataset",
    "make_trajectory_dataset",
    "sample_annulus",
]
