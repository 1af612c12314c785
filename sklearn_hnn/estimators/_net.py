"""The skorch side of the estimators: the net, a guard against non-finite
losses, the hook through which callbacks see the estimator, and a fast batch
iterator."""

from __future__ import annotations

import contextlib
import copy
import math
import signal
import warnings
from collections.abc import Callable, Iterator

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.dataset import unpack_data
from skorch.utils import to_tensor
from torch.utils.data import Subset

from sklearn_hnn.exceptions import TrainingDivergedError
from sklearn_hnn.nn.compiled import compile_training_step


class EstimatorCallback(Callback):
    """A skorch callback that also hears from the estimator it trains for.

    The estimator calls :meth:`bind` before training, with itself and the
    fitted state it will commit, and :meth:`save_final` once training has
    ended (after every ``on_train_end``, and after a divergence or a Ctrl-C).
    :class:`~sklearn_hnn.callbacks.Checkpoint` is one.
    """

    def bind(self, estimator, record) -> None:
        """Called by the estimator at the start of a fit.

        Parameters
        ----------
        estimator : estimator
            The estimator being trained.
        record : dict
            The fitted state it will commit besides the net.
        """

    def save_final(self, net) -> None:
        """Called by the estimator once training has ended.

        Parameters
        ----------
        net : skorch.NeuralNet
            The trained net.
        """


class DynamicsNet(NeuralNet):
    """skorch's ``NeuralNet`` training through an objective, and telling a
    user's interrupt from a callback's stop.

    The prediction and the loss of a batch are the ``objective``'s (see
    :mod:`sklearn_hnn.objectives`), in the eager and the compiled step alike.
    skorch ends training quietly on any ``KeyboardInterrupt``, both the one a
    user sends with Ctrl-C and the one callbacks such as ``EarlyStopping``
    raise to stop. After ``fit`` or ``partial_fit``, ``interrupted_`` is True
    only in the first case.
    """

    #: Set by the estimator: train with :func:`compile_training_step`.
    compile_step = False
    #: Set by the estimator: the training objective.
    objective = None
    #: Set by the estimator: the epochs of this fit (for the progress bar).
    epochs_planned = None

    def infer(self, x, **fit_params):
        """The objective's prediction for the batch ``x``."""
        x = to_tensor(x, device=self.device)
        return self.objective.predict(self.module_, x)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The objective's loss of the batch, plus its regularizer in training."""
        loss = self.objective.loss(y_pred, to_tensor(y_true, device=self.device))
        if training and X is not None and self.objective.regularized:
            penalty = self.objective.regularizer(
                self.module_, to_tensor(X, device=self.device)
            )
            if penalty is not None:
                loss = loss + penalty
        return loss

    def train_step_single(self, batch, **fit_params):
        """skorch's training step, or the compiled one when asked for and
        possible (same loss, same gradients, to float rounding)."""
        if not self.compile_step or fit_params or self.objective.regularized:
            return super().train_step_single(batch, **fit_params)
        step = self.__dict__.get("_compiled_step")
        if step is None:
            step = compile_training_step(self.module_, self.objective) or False
            self._compiled_step = step
        if step is False:  # this module cannot be compiled
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        # On the net's device, as skorch's own step puts them (the loader's
        # batches stay where the data is, usually on the CPU).
        Xi, yi = (to_tensor(part, device=self.device) for part in unpack_data(batch))
        try:
            loss, y_pred = step(Xi, yi)
        except Exception as error:  # a failed compile leaves the weights as they were
            warnings.warn(
                f"Compiling the training step failed ({type(error).__name__}: "
                f"{error}); training goes on without compiling. Set compile=False "
                "to skip the attempt.",
                RuntimeWarning,
                stacklevel=2,
            )
            self._compiled_step = False
            for p in self.module_.parameters():
                p.grad = None
            return super().train_step_single(batch, **fit_params)
        return {"loss": loss, "y_pred": y_pred}

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_compiled_step", None)  # compiled code does not pickle
        return state

    def initialize_module(self, *args, **kwargs):
        self.__dict__.pop("_compiled_step", None)  # it belongs to the old module
        return super().initialize_module(*args, **kwargs)

    def notify(self, method_name, **cb_kwargs):
        resumed = method_name == "on_train_begin" and len(self.history) > 0
        if resumed:
            lrs = [group["lr"] for group in self.optimizer_.param_groups]
        try:
            super().notify(method_name, **cb_kwargs)
        except KeyboardInterrupt:
            self.stopped_by_callback_ = True
            raise
        if resumed:
            self._undo_scheduler_replay(lrs)

    def _undo_scheduler_replay(self, lrs: list[float]) -> None:
        """Put back the learning rates a resumed fit started with.

        skorch's ``LRScheduler`` builds its torch scheduler anew at every fit,
        at the epoch reached, and torch's constructor takes one step there: a
        step the previous fit already took. Undoing it makes a fit continued
        with ``warm_start`` or ``partial_fit`` follow the schedule of one long
        fit."""
        for group, lr in zip(self.optimizer_.param_groups, lrs, strict=False):
            group["lr"] = lr
        for _, callback in self.callbacks_:
            scheduler = getattr(callback, "lr_scheduler_", None)
            if isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler):
                scheduler._last_lr = list(lrs)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        self.stopped_by_callback_ = False
        self.interrupted_ = False
        with _sigint_recorded() as received:
            try:
                return super().fit_loop(X, y, epochs=epochs, **fit_params)
            except KeyboardInterrupt:
                # A Ctrl-C may land while a callback runs: the signal, not the
                # place, tells it from a callback's own stop.
                self.interrupted_ = received() or not self.stopped_by_callback_
                raise


@contextlib.contextmanager
def _sigint_recorded() -> Iterator[Callable[[], bool]]:
    """Record whether SIGINT (Ctrl-C) arrives, handling it as before.

    Yields a function that tells whether it did. Off the main thread, where
    Python cannot install signal handlers, it always tells False.
    """
    received = False

    def handler(signum, frame):
        nonlocal received
        received = True
        previous(signum, frame)

    previous = signal.getsignal(signal.SIGINT)
    try:
        # Only a Python handler (normally the one raising KeyboardInterrupt)
        # is wrapped: SIG_DFL, SIG_IGN and handlers set outside Python are left
        # to do what they do.
        if not callable(previous):
            raise ValueError
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # that, or not the main thread
        yield lambda: False
        return
    try:
        yield lambda: received
    finally:
        signal.signal(signal.SIGINT, previous)


def _copy_state(state, into=None):
    """A detached copy of ``state`` (a state dict: nested dicts, lists and
    tuples of tensors and plain values), reusing the tensors of ``into`` where
    they match in shape, dtype and device."""
    if isinstance(state, torch.Tensor):
        if (
            isinstance(into, torch.Tensor)
            and into.shape == state.shape
            and into.dtype == state.dtype
            and into.device == state.device
        ):
            return into.copy_(state)
        return state.detach().clone()
    if isinstance(state, dict):
        into = into if isinstance(into, dict) else {}
        return {key: _copy_state(value, into.get(key)) for key, value in state.items()}
    if isinstance(state, list | tuple):
        if not isinstance(into, list | tuple) or len(into) != len(state):
            into = [None] * len(state)
        return type(state)(_copy_state(v, i) for v, i in zip(state, into, strict=True))
    return copy.deepcopy(state)


def _parameters_finite(module: torch.nn.Module) -> bool:
    """Whether every weight is finite, by one host check of the per-tensor sums.

    A sum is NaN or infinite when any entry is (or when the weights reach
    about 1e38 in float32, which is a divergence too).
    """
    sums = [p.detach().sum() for p in module.parameters()]
    return not sums or bool(torch.stack(sums).isfinite().all())


class FiniteLossGuard(Callback):
    """Stop training as soon as a loss or a weight is not finite, keeping the
    last weights whose loss was finite.

    At the start of each epoch the weights and the optimizer state are copied
    (into the buffers of the copy before last, so full-batch training does not
    pay for fresh allocations every step). When a training batch gives a
    non-finite loss, or the weights are not finite at the end of an epoch,
    :class:`~sklearn_hnn.exceptions.TrainingDivergedError` is raised after
    restoring:

    - the copy from the start of this epoch, if a batch of this epoch already
      gave a finite loss (always so at the epoch's end), or if those weights
      give a finite loss on the failing batch;
    - otherwise the copy from the start of the previous epoch, whose first
      loss was finite: the weights this epoch started with are the very ones
      whose loss is not.

    The epochs whose weights are dropped are dropped from the history. The
    copies are dropped when training ends, so a fitted net holds no stray
    tensors (which would, for instance, tie a pickle to the GPU it came from).
    """

    def _drop_copies(self) -> None:
        self.snapshots_ = [None, None]  # start of this epoch, of the previous

    def on_train_begin(self, net, **kwargs) -> None:
        self._drop_copies()

    def on_train_end(self, net, **kwargs) -> None:
        self._drop_copies()

    def on_epoch_begin(self, net, **kwargs) -> None:
        current, older = self.snapshots_
        into = older or (None, None)
        self.snapshots_ = [
            (
                _copy_state(net.module_.state_dict(), into[0]),
                _copy_state(net.optimizer_.state_dict(), into[1]),
            ),
            current,
        ]
        self.finite_loss_seen_ = False  # with this epoch's starting weights

    def on_batch_end(self, net, batch=None, training=None, **kwargs) -> None:
        loss = kwargs.get("loss")
        if training and loss is not None:
            value = loss.item()
            if not math.isfinite(value):
                self._stop(net, f"the training loss became {value}", batch)
            self.finite_loss_seen_ = True

    def on_epoch_end(self, net, **kwargs) -> None:
        if not _parameters_finite(net.module_):
            self._stop(net, "the weights stopped being finite")

    def _stop(self, net, what: str, batch=None) -> None:
        epoch = len(net.history)
        current, previous = self.snapshots_
        net.module_.load_state_dict(current[0])
        net.optimizer_.load_state_dict(current[1])
        if not self.finite_loss_seen_ and batch is not None:
            loss = net.validation_step(batch)["loss"]
            self.finite_loss_seen_ = bool(torch.isfinite(loss))
        go_back = not self.finite_loss_seen_ and previous is not None
        if go_back:
            net.module_.load_state_dict(previous[0])
            net.optimizer_.load_state_dict(previous[1])
        self._drop_copies()
        # The records of the epochs whose weights are dropped no longer match.
        for _ in range(2 if go_back else 1):
            net.history.pop()
        epochs_kept = len(net.history)
        if not (self.finite_loss_seen_ or go_back):
            kept = (
                "the weights this fit started with, though their loss was not "
                "finite either"
            )
        elif epochs_kept:
            kept = (
                f"the weights from the end of epoch {epochs_kept}, the last whose "
                "loss was finite"
            )
        else:
            kept = "the weights it started with"
        raise TrainingDivergedError(
            f"Training diverged: {what} in epoch {epoch}. The model keeps {kept}. "
            "Try a smaller lr, or rescale X and y towards unit scale.",
            epoch=epoch,
        )


def _tensors_of(dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """``(X, y)`` of a skorch ``Dataset`` holding tensors, or a ``Subset`` of one."""
    if isinstance(dataset, Subset):
        X, y = _tensors_of(dataset.dataset)
        index = torch.as_tensor(dataset.indices, dtype=torch.long)
        return X[index], y[index]
    return torch.as_tensor(dataset.X), torch.as_tensor(dataset.y)


class TensorBatchIterator:
    """Batches sliced from whole tensors, replacing skorch's ``DataLoader``.

    A ``DataLoader`` fetches and collates every sample on its own, which costs
    more than a small network's training step; slicing costs one indexing
    operation per batch. Shuffling uses torch's global generator, which the
    estimators seed.

    Parameters
    ----------
    dataset : skorch.dataset.Dataset or torch.utils.data.Subset
        Holds ``X`` and ``y`` as tensors.
    batch_size : int
        Samples per batch; the last batch may be smaller.
    shuffle : bool, default=False
        Draw a new permutation at each pass.
    """

    def __init__(self, dataset, batch_size: int, shuffle: bool = False) -> None:
        self.X, self.y = _tensors_of(dataset)
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self) -> int:
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.X)
        if self.batch_size >= n:
            yield self.X, self.y
            return
        order = torch.randperm(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                yield (
                    self.X[start : start + self.batch_size],
                    self.y[start : start + self.batch_size],
                )
            else:
                index = order[start : start + self.batch_size]
                yield self.X[index], self.y[index]
