"""The structured families of Gruver et al. (2022): separable, dissipative and
second-order models, angle features and the symplectic penalty."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from scipy.integrate import solve_ivp
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_hnn import (
    BaselineDynamicsRegressor,
    DissipativeHamiltonianRegressor,
    HamiltonianRegressor,
    SecondOrderRegressor,
    SeparableHamiltonianRegressor,
)
from sklearn_hnn.objectives import symplectic_residual
from sklearn_hnn.persistence import load, save

FAST = {
    "hidden_layer_sizes": (32, 32),
    "lr": 1e-2,
    "max_epochs": 300,
    "random_state": 0,
}
# A smaller step for the damping: at lr=1e-2 Adam drives D(q) to zero early, where
# the gradient of L L^T vanishes, and it does not come back within 300 epochs.
DAMPED_FIT = {**FAST, "lr": 3e-3, "max_epochs": 500}
TINY = {"hidden_layer_sizes": (16,), "lr": 1e-2, "max_epochs": 30, "random_state": 0}
NEW = [
    SecondOrderRegressor,
    SeparableHamiltonianRegressor,
    DissipativeHamiltonianRegressor,
]
DAMPING = 0.1


def _uniform(n: int, d: int = 1, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-scale, scale, size=(n, 2 * d))


def _spring(X):  # H = q^2 + p^2, Task 1
    return np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)


def _oscillator(X):  # velocity form: q'' = -q
    return np.stack([X[:, 1], -X[:, 0]], axis=1)


def _damped(X, damping=DAMPING):  # H = (q^2 + p^2) / 2, p' = -q - damping p
    return np.stack([X[:, 1], -X[:, 0] - damping * X[:, 1]], axis=1)


@pytest.fixture(autouse=True)
def one_thread():
    """These networks are small: one torch thread trains them fastest."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def damped_model() -> DissipativeHamiltonianRegressor:
    X = _uniform(400, scale=1.2)
    return DissipativeHamiltonianRegressor(**DAMPED_FIT).fit(X, _damped(X))


# ---------------------------------------------------------- known systems


def test_separable_recovers_the_spring_and_its_mass():
    X, X_test = _uniform(400), _uniform(200, seed=1)
    est = SeparableHamiltonianRegressor(**FAST).fit(X, _spring(X))
    assert est.score(X_test, _spring(X_test)) > 0.99
    # H = q^2 + p^2 = p^2 / (2 m) + V with 1 / m = 2
    assert_allclose(est.inverse_mass(X_test).ravel(), 2.0, rtol=0.1)


def test_second_order_recovers_an_oscillator_in_velocity_form():
    X, X_test = _uniform(400), _uniform(200, seed=1)
    est = SecondOrderRegressor(**FAST).fit(X, _oscillator(X))
    assert est.score(X_test, _oscillator(X_test)) > 0.99
    # dq/dt is the velocity, exactly, whatever was learned
    assert_allclose(est.predict(X_test)[:, 0], X_test[:, 1], rtol=1e-6, atol=1e-6)


def test_second_order_keeps_dq_dt_exact_under_normalisation():
    X = _uniform(200) * 1e3 + 50.0  # far from unit scale: normalised
    est = SecondOrderRegressor(**TINY).fit(X, _oscillator(X))
    assert est.X_offset_ is not None
    assert_allclose(est.predict(X)[:, 0], X[:, 1], rtol=1e-5)


def test_second_order_warns_on_momenta_of_another_mass():
    X = _uniform(100)
    with pytest.warns(UserWarning, match="velocities dq/dt.*to_velocities"):
        SecondOrderRegressor(**TINY).fit(X, _spring(X))  # dq/dt = 2p


def test_dissipative_recovers_the_damped_oscillator(damped_model):
    X_test = _uniform(200, seed=1)
    assert damped_model.score(X_test, _damped(X_test)) > 0.99
    damping = damped_model.damping(X_test)
    assert damping.shape == (200, 1, 1)
    assert abs(np.median(damping) - DAMPING) < 0.1 * DAMPING


def test_dissipative_energy_never_increases_along_its_rollouts(damped_model):
    x0 = _uniform(20, seed=2)
    t = np.linspace(0.0, 20.0, 401)
    energy = damped_model.energy(damped_model.simulate(x0, t).reshape(-1, 2))
    steps = np.diff(energy.reshape(20, -1), axis=1)
    assert steps.max() <= 1e-6 * np.abs(energy).max()
    conservative = damped_model.simulate(x0, t, field="conservative", substeps=5)
    kept = damped_model.energy(conservative.reshape(-1, 2)).reshape(20, -1)
    assert np.ptp(kept, axis=1).max() < 1e-2 * np.ptp(energy)


def test_dissipative_rollouts_follow_the_true_energy_decay(damped_model):
    x0 = np.array([1.0, 0.0])
    t = np.linspace(0.0, 20.0, 201)
    truth = solve_ivp(
        lambda _, x: _damped(x[None])[0], (0, 20), x0, t_eval=t, rtol=1e-10, atol=1e-10
    ).y.T
    rollout = damped_model.simulate(x0, t, substeps=4)

    def energy(states):
        return 0.5 * (states**2).sum(axis=1)

    assert abs(energy(rollout)[-1] / energy(truth)[-1] - 1) < 0.25
    # the HNN cannot lose energy at all
    hnn = HamiltonianRegressor(**FAST).fit(
        _uniform(400, scale=1.2), _damped(_uniform(400, scale=1.2))
    )
    kept = energy(hnn.simulate(x0, t, substeps=4))[-1]
    assert kept > 2 * energy(truth)[-1]


# ------------------------------------------------------- rollout training


def _spring_trajectories(n: int = 12, points: int = 16, seed: int = 0):
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(-1, 1, size=(n, 2))
    t = np.linspace(0.0, 1.5, points)
    radius = np.linalg.norm(x0, axis=1, keepdims=True)
    phase = np.arctan2(x0[:, :1], x0[:, 1:])  # q = r sin(phase + 2t), p = r cos(.)
    q = radius * np.sin(phase + 2 * t)
    p = radius * np.cos(phase + 2 * t)
    X = np.stack([q, p], axis=-1).reshape(-1, 2)
    return X, np.tile(t, n), np.repeat(np.arange(n), points)


@pytest.mark.parametrize("cls", [HamiltonianRegressor, BaselineDynamicsRegressor])
def test_rollout_training_recovers_the_spring_without_derivatives(cls):
    X, t, groups = _spring_trajectories()
    est = cls(**{**FAST, "max_epochs": 150}, objective="rollout").fit(
        X, t=t, groups=groups
    )
    X_test = _uniform(300, seed=3)
    assert est.score(X_test, _spring(X_test)) > 0.99


def test_rollout_objective_builds_one_chunk_per_window():
    from sklearn_hnn.objectives import RolloutMatching

    windows = RolloutMatching(rollout_length=3).windows(7, [0, 0, 0, 0, 1, 1, 1])
    assert_array_equal(windows, [[0, 1, 2], [1, 2, 3], [4, 5, 6]])


def test_rollout_prediction_is_rk4_on_the_data_grid():
    from sklearn_hnn.objectives import RolloutMatching

    objective = RolloutMatching(rollout_length=3)
    X = torch.tensor([[1.0, 0.0, 0.1, 0.2]], dtype=torch.float64)
    predicted = objective.predict(lambda x: -x, X)  # x' = -x, steps 0.1 and 0.2
    rk4 = [1 - h + h**2 / 2 - h**3 / 6 + h**4 / 24 for h in (0.1, 0.2)]
    assert_allclose(predicted.numpy(), [[rk4[0], 0.0, rk4[0] * rk4[1], 0.0]])


# ------------------------------------------------------------ bad input


def _fitted():
    X = _uniform(60)
    return HamiltonianRegressor(**TINY).fit(X, _spring(X)), X


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"rollout_length": 20}, "rollout_length=20.*trajectory 0 has only 16"),
        ({"t": "short"}, "t"),
        ({"y": True}, "pass t .*instead of y"),
        ({"t": None}, "needs t"),
    ],
    ids=["chunk-longer-than-trajectory", "t-mismatch", "y-given", "no-t"],
)
def test_bad_rollout_input_is_refused_before_anything_changes(change, match):
    est, X_fit = _fitted()
    before = est.predict(X_fit)
    history = len(est.history_)
    X, t, groups = _spring_trajectories()
    kwargs = {"t": t, "groups": groups}
    y = None
    if change.get("t") == "short":
        kwargs["t"] = t[:-1]
    elif "t" in change:
        kwargs["t"] = None
    if change.get("y"):
        y = _spring(X)
    est.set_params(objective="rollout", rollout_length=change.get("rollout_length", 5))
    with pytest.raises(ValueError, match=match):
        est.fit(X, y, **kwargs)
    assert_array_equal(est.predict(X_fit), before)
    assert len(est.history_) == history


@pytest.mark.parametrize("cls", NEW)
def test_odd_width_is_refused(cls):
    X = _uniform(20)[:, :1]
    with pytest.raises(ValueError, match="X"):
        cls(**TINY).fit(np.hstack([X, X, X]), np.hstack([X, X, X]))


def test_rollout_length_is_validated():
    X, t, groups = _spring_trajectories()
    with pytest.raises(ValueError, match="rollout_length"):
        HamiltonianRegressor(objective="rollout", rollout_length=1).fit(
            X, t=t, groups=groups
        )


# -------------------------------------------- angles and the symplectic penalty


def test_angle_features_make_the_field_periodic():
    X = _uniform(200) * np.array([3.0, 1.0])
    y = np.stack([X[:, 1], -np.sin(X[:, 0])], axis=1)
    shift = np.array([2 * np.pi, 0.0])
    for cls in (HamiltonianRegressor, BaselineDynamicsRegressor, *NEW):
        est = cls(**TINY, angles=[0]).fit(X, y)
        assert_allclose(est.predict(X + shift), est.predict(X), atol=1e-4)
        plain = cls(**TINY).fit(X, y)
        assert not np.allclose(plain.predict(X + shift), plain.predict(X), atol=1e-2)


def test_angles_must_be_positions_and_not_with_a_module():
    X = _uniform(20)
    with pytest.raises(ValueError, match=r"angles=\[1\] must index positions"):
        HamiltonianRegressor(**TINY, angles=[1]).fit(X, _spring(X))
    with pytest.raises(ValueError, match="angles"):
        HamiltonianRegressor(**TINY, angles=[0], module=torch.nn.Linear(2, 1)).fit(
            X, _spring(X)
        )
    with pytest.raises(ValueError, match="angles"):
        HamiltonianRegressor(angles=[0, 0]).fit(X, _spring(X))


def test_symplectic_penalty_makes_the_field_closer_to_hamiltonian():
    X = _uniform(300, d=2)
    y = np.random.default_rng(0).normal(size=(4, 4)) @ np.eye(4)
    y = X @ y.T  # a linear field that is not Hamiltonian
    states = torch.as_tensor(X, dtype=torch.float32)
    residual = {}
    for weight in (0.0, 1.0):
        est = BaselineDynamicsRegressor(
            **{**FAST, "hidden_layer_sizes": (32,), "max_epochs": 150},
            symplectic_penalty=weight,
        ).fit(X, y)
        residual[weight] = float(symplectic_residual(est.module_, states).detach())
    assert residual[1.0] < residual[0.0] / 3


def test_symplectic_residual_is_zero_for_a_hamiltonian_field():
    def field(x):  # H = q0^2 + q0 q1 + p0^2 + p1^2 / 2
        q0, q1, p0, p1 = x
        return torch.stack([2 * p0, p1, -2 * q0 - q1, -q0])

    states = torch.randn(10, 4, dtype=torch.float64)
    assert float(symplectic_residual(field, states)) < 1e-20
    assert float(symplectic_residual(lambda x: x, states)) > 1.0


# ------------------------------------------------------------ properties


@pytest.fixture(scope="module")
def separable_2d() -> SeparableHamiltonianRegressor:
    X = _uniform(100, d=2)
    y = np.concatenate([2 * X[:, 2:], -2 * X[:, :2]], axis=1)
    return SeparableHamiltonianRegressor(**TINY).fit(X, y)


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float64,
        (7, 4),
        elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    )
)
def test_inverse_mass_is_positive_definite_everywhere(separable_2d, X):
    inverse_mass = separable_2d.inverse_mass(X)
    assert_allclose(inverse_mass, np.swapaxes(inverse_mass, 1, 2), atol=1e-12)
    assert (np.linalg.eigvalsh(inverse_mass) > 0).all()


# ------------------------------------------------- model selection, persistence


@pytest.mark.parametrize("cls", NEW)
def test_clone_pickle_save_load_and_grid_search(cls, tmp_path):
    X = _uniform(60)
    y = _oscillator(X) if cls is SecondOrderRegressor else _spring(X)
    est = cls(**TINY).fit(X, y)
    expected = est.predict(X)
    assert_array_equal(pickle.loads(pickle.dumps(est)).predict(X), expected)
    save(est, tmp_path / "m.pt")
    loaded = load(tmp_path / "m.pt")
    assert type(loaded) is cls
    assert_array_equal(loaded.predict(X), expected)
    assert clone(est).get_params() == est.get_params()
    search = GridSearchCV(
        cls(**{**TINY, "max_epochs": 10}),
        {"hidden_layer_sizes": [(8,), (16,)]},
        cv=KFold(2),
    ).fit(X, y)
    assert search.best_params_["hidden_layer_sizes"] in [(8,), (16,)]


def test_a_model_with_angles_continues_after_save_and_load(tmp_path):
    X = _uniform(60) * np.array([3.0, 1.0])
    y = np.stack([X[:, 1], -np.sin(X[:, 0])], axis=1)
    est = SeparableHamiltonianRegressor(**TINY, angles=[0], normalize=True).fit(X, y)
    save(est, tmp_path / "m.pt")
    loaded = load(tmp_path / "m.pt")
    assert_array_equal(loaded.predict(X), est.predict(X))
    loaded.partial_fit(X, y)
    assert len(loaded.history_) == TINY["max_epochs"] + 1
    loaded.set_params(angles=None)
    with pytest.raises(ValueError, match="angles=None, but the fitted network"):
        loaded.partial_fit(X, y)


def test_symplectic_penalty_needs_a_field_of_canonical_states():
    X = _uniform(30)
    est = BaselineDynamicsRegressor(**TINY, symplectic_penalty=1.0)
    for X_bad, y_bad in ((X[:, :1], X[:, :1]), (X, X[:, 0]), (X, X[:, :1])):
        with pytest.raises(ValueError, match=r"symplectic_penalty=1\.0"):
            est.fit(X_bad, y_bad)
    assert not hasattr(est, "n_features_in_")
    assert "symplectic_penalty" not in SecondOrderRegressor().get_params()


def test_validation_fraction_counts_chunks_with_the_rollout_objective():
    X, t, groups = _spring_trajectories(n=2, points=5)
    est = HamiltonianRegressor(
        **TINY, objective="rollout", validation_fraction=0.6
    )  # 2 chunks: 0.6 of them holds out both
    with pytest.raises(ValueError, match=r"validation_fraction=0\.6 of 2 samples"):
        est.fit(X, t=t, groups=groups)
