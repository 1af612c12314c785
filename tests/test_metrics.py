import numpy as np
import pytest

from sklearn_hnn.metrics import energy_mse
from sklearn_hnn.systems import MassSpring


def test_energy_mse_of_identical_trajectories_is_zero():
    traj = np.random.default_rng(0).normal(size=(3, 5, 2))
    assert energy_mse(MassSpring().hamiltonian, traj, traj) == 0.0


def test_energy_mse_value():
    spring = MassSpring(stiffness=2.0, mass=0.5)  # H = q^2 + p^2
    true = np.zeros((2, 4, 2))
    pred = np.zeros((2, 4, 2))
    pred[0, :, 0] = 1.0  # energy off by 1 on half of the entries
    assert energy_mse(spring.hamiltonian, true, pred) == pytest.approx(0.5)


def test_energy_mse_shape_mismatch():
    with pytest.raises(ValueError, match="same shape"):
        energy_mse(MassSpring().hamiltonian, np.zeros((1, 2, 2)), np.zeros((1, 3, 2)))
