"""verbose: silence, one progress bar, or skorch's table."""

from __future__ import annotations

import pickle
import re
from copy import deepcopy

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

from sklearn_hnn import (
    AutoencoderTransformer,
    BaselineDynamicsRegressor,
    HamiltonianRegressor,
)
from sklearn_hnn.exceptions import TrainingDivergedError
from tests.conftest import spring_field

SMALL = {"hidden_layer_sizes": (8,), "lr": 1e-2}


@pytest.fixture(scope="module")
def data():
    X = np.random.default_rng(0).uniform(-1, 1, size=(64, 2))
    return X, spring_field(X)


@pytest.mark.parametrize("Estimator", [HamiltonianRegressor, BaselineDynamicsRegressor])
def test_verbose_1_draws_one_bar_over_the_epochs(Estimator, data, capsys):
    Estimator(max_epochs=300, verbose=1, **SMALL).fit(*data)
    out, err = capsys.readouterr()
    assert out == ""  # no per-epoch table
    assert err.count("\n") < 10  # one bar, redrawn in place
    final = err.split("\r")[-1]
    assert "300/300" in final and "epoch" in final
    loss = float(re.search(r"loss=([0-9.e+-]+)", final).group(1))
    assert loss > 0


def test_verbose_0_prints_nothing(data, capsys):
    HamiltonianRegressor(max_epochs=50, verbose=0, **SMALL).fit(*data)
    assert capsys.readouterr() == ("", "")


def test_verbose_2_keeps_skorchs_table(data, capsys):
    HamiltonianRegressor(max_epochs=3, verbose=2, **SMALL).fit(*data)
    out, err = capsys.readouterr()
    assert "train_loss" in out and len(out.strip().splitlines()) >= 5
    assert "epoch/s" not in err


def test_the_bar_counts_the_epochs_of_this_call(data, capsys):
    est = HamiltonianRegressor(max_epochs=20, verbose=1, **SMALL).fit(*data)
    capsys.readouterr()
    est.partial_fit(*data)  # one epoch
    assert "1/1" in capsys.readouterr().err.split("\r")[-1]


def test_the_autoencoder_draws_a_bar_too(capsys):
    X = np.random.default_rng(0).uniform(size=(32, 6))
    AutoencoderTransformer(hidden_layer_sizes=(8,), max_epochs=4, verbose=1).fit(X)
    assert "4/4" in capsys.readouterr().err.split("\r")[-1]


def test_a_model_fitted_with_a_bar_pickles_and_copies(data, capsys):
    est = HamiltonianRegressor(max_epochs=3, verbose=1, **SMALL).fit(*data)
    copy = pickle.loads(pickle.dumps(est))
    assert_array_equal(copy.predict(data[0]), est.predict(data[0]))
    deepcopy(est)
    assert "3/3" in capsys.readouterr().err


def test_the_pipelines_bar_closes_when_training_diverges(capsys):
    # The loop raises mid-way; the bar must not stay open for the next fit.
    import tqdm

    from sklearn_hnn.nn import latent

    class Exploding(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(()))

        def forward(self, a, b, dt):
            nan = self.w * float("nan")
            return latent.LatentLosses(nan, nan, nan)

    module = Exploding()
    with pytest.raises(TrainingDivergedError):
        latent.train_latent_dynamics(
            module,
            torch.zeros(4, 2),
            torch.tensor([[0, 1], [1, 2]]),
            torch.ones(2),
            torch.optim.SGD(module.parameters(), lr=0.1),
            weights=(1.0, 1.0, 1.0),
            batch_size=2,
            max_steps=20,
            seed=0,
            verbose=1,
            check_every=5,
        )
    assert not tqdm.tqdm._instances  # closed
