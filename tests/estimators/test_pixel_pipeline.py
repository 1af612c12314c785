"""PixelHamiltonianPipeline: joint training, rollouts in code space, model
selection, round trips and refusals."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import sklearn
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_hnn import (
    AutoencoderTransformer,
    BaselineDynamicsRegressor,
    HamiltonianRegressor,
    PixelHamiltonianPipeline,
)
from sklearn_hnn.exceptions import TrainingDivergedError
from sklearn_hnn.persistence import load, save

pytest.importorskip("gymnasium")
from sklearn_hnn.datasets import make_pixel_pendulum_dataset


def small(**params) -> PixelHamiltonianPipeline:
    """A pipeline of small networks that trains in a second."""
    return PixelHamiltonianPipeline(
        AutoencoderTransformer(hidden_layer_sizes=(32,)),
        HamiltonianRegressor(hidden_layer_sizes=(32,)),
        batch_size=16,
        max_steps=30,
        random_state=0,
    ).set_params(**params)


@pytest.fixture(scope="module")
def data():
    return make_pixel_pendulum_dataset(n_trajectories=5, n_points=16, random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    return small().fit(data.X_train, t=data.t_train, groups=data.groups_train)


#: Common checks that fit on made-up data. The pipeline learns from pairs of
#: frames of timed trajectories: an even width (two frames), ``t`` (and
#: ``groups``), and consecutive rows of a trajectory that share a frame. What
#: each check tests is tested below on data that has them: fit returns self,
#: is idempotent and deterministic, leaves its parameters and input alone and
#: sets ``n_features_in_``; float32, float64, read-only and reversed input;
#: pickling and save/load; transforms that do not depend on the order or the
#: batching of rows; refusals of wrong widths.
_ODD = "fits on made-up rows of an odd width: not two frames each"
_NO_T = "fits on made-up rows without t: not observations of trajectories"
_ONE = "fits one made-up row or feature: no two consecutive observations"
NOT_APPLICABLE = {
    **dict.fromkeys(
        [
            "check_fit_score_takes_y",
            "check_dont_overwrite_parameters",
            "check_estimators_dtypes",
            "check_pipeline_consistency",
            "check_estimators_nan_inf",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_transformer_preserve_dtypes",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_dict_unchanged",
            "check_fit2d_predict1d",
        ],
        _ODD,
    ),
    **dict.fromkeys(
        [
            "check_estimators_overwrite_params",
            "check_estimators_fit_returns_self",
            "check_readonly_memmap_input",
            "check_n_features_in_after_fitting",
            "check_positive_only_tag_during_fit",
            "check_dtype_object",
            "check_fit_idempotent",
            "check_fit_check_is_fitted",
            "check_n_features_in",
        ],
        _NO_T,
    ),
    **dict.fromkeys(["check_fit2d_1sample", "check_fit2d_1feature"], _ONE),
}


@parametrize_with_checks(
    [small(max_steps=2)], expected_failed_checks=lambda e: NOT_APPLICABLE
)
def test_sklearn_common_checks(estimator, check):
    check(estimator)


# ----------------------------------------------------------------- contract


def test_defaults_are_the_papers():
    model = PixelHamiltonianPipeline()
    assert model.autoencoder is None and model.dynamics is None
    assert isinstance(model._part("autoencoder"), AutoencoderTransformer)
    assert isinstance(model._part("dynamics"), HamiltonianRegressor)
    assert (model.optimizer, model.lr, model.weight_decay) == ("adam", 1e-3, 1e-5)
    assert (model.batch_size, model.max_steps) == (200, 10_000)
    weights = (
        model.reconstruction_weight,
        model.dynamics_weight,
        model.canonical_weight,
    )
    assert weights == (1.0, 0.1, 1.0)


def test_nested_parameters_reach_default_parts():
    model = PixelHamiltonianPipeline().set_params(
        autoencoder__latent_dim=4, dynamics__hidden_layer_sizes=(8,)
    )
    assert model.autoencoder.latent_dim == 4
    assert model.dynamics.hidden_layer_sizes == (8,)
    assert model.get_params()["autoencoder__latent_dim"] == 4
    assert clone(model).autoencoder.latent_dim == 4
    both = PixelHamiltonianPipeline().set_params(
        autoencoder=None, autoencoder__latent_dim=6
    )
    assert both.autoencoder.latent_dim == 6


def test_fit_trains_both_parts_and_leaves_the_given_ones_alone(data, fitted):
    assert fitted.n_features_in_ == 2 * 28 * 28
    assert fitted.loss_curve_.shape == (30,)
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0]
    assert fitted.autoencoder_.n_features_in_ == 1568
    assert fitted.dynamics_.n_features_in_ == 2
    assert not hasattr(fitted.autoencoder, "net_")  # the parameter is not fitted
    assert fitted.autoencoder_ is not fitted.autoencoder


def test_fit_is_deterministic_and_idempotent(data, fitted):
    again = small().fit(data.X_test, t=data.t_test, groups=data.groups_test)
    again.fit(data.X_train, t=data.t_train, groups=data.groups_train)
    assert_array_equal(again.loss_curve_, fitted.loss_curve_)
    assert_array_equal(again.transform(data.X_test), fitted.transform(data.X_test))


def test_fit_leaves_its_input_alone_and_takes_float32_and_read_only_rows(data, fitted):
    X = data.X_train.astype(np.float64)
    X.setflags(write=False)
    before = X.copy()
    model = small().fit(X, t=data.t_train, groups=data.groups_train)
    assert_array_equal(X, before)
    assert_allclose(model.transform(X), fitted.transform(X), rtol=1e-5, atol=1e-6)
    assert fitted.transform(X.astype(np.float32)).dtype == np.float32


def test_rows_of_a_trajectory_may_come_in_any_order(data, fitted):
    order = np.random.default_rng(1).permutation(len(data.X_train))
    shuffled = small().fit(
        data.X_train[order], t=data.t_train[order], groups=data.groups_train[order]
    )
    # The same pairs, drawn in the same batches: the same training.
    assert_allclose(shuffled.loss_curve_, fitted.loss_curve_, rtol=1e-4)


def test_transforms_do_not_depend_on_the_order_or_batching_of_rows(data, fitted):
    X = data.X_test.astype(np.float64)  # float64: computed in float64
    codes = fitted.transform(X)
    assert codes.shape == (len(X), 2)
    assert_array_equal(fitted.transform(X[::-1]), codes[::-1])
    assert_array_equal(fitted.transform(X[5:9]), codes[5:9])
    decoded = fitted.inverse_transform(codes)
    assert decoded.shape == X.shape
    assert_allclose(
        fitted.inverse_transform(codes[3:4]), decoded[3:4], rtol=1e-12, atol=1e-15
    )
    assert list(fitted.get_feature_names_out()) == [
        "pixelhamiltonianpipeline0",
        "pixelhamiltonianpipeline1",
    ]


# ----------------------------------------------------------------- rollouts


def test_simulate_decodes_the_latent_rollout(data, fitted):
    t = np.arange(6) * 0.05
    x0 = data.X_test[0]
    latent = fitted.simulate_latent(x0, t)
    assert latent.shape == (6, 2)
    assert_allclose(latent[0], fitted.transform(x0[None])[0])
    frames = fitted.simulate(x0, t)
    assert frames.shape == (6, 1568)
    assert_allclose(frames, fitted.inverse_transform(latent), rtol=1e-6, atol=1e-6)
    several = fitted.simulate(data.X_test[:3], t)
    assert several.shape == (3, 6, 1568)
    assert_allclose(several[0], frames, rtol=1e-6, atol=1e-6)
    assert fitted.simulate_latent(data.X_test[:3], t).shape == (3, 6, 2)


def test_latent_rollouts_conserve_the_learned_energy(data, fitted):
    t = np.linspace(0.0, 2.0, 41)
    latent = fitted.simulate_latent(data.X_test[:2], t, substeps=10)
    energy = fitted.dynamics_.energy(latent.reshape(-1, 2)).reshape(2, -1)
    spread = np.ptp(energy, axis=1) / np.abs(energy).max()
    assert spread.max() < 1e-3


def test_the_gradient_field_adds_energy(data, fitted):
    """The paper's Figure 5: following the gradient of the learned energy
    raises it, and the symplectic field then keeps it."""
    x0 = data.X_test[0]
    t = np.linspace(0.0, 0.5, 11)
    pushed = fitted.simulate_latent(x0, t, field="gradient")
    energy = fitted.dynamics_.energy(pushed)
    assert np.all(np.diff(energy) > 0)
    after = fitted.dynamics_.simulate(pushed[-1], t)
    assert_allclose(fitted.dynamics_.energy(after), energy[-1], rtol=1e-3)


def test_energy_is_that_of_the_codes(data, fitted):
    X = data.X_test[:4]
    assert_array_equal(fitted.energy(X), fitted.dynamics_.energy(fitted.transform(X)))


def test_verbose_draws_one_bar_over_the_steps(data, capsys):
    small(verbose=1, max_steps=250).fit(
        data.X_train, t=data.t_train, groups=data.groups_train
    )
    out, err = capsys.readouterr()
    final = err.split("\r")[-1]
    assert out == "" and err.count("\n") < 10
    assert "250/250" in final and "step" in final and "loss=" in final


def test_a_baseline_pipeline_has_no_energy(data):
    model = small(dynamics=BaselineDynamicsRegressor(hidden_layer_sizes=(32,)))
    assert not hasattr(model, "energy")
    model.fit(data.X_train, t=data.t_train, groups=data.groups_train)
    assert not hasattr(model, "energy")
    with pytest.raises(AttributeError, match="BaselineDynamicsRegressor, learns no"):
        model.energy(data.X_test[:1])
    assert model.simulate(data.X_test[0], [0.0, 0.05]).shape == (2, 1568)


# ---------------------------------------------------------------- the loss


def test_score_is_minus_the_weighted_loss(data, fitted):
    losses = fitted.losses(data.X_test, t=data.t_test, groups=data.groups_test)
    assert set(losses) == {"reconstruction", "dynamics", "canonical", "total"}
    total = losses["reconstruction"] + 0.1 * losses["dynamics"] + losses["canonical"]
    assert losses["total"] == pytest.approx(total)
    score = fitted.score(data.X_test, t=data.t_test, groups=data.groups_test)
    assert score == pytest.approx(-total)
    heavier = clone(fitted).set_params(dynamics_weight=1.0)
    heavier.__dict__.update({k: v for k, v in vars(fitted).items() if k.endswith("_")})
    assert heavier.losses(data.X_test, t=data.t_test, groups=data.groups_test)[
        "total"
    ] == pytest.approx(total + 0.9 * losses["dynamics"])


def test_the_loss_terms_are_those_of_the_paper(data, fitted):
    """Recompute each term by hand from the codes and a decoded pair."""
    X, t = data.X_test[:3], data.t_test[:3]
    z = fitted.transform(X)
    terms = fitted.losses(X, t=t, groups=np.zeros(3))
    rec = np.mean((fitted.inverse_transform(z[:2]) - X[:2]) ** 2)
    dz = fitted.dynamics_.predict(z[:2])
    dyn = np.mean((z[:2] + 0.05 * dz - z[1:]) ** 2)
    can = np.mean((z[:2, 1] - (z[1:, 0] - z[:2, 0])) ** 2)
    assert terms["reconstruction"] == pytest.approx(rec, rel=1e-4)
    assert terms["dynamics"] == pytest.approx(dyn, rel=1e-3, abs=1e-9)
    assert terms["canonical"] == pytest.approx(can, rel=1e-3, abs=1e-9)


def test_grid_search_over_a_part_and_a_loss_weight(data):
    with sklearn.config_context(enable_metadata_routing=True):
        model = small(max_steps=5).set_fit_request(t=True, groups=True)
        model.set_score_request(t=True, groups=True)
        search = GridSearchCV(
            model,
            {"autoencoder__latent_dim": [2, 4], "canonical_weight": [0.5, 1.0]},
            cv=GroupKFold(n_splits=2),
        )
        search.fit(data.X_train, t=data.t_train, groups=data.groups_train)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = search.best_estimator_
    assert best.transform(data.X_test).shape[1] == best.autoencoder.latent_dim


# ------------------------------------------------------------- round trips


def test_pickle_and_save_load_give_identical_transforms_and_rollouts(
    data, fitted, tmp_path
):
    t = np.arange(5) * 0.05
    expected = fitted.simulate(data.X_test[:2], t)
    for copy in (pickle.loads(pickle.dumps(fitted)), None):
        if copy is None:
            save(fitted, tmp_path / "pixels.pt")
            copy = load(tmp_path / "pixels.pt")
        assert type(copy) is PixelHamiltonianPipeline
        assert_array_equal(copy.transform(data.X_test), fitted.transform(data.X_test))
        assert_array_equal(copy.simulate(data.X_test[:2], t), expected)
        assert_array_equal(copy.energy(data.X_test), fitted.energy(data.X_test))
        assert_array_equal(copy.loss_curve_, fitted.loss_curve_)
        assert copy.get_params()["autoencoder__hidden_layer_sizes"] == (32,)


def test_an_unfitted_pipeline_round_trips(tmp_path):
    save(small(canonical_weight=0.3), tmp_path / "unfitted.pt")
    loaded = load(tmp_path / "unfitted.pt")
    assert loaded.canonical_weight == 0.3 and not hasattr(loaded, "autoencoder_")


# ---------------------------------------------------------------- refusals


def _fitted_state(model) -> tuple[dict, dict]:
    """The fitted attributes of ``model``, and copies of its weights."""
    attributes = {k: v for k, v in vars(model).items() if k.endswith("_")}
    weights = {
        name: {
            k: v.clone() for k, v in getattr(model, name).module_.state_dict().items()
        }
        for name in ("autoencoder_", "dynamics_")
    }
    return attributes, weights


def _assert_unchanged(model, before: tuple[dict, dict]) -> None:
    attributes, weights = _fitted_state(model)
    assert attributes.keys() == before[0].keys()
    assert all(attributes[k] is v for k, v in before[0].items())
    for name, state in weights.items():
        for key, tensor in state.items():
            assert torch.equal(tensor, before[1][name][key]), (name, key)


@pytest.fixture
def refit(data, fitted):
    """A fitted copy, and what it held before a call that must be refused."""
    model = pickle.loads(pickle.dumps(fitted))
    return model, _fitted_state(model)


def test_frames_of_the_wrong_width_are_refused(data, refit):
    model, before = refit
    narrow = data.X_test[:, :-2]
    for call in (
        lambda: model.transform(narrow),
        lambda: model.simulate_latent(narrow[0], [0.0, 0.05]),
        lambda: model.simulate(narrow[0], [0.0, 0.05]),
        lambda: model.energy(narrow),
        lambda: model.score(narrow, t=data.t_test, groups=data.groups_test),
    ):
        with pytest.raises(ValueError, match="1566"):
            call()
    with pytest.raises(ValueError, match="latent_dim=2"):
        model.inverse_transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="even number"):
        model.fit(data.X_train[:, :-1], t=data.t_train, groups=data.groups_train)
    _assert_unchanged(model, before)


def test_rows_that_are_not_pairs_are_refused(data, refit):
    model, before = refit
    half = data.X_train.shape[1] // 2
    swapped = np.concatenate([data.X_train[:, half:], data.X_train[:, :half]], axis=1)
    with pytest.raises(ValueError, match="not pairs of consecutive frames"):
        model.fit(swapped, t=data.t_train, groups=data.groups_train)
    # Trajectories run together by missing labels.
    with pytest.raises(ValueError, match="not pairs of consecutive frames"):
        model.fit(data.X_train, t=data.t_train + 10 * data.groups_train, groups=None)
    _assert_unchanged(model, before)


@pytest.mark.parametrize(
    ("groups", "t", "match"),
    [
        ("short", None, "groups must be a 1-D array"),
        (None, "short", "t has"),
        (None, "missing", "needs t"),
        (None, "repeated", "strictly increasing"),
    ],
)
def test_t_and_groups_that_do_not_match_are_refused(data, refit, groups, t, match):
    model, before = refit
    g, times = data.groups_train, data.t_train
    if groups == "short":
        g = g[:-1]
    if t == "short":
        times = times[:-1]
    elif t == "missing":
        times = None
    elif t == "repeated":
        times = np.zeros_like(times)
    with pytest.raises(ValueError, match=match):
        model.fit(data.X_train, t=times, groups=g)
    _assert_unchanged(model, before)


def test_an_odd_code_with_a_hamiltonian_model_is_refused(data, refit):
    model, before = refit
    model.set_params(autoencoder__latent_dim=3)
    with pytest.raises(ValueError, match="latent_dim=3"):
        model.fit(data.X_train, t=data.t_train, groups=data.groups_train)
    _assert_unchanged(model, before)
    # A baseline takes any width.
    model.set_params(dynamics=BaselineDynamicsRegressor(hidden_layer_sizes=(8,)))
    model.set_params(max_steps=2).fit(
        data.X_train, t=data.t_train, groups=data.groups_train
    )
    assert model.transform(data.X_test).shape[1] == 3


def test_a_diverging_fit_changes_nothing(data, refit):
    model, before = refit
    model.set_params(lr=1e12, max_steps=200)
    with pytest.raises(TrainingDivergedError):
        model.fit(data.X_train, t=data.t_train, groups=data.groups_train)
    _assert_unchanged(model, before)


def test_reversed_and_read_only_float32_rows_are_taken(data, fitted):
    X = data.X_test[::-1]  # negative strides, float32
    assert_array_equal(fitted.transform(X), fitted.transform(X.copy()))
    score = fitted.score(X, t=data.t_test[::-1], groups=data.groups_test[::-1])
    assert score == pytest.approx(
        fitted.score(data.X_test, t=data.t_test, groups=data.groups_test)
    )
    frozen = data.X_train.copy()
    frozen.setflags(write=False)
    small().fit(frozen[::-1], t=data.t_train[::-1], groups=data.groups_train[::-1])


def test_a_rollout_that_blows_up_decodes_to_nan(data, refit, monkeypatch):
    model, _ = refit
    codes = np.zeros((4, 2))
    codes[2:] = np.nan  # what the dynamics' simulate gives after a blow-up
    monkeypatch.setattr(model.dynamics_, "simulate", lambda *a, **k: codes)
    frames = model.simulate(data.X_test[0], np.arange(4) * 0.05)
    assert frames.shape == (4, 1568)
    assert np.isfinite(frames[:2]).all() and np.isnan(frames[2:]).all()


def test_load_on_a_chosen_device(fitted, data, tmp_path):
    save(fitted, tmp_path / "m.pt")
    loaded = load(tmp_path / "m.pt", device="cpu")
    assert loaded.device == "cpu"
    assert loaded.autoencoder_.device == loaded.dynamics_.device == "cpu"
    assert_array_equal(loaded.transform(data.X_test), fitted.transform(data.X_test))


def test_a_relu_energy_is_warned_about_at_the_callers_line(data):
    model = small(
        dynamics=HamiltonianRegressor(hidden_layer_sizes=(8,), activation="relu")
    )
    with pytest.warns(UserWarning, match="second derivative") as record:
        model.set_params(max_steps=1).fit(
            data.X_train, t=data.t_train, groups=data.groups_train
        )
    assert record[0].filename == __file__


@pytest.mark.gpu
def test_trains_on_a_gpu(data):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    model = small(device="cuda").fit(
        data.X_train, t=data.t_train, groups=data.groups_train
    )
    assert model.autoencoder_.module_.encoder.output.weight.is_cuda
    assert model.dynamics_.net_.device == "cuda"
    assert model.simulate(data.X_test[0], [0.0, 0.05]).shape == (2, 1568)
