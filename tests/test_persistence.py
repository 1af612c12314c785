"""Pickle, joblib, the safe save/load format, checkpoints, and GPU-to-CPU loading."""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import subprocess
import sys
import warnings
from contextlib import contextmanager
from copy import deepcopy

import joblib
import numpy as np
import pytest
import torch
import torch.serialization
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback, EarlyStopping
from skorch.exceptions import DeviceWarning

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.callbacks import Checkpoint
from sklearn_hnn.differentiation import SavitzkyGolay
from sklearn_hnn.exceptions import TrainingDivergedError, TrainingInterruptedWarning
from sklearn_hnn.nn.fields import HamiltonianField
from sklearn_hnn.persistence import checksum, load, save

SMALL = {"hidden_layer_sizes": (16,), "lr": 1e-2, "random_state": 0, "max_epochs": 5}
T = np.linspace(0.0, 1.0, 11)


@pytest.fixture(
    params=[BaselineDynamicsRegressor, HamiltonianRegressor], ids=lambda c: c.__name__
)
def estimator_cls(request):
    return request.param


def _states(n=64, seed=0):
    X = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2))
    return X, np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)


def _outputs(est, X) -> dict[str, np.ndarray]:
    out = {"predict": est.predict(X), "simulate": est.simulate(X[:3], T)}
    if hasattr(est, "energy"):
        out["energy"] = est.energy(X)
    return out


def _assert_same_model(a, b, X) -> None:
    assert a.get_params() == b.get_params()
    _assert_same_outputs(a, b, X)


def _assert_same_outputs(a, b, X) -> None:
    assert type(a) is type(b)
    expected, got = _outputs(a, X), _outputs(b, X)
    assert expected.keys() == got.keys()
    for key in expected:
        assert_array_equal(got[key], expected[key], err_msg=key)


def _round_trips(est, tmp_path):
    """The estimator after pickle, joblib, and save/load."""
    path = tmp_path / "model.pt"
    save(est, path)
    joblib.dump(est, tmp_path / "model.joblib")
    return {
        "pickle": pickle.loads(pickle.dumps(est)),
        "joblib": joblib.load(tmp_path / "model.joblib"),
        "save/load": load(path),
    }


# -------------------------------------------------------------- round trips


def test_fitted_models_round_trip_with_identical_outputs(estimator_cls, tmp_path):
    X, y = _states()
    est = estimator_cls(**SMALL).fit(X, y)
    for how, copy in _round_trips(est, tmp_path).items():
        _assert_same_model(est, copy, X)
        assert len(copy.history_) == len(est.history_), how


# It sets activation="relu" on an HNN on purpose, which warns.
@pytest.mark.filterwarnings("ignore:activation=.relu. has no useful:UserWarning")
def test_a_save_holds_the_fitted_network_not_parameters_set_since(
    estimator_cls, tmp_path
):
    """As a pickle does: parameters changed after fit are saved as parameters,
    but the network is the fitted one, and continuing it needs them back."""
    X, y = _states()
    est = estimator_cls(**SMALL).fit(X, y)
    expected = est.predict(X)
    for changed in (
        {"activation": "relu"},
        {"hidden_layer_sizes": (8,)},
        {"optimizer": "sgd"},
    ):
        est.set_params(**changed)
        save(est, tmp_path / "m.pt")
        loaded = load(tmp_path / "m.pt")
        assert loaded.get_params()[next(iter(changed))] == next(iter(changed.values()))
        assert_array_equal(loaded.predict(X), expected)
        loaded.set_params(warm_start=True, max_epochs=1)
        if "optimizer" in changed:  # a new optimizer starts afresh
            loaded.fit(X, y)
            assert isinstance(loaded.net_.optimizer_, torch.optim.SGD)
        else:
            with pytest.raises(ValueError, match="but the fitted network was built"):
                loaded.fit(X, y)
        est.set_params(**SMALL, activation="tanh", optimizer="adam")


@pytest.mark.parametrize(
    "changed",
    [{"optimizer": "sgd"}, {"lr": 0.02}],
    ids=["optimizer", "lr"],
)
def test_a_loaded_model_continues_as_the_one_it_was_saved_from(tmp_path, changed):
    """Parameters changed after fit, saved, then set back: the loaded model
    continues exactly as the live one (which never applied the change)."""
    from skorch.callbacks import LRScheduler

    X, y = _states()
    kwargs = {**SMALL, "lr": 0.05}
    schedule = [LRScheduler("StepLR", step_size=1, gamma=0.5)]
    live = HamiltonianRegressor(**kwargs, callbacks=schedule).fit(X, y)
    live.set_params(**changed)
    with pytest.warns(UserWarning, match="callbacks are code and are not saved"):
        save(live, tmp_path / "m.pt")
    loaded = load(tmp_path / "m.pt").set_params(callbacks=schedule)
    for est in (live, loaded):
        est.set_params(optimizer="adam", lr=0.05).partial_fit(X, y)
    assert live.history_[-1, "event_lr"] == loaded.history_[-1, "event_lr"] < 0.05
    _assert_same_model(live, loaded, X)


def test_a_new_optimizer_under_a_schedule_starts_afresh(tmp_path):
    from skorch.callbacks import LRScheduler

    X, y = _states()
    schedule = [LRScheduler("StepLR", step_size=1, gamma=0.5)]
    est = HamiltonianRegressor(**SMALL, callbacks=schedule).fit(X, y)
    est.set_params(optimizer="sgd", warm_start=True, max_epochs=2).fit(X, y)
    assert isinstance(est.net_.optimizer_, torch.optim.SGD)
    with pytest.warns(UserWarning, match="callbacks are code and are not saved"):
        save(est, tmp_path / "m.pt")
    loaded = load(tmp_path / "m.pt").set_params(callbacks=schedule)
    loaded.set_params(optimizer="adam").partial_fit(X, y)  # afresh again
    assert isinstance(loaded.net_.optimizer_, torch.optim.Adam)


def test_saves_without_the_architecture_record_still_load(tmp_path):
    X, y = _states()
    est = HamiltonianRegressor(**SMALL).fit(X, y)
    save(est, tmp_path / "m.pt")
    payload = torch.load(tmp_path / "m.pt", weights_only=True)
    fitted = json.loads(payload["fitted"])
    del fitted["architecture"], fitted["optimizer"]
    payload["fitted"] = json.dumps(fitted)
    _resave(payload, tmp_path / "old.pt")
    loaded = load(tmp_path / "old.pt")
    assert_array_equal(loaded.predict(X), est.predict(X))
    loaded.set_params(warm_start=True, max_epochs=1).fit(X, y)  # from the params


def test_unfitted_models_round_trip_unfitted(estimator_cls, tmp_path):
    est = estimator_cls(**SMALL)
    for how, copy in _round_trips(est, tmp_path).items():
        assert copy.get_params() == est.get_params(), how
        with pytest.raises(NotFittedError):
            copy.predict(np.zeros((2, 2)))
        # ... and a copy fits exactly like the original.
        X, y = _states()
        assert_array_equal(copy.fit(X, y).predict(X), clone(est).fit(X, y).predict(X))


def test_loaded_model_keeps_feature_names_and_1d_targets(tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = _states()
    frame = pd.DataFrame(X, columns=["x", "v"])
    est = BaselineDynamicsRegressor(**SMALL).fit(frame, y[:, 0])
    save(est, tmp_path / "m.pt")
    copy = load(tmp_path / "m.pt")
    assert list(copy.feature_names_in_) == ["x", "v"]
    assert copy.predict(frame).shape == (len(X),)
    assert_array_equal(copy.predict(frame), est.predict(frame))


def test_parameters_of_every_kind_survive_save_and_load(tmp_path):
    est = HamiltonianRegressor(
        hidden_layer_sizes=[8, 4],
        optimizer=torch.optim.NAdam,
        differentiation=SavitzkyGolay(window_length=9, polyorder=2),
        device=torch.device("cpu"),
        random_state=np.int64(3),
        lr=np.float32(0.5),
    )
    save(est, tmp_path / "m.pt")
    params = load(tmp_path / "m.pt").get_params()
    assert params["hidden_layer_sizes"] == (8, 4)
    assert params["optimizer"] is torch.optim.NAdam
    assert isinstance(params["differentiation"], SavitzkyGolay)
    assert vars(params["differentiation"]) == {"window_length": 9, "polyorder": 2}
    assert params["device"] == "cpu" and params["random_state"] == 3


def test_numpy_parameter_values_that_fit_accepts_can_be_saved(tmp_path):
    X, y = _states()
    est = HamiltonianRegressor(
        **{**SMALL, "hidden_layer_sizes": np.array([8, 4])}, normalize=np.True_
    ).fit(X, y)
    save(est, tmp_path / "m.pt")
    params = load(tmp_path / "m.pt").get_params()
    assert params["hidden_layer_sizes"] == (8, 4)
    assert params["normalize"] is True


def test_the_validation_split_survives_save_and_load(estimator_cls, tmp_path):
    X, y = _states()
    est = estimator_cls(
        **{**SMALL, "random_state": None}, validation_fraction=0.25
    ).fit(X, y)
    save(est, tmp_path / "m.pt")
    assert load(tmp_path / "m.pt")._validation_seed == est._validation_seed


def test_optimizer_state_is_saved_so_training_resumes_exactly(estimator_cls, tmp_path):
    X, y = _states()
    long = estimator_cls(**{**SMALL, "max_epochs": 12}).fit(X, y)
    save(estimator_cls(**SMALL).fit(X, y), tmp_path / "m.pt")
    resumed = load(tmp_path / "m.pt").set_params(warm_start=True, max_epochs=7)
    resumed.fit(X, y)
    assert len(resumed.history_) == 12
    assert_array_equal(resumed.predict(X), long.predict(X))


def test_what_cannot_be_saved_safely_is_refused_or_reported(tmp_path):
    class MyAdam(torch.optim.Adam):
        pass

    with pytest.raises(TypeError, match="optimizer"):
        save(HamiltonianRegressor(optimizer=MyAdam), tmp_path / "m.pt")
    assert not (tmp_path / "m.pt").exists()
    with pytest.warns(UserWarning, match="callbacks are code"):
        save(HamiltonianRegressor(callbacks=[Checkpoint("x.pt")]), tmp_path / "m.pt")
    assert load(tmp_path / "m.pt").callbacks is None
    unseeded = HamiltonianRegressor(random_state=np.random.RandomState(0))
    with pytest.warns(UserWarning, match="random_state"):
        save(unseeded, tmp_path / "r.pt")
    with pytest.raises(TypeError, match="save handles"):
        save(clone_subclass(), tmp_path / "m.pt")


def clone_subclass():
    class Mine(HamiltonianRegressor):
        pass

    return Mine()


# -------------------------------------------------------------------- safety


class _RunsCode:
    """An object whose unpickling calls a function: what a hostile file does."""

    def __reduce__(self):
        return (os.mkdir, (str(_RunsCode.target),))


def test_load_never_runs_code_from_the_file(tmp_path):
    _RunsCode.target = tmp_path / "pwned"
    path = tmp_path / "hostile.pt"
    torch.save({"format": "sklearn-hnn", "params": _RunsCode()}, path)
    with pytest.raises(ValueError, match="not a readable sklearn-hnn save"):
        load(path)
    assert not _RunsCode.target.exists()


@pytest.mark.parametrize(
    ("key", "encoded"),
    [
        (
            "differentiation",
            {
                "object": "torch.cuda._memory_viz.subprocess.Popen",
                "params": {"args": "touch {target}", "shell": True},
            },
        ),
        ("module", {"class": "torch.cuda._memory_viz.subprocess.Popen"}),
        ("module", {"class": "os.system"}),
        ("objective", {"object": "sklearn_hnn.persistence.save", "params": {}}),
    ],
    ids=["object through a module", "class through a module", "outside", "function"],
)
def test_a_crafted_file_cannot_build_what_a_parameter_never_holds(
    key, encoded, tmp_path
):
    target = tmp_path / "pwned"
    save(HamiltonianRegressor(), tmp_path / "m.pt")
    payload = torch.load(tmp_path / "m.pt", weights_only=True)
    params = json.loads(payload["params"])
    params[key] = json.loads(json.dumps(encoded).replace("{target}", str(target)))
    payload["params"] = json.dumps(params)
    _resave(payload, tmp_path / "crafted.pt")  # re-signed, as an attacker would
    with pytest.raises(ValueError, match=rf"crafted\.pt' .*parameter {key}"):
        load(tmp_path / "crafted.pt")
    assert not target.exists()


def test_a_changed_version_byte_does_not_switch_the_checksum_off(tmp_path):
    X, y = _states()
    save(HamiltonianRegressor(**SMALL).fit(X, y), tmp_path / "m.pt")
    payload = torch.load(tmp_path / "m.pt", weights_only=True)
    payload["format_version"] = 1  # the checksum is kept, as a byte flip keeps it
    torch.save(payload, tmp_path / "v.pt")
    with pytest.raises(ValueError, match="SHA-256 checksum"):
        load(tmp_path / "v.pt")
    payload["format_version"] = 0
    torch.save(payload, tmp_path / "zero.pt")
    with pytest.raises(ValueError, match="format_version is 0"):
        load(tmp_path / "zero.pt")


def test_allow_imports_must_be_a_collection_of_paths(tmp_path):
    save(HamiltonianRegressor(), tmp_path / "m.pt")
    with pytest.raises(TypeError, match="allow_imports must be a collection"):
        load(tmp_path / "m.pt", allow_imports="mypackage.Energy")


@pytest.mark.parametrize(
    "content", [b"", b"garbage", b"PK\x03\x04truncated"], ids=["empty", "junk", "cut"]
)
def test_damaged_files_raise_a_clear_error(content, tmp_path):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"bad\.pt"):
        load(path)


def test_changed_bytes_in_the_weights_are_detected(tmp_path):
    X, y = _states()
    save(HamiltonianRegressor(**SMALL).fit(X, y), tmp_path / "m.pt")
    data = bytearray((tmp_path / "m.pt").read_bytes())
    weights = torch.load(tmp_path / "m.pt", weights_only=True)["module_state"]
    # Where the first weight's bytes lie in the file (stored uncompressed).
    raw = weights[FIRST_SMALL].numpy().tobytes()
    start = bytes(data).find(raw)
    assert start > 0
    for offset in (0, len(raw) // 2, len(raw) - 1):
        damaged = bytearray(data)
        damaged[start + offset] ^= 0x10  # one byte of one weight
        (tmp_path / "bad.pt").write_bytes(bytes(damaged))
        with pytest.raises(ValueError, match=r"bad\.pt' .* SHA-256 checksum"):
            load(tmp_path / "bad.pt")


FIRST_SMALL = "hamiltonian.0.weight"


def test_files_of_the_first_format_still_load(tmp_path):
    X, y = _states()
    est = HamiltonianRegressor(**SMALL).fit(X, y)
    save(est, tmp_path / "m.pt")
    payload = torch.load(tmp_path / "m.pt", weights_only=True)
    del payload["checksum"]
    payload["format_version"] = 1
    torch.save(payload, tmp_path / "v1.pt")
    assert_array_equal(load(tmp_path / "v1.pt").predict(X), est.predict(X))
    payload["format_version"] = 2  # a current file without its checksum
    torch.save(payload, tmp_path / "v2.pt")
    with pytest.raises(ValueError, match="no checksum"):
        load(tmp_path / "v2.pt")


def test_truncated_save_is_detected(tmp_path):
    X, y = _states()
    save(HamiltonianRegressor(**SMALL).fit(X, y), tmp_path / "m.pt")
    data = (tmp_path / "m.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.pt"):
        load(tmp_path / "cut.pt")


@pytest.mark.parametrize("path", [3, None, b"model.pt", ""])
def test_paths_that_are_not_paths_are_named(path):
    with pytest.raises((TypeError, ValueError), match="path"):
        save(HamiltonianRegressor(), path)
    with pytest.raises((TypeError, ValueError), match="path"):
        load(path)


def test_other_torch_files_are_not_mistaken_for_saves(tmp_path):
    torch.save({"weights": torch.ones(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not an sklearn-hnn save"):
        load(tmp_path / "other.pt")


def test_newer_format_versions_are_refused(tmp_path):
    save(HamiltonianRegressor(), tmp_path / "m.pt")
    payload = torch.load(tmp_path / "m.pt", weights_only=True)
    payload["format_version"] = 99
    _resave(payload, tmp_path / "m.pt")
    with pytest.raises(ValueError, match="format version 99"):
        load(tmp_path / "m.pt")


# ----------------------------------------------------- paths that cannot be files


def test_saving_to_a_directory_is_refused_before_writing(tmp_path):
    (tmp_path / "models").mkdir()
    with pytest.raises(IsADirectoryError, match="is a directory; give a file name"):
        save(HamiltonianRegressor(), tmp_path / "models")
    with pytest.raises(IsADirectoryError, match="ends with a path separator"):
        save(HamiltonianRegressor(), f"{tmp_path / 'new'}{os.sep}")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["models"]


@pytest.mark.parametrize("below", ["m.pt", "sub/m.pt"])
def test_saving_under_a_file_is_refused_before_writing(below, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NotADirectoryError, match=r"its parent .*notes\.txt'"):
        save(HamiltonianRegressor(), tmp_path / "notes.txt" / below)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("where", ["directory", "under a file"])
def test_checkpoint_path_is_checked_before_any_training(where, tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "notes.txt").write_text("mine")
    path = tmp_path / ("models" if where == "directory" else "notes.txt/ck.pt")
    with pytest.raises(OSError) as from_save:
        save(HamiltonianRegressor(), path)
    epochs = []

    class CountEpochs(Callback):
        def on_epoch_end(self, net, **kwargs):
            epochs.append(len(net.history))

    est = HamiltonianRegressor(
        **{**SMALL, "hidden_layer_sizes": (8,)},
        callbacks=[CountEpochs(), Checkpoint(path)],
    )
    with pytest.raises(type(from_save.value)) as from_checkpoint:
        est.fit(*_states())
    assert str(from_checkpoint.value) == str(from_save.value)  # one check for both
    assert "path" in str(from_save.value)
    assert epochs == []  # raised before the first epoch, not at its end
    assert not hasattr(est, "net_")


# ------------------------------------------------------------ damaged files


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """What save writes for a small fitted HamiltonianRegressor, as a dict."""
    X, y = _states()
    path = tmp_path_factory.mktemp("saved") / "m.pt"
    save(HamiltonianRegressor(**{**SMALL, "hidden_layer_sizes": (8,)}).fit(X, y), path)
    return torch.load(path, weights_only=True)


def _resave(payload, path):
    """Write ``payload`` to ``path`` with its checksum recomputed: a file edited
    on purpose, which only its content can tell apart from a model."""
    payload["checksum"] = checksum(payload)
    torch.save(payload, path)
    return path


def _edited(saved, edit, path):
    """Write ``saved`` to ``path`` after ``edit`` changed a copy of it (and
    re-signed it)."""
    payload = deepcopy(saved)
    edit(payload)
    return _resave(payload, path)


def _json(key, change):
    """An edit of the JSON text stored under ``key``."""

    def edit(payload):
        value = json.loads(payload[key])
        change(value)
        payload[key] = json.dumps(value)

    return edit


def _set(key, value):
    return lambda d: d.__setitem__(key, value)


def _two_groups(payload):
    groups = payload["optimizer_state"]["param_groups"]
    groups.append({**deepcopy(groups[0]), "params": groups[0]["params"][1:]})
    groups[0]["params"] = groups[0]["params"][:1]


FIRST = "hamiltonian.0.weight"  # shape (8, 2)

DAMAGE = {
    "no estimator": (lambda p: p.pop("estimator"), "no 'estimator' entry"),
    "unknown class": (_set("estimator", "Foo"), "unknown estimator 'Foo'"),
    "version as text": (_set("format_version", "2"), "format_version is '2'"),
    "unknown parameter": (
        _json("params", _set("foo", 1)),
        r"HamiltonianRegressor has no parameter\(s\) \['foo'\]",
    ),
    "params not JSON": (_set("params", "{oops"), "'params' entry is not valid JSON"),
    "params not an object": (_set("params", "[1]"), "'params' entry holds list"),
    "unknown optimizer": (
        _json("params", _set("optimizer", {"torch.optim": "Foo"})),
        "torch.optim has no optimizer 'Foo'",
    ),
    "unknown differentiator": (
        _json("params", _set("differentiation", {"differentiator": "Foo"})),
        "unknown differentiator 'Foo'",
    ),
    "unknown device": (
        _json("params", _set("device", "abacus")),
        "device='abacus' is not a torch device",
    ),
    "no weights": (lambda p: p.pop("module_state"), "no 'module_state' entry"),
    "weight of the wrong length": (
        lambda p: p["module_state"].__setitem__(FIRST, torch.zeros(3)),
        rf"weight '{FIRST}' has shape \(3,\), but a HamiltonianRegressor with 2 "
        r"feature\(s\), 2 output\(s\) and hidden_layer_sizes=\(8,\) needs \(8, 2\)",
    ),
    "extra weight": (
        lambda p: p["module_state"].__setitem__("extra", torch.zeros(1)),
        r"\(8,\): unexpected \['extra'\]",
    ),
    "optimizer state for too many parameters": (
        lambda p: p["optimizer_state"]["param_groups"].append(
            deepcopy(p["optimizer_state"]["param_groups"][0])
        ),
        "ValueError: loaded state dict has a different number of parameter groups",
    ),
    "optimizer state in two groups": (
        _two_groups,
        "ValueError: loaded state dict has a different number of parameter groups",
    ),
    "history not JSON": (_set("history", "[{"), "'history' entry is not valid JSON"),
    "history of numbers": (_set("history", "[1, 2]"), "not a list of epochs"),
    "fitted not JSON": (_set("fitted", "nope"), "'fitted' entry is not valid JSON"),
    "no n_outputs_": (
        _json("fitted", lambda m: m.pop("n_outputs_")),
        r"fitted attributes lack \['n_outputs_'\]",
    ),
    "odd n_features_in_": (
        _json("fitted", _set("n_features_in_", 3)),
        r"with 3 feature\(s\).*cannot be built: n_features must be even",
    ),
    "n_outputs_ not the network's": (
        _json("fitted", _set("n_outputs_", 3)),
        r"n_outputs_ is 3, but its network predicts 2 column\(s\)",
    ),
    "X_offset_ of the wrong length": (
        _json("fitted", _set("X_offset_", [0.0, 0.0, 0.0])),
        "X_offset_ has 3 entries, but n_features_in_ is 2",
    ),
    "feature names of the wrong length": (
        _json("fitted", _set("feature_names_in_", ["q"])),
        r"feature_names_in_ has 1 name\(s\), but n_features_in_ is 2",
    ),
    "zero scale": (
        _json("fitted", _set("y_scale_", 0)),
        "y_scale_=0 is not a finite number > 0",
    ),
    "unknown activation": (
        _json("fitted", lambda m: m["architecture"].__setitem__("activation", "x")),
        r"its architecture .* is not valid: activation='x'",
    ),
    "no hidden layer": (
        _json(
            "fitted", lambda m: m["architecture"].__setitem__("hidden_layer_sizes", [])
        ),
        r"its architecture .* is not valid: hidden_layer_sizes=\(\)",
    ),
    "a module class from elsewhere": (
        _json(
            "fitted",
            lambda m: m["architecture"].__setitem__("module", {"class": "os.system"}),
        ),
        r"'os.system', which is imported only when you allow it",
    ),
    "optimizer record without lr": (
        _json("fitted", lambda m: m["optimizer"].pop("lr")),
        "its optimizer record .* is not a name, an lr, a weight_decay and options",
    ),
}


@pytest.mark.parametrize(("edit", "problem"), DAMAGE.values(), ids=DAMAGE)
def test_edited_files_raise_one_clear_error(saved, edit, problem, tmp_path):
    path = _edited(saved, edit, tmp_path / "edited.pt")
    with pytest.raises(ValueError) as info:
        load(path)
    assert type(info.value) is ValueError  # not a JSONDecodeError, for one
    message = str(info.value)
    assert message.startswith(
        f"path {str(path)!r} is not a valid sklearn-hnn model file: "
    ), message
    assert re.search(problem, message), message


def test_errors_about_damage_chain_the_original(saved, tmp_path):
    path = _edited(saved, _set("params", "{oops"), tmp_path / "edited.pt")
    with pytest.raises(ValueError, match="not valid JSON") as info:
        load(path)
    assert isinstance(info.value.__cause__, json.JSONDecodeError)
    path = _edited(saved, _two_groups, tmp_path / "edited.pt")
    with pytest.raises(ValueError, match="parameter groups") as info:
        load(path)
    assert isinstance(info.value.__cause__, ValueError)


def test_unfitted_saves_are_checked_too(tmp_path):
    save(HamiltonianRegressor(), tmp_path / "m.pt")
    payload = torch.load(tmp_path / "m.pt", weights_only=True)
    _edited(payload, _json("params", _set("foo", 1)), tmp_path / "m.pt")
    with pytest.raises(ValueError, match=r"m\.pt' is not a valid .*no parameter"):
        load(tmp_path / "m.pt")


def test_weights_that_are_not_finite_are_refused(saved, tmp_path):
    def poison(payload):
        payload["module_state"][FIRST][0, 0] = float("nan")

    path = _edited(saved, poison, tmp_path / "nan.pt")
    with pytest.raises(ValueError, match=rf"nan\.pt' .*'{FIRST}' is not finite"):
        load(path)
    # The caller's own mistakes are still the caller's, not the file's.
    with pytest.raises(ValueError, match="device must name a torch device") as info:
        load(_edited(saved, lambda p: None, tmp_path / "fine.pt"), device="abacus")
    assert "not a valid" not in str(info.value)


# --------------------------------------------------- models trained on a GPU


@contextmanager
def _storages_tagged_cuda():
    """Make torch record every storage it saves as living on ``cuda:0``.

    On a machine without a GPU, this writes files exactly as a CUDA-trained
    model would, which only load if the loader maps them to the CPU.
    """

    def tag(storage):
        return "cuda:0"

    torch.serialization.register_package(0, tag, lambda storage, location: None)
    try:
        yield
    finally:
        registry = torch.serialization._package_registry
        registry[:] = [entry for entry in registry if entry[1] is not tag]


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_tagging_really_needs_a_map_location():
    buffer = io.BytesIO()
    with _storages_tagged_cuda():
        torch.save({"w": torch.ones(2)}, buffer)
    buffer.seek(0)
    with pytest.raises(RuntimeError, match="CUDA"):
        torch.load(buffer, weights_only=True)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_model_trained_on_cuda_unpickles_and_predicts_on_cpu(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL).fit(X, y)
    expected = est.predict(X)
    est.net_.device = "cuda"  # as after fit(device="cuda")
    with _storages_tagged_cuda():
        blob = pickle.dumps(est)
    # skorch warns twice: the tensors load on the CPU, and the net's device is
    # set to it.
    with pytest.warns(DeviceWarning) as caught:
        copy = pickle.loads(blob)
    messages = " ".join(str(w.message) for w in caught)
    assert "CUDA" in messages and "self.device = cpu" in messages
    assert str(copy.net_.device) == "cpu"
    assert_array_equal(copy.predict(X), expected)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_model_saved_on_cuda_loads_on_cpu(estimator_cls, tmp_path):
    X, y = _states()
    est = estimator_cls(**SMALL).fit(X, y)
    expected = est.predict(X)
    est.device = "cuda"
    with _storages_tagged_cuda():
        save(est, tmp_path / "m.pt")
    with pytest.warns(UserWarning, match="CUDA is not available"):
        copy = load(tmp_path / "m.pt")
    assert copy.device == "cpu"
    assert_array_equal(copy.predict(X), expected)


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="MPS is available")
def test_model_saved_on_mps_loads_on_cpu(tmp_path):
    X, y = _states()
    est = HamiltonianRegressor(**SMALL).fit(X, y)
    est.device = "mps"  # saved on a Mac
    save(est, tmp_path / "m.pt")
    with pytest.warns(UserWarning, match="MPS is not available here"):
        copy = load(tmp_path / "m.pt")
    assert copy.device == "cpu"
    assert_array_equal(copy.predict(X), est.predict(X))


_LOAD_ON_CPU = """
import pickle, sys
import numpy as np
from sklearn_hnn.persistence import load
est = load(sys.argv[1])
with open(sys.argv[2], "rb") as f:
    pickled = pickle.load(f)
X = np.load(sys.argv[3])
np.save(sys.argv[4], np.stack([est.predict(X), pickled.predict(X)]))
"""


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_model_trained_on_gpu_predicts_in_a_process_without_one(tmp_path):
    X, y = _states()
    est = HamiltonianRegressor(**SMALL, device="cuda").fit(X, y)
    save(est, tmp_path / "m.pt")
    (tmp_path / "m.pkl").write_bytes(pickle.dumps(est))
    np.save(tmp_path / "X.npy", X)
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    args = [tmp_path / n for n in ("m.pt", "m.pkl", "X.npy", "out.npy")]
    subprocess.run(
        [sys.executable, "-c", _LOAD_ON_CPU, *map(str, args)], env=env, check=True
    )
    loaded, unpickled = np.load(tmp_path / "out.npy")
    np.testing.assert_allclose(loaded, est.predict(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(unpickled, est.predict(X), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------- checkpoints


def test_checkpoint_resumes_exactly_like_one_long_fit(estimator_cls, tmp_path):
    X, y = _states()
    path = tmp_path / "ck.pt"
    long = estimator_cls(**{**SMALL, "max_epochs": 10}).fit(X, y)
    estimator_cls(**SMALL, callbacks=[Checkpoint(path, every=1)]).fit(X, y)
    resumed = load(path).set_params(warm_start=True).fit(X, y)
    assert len(resumed.history_) == 10
    assert_array_equal(resumed.predict(X), long.predict(X))


def test_checkpoint_resumes_with_partial_fit(estimator_cls, tmp_path):
    X, y = _states()
    path = tmp_path / "ck.pt"
    estimator_cls(**SMALL, callbacks=[Checkpoint(path, every=2)]).fit(X, y)
    resumed = load(path)
    for _ in range(3):
        resumed.partial_fit(X, y)
    long = estimator_cls(**{**SMALL, "max_epochs": 8}).fit(X, y)
    assert_array_equal(resumed.predict(X), long.predict(X))


def test_named_checkpoint_works_too(tmp_path):
    X, y = _states()
    path = tmp_path / "ck.pt"
    est = HamiltonianRegressor(**SMALL, callbacks=[("ckpt", Checkpoint(path))])
    est.fit(X, y)
    assert_array_equal(load(path).predict(X), est.predict(X))


def test_checkpoint_every_n_epochs(tmp_path):
    X, y = _states()
    saved_at = []

    class Recording(Checkpoint):
        def _save(self, net):
            saved_at.append(len(net.history))
            super()._save(net)

    HamiltonianRegressor(
        **{**SMALL, "max_epochs": 7}, callbacks=[Recording(tmp_path / "c.pt", every=3)]
    ).fit(X, y)
    assert saved_at == [3, 6, 7]  # every third epoch, and at the end
    saved_at.clear()
    HamiltonianRegressor(
        **{**SMALL, "max_epochs": 6}, callbacks=[Recording(tmp_path / "c.pt", every=3)]
    ).fit(X, y)
    assert saved_at == [3, 6]  # the end is epoch 6, saved already: no second write


@pytest.mark.parametrize("checkpoint_first", [True, False])
def test_the_final_checkpoint_holds_weights_restored_at_the_end(
    tmp_path, checkpoint_first
):
    """EarlyStopping(load_best=True) restores the best weights in its
    on_train_end; the checkpoint saves them, whatever the callbacks' order."""
    X, y = _states()
    early = EarlyStopping(
        monitor="train_loss", patience=2, threshold=0.5, load_best=True
    )
    checkpoint = Checkpoint(tmp_path / "c.pt")
    callbacks = [checkpoint, early] if checkpoint_first else [early, checkpoint]
    est = HamiltonianRegressor(**{**SMALL, "max_epochs": 50}, callbacks=callbacks)
    est.fit(X, y)
    assert len(est.history_) < 50  # it stopped early
    assert_array_equal(load(tmp_path / "c.pt").predict(X), est.predict(X))


def test_a_checkpoint_before_a_scheduler_resumes_on_schedule(tmp_path):
    from skorch.callbacks import LRScheduler

    X, y = _states()

    def schedule():
        return LRScheduler("StepLR", step_size=2, gamma=0.5)

    kwargs = {**SMALL, "lr": 0.05}
    long = HamiltonianRegressor(**{**kwargs, "max_epochs": 6}, callbacks=[schedule()])
    long.fit(X, y)
    HamiltonianRegressor(
        **{**kwargs, "max_epochs": 2},
        callbacks=[Checkpoint(tmp_path / "c.pt"), schedule()],
    ).fit(X, y)
    resumed = load(tmp_path / "c.pt").set_params(
        callbacks=[schedule()], warm_start=True, max_epochs=4
    )
    resumed.fit(X, y)
    assert list(resumed.history_[:, "event_lr"]) == list(long.history_[:, "event_lr"])
    _assert_same_outputs(resumed, long, X)


def test_a_ctrl_c_after_the_last_epoch_still_checkpoints(tmp_path):
    import os
    import signal
    import time

    class CtrlCAtTheEnd(Callback):
        def on_train_end(self, net, **kwargs):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the handler raises here

    X, y = _states()
    est = HamiltonianRegressor(
        **SMALL, callbacks=[CtrlCAtTheEnd(), Checkpoint(tmp_path / "c.pt", every=100)]
    )
    with pytest.warns(TrainingInterruptedWarning):
        est.fit(X, y)
    _assert_same_outputs(load(tmp_path / "c.pt"), est, X)


def test_interrupted_training_leaves_a_checkpoint_of_the_weights_so_far(
    tmp_path, monkeypatch
):
    X, y = _states()
    original, calls = HamiltonianField.forward, {"n": 0}

    def forward(self, x):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(self, x)

    monkeypatch.setattr(HamiltonianField, "forward", forward)
    path = tmp_path / "ck.pt"
    est = HamiltonianRegressor(**{**SMALL, "max_epochs": 100})
    est.set_params(callbacks=[Checkpoint(path, every=50)])
    with pytest.warns(TrainingInterruptedWarning):
        est.fit(X, y)
    monkeypatch.undo()
    assert_array_equal(load(path).predict(X), est.predict(X))


class PoisonAfterAStep(Callback):
    """Make a weight NaN after a training step of the third epoch: that epoch's
    loss is finite, its weights are not."""

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == 3:
            with torch.no_grad():
                next(net.module_.parameters()).view(-1)[0] = float("nan")


def test_diverged_epochs_are_never_checkpointed(tmp_path):
    X, y = _states()
    path = tmp_path / "ck.pt"
    est = HamiltonianRegressor(
        **{**SMALL, "max_epochs": 10}, callbacks=[PoisonAfterAStep(), Checkpoint(path)]
    )
    with pytest.raises(TrainingDivergedError):
        est.fit(X, y)
    saved = load(path)  # written after epochs 1 and 2, never after 3
    assert len(saved.history_) == 2
    assert all(
        np.isfinite(p.detach().numpy()).all() for p in saved.module_.parameters()
    )


def test_divergence_checkpoints_the_last_finite_epoch(tmp_path):
    # every=5 would first save after epoch 5; training diverges in epoch 3.
    X, y = _states()
    path = tmp_path / "ck.pt"
    est = HamiltonianRegressor(
        **{**SMALL, "max_epochs": 10},
        callbacks=[PoisonAfterAStep(), Checkpoint(path, every=5)],
    )
    with pytest.raises(TrainingDivergedError):
        est.fit(X, y)
    saved = load(path)  # what the estimator keeps: epochs 1 and 2
    assert len(saved.history_) == len(est.history_) == 2
    assert_array_equal(saved.predict(X), est.predict(X))


def test_checkpoint_arguments_are_checked():
    X, y = _states()
    with pytest.raises(ValueError, match="every"):
        HamiltonianRegressor(**SMALL, callbacks=[Checkpoint("c.pt", every=0)]).fit(X, y)
    with pytest.raises(TypeError, match="path"):
        HamiltonianRegressor(**SMALL, callbacks=[Checkpoint(3.5)]).fit(X, y)


def test_checkpoint_outside_an_estimator_says_what_to_use():
    from skorch import NeuralNet

    net = NeuralNet(
        torch.nn.Linear(2, 2),
        criterion=torch.nn.MSELoss,
        max_epochs=1,
        callbacks=[Checkpoint("never.pt")],
        train_split=None,
    )
    X = np.zeros((4, 2), dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="sklearn-hnn estimators"):
            net.fit(X, X)


def test_loading_leaves_torch_global_random_state_alone(tmp_path):
    save(HamiltonianRegressor(**SMALL).fit(*_states()), tmp_path / "m.pt")
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    load(tmp_path / "m.pt")
    assert torch.equal(torch.rand(3), expected)
