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


def _in_place_energy(x):
    """H = q^2 + p^2, computed by overwriting its input."""
    np.square(x, out=x)
    return x.sum(-1)


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a,
        lambda a: np.asfortranarray(a),
        lambda a: np.concatenate([a, a], axis=-1)[..., :2],  # a strided view
    ],
    ids=["contiguous", "fortran", "view"],
)
def test_energy_mse_never_modifies_the_callers_arrays(make):
    rng = np.random.default_rng(0)
    true = make(rng.normal(size=(2, 3, 2)))
    pred = make(rng.normal(size=(2, 3, 2)))
    true_before, pred_before = true.copy(), pred.copy()
    expected = energy_mse(lambda x: (x**2).sum(-1), true, pred)
    assert energy_mse(_in_place_energy, true, pred) == pytest.approx(expected)
    np.testing.assert_array_equal(true, true_before)
    np.testing.assert_array_equal(pred, pred_before)
    # The same array on both sides: each evaluation sees the original states.
    assert energy_mse(_in_place_energy, true, true) == 0.0
    np.testing.assert_array_equal(true, true_before)
