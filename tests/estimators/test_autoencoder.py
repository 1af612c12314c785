"""AutoencoderTransformer: scikit-learn's common checks, the paper's
architecture, training and round trips."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_hnn import AutoencoderTransformer
from sklearn_hnn.nn.autoencoder import Autoencoder, ResidualMLP
from sklearn_hnn.persistence import load, save

SMALL = {"hidden_layer_sizes": (16,), "max_epochs": 3, "random_state": 0}


@parametrize_with_checks([AutoencoderTransformer(**SMALL)])
def test_sklearn_common_checks(estimator, check):
    check(estimator)


def _low_rank(n=300, width=20, seed=0) -> np.ndarray:
    """Rows on a 2-d nonlinear manifold of a ``width``-d space."""
    rng = np.random.default_rng(seed)
    projection = rng.normal(size=(2, width))
    return np.tanh(rng.normal(size=(n, 2)) @ projection)


@pytest.fixture(scope="module")
def fitted():
    ae = AutoencoderTransformer(
        hidden_layer_sizes=(32, 32),
        lr=1e-2,
        batch_size=None,
        max_epochs=150,
        random_state=0,
    )
    return ae.fit(_low_rank())


def test_default_architecture_is_the_papers():
    ae = AutoencoderTransformer()
    assert (ae.latent_dim, ae.hidden_layer_sizes, ae.activation) == (
        2,
        (200, 200, 200),
        "relu",
    )
    module = Autoencoder(1568, 2)
    widths = [layer.out_features for layer in module.encoder.hidden]
    assert widths == [200, 200, 200] and module.encoder.output.out_features == 2
    assert module.encoder.residual == [False, True, True]
    assert module.decoder.output.out_features == 1568
    assert isinstance(module.encoder.activation, torch.nn.ReLU)


def test_residual_blocks_add_their_input():
    torch.manual_seed(0)
    net = ResidualMLP(3, (4, 4), 2, "relu")
    x = torch.randn(5, 3)
    h1 = torch.relu(net.hidden[0](x))
    h2 = h1 + torch.relu(net.hidden[1](h1))
    torch.testing.assert_close(net(x), net.output(h2))
    # A change of width is not residual.
    assert ResidualMLP(3, (4, 6), 2).residual == [False, False]


def test_it_learns_a_low_dimensional_manifold(fitted):
    X = _low_rank()
    codes = fitted.transform(X)
    assert codes.shape == (300, 2) and codes.dtype == np.float64
    error = np.mean((fitted.inverse_transform(codes) - X) ** 2)
    assert error < 0.1 * X.var()
    # A held-out sample of the same manifold is reconstructed as well.
    held_out = _low_rank(n=350)[300:]
    assert (
        np.mean((fitted.inverse_transform(fitted.transform(held_out)) - held_out) ** 2)
        < 0.1 * X.var()
    )


def test_float32_in_float32_out(fitted):
    X = _low_rank()[:10].astype(np.float32)
    assert fitted.transform(X).dtype == np.float32
    assert fitted.inverse_transform(fitted.transform(X)).dtype == np.float32


def test_feature_names_out_name_the_codes(fitted):
    assert list(fitted.get_feature_names_out()) == [
        "autoencodertransformer0",
        "autoencodertransformer1",
    ]


def test_inverse_transform_refuses_codes_of_another_width(fitted):
    with pytest.raises(ValueError, match="latent_dim=2"):
        fitted.inverse_transform(np.zeros((3, 4)))


def test_transform_refuses_rows_of_another_width(fitted):
    with pytest.raises(ValueError, match="20 features"):
        fitted.transform(np.zeros((3, 7)))


def test_pickle_and_save_load_give_identical_codes(fitted, tmp_path):
    X = _low_rank()[:40]
    assert_array_equal(
        pickle.loads(pickle.dumps(fitted)).transform(X), fitted.transform(X)
    )
    save(fitted, tmp_path / "ae.pt")
    loaded = load(tmp_path / "ae.pt")
    assert type(loaded) is AutoencoderTransformer
    assert_array_equal(loaded.transform(X), fitted.transform(X))
    Z = fitted.transform(X)
    assert_array_equal(loaded.inverse_transform(Z), fitted.inverse_transform(Z))
    assert len(loaded.history_) == len(fitted.history_)


def test_warm_start_and_partial_fit_continue_training():
    X = _low_rank(n=100)
    ae = AutoencoderTransformer(**SMALL, warm_start=True).fit(X)
    ae.fit(X)
    assert len(ae.history_) == 6
    ae.partial_fit(X)
    assert len(ae.history_) == 7
    with pytest.raises(ValueError, match="expecting 20 features"):
        ae.partial_fit(X[:, :10])
    assert len(ae.history_) == 7  # refused before any change
    ae.set_params(latent_dim=3)
    with pytest.raises(ValueError, match="latent_dim=3"):
        ae.fit(X)


def test_optimizer_options_reach_torch_and_survive_clone():
    ae = AutoencoderTransformer(**SMALL, optimizer="sgd", optimizer__momentum=0.9)
    ae = clone(ae).fit(_low_rank(n=50))
    assert ae.net_.optimizer_.param_groups[0]["momentum"] == 0.9


def test_grid_search_over_the_latent_width():
    X = _low_rank(n=120)
    search = GridSearchCV(
        AutoencoderTransformer(hidden_layer_sizes=(16,), max_epochs=5, random_state=0),
        {"latent_dim": [1, 2]},
        cv=2,
        scoring=lambda est, X, y=None: (
            -np.mean((est.inverse_transform(est.transform(X)) - X) ** 2)
        ),
    )
    search.fit(X)
    assert len(search.cv_results_["params"]) == 2
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert (
        search.best_estimator_.transform(X).shape[1]
        == search.best_params_["latent_dim"]
    )


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"hidden_layer_sizes": ()}, "hidden_layer_sizes"),
        ({"activation": "nope"}, "activation"),
        ({"latent_dim": True}, "latent_dim"),
        ({"module__width": 3}, "module__ arguments"),
    ],
)
def test_bad_parameters_are_named(params, match):
    """Refused before any change (a fresh estimator stays unfitted)."""
    with pytest.raises(ValueError, match=match):
        AutoencoderTransformer(**{**SMALL, **params}).fit(_low_rank(n=20))
