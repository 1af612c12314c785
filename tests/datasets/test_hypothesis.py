"""Property-based tests of the dataset makers' argument checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklearn_hnn.datasets import (
    make_pendulum_dataset,
    make_spring_dataset,
    make_three_body_dataset,
    make_two_body_dataset,
)
from tests.strategies import (
    NOT_A_NUMBER_OR_NONE,
    call_with,
    given_settings,
    tagged,
)

#: Small sizes, so that each valid call simulates in milliseconds.
SIZES = tagged(
    st.integers(1, 4),
    st.one_of(NOT_A_NUMBER_OR_NONE, st.sampled_from([0, -1, 2.5, 3.0, np.nan])),
)
SPANS = tagged(
    st.sampled_from([0.1, 0.5, 1]),
    st.one_of(NOT_A_NUMBER_OR_NONE, st.sampled_from([0, -1.0, np.nan, np.inf])),
)
NOISE = tagged(
    st.sampled_from([0, 0.0, 0.01]),
    st.one_of(NOT_A_NUMBER_OR_NONE, st.sampled_from([-0.1, np.nan, np.inf])),
)
FRACTIONS = tagged(
    st.sampled_from([0.25, 0.5, 0.75]),
    st.one_of(NOT_A_NUMBER_OR_NONE, st.sampled_from([0, 1, 1.5, -0.5, np.nan])),
)
SEEDS = tagged(
    st.one_of(st.none(), st.integers(0, 2**31 - 2), st.just(np.random.RandomState(0))),
    st.sampled_from([-1, 2**40, "0", 1.5, [0, 1]]),
)
MAKERS = {
    make_spring_dataset: {},
    make_pendulum_dataset: {},
    make_two_body_dataset: {"orbit_noise": NOISE},
    make_three_body_dataset: {"velocity_noise": NOISE},
}


@pytest.mark.parametrize("make", list(MAKERS), ids=lambda f: f.__name__)
@given_settings(40)
@given(data=st.data())
def test_dataset_makers_check_every_argument(make, data):
    arguments = {
        "n_trajectories": data.draw(SIZES),
        "n_points": data.draw(SIZES),
        "t_max": data.draw(SPANS),
        "noise_std": data.draw(NOISE),
        "train_fraction": data.draw(FRACTIONS),
        "random_state": data.draw(SEEDS),
        **{name: data.draw(strategy) for name, strategy in MAKERS[make].items()},
    }
    values = {name: value for name, (value, _) in arguments.items()}
    # Well-formed arguments can still leave no trajectory for training or for
    # testing; that error must name both culprits.
    n, fraction = values["n_trajectories"], values["train_fraction"]
    if all(ok for _, ok in arguments.values()) and not 0 < int(n * fraction) < n:
        arguments["train_fraction"] = (fraction, False)
    ok, data_ = call_with(make, arguments)
    if ok:
        n_train = int(n * fraction)
        width = data_.X_train.shape[1]
        assert data_.X_train.shape == (n_train * values["n_points"], width)
        assert data_.X_test.shape == ((n - n_train) * values["n_points"], width)
        for key in ("X_train", "dXdt_train", "X_test", "dXdt_test"):
            assert np.isfinite(data_[key]).all()
