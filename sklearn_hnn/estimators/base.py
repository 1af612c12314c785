"""What every dynamics estimator shares: parameters, training through skorch,
prediction and batched simulation."""

from __future__ import annotations

import contextlib
import copy
import inspect
import math
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    _get_feature_names,
    check_is_fitted,
    validate_data,
)
from skorch.callbacks import Callback
from skorch.dataset import ValidSplit
from skorch.history import History

from sklearn_hnn._threads import threads_for
from sklearn_hnn._validation import (
    backend_missing,
    check_2d,
    check_float_array,
    check_option,
    shape_of,
)
from sklearn_hnn.callbacks import Checkpoint
from sklearn_hnn.differentiation import METHODS as DIFFERENTIATION_METHODS
from sklearn_hnn.differentiation import Differentiator, time_derivative
from sklearn_hnn.estimators._net import (
    DynamicsNet,
    FiniteLossGuard,
    TensorBatchIterator,
)
from sklearn_hnn.exceptions import (
    DivergenceWarning,
    TrainingDivergedError,
    TrainingInterruptedWarning,
)
from sklearn_hnn.integrate import integrate_and_report
from sklearn_hnn.nn.frozen import freeze_field
from sklearn_hnn.nn.mlp import ACTIVATIONS
from sklearn_hnn.persistence import _torch_optimizer

#: Fitted attributes of the normalisation (see the ``normalize`` parameter).
_SCALES = ("X_offset_", "X_scale_", "y_scale_")


def _has_params(value) -> bool:
    """Whether ``value`` is a component with parameters of its own, as
    scikit-learn's ``get_params(deep=True)`` decides it."""
    return hasattr(value, "get_params") and not isinstance(value, type)


def _takes_argument(cls: type, name: str) -> bool:
    """Whether ``cls(...)`` accepts the keyword argument ``name``."""
    parameters = inspect.signature(cls).parameters
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def _check_float32_range(values: np.ndarray, name: str, scales: dict) -> None:
    """Raise if ``values`` (as the network sees them) overflow float32."""
    largest = float(np.max(np.abs(values), initial=0.0))
    if largest > float(np.finfo(np.float32).max):
        hint = (
            "set normalize=True (or 'auto')"
            if scales["X_offset_"] is None
            else "rescale it"
        )
        raise ValueError(
            f"{name} has values up to {largest:.3g}, beyond the float32 range the "
            f"network trains in; {hint}."
        )


#: Optimizers selectable by name; any ``torch.optim.Optimizer`` class also works.
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

PARAMETERS_DOC = """\
    hidden_layer_sizes : tuple of int, default=(200, 200)
        Width of each hidden layer of the network.

    activation : {"tanh", "softplus", "sigmoid", "silu", "gelu", "elu", "relu"}, \
default="tanh"
        Activation after each hidden layer. Use a smooth one for Hamiltonian
        models, whose dynamics are a derivative of the network.

    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
default="adam"
        Optimizer of the network weights: a name, or a subclass of
        ``torch.optim.Optimizer`` built with ``lr`` and, if its constructor
        takes it, ``weight_decay`` (one that does not needs ``weight_decay=0``).

    lr : float, default=1e-3
        Learning rate.

    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.

    max_epochs : int, default=2000
        Passes over the training data. With ``batch_size=None`` an epoch is one
        optimizer step, so the default is the paper's 2000 full-batch steps.

    batch_size : int or None, default=None
        Samples per optimizer step; ``None`` uses the whole training set.

    validation_fraction : float in [0, 1), default=0.0
        Fraction of the samples held out to record ``valid_loss`` in the
        history (needed by callbacks such as ``EarlyStopping``). ``0`` holds
        out nothing. For trajectory data, prefer passing held-out trajectories
        yourself: a random split of points leaks neighbouring samples.

    differentiation : {"central", "forward", "backward", "savgol"} or \
Differentiator, default="central"
        How ``fit`` and ``score`` estimate ``dX/dt`` when they are given
        trajectories (``t``, and optionally ``groups``) instead of ``y``; see
        :func:`~sklearn_hnn.differentiation.time_derivative`. Unused when ``y``
        is given.

    normalize : {"auto", True, False}, default="auto"
        Train on ``(X - X_offset_) / X_scale_`` and ``y / y_scale_``, with one
        offset per column but a single scale for all of ``X`` and one for
        ``y``, and map every output back. Single scales keep the learned
        dynamics Hamiltonian: the learned energy is ``X_scale_ * y_scale_``
        times the network's. ``"auto"`` normalises only data far from unit
        scale (root mean square of ``X`` or of ``y`` outside ``[1e-2, 1e2]``),
        where the network's units would saturate or barely move; data near unit
        scale, like the paper's, are used as given.

    compile : {"auto", True, False}, default="auto"
        Train with a compiled step: the loss and its weight gradients written
        with ``torch.func`` and compiled by ``torch.compile`` (see
        :func:`~sklearn_hnn.nn.compiled.compile_training_step`), with the same
        numbers as the eager step to float rounding. The first step compiles,
        which takes seconds, so ``"auto"`` compiles only fits that process at
        least ``COMPILE_MIN_SAMPLES`` (10^7) samples (``max_epochs`` times the
        training rows, those held out by ``validation_fraction`` not
        counted): on a 2-core CPU a compiled step of the paper's
        network took 0.73-0.78 times an eager one, which repaid a cold compile
        after about that much work. The paper's protocols stay eager. If
        compiling fails (no C++ compiler, an unsupported module), training
        warns and goes on eagerly.

    warm_start : bool, default=False
        When True and the estimator is already fitted on data of the same
        width, ``fit`` continues training the current weights, with the
        optimizer's state, for ``max_epochs`` more epochs, and appends to
        ``history_``. See also :meth:`partial_fit`.

    callbacks : list of skorch callbacks or None, default=None
        Passed to the skorch net, for example ``EarlyStopping``,
        ``LRScheduler``, ``Checkpoint`` or ``ProgressBar``: instances,
        classes, or ``(name, callback)`` pairs, as skorch takes them. They are
        copied at each ``fit``, so the objects given here are never modified.

    device : str or torch.device, default="cpu"
        Where to train and run the network, for example ``"cuda"``.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split. Torch's
        global random state is left as it was.

    verbose : int, default=0
        ``0`` is silent; ``1`` prints skorch's per-epoch table."""


#: Fewest samples processed by a fit (epochs times training samples) for which
#: ``compile="auto"`` compiles the training step; see ``docs/benchmarks.md``.
COMPILE_MIN_SAMPLES = 10_000_000


NORMALIZATION_ATTRIBUTES_DOC = """\
    X_offset_ : ndarray of shape (n_features_in_,) or None
        Per-column offset subtracted from ``X`` before the network; None when
        the data were used as given (see ``normalize``).
    X_scale_, y_scale_ : float
        Scales of ``X`` (after the offset) and of ``y`` for the network; 1.0
        when the data were used as given.
"""


@contextmanager
def _seeded_torch(seed: int, device: torch.device):
    """Seed torch inside a block without disturbing its global random state."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _save_checkpoints(net: DynamicsNet) -> None:
    """The final save of every :class:`Checkpoint` among ``net``'s callbacks."""
    for _, callback in net.callbacks_:
        if isinstance(callback, Checkpoint):
            callback.save_final(net)


def _resolve_device(device) -> torch.device:
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"device must name a torch device such as 'cpu' or 'cuda'; got {device!r}."
        ) from None
    if backend_missing(resolved):
        raise ValueError(
            f"device={device!r} was asked for, but {resolved.type.upper()} is not "
            "available."
        )
    if resolved.type == "meta":
        raise ValueError(
            "device='meta' holds shapes but no data: a model cannot train or "
            "predict there. Use 'cpu' or 'cuda'."
        )
    return resolved


class BaseDynamicsRegressor(RegressorMixin, BaseEstimator):
    __doc__ = (
        """Base class of estimators that learn ``dX/dt = f(X)`` with a torch network.

    Subclasses choose the torch module (:meth:`_module_spec`), any extra checks
    of the training targets (:meth:`_check_targets`) and the vector fields that
    :meth:`simulate` can follow (``_simulation_fields``). Everything else,
    training through skorch included, is shared.

    Parameters
    ----------
"""
        + PARAMETERS_DOC
    )

    _parameter_constraints: ClassVar[dict] = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "differentiation": [StrOptions(set(DIFFERENTIATION_METHODS)), Differentiator],
        "normalize": [StrOptions({"auto"}), "boolean"],
        "compile": [StrOptions({"auto"}), "boolean"],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    #: Names of the fields :meth:`simulate` can follow, mapped to module methods;
    #: the first is the default.
    _simulation_fields: ClassVar[dict[str, str]] = {"learned": "forward"}

    def __init__(
        self,
        hidden_layer_sizes=(200, 200),
        activation="tanh",
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        max_epochs=2000,
        batch_size=None,
        validation_fraction=0.0,
        differentiation="central",
        normalize="auto",
        compile="auto",
        warm_start=False,
        callbacks=None,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.validation_fraction = validation_fraction
        self.differentiation = differentiation
        self.normalize = normalize
        self.compile = compile
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ hooks

    def _module_spec(
        self, n_features: int, n_outputs: int, architecture: dict
    ) -> tuple[type[torch.nn.Module], dict]:
        """The torch module's class and its keyword arguments, for the
        ``architecture`` of :meth:`_architecture`.

        skorch builds the module from them, so the net pickles the module
        through skorch's device-aware path (a model trained on a GPU unpickles
        on a machine without one)."""
        raise NotImplementedError

    def _check_targets(self, X: np.ndarray, y: np.ndarray) -> None:
        """Raise if ``y`` does not suit this model; must not change any state."""

    # --------------------------------------------------------------- training

    def _targets(self, X, y, t, groups):
        """``y``, or ``dX/dt`` estimated from the trajectories ``(X, t, groups)``."""
        if y is None:
            if t is None:
                raise ValueError(
                    f"{type(self).__name__} requires y to be passed, but the "
                    "target y is None. y holds the time derivatives dX/dt; to "
                    "learn from trajectories without derivatives, pass t (and "
                    "groups) instead. In GridSearchCV, cross_validate and other "
                    "model-selection tools, t and groups reach fit and score "
                    "only through metadata routing: "
                    "sklearn.set_config(enable_metadata_routing=True) and "
                    "set_fit_request/set_score_request(t=True, groups=True)."
                )
            return time_derivative(X, t, groups=groups, method=self.differentiation)
        if t is not None or groups is not None:
            raise ValueError(
                "t and groups describe trajectories whose derivatives are to be "
                "estimated; they are only used when y is None. Pass either y or t."
            )
        return y

    def _validate_training_data(
        self, X, y, t=None, groups=None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Check ``X`` and ``y`` without touching the estimator's state."""
        y = self._targets(X, y, t, groups)
        check_2d(X, "X")
        X = check_float_array(X, "X")
        y = check_float_array(y, "y", ensure_2d=False, ensure_min_samples=0)
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D or 2-D; got shape {y.shape}.")
        if len(y) != len(X):
            raise ValueError(
                f"X and y have different numbers of samples: {len(X)} and {len(y)}."
            )
        self._check_targets(X, y)
        return X, y

    def _scales(self, X: np.ndarray, y: np.ndarray) -> dict:
        """Offset of each column of ``X``, one scale for ``X`` and one for ``y``."""

        def rms(a: np.ndarray) -> float:
            # Scaled by the largest entry first: squares of data near 1e160 or
            # 1e-170 would overflow or underflow.
            largest = float(np.max(np.abs(a)))
            if largest == 0.0:
                return 0.0
            return largest * float(np.sqrt(np.mean(np.square(a / largest))))

        normalize = self.normalize
        if normalize == "auto":
            normalize = not all(1e-2 <= rms(a) <= 1e2 for a in (X, y))
        if not normalize:
            return {"X_offset_": None, "X_scale_": 1.0, "y_scale_": 1.0}
        offset = X.mean(axis=0, dtype=np.float64)
        x_scale, y_scale = rms(X - offset), rms(y)
        return {
            "X_offset_": offset.tolist(),
            "X_scale_": x_scale if x_scale > 0 else 1.0,
            "y_scale_": y_scale if y_scale > 0 else 1.0,
        }

    def _normalized_inputs(self, X, scales: dict):
        """``(X - offset) / scale`` for an array or a tensor; X itself if none."""
        if scales["X_offset_"] is None:
            return X
        offset = scales["X_offset_"]
        if isinstance(X, torch.Tensor):
            offset = torch.as_tensor(offset, dtype=X.dtype, device=X.device)
        else:
            offset = np.asarray(offset, dtype=X.dtype)
        return (X - offset) / scales["X_scale_"]

    def _check_no_bools(self) -> None:
        """scikit-learn's constraints take True for the number 1; we do not."""
        for name in ("lr", "weight_decay", "max_epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool | np.bool_):
                raise TypeError(f"{name} must be a number, not a bool; got {value!r}.")
        if isinstance(self.validation_fraction, bool | np.bool_):
            raise TypeError(
                "validation_fraction must be a number in [0, 1), not a bool; got "
                f"{self.validation_fraction!r}."
            )

    def _architecture(self) -> dict:
        """The parameters the network is built from, checked, JSON-friendly.

        A fitted model records the architecture it was built with: its net,
        its saves and its continuations follow that record, not parameters
        set since."""
        return {
            "hidden_layer_sizes": list(self._check_hidden_layer_sizes()),
            "activation": self.activation,
        }

    def _check_same_architecture(self, architecture: dict) -> None:
        """Raise unless ``architecture`` is the fitted network's (unknown for a
        model unpickled from before it was recorded: then the weights decide)."""
        recorded = getattr(self, "_fitted_architecture", None) or {}
        for name, fitted in recorded.items():
            if architecture[name] != fitted:
                shown = tuple if name == "hidden_layer_sizes" else str
                raise ValueError(
                    f"{name}={getattr(self, name)!r}, but the fitted network was "
                    f"built with {name}={shown(fitted)!r}: warm_start and "
                    "partial_fit continue training the fitted network. Set it "
                    "back, or set warm_start=False to start over."
                )

    def _check_hidden_layer_sizes(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
        if any(
            isinstance(s, bool) or not isinstance(s, Integral) or s < 1 for s in sizes
        ):
            raise ValueError(
                "hidden_layer_sizes must hold integers >= 1; got "
                f"{self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

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
            optimizer_class = _torch_optimizer(optimizer["name"])
        optimizer_kwargs = {}
        if _takes_argument(optimizer_class, "weight_decay"):
            optimizer_kwargs["optimizer__weight_decay"] = optimizer["weight_decay"]
        train_split = None
        if self.validation_fraction > 0:
            train_split = ValidSplit(
                self.validation_fraction, stratified=False, random_state=seed
            )
        callbacks = [("finite_loss_guard", FiniteLossGuard())]
        callbacks += copy.deepcopy(self.callbacks or [])
        module, module_kwargs = self._module_spec(n_features, n_outputs, architecture)
        return DynamicsNet(
            module=module,
            **{f"module__{key}": value for key, value in module_kwargs.items()},
            criterion=torch.nn.MSELoss,
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
            verbose=self.verbose,
            **self._skipped_default_callbacks(),
        )

    def _n_training_rows(self, n_rows: int) -> int:
        """How many of ``n_rows`` rows train, the rest being held out for
        validation (``validation_fraction``)."""
        return n_rows - math.ceil(self.validation_fraction * n_rows)

    def _compiles(self, n_samples: int, epochs: int) -> bool:
        """Whether a fit of ``epochs`` passes over ``n_samples`` compiles its step."""
        if self.compile == "auto":
            return n_samples * epochs >= COMPILE_MIN_SAMPLES
        return bool(self.compile)

    def _skipped_default_callbacks(self) -> dict:
        """skorch's default callbacks this fit does without: its per-epoch cost
        shows in full-batch training of small models."""
        skipped = {}
        if not self.verbose:  # the table is formatted even when not printed
            skipped["callbacks__print_log"] = None
        if not self.validation_fraction:  # there is no validation loss to record
            skipped["callbacks__valid_loss"] = None
        return skipped

    def _optimizer_class(self) -> type[torch.optim.Optimizer]:
        """The optimizer class; raise unless it is one the net can build."""
        optimizer = self.optimizer
        if isinstance(optimizer, str):
            return OPTIMIZERS[optimizer]
        if not (
            isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)
        ):
            raise ValueError(
                f"optimizer must be one of {sorted(OPTIMIZERS)} or a subclass of "
                f"torch.optim.Optimizer; got {optimizer!r}."
            )
        if self.weight_decay and not _takes_argument(optimizer, "weight_decay"):
            raise ValueError(
                f"optimizer={optimizer.__name__} takes no weight_decay, but "
                f"weight_decay={self.weight_decay!r}. Set weight_decay=0 or choose "
                "an optimizer with weight decay."
            )
        return optimizer

    def _optimizer_record(self) -> dict:
        """The optimizer the parameters ask for, as a fitted model records it:
        its class name, ``lr`` and ``weight_decay``."""
        return {
            "name": self._optimizer_class().__name__,
            "lr": float(self.lr),
            "weight_decay": float(self.weight_decay),
        }

    def _check_callbacks(self) -> None:
        """Raise unless every entry of ``callbacks`` is one skorch accepts."""

        def is_callback(value) -> bool:
            return isinstance(value, Callback) or (
                isinstance(value, type) and issubclass(value, Callback)
            )

        for i, entry in enumerate(self.callbacks or []):
            named = (
                isinstance(entry, tuple)
                and len(entry) == 2
                and isinstance(entry[0], str)
                and is_callback(entry[1])
            )
            if not (is_callback(entry) or named):
                raise ValueError(
                    f"callbacks[{i}] must be a skorch Callback (instance or class) "
                    f"or a (name, Callback) pair; got {entry!r}."
                )
            callback = entry[1] if named else entry
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

    def _check_validation_size(self, n_samples: int) -> None:
        """Raise unless ``validation_fraction`` leaves samples to train on."""
        n_valid = math.ceil(self.validation_fraction * n_samples)
        if self.validation_fraction and n_valid >= n_samples:
            raise ValueError(
                f"validation_fraction={self.validation_fraction!r} of {n_samples} "
                f"samples holds out {n_valid}, leaving none to train on. Use a "
                "smaller validation_fraction or more samples."
            )

    def _check_same_widths(self, n_features: int, n_outputs: int) -> None:
        """Raise unless data of these widths can continue the fitted model."""
        name = type(self).__name__
        for argument, got, fitted, unit in (
            ("X", n_features, self.n_features_in_, "features"),
            ("y", n_outputs, self.n_outputs_, "columns"),
        ):
            if got != fitted:
                raise ValueError(
                    f"{argument} has {got} {unit}, but {name} is expecting {fitted} "
                    f"{unit} as input: warm_start and partial_fit continue training "
                    "the fitted model. Set warm_start=False to start over."
                )

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
        optimizer's class name and the ``lr`` and ``weight_decay`` it trained
        with, or None if unknown) names the class of ``net``'s optimizer. With
        ``apply_params``, an ``lr`` or ``weight_decay`` changed since then
        replaces the saved one; one left alone keeps it, so a learning-rate
        schedule carries on where it was. Raises a ``ValueError`` if the
        weights do not fit.
        """
        try:
            net.module_.load_state_dict(module_state)
        except RuntimeError:
            raise ValueError(
                "The saved weights do not fit a network with hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r}: continuing a model (warm_start, "
                "partial_fit, a checkpoint) needs hidden_layer_sizes to stay as "
                "they were. Set warm_start=False to start over."
            ) from None
        if trained_with is not None and (
            trained_with["name"] != type(net.optimizer_).__name__
        ):
            optimizer_state = None  # another optimizer's: it starts afresh
        if optimizer_state is not None:
            net.optimizer_.load_state_dict(optimizer_state)
        for group in net.optimizer_.param_groups:
            if optimizer_state is not None and apply_params:
                for name in ("lr", "weight_decay"):
                    value = float(getattr(self, name))
                    changed = trained_with is None or value != trained_with[name]
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
            getattr(self, "_fitted_optimizer", None),
        )

    def _fitted_metadata(
        self, X, n_features: int, n_outputs: int, y_is_1d: bool, scales: dict
    ) -> dict:
        """What, besides the net, makes this estimator fitted (JSON-friendly).

        ``X`` is the input as given, for its column names."""
        names = _get_feature_names(X)
        return {
            "n_features_in_": int(n_features),
            "feature_names_in_": None if names is None else [str(n) for n in names],
            "n_outputs_": int(n_outputs),
            "y_is_1d": bool(y_is_1d),
            **{key: scales[key] for key in _SCALES},
        }

    def _saved_metadata(self) -> dict:
        """:meth:`_fitted_metadata` of this fitted estimator."""
        names = getattr(self, "feature_names_in_", None)
        return {
            "n_features_in_": self.n_features_in_,
            "feature_names_in_": None if names is None else [str(n) for n in names],
            "n_outputs_": self.n_outputs_,
            "y_is_1d": self._y_is_1d,
            **self._scales_,
            "validation_seed": getattr(self, "_validation_seed", None),
            "architecture": getattr(self, "_fitted_architecture", None),
            "optimizer": getattr(self, "_fitted_optimizer", None),
        }

    def _set_fitted(self, metadata: dict, net: DynamicsNet) -> None:
        """Commit the fitted state, all at once."""
        self.n_features_in_ = metadata["n_features_in_"]
        if metadata["feature_names_in_"] is not None:
            self.feature_names_in_ = np.asarray(
                metadata["feature_names_in_"], dtype=object
            )
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_outputs_ = metadata["n_outputs_"]
        self._y_is_1d = metadata["y_is_1d"]
        offset = metadata["X_offset_"]
        self.X_offset_ = None if offset is None else np.asarray(offset, dtype=float)
        self.X_scale_ = float(metadata["X_scale_"])
        self.y_scale_ = float(metadata["y_scale_"])
        self._validation_seed = metadata.get("validation_seed")
        self._fitted_architecture = metadata["architecture"]
        self._fitted_optimizer = metadata["optimizer"]
        self.net_ = net
        self.history_ = net.history

    def _restore(
        self,
        metadata: dict,
        module_state: dict,
        optimizer_state: dict | None,
        history: list,
    ) -> BaseDynamicsRegressor:
        """Make this (unfitted) estimator the fitted model described by a save.

        The network is built as it was fitted (saves before the architecture
        was recorded: from the parameters)."""
        recorded = metadata.get("optimizer")
        if recorded is not None and _torch_optimizer(recorded["name"]) is None:
            recorded = None  # then from the parameters, as older saves
        metadata = {
            **metadata,
            "architecture": metadata.get("architecture") or self._architecture(),
            "optimizer": recorded,
        }
        device = _resolve_device(self.device)
        with _seeded_torch(0, device):  # the weights drawn are overwritten
            net = self._make_net(
                metadata["n_features_in_"],
                metadata["n_outputs_"],
                metadata["architecture"],
                device,
                0,
                optimizer=recorded,
            ).initialize()
        # As fitted, like an unpickled model: parameters changed since apply
        # when training continues.
        self._load_training_state(
            net,
            module_state,
            optimizer_state,
            history,
            recorded,
            apply_params=recorded is None,
        )
        self._set_fitted(metadata, net)
        return self

    def _fit(self, X, y, t, groups, *, warm: bool, epochs: int | None):
        """Validate, train (from scratch or from the fitted net), then commit.

        Nothing on ``self`` changes until training has ended. A diverged or
        interrupted run still commits the weights it kept, then says so.
        """
        self._check_no_bools()
        self._optimizer_class()
        self._check_callbacks()
        X_checked, y_checked = self._validate_training_data(X, y, t, groups)
        architecture = self._architecture()
        device = _resolve_device(self.device)
        y_2d = y_checked.reshape(len(y_checked), -1)
        n_features, n_outputs = X_checked.shape[1], y_2d.shape[1]
        self._check_validation_size(len(X_checked))
        previous = getattr(self, "net_", None) if warm else None
        seed = int(
            check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        )
        if previous is None:
            scales = self._scales(X_checked, y_2d)
            metadata = self._fitted_metadata(
                X, n_features, n_outputs, y_checked.ndim == 1, scales
            )
            metadata["validation_seed"] = seed
            metadata["architecture"] = architecture
        else:
            # A continuation trains the fitted model: same widths, same column
            # names (checked as predict checks them), same normalisation and
            # the same validation split; only the shuffling is drawn anew.
            self._check_same_widths(n_features, n_outputs)
            self._check_same_architecture(architecture)
            validate_data(self, X, reset=False, skip_check_array=True)
            scales = self._scales_
            metadata = self._saved_metadata()
            if metadata["validation_seed"] is None:  # restored from an old save
                metadata["validation_seed"] = seed
            if metadata["architecture"] is None:  # unpickled from before it was kept
                metadata["architecture"] = architecture
        metadata["optimizer"] = self._optimizer_record()
        # What the network trains on, checked to fit in its float32.
        X_train = self._normalized_inputs(X_checked, scales)
        y_train = y_2d / scales["y_scale_"]
        _check_float32_range(X_train, "X", scales)
        _check_float32_range(y_train, "y", scales)
        epochs_done = 0 if previous is None else len(previous.history_)
        diverged = None
        with _seeded_torch(seed + epochs_done, device):
            net = self._make_net(
                n_features,
                n_outputs,
                architecture,
                device,
                metadata["validation_seed"],
            )
            net.compile_step = self._compiles(
                self._n_training_rows(len(X_checked)),
                self.max_epochs if epochs is None else epochs,
            )
            net.initialize()
            if previous is not None:
                self._continue_from(net, previous)
            for _, callback in net.callbacks_:
                if isinstance(callback, Checkpoint):
                    callback.bind(self, metadata)
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
                _save_checkpoints(net)
            except KeyboardInterrupt:
                # skorch stops the epochs quietly at a Ctrl-C, but not one that
                # lands before or after them (in a callback's on_train_end, a
                # checkpoint's final save): the weights reached are kept all
                # the same, once there are some, and checkpointed if possible.
                if len(net.history) == epochs_done:
                    raise
                net.interrupted_ = True
                with contextlib.suppress(KeyboardInterrupt):  # a second one
                    _save_checkpoints(net)

        # Fitted state is set only now that training has ended.
        self._set_fitted(metadata, net)
        if diverged is not None:
            raise diverged
        if getattr(net, "interrupted_", False):
            warnings.warn(
                f"Training was interrupted (KeyboardInterrupt) in epoch "
                f"{len(net.history)}; the model keeps the weights reached so far. "
                "Continue with partial_fit, or fit with warm_start=True.",
                TrainingInterruptedWarning,
                stacklevel=3,
            )
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, *, t=None, groups=None):
        """Train the network on states and their time derivatives.

        Either give the derivatives ``y``, or give the times ``t`` (and the
        trajectory of each row, ``groups``) and let ``fit`` estimate ``dX/dt``
        within each trajectory with the ``differentiation`` method.

        Training runs for ``max_epochs`` epochs, from new weights or, with
        ``warm_start=True``, from the fitted ones (continued as
        :meth:`partial_fit` continues them). If the loss or the weights
        stop being finite it stops with
        :class:`~sklearn_hnn.exceptions.TrainingDivergedError`, keeping the
        weights of the last finite epoch. A ``KeyboardInterrupt`` (Ctrl-C) ends
        training early with a
        :class:`~sklearn_hnn.exceptions.TrainingInterruptedWarning`, keeping
        the weights reached so far. If the arguments are invalid, nothing
        changes: a fitted model stays exactly as it was.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States. For Hamiltonian models the columns are
            ``[q_1 ... q_d, p_1 ... p_d]``.
        y : array-like of shape (n_samples, n_features), default=None
            Their time derivatives ``dX/dt``, in the same column order.
            :class:`BaselineDynamicsRegressor`, a plain regressor, also takes
            ``y`` of shape ``(n_samples,)`` or ``(n_samples, n_outputs)``.
        t : array-like of shape (n_samples,), default=None
            Time of each row, used only when ``y`` is None; strictly increasing
            within each trajectory.
        groups : array-like of shape (n_samples,), default=None
            Trajectory label of each row, used only with ``t``; None means all
            rows are one trajectory. No difference is taken across trajectories.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        return self._fit(X, y, t, groups, warm=self.warm_start, epochs=None)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, *, t=None, groups=None):
        """Train for one epoch, continuing from the fitted weights if any.

        One epoch is one pass over ``X`` in batches of ``batch_size`` (one step
        for ``batch_size=None``). The optimizer's state, the learning rate
        reached, the place in the schedule of a scheduler in ``callbacks``
        (skorch's ``LRScheduler``) and ``history_`` carry over between calls,
        so repeated calls train like one long ``fit``. That holds for
        schedules that step once per epoch and follow from the epoch count
        (``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR`` and the like);
        skorch rebuilds the scheduler at each call, so ``ReduceLROnPlateau``,
        schedules stepped per batch and ``CosineAnnealingWarmRestarts`` with
        ``T_mult > 1`` start their own bookkeeping over. An ``lr`` or
        ``weight_decay`` changed with ``set_params`` since the last call
        replaces the one reached; ``hidden_layer_sizes`` and ``activation``
        must stay as fitted. Arguments, faults and interruptions are handled
        as in :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States, as in :meth:`fit`, of the width seen before.
        y : array-like of shape (n_samples, n_features), default=None
            Their time derivatives, as in :meth:`fit`, of the width seen before.
        t : array-like of shape (n_samples,), default=None
            Time of each row, used only when ``y`` is None; as in :meth:`fit`.
        groups : array-like of shape (n_samples,), default=None
            Trajectory label of each row, used only with ``t``; as in :meth:`fit`.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        # scikit-learn's fit context skips this check for partial_fit on a
        # fitted estimator; parameters may have changed since (set_params).
        self._validate_params()
        return self._fit(X, y, t, groups, warm=True, epochs=1)

    # ------------------------------------------------------------- prediction

    @property
    def module_(self) -> torch.nn.Module:
        """The trained torch module (owned by ``net_``)."""
        check_is_fitted(self)
        return self.net_.module_

    def _validate_X(self, X) -> np.ndarray:
        check_is_fitted(self)
        check_2d(X, "X")
        X_checked = check_float_array(X, "X")
        validate_data(self, X, reset=False, skip_check_array=True)  # width, names
        return X_checked

    def _to_tensor(self, X: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
        """``X`` as a tensor on the net's device (copied if read-only or if it
        has negative strides, which torch cannot view)."""
        if not X.flags.writeable or any(stride < 0 for stride in X.strides):
            X = X.copy()
        return torch.as_tensor(X, dtype=dtype, device=self.net_.device)

    def _evaluate(self, method: str, X: np.ndarray, output_scale: float) -> np.ndarray:
        """``output_scale * module_.<method>`` of the normalised ``X``, in the
        precision of ``X``.

        The weights are float32. For float64 ``X`` they are evaluated in
        float64 on a copy of the module, so that results do not depend on how
        rows are batched (float32 matrix kernels round differently for
        different batch sizes).
        """
        dtype = torch.float64 if X.dtype == np.float64 else torch.float32
        module = self.module_
        if dtype != torch.float32:
            module = copy.deepcopy(module).to(dtype)
        module.eval()
        with torch.no_grad():
            inputs = self._normalized_inputs(self._to_tensor(X, dtype), self._scales_)
            out = getattr(module, method)(inputs)
        if output_scale != 1.0:
            out = out * output_scale
        return out.cpu().numpy().astype(X.dtype, copy=False)

    @property
    def _scales_(self) -> dict:
        """The fitted normalisation, as :meth:`_scales` returns it."""
        offset = self.X_offset_
        return {
            "X_offset_": None if offset is None else offset.tolist(),
            "X_scale_": self.X_scale_,
            "y_scale_": self.y_scale_,
        }

    def predict(self, X):
        """Predict the time derivatives of the states ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs) or (n_samples,)
            Predicted ``dX/dt``; float32 when ``X`` is float32, float64
            otherwise (computed in that precision). One-dimensional when the model was
            fitted on a 1-D ``y``.
        """
        return self._predict(self._validate_X(X))

    def _predict(self, X: np.ndarray) -> np.ndarray:
        """:meth:`predict` of an ``X`` that :meth:`_validate_X` has checked."""
        out = self._evaluate("forward", X, self.y_scale_)
        return out.ravel() if self._y_is_1d else out

    def score(self, X, y=None, sample_weight=None, *, t=None, groups=None):
        """Coefficient of determination R² of the predicted ``dX/dt``.

        As :meth:`sklearn.base.RegressorMixin.score` (uniform average over the
        columns), except that ``y`` may be replaced by trajectories: with
        ``y=None``, ``dX/dt`` is estimated from ``t`` and ``groups`` exactly as
        in :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States.
        y : array-like of shape (n_samples, n_outputs), default=None
            True ``dX/dt``.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        t, groups : array-like of shape (n_samples,), default=None
            Times and trajectory labels, used only when ``y`` is None.

        Returns
        -------
        float
            R² of ``predict(X)`` against ``y``, averaged uniformly over the
            columns.
        """
        y = self._targets(X, y, t, groups)
        X_checked = self._validate_X(X)
        n_samples = len(X_checked)
        if n_samples < 2:
            raise ValueError(
                f"score needs at least 2 samples to compute R²; X has {n_samples}."
            )
        y = check_float_array(y, "y", ensure_2d=False)
        if y.ndim not in (1, 2) or len(y) != n_samples:
            raise ValueError(
                f"y must have one row per row of X ({n_samples}); got shape {y.shape}."
            )
        width = 1 if y.ndim == 1 else y.shape[1]
        if width != self.n_outputs_:
            raise ValueError(
                f"y has {width} column(s), but this model predicts {self.n_outputs_}."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, y)
        # RegressorMixin.score, on X as checked above (its names warned once)
        return float(r2_score(y, self._predict(X_checked), sample_weight=sample_weight))

    # -------------------------------------------------------------- simulation

    def _check_initial_states(self, x0) -> tuple[np.ndarray, bool]:
        shape = shape_of(x0)
        if shape is None or len(shape) not in (1, 2):
            raise ValueError(
                f"x0 must have shape ({self.n_features_in_},) or "
                f"(n, {self.n_features_in_}); got shape {shape}."
            )
        single = len(shape) == 1
        if single and shape[0] != self.n_features_in_:
            raise ValueError(
                f"x0 has width {shape[0]}, but this model was fitted on states "
                f"of width {self.n_features_in_}."
            )
        if single:  # one row, keeping a Series' labels as column names
            if hasattr(x0, "to_frame"):
                x0 = x0.to_frame().T
            elif isinstance(x0, torch.Tensor):
                x0 = x0[None]
            else:
                x0 = np.atleast_2d(np.asarray(x0))
        else:
            check_2d(x0, "x0")
        states = check_float_array(x0, "x0")
        if states.shape[1] != self.n_features_in_:
            raise ValueError(
                f"x0 has width {states.shape[1]}, but this model was fitted on "
                f"states of width {self.n_features_in_}."
            )
        validate_data(self, x0, reset=False, skip_check_array=True)  # names
        return states, single

    def _vector_field(
        self, field: str | None, state_dtype: torch.dtype
    ) -> tuple[Callable, bool]:
        """The learned field ``field`` on states of ``state_dtype``, in physical
        units (normalisation in, output scale out), and whether it is frozen.

        Frozen (:func:`~sklearn_hnn.nn.frozen.freeze_field`) where the module
        allows it, which evaluates the same function in far fewer torch
        operations and without autograd; otherwise the module's method around
        the scales (which may need autograd for its input gradient).
        """
        name = next(iter(self._simulation_fields)) if field is None else field
        check_option(name, "field", self._simulation_fields)
        method = self._simulation_fields[name]
        scales, y_scale = self._scales_, self.y_scale_
        frozen = freeze_field(
            self.module_,
            method,
            offset=scales["X_offset_"],
            x_scale=scales["X_scale_"],
            y_scale=y_scale,
        )
        if frozen is not None:
            return frozen, True
        field_fn = getattr(self.module_, method)

        def vector_field(x: torch.Tensor) -> torch.Tensor:
            # Normalised in the state's precision, so a large offset costs no digits.
            x = self._normalized_inputs(x, scales).to(torch.float32)
            dxdt = field_fn(x).to(state_dtype)
            return dxdt * y_scale if y_scale != 1.0 else dxdt

        return vector_field, False

    def simulate(
        self,
        x0,
        t,
        *,
        method: str = "rk4",
        substeps: int = 1,
        rtol: float = 1e-6,
        atol: float = 1e-8,
        max_steps: int = 1_000_000,
        field: str | None = None,
        max_growth: float | None = 1e6,
    ):
        """Roll the learned dynamics out from one or many initial states.

        All initial states are integrated together in one batched torch
        computation; the network is called once per solver stage for the whole
        batch. States are accumulated in the dtype of ``x0`` (float64 by
        default) while the network runs in float32. The trained network is
        evaluated through a frozen copy of its weights with the normalisation
        folded in (:func:`~sklearn_hnn.nn.freeze_field`). On CPU a batch too
        small to share between threads (a few states) runs on one thread,
        restored afterwards; on a GPU the fixed-step methods (but
        ``"implicit_midpoint"``) capture one step of that frozen field in a CUDA
        graph and replay it at every step, from 64 steps on
        (:mod:`sklearn_hnn.integrate.cuda_graph`).

        Parameters
        ----------
        x0 : array-like of shape (n_features,) or (n_trajectories, n_features)
            Initial state(s) at time ``t[0]``.
        t : array-like of shape (n_times,)
            Strictly monotonic times. A decreasing ``t`` integrates backwards,
            so rolling out forward and then back returns to ``x0``.
        method : {"rk4", "midpoint", "euler", "leapfrog", "implicit_midpoint", \
"tao", "dopri5", "scipy"}, default="rk4"
            ``"rk4"``, ``"midpoint"``, ``"euler"`` and the symplectic
            ``"leapfrog"`` (separable ``H`` only), ``"implicit_midpoint"`` and
            ``"tao"`` take ``substeps`` fixed steps per interval of ``t``;
            ``"dopri5"`` adapts its steps to meet ``rtol``/``atol`` on every
            trajectory, independently of ``t`` (states at its times are
            interpolated); ``"scipy"`` runs
            :func:`scipy.integrate.solve_ivp` (RK45) on the batched field. See
            :mod:`sklearn_hnn.integrate`.
        substeps : int, default=1
            Fixed-step methods: steps per interval of ``t``.
        rtol, atol : float, default=1e-6, 1e-8
            Adaptive methods: relative and absolute tolerances; ``rtol`` at
            least 2.2e-14, and for ``"dopri5"`` at least the machine epsilon
            of ``x0``'s dtype (1.2e-7 for float32).
        max_steps : int, default=1_000_000
            ``"dopri5"`` only: give up (RuntimeError) after this many attempted
            steps, so that a field that needs ever smaller steps cannot run
            for minutes.
        field : str or None, default=None
            Which learned field to follow; ``None`` is the model's dynamics.
            See the estimator's documentation for the choices.
        max_growth : float or None, default=1e6
            A trajectory whose state stops being finite, or grows beyond
            ``max_growth * max(1, max|x0|)`` of its own ``x0``, is stopped
            there: its states are NaN from then on, a
            :class:`~sklearn_hnn.exceptions.DivergenceWarning` says which
            initial conditions failed and when, and the other trajectories are
            integrated as if it were not there. None checks finiteness only.
            Fixed-step methods check the states at the times of ``t``;
            ``"dopri5"`` and ``"scipy"`` check every accepted step.

        Returns
        -------
        ndarray of shape (n_times, n_features) or (n_trajectories, n_times, \
n_features)
            The trajectory (or trajectories); entry ``[..., 0, :]`` is ``x0``.
        """
        check_is_fitted(self)
        if self.n_outputs_ != self.n_features_in_:
            raise ValueError(
                "simulate needs a vector field, but this model was fitted on y of "
                f"width {self.n_outputs_} for X of width {self.n_features_in_}."
            )
        x0, single = self._check_initial_states(x0)
        state_dtype = torch.float64 if x0.dtype == np.float64 else torch.float32
        vector_field, frozen = self._vector_field(field, state_dtype)
        x0_tensor = self._to_tensor(x0, state_dtype)
        self.module_.eval()
        # inference_mode trims every torch operation a little, but forbids the
        # autograd that an unfrozen field may need for its input gradient.
        no_autograd = torch.inference_mode() if frozen else torch.no_grad()
        widest = max(
            m.weight.shape[0] for m in self.module_.modules() if hasattr(m, "weight")
        )
        threads = threads_for(len(x0_tensor), widest, x0_tensor.device)
        with no_autograd, threads:  # integrate validates t, method and the options
            states, report = integrate_and_report(
                vector_field,
                x0_tensor,
                t,
                method,
                substeps=substeps,
                rtol=rtol,
                atol=atol,
                max_steps=max_steps,
                max_growth=max_growth,
                cuda_graph=frozen,  # a frozen field is capturable
            )
        if report is not None:
            warnings.warn(report, DivergenceWarning, stacklevel=2)
        out = states.transpose(0, 1).cpu().numpy()
        return out[0] if single else out

    def set_params(self, **params):
        """Set parameters, all or none.

        As :meth:`sklearn.base.BaseEstimator.set_params`, except that a call
        that fails changes nothing: every name is checked before any is set,
        and if a value is then refused (a nested ``differentiation__...``
        one, say), the parameters set before it are put back.

        Parameters
        ----------
        **params
            Parameter names (``name`` or ``component__name``) and their values.
            A component replaced in the same call takes its nested values.

        Returns
        -------
        self
            This estimator.
        """
        valid = self.get_params(deep=True)
        for name, value in params.items():  # a replaced component's own names
            if "__" not in name and name in valid:
                valid = {
                    key: item
                    for key, item in valid.items()
                    if not key.startswith(f"{name}__")
                }
                if _has_params(value):
                    nested = value.get_params(deep=True).items()
                    valid.update({f"{name}__{key}": item for key, item in nested})
        unknown = [name for name in params if name not in valid]
        if unknown:
            raise ValueError(
                f"Invalid parameter {unknown[0]!r} for estimator "
                f"{type(self).__name__}; nothing was set. Valid parameters "
                f"are: {sorted(self.get_params(deep=False))!r}."
            )
        before = self.get_params(deep=False)
        # Every component the call may change, old or new, with its values.
        components = [
            (value, value.get_params(deep=False))
            for value in [*before.values(), *params.values()]
            if _has_params(value)
        ]
        try:
            return super().set_params(**params)
        except BaseException:
            for name, value in before.items():
                setattr(self, name, value)
            for component, values in components:
                component.set_params(**values)
            raise

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags
