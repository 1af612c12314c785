"""Property-based tests of the estimators' argument checks.

Every call either succeeds with output of the documented shape, or raises a
ValueError or TypeError naming the argument at fault; and a fit that fails
leaves a fitted model exactly as it was. See ``tests/strategies.py``.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.integrate import METHODS as INTEGRATORS
from tests.strategies import (
    NOT_A_NUMBER,
    POSITIVE_INTS,
    POSITIVE_NUMBERS,
    array_likes,
    attempt,
    call_with,
    expect,
    finite_of_shape,
    given_settings,
    shapes,
    tagged,
    time_grids,
)

TINY = {"hidden_layer_sizes": (4,), "max_epochs": 1, "random_state": 0}
CLASSES = [BaselineDynamicsRegressor, HamiltonianRegressor]


def _fitted(cls):
    X = np.random.default_rng(0).uniform(-1, 1, size=(8, 2))
    return cls(**TINY).fit(X, X[:, ::-1] * [1, -1])


FITTED = {cls: _fitted(cls) for cls in CLASSES}
PROBE = np.random.default_rng(1).uniform(-1, 1, size=(5, 2))


def _valid_training_data(cls, X_shape, X_numbers, y_shape, y_numbers) -> bool:
    if X_numbers is None or y_numbers is None or len(X_shape) != 2:
        return False
    n, width = X_shape
    if n < 1 or width < 1:
        return False
    if cls is HamiltonianRegressor:
        return width % 2 == 0 and tuple(y_shape) == tuple(X_shape)
    return (
        len(y_shape) in (1, 2)
        and y_shape[0] == n
        and (len(y_shape) == 1 or y_shape[1] >= 1)
    )


@st.composite
def training_data(draw):
    X_shape = draw(shapes(min_dims=1, max_dims=3))
    same = draw(st.booleans())
    y_shape = X_shape if same else draw(shapes(min_dims=1, max_dims=3))
    X, X_numbers = draw(array_likes(X_shape))
    y, y_numbers = draw(array_likes(y_shape))
    return X, y, X_shape, X_numbers, y_shape, y_numbers


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@given_settings(60)
@given(data=training_data())
def test_fit_accepts_valid_data_rejects_the_rest_and_keeps_the_model(cls, data):
    X, y, X_shape, X_numbers, y_shape, y_numbers = data
    valid = _valid_training_data(cls, X_shape, X_numbers, y_shape, y_numbers)
    est = copy.deepcopy(FITTED[cls])
    before = est.predict(PROBE)
    ok, _ = expect(lambda: est.fit(X, y), valid, ["X", "y"])
    if not ok:  # nothing changed
        assert_array_equal(est.predict(PROBE), before)
        assert est.n_features_in_ == 2
    else:
        out = est.predict(np.asarray(X_numbers))
        assert out.shape[0] == X_shape[0] and np.isfinite(out).all()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@given_settings(60)
@given(shape=shapes(), data=st.data())
def test_predict_energy_and_score_check_X(cls, shape, data):
    est = FITTED[cls]
    X, numbers = data.draw(array_likes(shape))
    valid = numbers is not None and len(shape) == 2 and shape[0] >= 1
    valid = valid and shape[1] == 2
    n = shape[0] if shape else 0
    expect(lambda: est.predict(X), valid, ["X"], finite_of_shape((n, 2)))
    if hasattr(est, "energy"):
        expect(lambda: est.energy(X), valid, ["X"], finite_of_shape((n,)))
    if valid and shape[0] >= 2:
        assert np.isfinite(est.score(X, numbers))
    elif valid:  # R² of a single sample is undefined
        with pytest.raises(ValueError, match="at least 2 samples"):
            est.score(X, numbers)


@st.composite
def initial_states(draw):
    """``(x0, ok, expected_shape_prefix)``."""
    shape = draw(
        st.one_of(
            st.just((2,)),
            st.tuples(st.integers(0, 3), st.just(2)),
            shapes(max_dims=3, max_side=3),
        )
    )
    x0, numbers = draw(array_likes(shape))
    single = len(shape) == 1
    ok = (
        numbers is not None
        and len(shape) in (1, 2)
        and shape[-1] == 2
        and (single or shape[0] >= 1)
    )
    return x0, ok, () if single else (shape[0] if shape else 0,)


METHOD_NAMES = tagged(
    st.sampled_from(INTEGRATORS),
    st.one_of(st.text(max_size=6), st.sampled_from(["RK4", "rk5", "", None, 4])),
)
FIELDS = {
    BaselineDynamicsRegressor: tagged(
        st.sampled_from([None, "learned"]), st.sampled_from(["symplectic", "x", 1])
    ),
    HamiltonianRegressor: tagged(
        st.sampled_from([None, "symplectic", "gradient"]),
        st.sampled_from(["learned", "Gradient", 1]),
    ),
}
GROWTH = tagged(
    st.sampled_from([None, 1e3, 1e6, 10]),
    st.one_of(NOT_A_NUMBER, st.sampled_from([0, -1.0, np.nan, np.inf])),
)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@given_settings(80)
@given(state=initial_states(), data=st.data())
def test_simulate_checks_every_argument(cls, state, data):
    x0, x0_ok, prefix = state
    t, t_ok = data.draw(time_grids(3, output_grid=True))
    arguments = {
        "x0": (x0, x0_ok),
        "t": (t, t_ok),
        "method": data.draw(METHOD_NAMES),
        "substeps": data.draw(POSITIVE_INTS),
        "rtol": data.draw(POSITIVE_NUMBERS),
        "atol": data.draw(POSITIVE_NUMBERS),
        "field": data.draw(FIELDS[cls]),
        "max_growth": data.draw(GROWTH),
    }
    est = FITTED[cls]
    ok, out = call_with(est.simulate, arguments)
    if ok:
        n_times = np.asarray(t, dtype=float).size
        assert out.shape == (*prefix, n_times, 2)


PARAMETERS = {
    "lr": POSITIVE_NUMBERS,
    "max_epochs": POSITIVE_INTS,
    "batch_size": tagged(
        st.one_of(st.none(), st.integers(1, 4)),
        st.sampled_from([0, -1, 2.5, "4", np.nan]),
    ),
    "hidden_layer_sizes": tagged(
        st.one_of(st.integers(1, 3), st.lists(st.integers(1, 3), min_size=1)),
        st.sampled_from([0, (0,), (2, -1), "3", (2.5,), None, (True,)]),
    ),
    "weight_decay": tagged(
        st.sampled_from([0, 0.0, 1e-4]), st.sampled_from([-1e-3, "x", None, np.nan])
    ),
    "validation_fraction": tagged(
        st.sampled_from([0.0, 0.25]), st.sampled_from([1.0, -0.1, "0.2", None])
    ),
    "activation": tagged(st.sampled_from(["tanh", "softplus"]), st.text(max_size=4)),
    "optimizer": tagged(st.sampled_from(["adam", "sgd"]), st.sampled_from(["Adam", 3])),
    "normalize": tagged(
        st.sampled_from(["auto", True, False]), st.sampled_from(["yes", None, 1.5])
    ),
    "device": tagged(st.just("cpu"), st.sampled_from(["gpu", 3, "cuda:x"])),
    # Valid values that compile nothing on these tiny fits: compiling takes seconds.
    "compile": tagged(
        st.sampled_from([False, "auto"]), st.sampled_from(["yes", 1, None, 0.0])
    ),
}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@given_settings(60)
@given(name=st.sampled_from(sorted(PARAMETERS)), data=st.data())
def test_bad_parameters_are_named_before_anything_changes(cls, name, data):
    value, ok = data.draw(PARAMETERS[name])
    est = copy.deepcopy(FITTED[cls]).set_params(**{name: value})
    before = FITTED[cls].predict(PROBE)
    X = np.random.default_rng(0).uniform(-1, 1, size=(8, 2))
    succeeded, error = attempt(lambda: est.fit(X, X[:, ::-1]), [name])
    if ok:
        assert succeeded, f"valid {name}={value!r} was rejected: {error}"
    else:
        assert not succeeded, f"invalid {name}={value!r} was accepted"
        assert_array_equal(est.predict(PROBE), before)
