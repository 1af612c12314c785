"""Training that diverges or is interrupted, and training that is resumed."""

from __future__ import annotations

import os
import re
import signal
import time
import warnings
from typing import ClassVar

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from skorch.callbacks import Callback, EarlyStopping, LRScheduler

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.estimators._net import _copy_state, _parameters_finite
from sklearn_hnn.exceptions import TrainingDivergedError, TrainingInterruptedWarning
from sklearn_hnn.nn.fields import DirectField, HamiltonianField

SMALL = {"hidden_layer_sizes": (16,), "lr": 1e-2, "random_state": 0}
FIELDS = {
    BaselineDynamicsRegressor: DirectField,
    HamiltonianRegressor: HamiltonianField,
}


@pytest.fixture(params=list(FIELDS), ids=lambda c: c.__name__)
def estimator_cls(request):
    return request.param


def _states(n=64, seed=0):
    X = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2))
    return X, np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)


def _weights(est) -> list[np.ndarray]:
    return [p.detach().cpu().numpy().copy() for p in est.module_.parameters()]


def _assert_same_weights(a, b) -> None:
    for wa, wb in zip(_weights(a), _weights(b), strict=True):
        assert_array_equal(wa, wb)


class PoisonWeights(Callback):
    """Make a weight NaN at the start of epoch ``epoch`` (a simulated fault)."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            with torch.no_grad():
                next(net.module_.parameters()).view(-1)[0] = float("nan")


# ------------------------------------------------------------------ divergence


def test_nan_weights_stop_training_and_keep_the_last_finite_epoch(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=20, callbacks=[PoisonWeights(4)])
    with pytest.raises(TrainingDivergedError, match="in epoch 4") as info:
        est.fit(X, y)
    assert info.value.epoch == 4
    assert "end of epoch 3" in str(info.value)
    # Fitted, finite, and exactly the model of three clean epochs.
    assert np.isfinite(est.predict(X)).all()
    three_epochs = estimator_cls(**SMALL, max_epochs=3).fit(X, y)
    _assert_same_weights(est, three_epochs)


def test_weights_whose_loss_overflows_are_not_the_ones_kept():
    # Full-batch SGD at lr=10: the last step of an epoch makes weights whose
    # loss overflows in the next epoch's first batch. The model keeps the
    # weights one epoch earlier, whose loss was finite, and can go on.
    X, y = _states(n=20)
    est = BaselineDynamicsRegressor(
        hidden_layer_sizes=(8,),
        optimizer="sgd",
        lr=10.0,
        max_epochs=200,
        random_state=0,
    )
    with pytest.raises(TrainingDivergedError, match="training loss became inf") as info:
        est.fit(X, y)
    epoch = info.value.epoch
    assert f"end of epoch {epoch - 2}, the last whose loss was finite" in str(
        info.value
    )
    assert len(est.history_) == epoch - 2
    same = BaselineDynamicsRegressor(
        hidden_layer_sizes=(8,),
        optimizer="sgd",
        lr=10.0,
        max_epochs=epoch - 2,
        random_state=0,
    ).fit(X, y)
    _assert_same_weights(est, same)
    assert np.isfinite(np.mean((est.predict(X) - y) ** 2, dtype=np.float32))
    est.set_params(lr=1e-3, warm_start=True, max_epochs=3).fit(X, y)  # goes on
    assert len(est.history_) == epoch + 1


def test_divergence_restores_the_optimizer_state_of_the_last_finite_epoch(
    estimator_cls,
):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=20, callbacks=[PoisonWeights(5)])
    with pytest.raises(TrainingDivergedError):
        est.fit(X, y)
    expected = estimator_cls(**SMALL, max_epochs=4).fit(X, y)
    got = est.net_.optimizer_.state_dict()["state"]
    want = expected.net_.optimizer_.state_dict()["state"]
    assert got.keys() == want.keys()
    for key in want:
        for name in ("step", "exp_avg", "exp_avg_sq"):
            assert_array_equal(got[key][name].numpy(), want[key][name].numpy())


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_single_non_finite_weight_is_detected(bad):
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 1))
    assert _parameters_finite(module)
    with torch.no_grad():
        module[1].bias[0] = bad
    assert not _parameters_finite(module)


def test_state_copies_are_independent_and_reuse_their_buffers():
    state = {"w": torch.ones(3), "groups": [{"lr": 0.1, "params": [0]}], "n": 2}
    first = _copy_state(state)
    state["w"].add_(1.0)
    assert_array_equal(first["w"].numpy(), np.ones(3))  # a copy, not a view
    second = _copy_state(state, into=first)
    assert second["w"] is first["w"]  # refreshed in place
    assert_array_equal(second["w"].numpy(), np.full(3, 2.0))
    assert second["groups"] == [{"lr": 0.1, "params": [0]}]
    state["w"] = torch.zeros(5)  # a new shape needs a new buffer
    third = _copy_state(state, into=second)
    assert third["w"].shape == (5,) and third["w"] is not state["w"]


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_only_verbose_2_fits_print_the_epoch_table(estimator_cls, verbose, capsys):
    X, y = _states()
    estimator_cls(**SMALL, max_epochs=2, verbose=verbose).fit(X, y)
    printed = capsys.readouterr().out
    assert ("train_loss" in printed) == (verbose == 2)


def test_exploding_learning_rate_is_caught_with_finite_weights(estimator_cls):
    X, y = _states()
    est = estimator_cls(
        hidden_layer_sizes=(16,),
        activation="softplus",  # unbounded, unlike tanh, so the loss overflows
        optimizer="sgd",
        lr=1e12,
        max_epochs=50,
    )
    with pytest.raises(TrainingDivergedError, match="Training diverged") as info:
        est.fit(1e3 * X, 1e3 * y)
    assert 1 <= info.value.epoch <= 50
    assert all(np.isfinite(w).all() for w in _weights(est))


def test_diverged_model_can_be_trained_further(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=10, callbacks=[PoisonWeights(2)])
    with pytest.raises(TrainingDivergedError):
        est.fit(X, y)
    est.set_params(callbacks=None, warm_start=True).fit(X, y)
    assert len(est.history_) == 1 + 10  # one clean epoch kept, then ten more
    assert np.isfinite(est.predict(X)).all()


# ---------------------------------------------------------------- interruption


def _interrupt_forward(monkeypatch, field_cls, at_call: int) -> None:
    """Raise KeyboardInterrupt in the ``at_call``-th forward, like a Ctrl-C."""
    original = field_cls.forward
    calls = {"n": 0}

    def forward(self, x):
        calls["n"] += 1
        if calls["n"] == at_call:
            raise KeyboardInterrupt
        return original(self, x)

    monkeypatch.setattr(field_cls, "forward", forward)


def test_keyboard_interrupt_leaves_a_fitted_model_and_says_so(
    estimator_cls, monkeypatch
):
    X, y = _states()
    _interrupt_forward(monkeypatch, FIELDS[estimator_cls], at_call=6)
    est = estimator_cls(**SMALL, max_epochs=100)
    with pytest.warns(TrainingInterruptedWarning, match="epoch 6"):
        assert est.fit(X, y) is est
    monkeypatch.undo()
    assert np.isfinite(est.predict(X)).all()
    # Interrupted before the sixth step: the weights of five full epochs.
    _assert_same_weights(est, estimator_cls(**SMALL, max_epochs=5).fit(X, y))


class CtrlC(Callback):
    """Send this process a real SIGINT from inside a callback hook."""

    def __init__(self, hook: str, epoch: int = 0) -> None:
        self.hook = hook
        self.epoch = epoch

    def _maybe_interrupt(self, hook, net):
        if hook == self.hook and len(net.history) == self.epoch:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the handler raises here, at once

    def on_train_begin(self, net, **kwargs):
        self._maybe_interrupt("on_train_begin", net)

    def on_epoch_end(self, net, **kwargs):
        self._maybe_interrupt("on_epoch_end", net)

    def on_train_end(self, net, **kwargs):
        self._maybe_interrupt("on_train_end", net)


@pytest.mark.parametrize(
    ("hook", "epoch", "kept"),
    [("on_epoch_end", 3, 3), ("on_train_end", 10, 10)],
    ids=["during-a-callback", "after-the-last-epoch"],
)
def test_ctrl_c_anywhere_in_training_keeps_the_weights_and_says_so(
    estimator_cls, hook, epoch, kept
):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=10, callbacks=[CtrlC(hook, epoch)])
    with pytest.warns(TrainingInterruptedWarning, match=f"epoch {kept}"):
        assert est.fit(X, y) is est
    assert len(est.history_) == kept
    _assert_same_weights(est, estimator_cls(**SMALL, max_epochs=kept).fit(X, y))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_before_the_first_epoch_leaves_the_estimator_unfitted(estimator_cls):
    est = estimator_cls(**SMALL, callbacks=[CtrlC("on_train_begin")])
    with pytest.raises(KeyboardInterrupt):
        est.fit(*_states())
    assert not hasattr(est, "net_")


def test_early_stopping_is_not_reported_as_an_interrupt(estimator_cls):
    X, y = _states()
    est = estimator_cls(
        hidden_layer_sizes=(16,),
        random_state=0,
        max_epochs=200,
        validation_fraction=0.25,
        lr=0.5,  # too high to keep improving, so early stopping triggers
        callbacks=[EarlyStopping(patience=2)],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingInterruptedWarning)
        est.fit(X, y)
    assert len(est.history_) < 200


# -------------------------------------------------------------------- resuming


def test_warm_start_continues_exactly_like_one_long_fit(estimator_cls):
    X, y = _states()
    long = estimator_cls(**SMALL, max_epochs=30).fit(X, y)
    est = estimator_cls(**SMALL, max_epochs=10).fit(X, y)
    est.set_params(warm_start=True, max_epochs=20).fit(X, y)
    assert len(est.history_) == 30
    _assert_same_weights(est, long)


def test_partial_fit_trains_one_epoch_per_call(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL)
    for _ in range(7):
        est.partial_fit(X, y)
    assert len(est.history_) == 7
    _assert_same_weights(est, estimator_cls(**SMALL, max_epochs=7).fit(X, y))


def test_partial_fit_with_mini_batches_counts_epochs(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL, batch_size=16)
    est.partial_fit(X, y).partial_fit(X, y)
    assert len(est.history_) == 2
    assert len(est.history_[-1, "batches"]) == 4


class RecordBatches(Callback):
    """Record, per fit, the first training batch and the validation rows.

    The record is a class attribute: the estimator deep-copies its callbacks.
    """

    record: ClassVar[list[dict]] = []

    def on_train_begin(self, net, **kwargs):
        RecordBatches.record.append({"train": None, "valid": []})

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        entry = RecordBatches.record[-1]
        if training and entry["train"] is None:
            entry["train"] = batch[0].numpy().copy()
        elif not training:
            entry["valid"].append(batch[0].numpy().copy())


def _rows(batches: list[np.ndarray]) -> set:
    return {tuple(row) for batch in batches for row in batch}


def test_each_partial_fit_shuffles_anew_but_keeps_the_validation_split(
    estimator_cls,
):
    X, y = _states()
    RecordBatches.record.clear()
    est = estimator_cls(
        **SMALL,
        batch_size=16,
        validation_fraction=0.25,
        callbacks=[RecordBatches()],
    )
    est.partial_fit(X, y).partial_fit(X, y)
    first, second = RecordBatches.record
    assert not np.array_equal(first["train"], second["train"])
    assert _rows(first["valid"]) == _rows(second["valid"])
    assert len(_rows(first["valid"])) == 16


def test_warm_start_changes_the_learning_rate(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=2).fit(X, y)
    est.set_params(warm_start=True, lr=1e-4).fit(X, y)
    assert [g["lr"] for g in est.net_.optimizer_.param_groups] == [1e-4]


def _step_lr():
    return [LRScheduler("StepLR", step_size=2, gamma=0.1)]


def _lr_per_epoch(est) -> list[float]:
    return list(est.history_[:, "event_lr"])


@pytest.mark.parametrize("split", [[6], [3, 3], [2, 4], [1] * 6])
def test_a_learning_rate_schedule_continues_across_fits(estimator_cls, split):
    """Fits continued with warm_start or partial_fit follow the schedule of one
    long fit, and reach the same weights."""
    X, y = _states()
    kwargs = {**SMALL, "optimizer": "sgd", "lr": 0.5, "callbacks": _step_lr()}
    long = estimator_cls(**kwargs, max_epochs=6).fit(X, y)
    est = estimator_cls(**kwargs, max_epochs=split[0]).fit(X, y)
    for epochs in split[1:]:
        if epochs == 1:
            est.partial_fit(X, y)
        else:
            est.set_params(warm_start=True, max_epochs=epochs).fit(X, y)
    assert _lr_per_epoch(long) == pytest.approx([0.5, 0.5, 0.05, 0.05, 5e-3, 5e-3])
    assert _lr_per_epoch(est) == _lr_per_epoch(long)
    _assert_same_weights(est, long)


def test_a_schedule_added_to_a_fitted_model_starts_at_its_lr(estimator_cls):
    X, y = _states()
    est = estimator_cls(**{**SMALL, "lr": 0.5}, optimizer="sgd", max_epochs=2)
    est.fit(X, y)
    est.set_params(warm_start=True, callbacks=_step_lr(), max_epochs=4).fit(X, y)
    # It counts the epochs already trained, as if it had run from the start.
    lrs = [epoch.get("event_lr") for epoch in est.history_]
    assert lrs[:2] == [None, None]
    assert lrs[2:] == pytest.approx([0.5, 0.5, 0.05, 0.05])


def test_without_warm_start_fit_starts_over(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=3).fit(X, y).fit(X, y)
    assert len(est.history_) == 3
    _assert_same_weights(est, estimator_cls(**SMALL, max_epochs=3).fit(X, y))


@pytest.mark.parametrize("method", ["warm_start", "partial_fit"])
def test_continuing_on_other_widths_fails_and_keeps_the_model(estimator_cls, method):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=3).fit(X, y)
    before = est.predict(X)
    X4 = np.hstack([X, X])
    y4 = np.hstack([y, y])
    with pytest.raises(ValueError, match=r"X has 4 features, but \w+ is expecting 2"):
        if method == "partial_fit":
            est.partial_fit(X4, y4)
        else:
            est.set_params(warm_start=True).fit(X4, y4)
    assert_array_equal(est.predict(X), before)


# It sets activation="relu" on an HNN on purpose, which warns.
@pytest.mark.filterwarnings("ignore:activation=.relu. has no useful:UserWarning")
@pytest.mark.parametrize(
    ("param", "value", "fitted"),
    [("hidden_layer_sizes", (8,), "(16,)"), ("activation", "relu", "'tanh'")],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_continuing_another_architecture_fails_and_keeps_the_model(
    estimator_cls, param, value, fitted, method
):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=3).fit(X, y)
    before = est.predict(X)
    est.set_params(warm_start=True, **{param: value})
    assert_array_equal(est.predict(X), before)  # the fitted network is unchanged
    with pytest.raises(
        ValueError,
        match=rf"{param}={re.escape(repr(value))}, but the fitted network was "
        rf"built with {param}={re.escape(fitted)}: warm_start and partial_fit",
    ):
        getattr(est, method)(X, y)
    assert_array_equal(est.predict(X), before)
    assert len(est.history_) == 3


def test_validation_split_is_kept_without_an_int_random_state(estimator_cls):
    X, y = _states()
    RecordBatches.record.clear()
    est = estimator_cls(
        hidden_layer_sizes=(16,),
        random_state=None,
        batch_size=16,
        validation_fraction=0.25,
        callbacks=[RecordBatches()],
    )
    for _ in range(3):
        est.partial_fit(X, y)
    splits = [_rows(entry["valid"]) for entry in RecordBatches.record]
    assert splits[0] == splits[1] == splits[2]


class FailAfterFirstBatch(Callback):
    def on_batch_end(self, net, **kwargs):
        raise OSError("disk full")


def test_a_failed_continuation_leaves_the_optimizer_state_alone(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=2).fit(X, y)

    def adam_state():
        return {
            (index, name): value.clone()
            for index, state in est.net_.optimizer_.state_dict()["state"].items()
            for name, value in state.items()
        }

    before = adam_state()
    est.set_params(callbacks=[FailAfterFirstBatch()])
    with pytest.raises(OSError, match="disk full"):
        est.partial_fit(X, y)
    after = adam_state()
    assert len(before) == 3 * len(list(est.module_.parameters()))
    assert before.keys() == after.keys()
    for key in before:
        assert torch.equal(before[key], after[key]), key


@pytest.mark.parametrize(
    ("param", "value"),
    [("batch_size", 0), ("batch_size", -1), ("optimizer", "nope"), ("lr", -1.0)],
)
def test_partial_fit_checks_parameters_changed_after_fitting(
    estimator_cls, param, value
):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=2).fit(X, y)
    before = est.predict(X)
    est.set_params(**{param: value})
    with pytest.raises(ValueError, match=param):
        est.partial_fit(X, y)
    assert_array_equal(est.predict(X), before)
    assert len(est.history_) == 2


def test_continuing_checks_and_keeps_the_column_names(estimator_cls):
    pd = pytest.importorskip("pandas")
    X, y = _states()
    frame = pd.DataFrame(X, columns=["q", "p"])
    est = estimator_cls(**SMALL, max_epochs=2).fit(frame, y)
    before = est.predict(frame)
    swapped = pd.DataFrame(X[:, ::-1], columns=["p", "q"])
    with pytest.raises(ValueError, match="feature names should match"):
        est.partial_fit(swapped, y)
    assert_array_equal(est.predict(frame), before)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.partial_fit(X, y)
    assert list(est.feature_names_in_) == ["q", "p"]


@pytest.mark.parametrize(("n", "fraction"), [(1, 0.5), (3, 0.9)])
def test_a_validation_fraction_that_leaves_nothing_to_train_on(
    estimator_cls, n, fraction
):
    X, y = _states(n)
    with pytest.raises(ValueError, match=r"validation_fraction=.* leaving none"):
        estimator_cls(**SMALL, validation_fraction=fraction).fit(X, y)


def test_arrays_with_negative_strides_are_accepted(estimator_cls):
    X, y = _states()
    est = estimator_cls(**SMALL, max_epochs=2).fit(X, y)
    for view in (X[::-1], X[:, ::-1]):
        assert_array_equal(est.predict(view), est.predict(view.copy()))
    assert_array_equal(
        est.simulate(X[::-1][:3], [0.0, 0.1]),
        est.simulate(X[::-1][:3].copy(), [0.0, 0.1]),
    )
