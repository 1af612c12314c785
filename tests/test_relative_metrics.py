"""Relative state and energy errors and their geometric means (Gruver et al.)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_hnn.metrics import (
    geometric_mean_relative_energy_error,
    geometric_mean_relative_error,
    relative_energy_error,
    relative_error,
)


def test_hand_computed_values():
    true = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 2.0], [0.0, 0.0]])
    pred = np.array([[3.0, 4.0], [1.0, 0.0], [1.0, 2.0], [0.0, 0.0]])
    expected = [5.0 / 5.0, np.sqrt(2.0) / 2.0, 0.0, 0.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0 / 0 warning
        assert_allclose(relative_error(pred, true), expected)


def test_angle_differences_are_wrapped():
    # Angle pi - 0.1 against -pi + 0.1: 0.2 apart, not 2 pi - 0.2.
    true = np.array([[np.pi - 0.1, 1.0]])
    pred = np.array([[-np.pi + 0.1, 1.0]])
    size = np.hypot(np.pi - 0.1, 1.0)
    assert_allclose(relative_error(pred, true, angles=[0]), [0.2 / (2 * size)])
    unwrapped = np.hypot(2 * np.pi - 0.2, 0.0) / (2 * size)
    assert_allclose(relative_error(pred, true), [unwrapped])
    # A whole turn apart is no error.
    assert_allclose(
        relative_error(true + np.array([2 * np.pi, 0.0]), true, angles=(0,)), [0.0]
    )


def test_angles_are_unwrapped_within_each_trajectory_only():
    # Trajectory A crosses pi (wrapped values 3.0 then -3.0); B starts at -3.0.
    a = np.array([[2.8], [3.0], [-3.0]])
    b = np.array([[-3.0], [-2.9], [-2.8]])
    pred_b = b + 0.1
    both = relative_error(np.stack([a, pred_b]), np.stack([a, b]), angles=[0])
    alone = relative_error(pred_b, b, angles=[0])
    assert_allclose(both[1], alone)
    # By hand: the differences are 0.1, the sizes those of B itself.
    assert_allclose(alone, 0.1 / (np.abs(b[:, 0]) + np.abs(pred_b[:, 0])))
    # Across A's crossing the true angle goes on continuously: 3.0, 2 pi - 3.0.
    assert_allclose(both[0], 0.0)
    # Unwrapping the trajectories one after the other would have moved B by
    # 2 pi, and changed its errors.
    across = np.unwrap(np.concatenate([a, b])[:, 0])[3:]
    assert not np.allclose(across, b[:, 0])


def test_unwrapped_sizes_follow_a_crossing():
    # The true angle moves continuously past pi, given wrapped: the size of the
    # second state is |pi + 0.1|, not |-pi + 0.1|.
    true = np.array([[np.pi - 0.1], [-np.pi + 0.1]])
    pred = np.array([[np.pi - 0.1], [np.pi + 0.2]])  # continuous, 0.1 ahead
    err = relative_error(pred, true, angles=[0])
    assert_allclose(err, [0.0, 0.1 / ((np.pi + 0.1) + (np.pi + 0.2))])
    # The same prediction wound a turn further scores the same.
    assert_allclose(relative_error(pred + 2 * np.pi, true, angles=[0]), err)


def test_batches_keep_their_shape():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 7, 3))
    zhat = z + 0.1 * rng.normal(size=z.shape)
    err = relative_error(zhat, z, angles=[1])
    assert err.shape == (4, 7)
    for i in range(4):
        assert_allclose(err[i], relative_error(zhat[i], z[i], angles=[1]))
    assert np.all((err >= 0) & (err <= 1))


def test_geometric_mean_over_time_then_over_trajectories():
    true = np.ones((2, 4, 1))
    # Trajectory 0: errors 0.1 at every step; trajectory 1: 0.4.
    pred = true * np.array([[[11 / 9]], [[7 / 3]]])
    assert_allclose(relative_error(pred, true), [[0.1] * 4, [0.4] * 4])
    # The geometric mean of the two (0.2), not their mean (0.25).
    assert geometric_mean_relative_error(pred, true) == pytest.approx(0.2)
    # The first step of a rollout is exact: its error counts as the floor.
    pred[:, 0] = 1.0
    expected = np.exp(
        (np.log(1e-7) + 3 * np.log(0.1) + np.log(1e-7) + 3 * np.log(0.4)) / 8
    )
    assert geometric_mean_relative_error(pred, true) == pytest.approx(expected)
    assert geometric_mean_relative_error(pred[1], true[1], floor=0.01) == pytest.approx(
        (0.01 * 0.4**3) ** 0.25
    )


def test_energy_errors():
    pred = np.array([[1.0, 0.0, -1.0, 2.0]])
    true = np.array([[3.0, 0.0, 1.0, 2.0]])
    assert_allclose(relative_energy_error(pred, true), [[0.5, 0.0, 1.0, 0.0]])
    assert relative_energy_error(pred[0], true[0]).shape == (4,)
    expected = (0.5 * 1e-7 * 1.0 * 1e-7) ** 0.25
    assert geometric_mean_relative_energy_error(pred, true) == pytest.approx(expected)


def test_inputs_are_not_modified():
    rng = np.random.default_rng(1)
    pred, true = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 5, 2))
    pred_before, true_before = pred.copy(), true.copy()
    relative_error(pred, true, angles=[0, 1])
    np.testing.assert_array_equal(pred, pred_before)
    np.testing.assert_array_equal(true, true_before)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: relative_error(np.zeros((2, 3)), np.zeros((2, 4))), "same shape"),
        (lambda: relative_error(np.zeros(3), np.zeros(3)), "z_pred must have shape"),
        (lambda: relative_error(np.zeros((2, 3)), np.zeros((1, 2, 3))), "z_true"),
        (lambda: relative_error(np.zeros((0, 2)), np.zeros((0, 2))), "z_pred is empty"),
        (
            lambda: relative_error(np.zeros((2, 2)), np.zeros((2, 2)), angles=[2]),
            "angles",
        ),
        (
            lambda: relative_error(np.zeros((2, 2)), np.zeros((2, 2)), angles=0),
            "angles",
        ),
        (
            lambda: relative_error(np.zeros((2, 2)), np.zeros((2, 2)), angles=[True]),
            "ang",
        ),
        (
            lambda: relative_error(np.zeros((2, 2)), np.zeros((2, 2)), angles=[0, 0]),
            "rep",
        ),
        (
            lambda: relative_energy_error(np.zeros((1, 1, 1)), np.zeros(1)),
            "energy_pred",
        ),
        (lambda: relative_energy_error([1.0], [np.inf]), "energy_true"),
        (
            lambda: geometric_mean_relative_error(
                np.ones((2, 1)), np.ones((2, 1)), floor=0
            ),
            "floor must be a positive",
        ),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_diverged_rollout_has_the_largest_error_from_where_it_diverged():
    true = np.ones((2, 4, 2))
    pred = true.copy()
    pred[1, 2:] = np.nan  # simulate's NaN after a divergence
    errors = relative_error(pred, true)
    assert_array_equal(errors, [[0, 0, 0, 0], [0, 0, 1, 1]])
    energy = relative_energy_error(pred[..., 0], true[..., 0])
    assert_array_equal(energy, errors)
    with pytest.raises(ValueError, match="z_true"):
        relative_error(true, pred)


def test_infinite_overflowing_or_masked_predictions_score_one_and_spare_the_rest():
    true = np.array([[0.5, 0.0], [0.4, 0.1], [0.3, 0.2], [0.2, 0.3]])
    pred = true + 0.1
    expected = relative_error(pred, true, angles=[0])
    pred[1] = [np.inf, 0.0]
    pred[2] = [1e308, 1e308]  # its norm overflows
    errors = relative_error(pred, true, angles=[0])
    assert_allclose(errors[[0, 3]], expected[[0, 3]])  # unwrap not poisoned
    assert_array_equal(errors[1:3], [1.0, 1.0])
    energy = relative_energy_error([1.0, np.inf, -np.inf, 1e308], [1.0, 1.0, 1.0, 1.0])
    assert_allclose(energy, [0.0, 1.0, 1.0, 1.0])
