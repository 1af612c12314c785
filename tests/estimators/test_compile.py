"""``compile=True`` trains with a compiled step and gives the eager numbers."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_hnn import BaselineDynamicsRegressor, HamiltonianRegressor
from sklearn_hnn.estimators import _net

SMALL = {"hidden_layer_sizes": (16, 16), "lr": 1e-2, "random_state": 0}


def _states(n=100):
    X = np.random.default_rng(0).uniform(-1, 1, size=(n, 2))
    return X, np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)


def _assert_same_training(a, b, rtol=1e-4):
    for p, q in zip(a.module_.parameters(), b.module_.parameters(), strict=True):
        assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=rtol, atol=1e-6)
    assert_allclose(
        [h["train_loss"] for h in a.history_],
        [h["train_loss"] for h in b.history_],
        rtol=rtol,
    )


@pytest.mark.parametrize(
    ("cls", "batch_size"),
    [(HamiltonianRegressor, 32), (BaselineDynamicsRegressor, None)],
)
def test_compiled_training_gives_the_eager_numbers(cls, batch_size):
    X, y = _states()  # with batches of 32, the last batch (4) compiles again
    kwargs = {**SMALL, "max_epochs": 8, "batch_size": batch_size}
    compiled = cls(**kwargs, compile=True).fit(X, y)
    assert compiled.net_.__dict__.get("_compiled_step")  # the compiled path ran
    # Plain gradients: no autograd graph recorded through them.
    assert all(
        p.grad is None or p.grad.grad_fn is None for p in compiled.module_.parameters()
    )
    eager = cls(**kwargs).fit(X, y)
    _assert_same_training(compiled, eager)
    # A compiled model pickles (without its compiled code) and trains on.
    restored = pickle.loads(pickle.dumps(compiled))
    assert "_compiled_step" not in restored.net_.__dict__
    restored.partial_fit(X, y)
    eager.partial_fit(X, y)
    _assert_same_training(restored, eager)


def test_a_module_that_cannot_be_compiled_trains_eagerly(monkeypatch):
    monkeypatch.setattr(
        _net, "compile_training_step", lambda module, objective=None: None
    )
    X, y = _states()
    fallback = HamiltonianRegressor(**SMALL, max_epochs=5, compile=True).fit(X, y)
    assert fallback.net_.__dict__["_compiled_step"] is False
    eager = HamiltonianRegressor(**SMALL, max_epochs=5).fit(X, y)
    pairs = zip(fallback.module_.parameters(), eager.module_.parameters(), strict=True)
    assert all(torch.equal(p, q) for p, q in pairs)  # exactly the eager step


def test_a_compile_that_fails_warns_and_trains_eagerly(monkeypatch):
    def failing(module, objective=None):
        def step(X, y):
            raise RuntimeError("no C++ compiler")

        return step

    monkeypatch.setattr(_net, "compile_training_step", failing)
    X, y = _states()
    with pytest.warns(RuntimeWarning, match="no C\\+\\+ compiler.*without compiling"):
        fallback = HamiltonianRegressor(**SMALL, max_epochs=5, compile=True).fit(X, y)
    eager = HamiltonianRegressor(**SMALL, max_epochs=5, compile=False).fit(X, y)
    pairs = zip(fallback.module_.parameters(), eager.module_.parameters(), strict=True)
    assert all(torch.equal(p, q) for p, q in pairs)


def test_auto_compiles_only_long_fits(monkeypatch):
    X, y = _states()
    est = HamiltonianRegressor(**SMALL, max_epochs=3)  # compile="auto"
    assert not est._compiles(len(X), 3)
    assert est._compiles(100_000, 100)  # 10^7 samples processed
    assert not est.set_params(compile=False)._compiles(100_000, 100)
    assert est.set_params(compile=True)._compiles(1, 1)
    calls = []
    monkeypatch.setattr(
        _net,
        "compile_training_step",
        lambda module, objective=None: calls.append(1) or None,
    )
    HamiltonianRegressor(**SMALL, max_epochs=3).fit(X, y)
    assert not calls  # a short fit never tries


def test_auto_counts_only_the_training_rows(monkeypatch):
    from sklearn_hnn.estimators import _training

    X, y = _states()  # 100 rows
    calls = []
    monkeypatch.setattr(
        _net,
        "compile_training_step",
        lambda module, objective=None: calls.append(1) or None,
    )
    monkeypatch.setattr(_training, "COMPILE_MIN_SAMPLES", 300)
    # 100 rows x 4 epochs would reach 300, but half are held out: 50 x 4 = 200.
    HamiltonianRegressor(**SMALL, max_epochs=4, validation_fraction=0.5).fit(X, y)
    assert not calls
    HamiltonianRegressor(**SMALL, max_epochs=6, validation_fraction=0.5).fit(X, y)
    assert calls  # 50 x 6 = 300 training samples processed


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_compile_must_be_a_bool_or_auto(bad):
    X, y = _states()
    est = HamiltonianRegressor(compile=bad)
    with pytest.raises(InvalidParameterError, match="'compile' parameter"):
        est.fit(X, y)
    assert not hasattr(est, "net_")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_compiled_training_on_the_gpu_gives_the_eager_numbers():
    X, y = _states()
    kwargs = {**SMALL, "max_epochs": 5, "batch_size": 32, "device": "cuda"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no fallback to eager
        compiled = HamiltonianRegressor(**kwargs, compile=True).fit(X, y)
    eager = HamiltonianRegressor(**kwargs, compile=False).fit(X, y)
    assert compiled.net_._compiled_step  # it did train compiled
    for p, q in zip(
        compiled.module_.parameters(), eager.module_.parameters(), strict=True
    ):
        p, q = p.detach().cpu().numpy(), q.detach().cpu().numpy()
        assert_allclose(p, q, rtol=1e-4, atol=1e-6)
