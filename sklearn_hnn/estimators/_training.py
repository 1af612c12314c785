"""Training a torch module through skorch, as scikit-learn estimators do it.

:class:`TorchEstimatorMixin` holds what every estimator of this package that
trains a torch network shares, whatever the model: the training parameters
and their constraints, optimizer and module keyword arguments in skorch's
``optimizer__``/``module__`` convention, the skorch net, seeding, devices,
fault handling (divergence, Ctrl-C) and the atomic commit of a fit. Model
families and estimator kinds (regressors, transformers) build on it.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import math
import warnings
from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import torch
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch.dataset import ValidSplit
from skorch.history import History

from sklearn_hnn._codec import torch_optimizer
from sklearn_hnn.estimators._constraints import Callbacks, Device, Number, SubclassOf
from sklearn_hnn.estimators._net import (
    DynamicsNet,
    EstimatorCallback,
    FiniteLossGuard,
    TensorBatchIterator,
)
from sklearn_hnn.estimators._params import PrefixedParamsMixin, takes_argument
from sklearn_hnn.estimators._progress import EpochProgress
from sklearn_hnn.estimators._registry import register
from sklearn_hnn.estimators._runtime import draw_seed, seeded_torch
from sklearn_hnn.exceptions import TrainingDivergedError, TrainingInterruptedWarning
from sklearn_hnn.nn.units import bind_normalization

#: Optimizers selectable by name; any ``torch.optim.Optimizer`` class also works.
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

#: Fewest samples processed by a fit (epochs times training samples) for which
#: ``compile="auto"`` compiles the training step; see ``docs/benchmarks.md``.
COMPILE_MIN_SAMPLES = 10_000_000

#: Constraints of the training parameters.
TRAINING_CONSTRAINTS: dict[str, list] = {
    "optimizer": [
        StrOptions(set(OPTIMIZERS)),
        SubclassOf(torch.optim.Optimizer, "torch.optim.Optimizer"),
    ],
    "lr": [Number(Real, 0, None, closed="neither")],
    "weight_decay": [Number(Real, 0, None, closed="left")],
    "max_epochs": [Number(Integral, 1, None, closed="left")],
    "batch_size": [Number(Integral, 1, None, closed="left"), None],
    "validation_fraction": [Number(Real, 0, 1, closed="left")],
    "compile": [StrOptions({"auto"}), "boolean"],
    "warm_start": ["boolean"],
    "callbacks": [Callbacks(), None],
    "device": [Device()],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


def optimizer_class(optimizer) -> type[torch.optim.Optimizer]:
    """The optimizer class an ``optimizer`` parameter names (or is)."""
    return OPTIMIZERS[optimizer] if isinstance(optimizer, str) else optimizer


def check_weight_decay(optimizer, weight_decay) -> None:
    """Raise a ValueError unless ``optimizer`` takes a nonzero ``weight_decay``."""
    cls = optimizer_class(optimizer)
    if weight_decay and not takes_argument(cls, "weight_decay"):
        raise ValueError(
            f"optimizer={cls.__name__} takes no weight_decay, but "
            f"weight_decay={weight_decay!r}. Set weight_decay=0 or choose an "
            "optimizer with weight decay."
        )


class TorchEstimatorMixin(PrefixedParamsMixin, metaclass=ABCMeta):
    """Training parameters, the skorch net and the commit of a fit.

    Subclasses declare their module (:meth:`_module_spec`) and what a fitted
    model records besides the net; concrete subclasses register themselves
    for :mod:`sklearn_hnn.persistence`. Keyword arguments prefixed
    ``optimizer__`` reach the optimizer's constructor, and ``module__`` ones a
    module class of the user's (``module=``), as in skorch; they are
    parameters like any other (``get_params``, ``set_params``, ``clone``,
    ``GridSearchCV``).
    """

    _parameter_constraints: ClassVar[dict] = TRAINING_CONSTRAINTS

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            # ``**kwargs`` only carries the prefixed parameters: the signature
            # that scikit-learn and numpydoc read lists the named ones.
            signature = inspect.signature(init)
            init.__signature__ = signature.replace(
                parameters=[
                    p
                    for p in signature.parameters.values()
                    if p.kind is not inspect.Parameter.VAR_KEYWORD
                ]
            )
        if not inspect.isabstract(cls) and "<locals>" not in cls.__qualname__:
            register(cls)

    # ---------------------------------------------------------------- hooks

    @abstractmethod
    def _module_spec(
        self, n_features: int, n_outputs: int, architecture: dict
    ) -> tuple[type[torch.nn.Module], dict]:
        """The torch module's class and its keyword arguments, for the
        ``architecture`` of :meth:`_architecture`.

        skorch builds the module from them, so the net pickles the module
        through skorch's device-aware path (a model trained on a GPU unpickles
        on a machine without one)."""

    def _architecture(self) -> dict:
        """The parameters the network is built from.

        A fitted model records the architecture it was built with: its net,
        its saves and its continuations follow that record, not parameters
        set since."""
        return {"module__": self._prefixed("module__")}

    def _check_architecture(self) -> None:
        """Checks of the parameters the network is built from, after
        ``_validate_params``; raise a ValueError naming those at fault."""

    def _check_params(self) -> None:
        """Checks across parameters, after ``_validate_params``; raise a
        ValueError naming the parameters at fault."""
        self._check_architecture()
        check_weight_decay(self.optimizer, self.weight_decay)
        optimizer = self._optimizer_class()
        for name in self._prefixed("optimizer__"):
            if name in ("params", "lr", "weight_decay"):
                what = (
                    "the network's weights, which the estimator passes"
                    if name == "params"
                    else f"the estimator's own parameter {name}; set that instead"
                )
                raise ValueError(f"optimizer__{name} is set, but {name} is {what}.")
            if not takes_argument(optimizer, name):
                raise ValueError(
                    f"optimizer__{name} is set, but optimizer={optimizer.__name__} "
                    f"takes no argument {name!r}."
                )
        for i, entry in enumerate(self.callbacks or []):
            callback = entry[1] if isinstance(entry, tuple) else entry
            if isinstance(callback, type):  # skorch builds it with its defaults
                parameter = inspect.signature(callback).parameters.get("monitor")
                monitor = None if parameter is None else parameter.default
            else:
                monitor = getattr(callback, "monitor", None)
            if (
                not self.validation_fraction
                and isinstance(monitor, str)
                and monitor.startswith("valid_")
            ):
                raise ValueError(
                    f"callbacks[{i}] monitors {monitor!r}, which is only recorded "
                    "with validation_fraction > 0 (now "
                    f"{self.validation_fraction!r}); set validation_fraction, or "
                    "monitor a training score such as 'train_loss'."
                )

    # ------------------------------------------------------------ optimizer

    def _optimizer_class(self) -> type[torch.optim.Optimizer]:
        return optimizer_class(self.optimizer)

    def _optimizer_record(self) -> dict:
        """The optimizer the parameters ask for, as a fitted model records it:
        its class name, ``lr``, ``weight_decay`` and ``optimizer__`` options."""
        return {
            "name": self._optimizer_class().__name__,
            "lr": float(self.lr),
            "weight_decay": float(self.weight_decay),
            "options": self._prefixed("optimizer__"),
        }

    # ------------------------------------------------------------------ net

    def _make_net(
        self,
        n_features: int,
        n_outputs: int,
        architecture: dict,
        device: torch.device,
        seed: int,
        optimizer: dict | None = None,
    ) -> DynamicsNet:
        """The skorch net of ``architecture``, with the optimizer the
        parameters say, or the one ``optimizer`` records (its name in
        ``torch.optim``, its ``lr`` and ``weight_decay``)."""
        if optimizer is None:  # as the parameters say
            optimizer, optimizer_class = (
                self._optimizer_record(),
                self._optimizer_class(),
            )
        else:
            optimizer_class = torch_optimizer(optimizer["name"])
        optimizer_kwargs = {
            f"optimizer__{key}": value
            for key, value in optimizer.get("options", {}).items()
            if takes_argument(optimizer_class, key)
        }
        if takes_argument(optimizer_class, "weight_decay"):
            optimizer_kwargs["optimizer__weight_decay"] = optimizer["weight_decay"]
        train_split = None
        if self.validation_fraction > 0:
            train_split = ValidSplit(
                self.validation_fraction, stratified=False, random_state=seed
            )
        callbacks = [("finite_loss_guard", FiniteLossGuard())]
        if self.verbose == 1:
            callbacks.append(("progress", EpochProgress()))
        callbacks += copy.deepcopy(self.callbacks or [])
        module, module_kwargs = self._module_spec(n_features, n_outputs, architecture)
        net = DynamicsNet(
            module=module,
            **{f"module__{key}": value for key, value in module_kwargs.items()},
            criterion=torch.nn.MSELoss,  # unused: the loss is the objective's
            optimizer=optimizer_class,
            lr=optimizer["lr"],
            **optimizer_kwargs,
            max_epochs=self.max_epochs,
            batch_size=-1 if self.batch_size is None else self.batch_size,
            iterator_train=TensorBatchIterator,
            iterator_valid=TensorBatchIterator,
            iterator_train__shuffle=self.batch_size is not None,
            train_split=train_split,
            callbacks=callbacks,
            device=str(device),
            verbose=int(self.verbose > 1),
            **self._skipped_default_callbacks(),
        )
        net.objective = self._training_objective()
        return net

    @abstractmethod
    def _training_objective(self):
        """What the net trains: an object with ``predict(field, X)`` and
        ``loss(y_pred, y)`` (see :mod:`sklearn_hnn.objectives`)."""

    def _skipped_default_callbacks(self) -> dict:
        """skorch's default callbacks this fit does without: its per-epoch cost
        shows in full-batch training of small models."""
        skipped = {}
        if self.verbose < 2:  # the table is formatted even when not printed
            skipped["callbacks__print_log"] = None
        if not self.validation_fraction:  # there is no validation loss to record
            skipped["callbacks__valid_loss"] = None
        return skipped

    def _n_training_rows(self, n_rows: int) -> int:
        """How many of ``n_rows`` rows train, the rest being held out for
        validation (``validation_fraction``)."""
        return n_rows - math.ceil(self.validation_fraction * n_rows)

    def _check_validation_size(self, n_samples: int) -> None:
        """Raise unless ``validation_fraction`` leaves samples to train on."""
        n_valid = math.ceil(self.validation_fraction * n_samples)
        if self.validation_fraction and n_valid >= n_samples:
            raise ValueError(
                f"validation_fraction={self.validation_fraction!r} of {n_samples} "
                f"samples holds out {n_valid}, leaving none to train on. Use a "
                "smaller validation_fraction or more samples."
            )

    def _compiles(self, n_samples: int, epochs: int) -> bool:
        """Whether a fit of ``epochs`` passes over ``n_samples`` compiles its step."""
        if self.compile == "auto":
            return n_samples * epochs >= COMPILE_MIN_SAMPLES
        return bool(self.compile)

    def _draw_seed(self) -> int:
        return draw_seed(self.random_state)

    # ------------------------------------------------------------- training

    def _train(
        self,
        record: dict,
        X_train: np.ndarray,
        y_train: np.ndarray,
        *,
        previous,
        seed: int,
        epochs: int | None,
        device: torch.device,
        commit: Callable[[dict, DynamicsNet], None],
    ):
        """Train a net on the prepared ``X_train`` and ``y_train`` (float32
        network inputs and targets), from new weights or from the fitted net
        ``previous``, then ``commit(record, net)``, which keeps ``record`` as
        ``_fitted_record``.

        Nothing on ``self`` changes until training has ended. A diverged or
        interrupted run still commits the weights it kept, then says so.
        """
        epochs_done = 0 if previous is None else len(previous.history_)
        diverged = None
        with seeded_torch(seed + epochs_done, device):
            net = self._make_net(
                record["n_features_in_"],
                record["n_outputs_"],
                record["architecture"],
                device,
                record["validation_seed"],
            )
            net.epochs_planned = self.max_epochs if epochs is None else epochs
            net.compile_step = self._compiles(
                self._n_training_rows(len(X_train)),
                self.max_epochs if epochs is None else epochs,
            )
            net.initialize()
            bind_normalization(net.module_, record.get("normalization"))
            if previous is not None:
                self._continue_from(net, previous)
            for _, callback in net.callbacks_:
                if isinstance(callback, EstimatorCallback):
                    callback.bind(self, record)
            try:
                try:
                    net.partial_fit(
                        torch.from_numpy(X_train.astype(np.float32)),
                        torch.from_numpy(y_train.astype(np.float32)),
                        epochs=epochs,
                    )
                except TrainingDivergedError as error:
                    diverged = error
                # After every on_train_end (skorch skips them when an epoch
                # raises): checkpoints get what the model keeps.
                _save_final(net)
            except KeyboardInterrupt:
                # skorch stops the epochs quietly at a Ctrl-C, but not one that
                # lands before or after them (in a callback's on_train_end, a
                # checkpoint's final save): the weights reached are kept all
                # the same, once there are some, and checkpointed if possible.
                if len(net.history) == epochs_done:
                    raise
                net.interrupted_ = True
                with contextlib.suppress(KeyboardInterrupt):  # a second one
                    _save_final(net)

        # Fitted state is set only now that training has ended.
        commit(record, net)
        if diverged is not None:
            raise diverged
        if getattr(net, "interrupted_", False):
            warnings.warn(
                f"Training was interrupted (KeyboardInterrupt) in epoch "
                f"{len(net.history)}; the model keeps the weights reached so far. "
                "Continue with partial_fit, or fit with warm_start=True.",
                TrainingInterruptedWarning,
                stacklevel=4,
            )
        return self

    def _load_training_state(
        self,
        net: DynamicsNet,
        module_state: dict,
        optimizer_state: dict | None,
        history: list,
        trained_with: dict | None,
        *,
        apply_params: bool = True,
    ) -> None:
        """Put saved weights, optimizer state and history into a fresh ``net``.

        The optimizer state is used when given and ``trained_with`` (the
        optimizer's record: class name, ``lr``, ``weight_decay`` and options
        it trained with, or None if unknown) names the class of ``net``'s
        optimizer. With ``apply_params``, an ``lr``, ``weight_decay`` or
        ``optimizer__`` option changed since then replaces the saved one; one
        left alone keeps it, so a learning-rate schedule carries on where it
        was. Raises a ``ValueError`` if the
        weights do not fit.
        """
        try:
            net.module_.load_state_dict(module_state)
        except RuntimeError:
            raise ValueError(
                "The saved weights do not fit the network the parameters describe: "
                "continuing a model (warm_start, partial_fit, a checkpoint) needs "
                "its architecture to stay as it was. Set warm_start=False to "
                "start over."
            ) from None
        if trained_with is not None and (
            trained_with["name"] != type(net.optimizer_).__name__
        ):
            optimizer_state = None  # another optimizer's: it starts afresh
        if optimizer_state is not None:
            net.optimizer_.load_state_dict(optimizer_state)
        current = {
            "lr": float(self.lr),
            "weight_decay": float(self.weight_decay),
            **self._prefixed("optimizer__"),
        }
        recorded = {} if trained_with is None else trained_with
        recorded = {**recorded.get("options", {}), **recorded}
        for group in net.optimizer_.param_groups:
            if optimizer_state is not None and apply_params:
                # A setting changed since replaces the saved one; one left
                # alone keeps it (where a schedule took the learning rate).
                for name, value in current.items():
                    changed = trained_with is None or value != recorded.get(name)
                    if changed and name in group:
                        group[name] = value
                        if name == "lr":  # a scheduler restarts from it
                            group["initial_lr"] = value
            # Where a scheduler built at the epoch reached starts from.
            group.setdefault("initial_lr", group["lr"])
        net.history_ = History(copy.deepcopy(list(history)))

    def _continue_from(self, net: DynamicsNet, previous: DynamicsNet) -> None:
        """Start ``net`` where the fitted ``previous`` net stopped."""
        self._load_training_state(
            net,
            previous.module_.state_dict(),
            # A copy: torch's load_state_dict shares tensors of the right dtype
            # and device, and a failed continuation must leave previous as it was.
            copy.deepcopy(previous.optimizer_.state_dict()),
            previous.history_,
            self._recorded("optimizer"),
        )

    def _check_same_architecture(self, architecture: dict) -> None:
        """Raise unless ``architecture`` is the fitted network's (unknown for a
        model unpickled from before it was recorded: then the weights decide)."""
        recorded = self._recorded("architecture")
        if not recorded:
            return
        for name in {**recorded, **architecture}:
            now, fitted = architecture.get(name), recorded.get(name)
            if now != fitted:
                raise ValueError(
                    f"{name}={now!r}, but the fitted network was built with "
                    f"{name}={fitted!r}: warm_start and partial_fit continue "
                    "training the fitted network. Set it back, or set "
                    "warm_start=False to start over."
                )

    def _recorded(self, key: str):
        """``key`` of the record the last fit committed (``_fitted_record``,
        which ``commit`` keeps), or None."""
        return getattr(self, "_fitted_record", {}).get(key)

    @property
    def module_(self) -> torch.nn.Module:
        """The trained torch module (owned by ``net_``)."""
        check_is_fitted(self)
        return self.net_.module_


def _save_final(net: DynamicsNet) -> None:
    """The final save of every estimator callback (a checkpoint) of ``net``."""
    for _, callback in net.callbacks_:
        if isinstance(callback, EstimatorCallback):
            callback.save_final(net)
