"""The base of estimators that learn ``dX/dt = f(X)``: targets, normalisation,
prediction and scoring, on top of torch training and simulation."""

from __future__ import annotations

import copy
from numbers import Integral
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    validate_data,
)
from torch import nn

from sklearn_hnn._validation import check_2d, check_float_array
from sklearn_hnn.differentiation import METHODS as DIFFERENTIATION_METHODS
from sklearn_hnn.differentiation import Differentiator
from sklearn_hnn.estimators._angles import AnglesMixin
from sklearn_hnn.estimators._constraints import (
    Angles,
    HiddenLayerSizes,
    SubclassOf,
    check_builds,
)
from sklearn_hnn.estimators._constraints import hidden_layer_sizes as _sizes
from sklearn_hnn.estimators._docs import PARAMETERS_DOC
from sklearn_hnn.estimators._inference import as_tensor, checked_rows, evaluate
from sklearn_hnn.estimators._runtime import resolve_device
from sklearn_hnn.estimators._state import (
    SavedStateMixin,
    new_record,
    set_feature_names,
)
from sklearn_hnn.estimators._training import TRAINING_CONSTRAINTS, TorchEstimatorMixin
from sklearn_hnn.estimators.simulation import SimulationMixin
from sklearn_hnn.nn.mlp import ACTIVATIONS
from sklearn_hnn.nn.normalization import Normalization
from sklearn_hnn.objectives import (
    OBJECTIVES,
    Objective,
    SymplecticallyPenalized,
    get_objective,
)


class BaseDynamicsRegressor(
    AnglesMixin,
    SimulationMixin,
    SavedStateMixin,
    TorchEstimatorMixin,
    RegressorMixin,
    BaseEstimator,
):
    __doc__ = (
        """Base class of estimators that learn ``dX/dt = f(X)`` with a torch network.

    Subclasses choose the torch module (``_module_spec``), any extra checks
    of the training targets (``_check_targets``) and the vector fields that
    :meth:`simulate` can follow (``_simulation_fields``). Everything else,
    training through skorch included, is shared.

    Parameters
    ----------
"""
        + PARAMETERS_DOC
    )

    _parameter_constraints: ClassVar[dict] = {
        "hidden_layer_sizes": [HiddenLayerSizes()],
        "activation": [
            StrOptions(set(ACTIVATIONS)),
            SubclassOf(nn.Module, "torch.nn.Module"),
        ],
        "module": [None, SubclassOf(nn.Module, "torch.nn.Module"), nn.Module],
        "angles": [None, Angles()],
        "differentiation": [StrOptions(set(DIFFERENTIATION_METHODS)), Differentiator],
        "objective": [StrOptions(set(OBJECTIVES)), Objective],
        "rollout_length": [Interval(Integral, 2, None, closed="left")],
        "normalize": [StrOptions({"auto"}), "boolean"],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(
        self,
        hidden_layer_sizes=(200, 200),
        activation="tanh",
        module=None,
        angles=None,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        max_epochs=2000,
        batch_size=None,
        validation_fraction=0.0,
        differentiation="central",
        objective="derivative",
        rollout_length=5,
        normalize="auto",
        compile="auto",
        warm_start=False,
        callbacks=None,
        device="cpu",
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.module = module
        self.angles = angles
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.validation_fraction = validation_fraction
        self.differentiation = differentiation
        self.objective = objective
        self.rollout_length = rollout_length
        self.normalize = normalize
        self.compile = compile
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self._set_prefixed(kwargs)

    # ------------------------------------------------------------------ hooks

    def _check_targets(self, X: np.ndarray, y: np.ndarray) -> None:
        """Raise if ``y`` does not suit this model; must not change any state."""

    def _warn_about_given_targets(self, X: np.ndarray) -> None:
        """Warn about states ``X`` given with their targets ``y`` (not
        estimated from ``t``), where the family knows of a pitfall."""

    def _architecture(self) -> dict:
        return {
            "hidden_layer_sizes": _sizes(self.hidden_layer_sizes),
            "activation": self.activation,
            "module": getattr(self, "module", None),  # a family may take none
            **{f"module__{k}": v for k, v in self._prefixed("module__").items()},
            **self._angles_record(),
        }

    @staticmethod
    def _custom_module(architecture: dict) -> nn.Module | None:
        """The user's own network of ``architecture``, built (a class) or
        copied (an instance); None for the built-in MLP."""
        module = architecture.get("module")
        if module is None:
            return None
        if isinstance(module, nn.Module):
            return copy.deepcopy(module)
        kwargs = {
            key[len("module__") :]: value
            for key, value in architecture.items()
            if key.startswith("module__")
        }
        return module(**kwargs)

    def _check_architecture(self) -> None:
        module = getattr(self, "module", None)  # a family may have no module
        arguments = self._prefixed("module__")
        if arguments and not isinstance(module, type):
            raise ValueError(
                f"module__ arguments {sorted(arguments)} are set, but "
                f"module={module!r} is not a class they could be passed to; give "
                "module a torch.nn.Module class, or drop them."
            )
        if isinstance(module, type):
            check_builds(module, arguments, "module", "module__ arguments")
        self._check_angles_without_module(module)
        activation = getattr(self, "activation", None)
        if isinstance(activation, type):
            check_builds(activation, {}, "activation", "no arguments")

    def _warn_about_params(self) -> None:
        """Warn, at a fit from scratch, about settings that train but poorly."""

    def _training_objective(self) -> Objective:
        objective = get_objective(
            self.objective, rollout_length=getattr(self, "rollout_length", 5)
        )
        # A copy, as scikit-learn copies components: changing the parameter
        # later does not reach a fitted net.
        objective = clone(objective) if objective is self.objective else objective
        penalty = getattr(self, "symplectic_penalty", 0.0)
        return SymplecticallyPenalized(objective, penalty) if penalty else objective

    # --------------------------------------------------------------- training

    def _validate_training_data(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        """Check ``X`` and ``y`` without touching the estimator's state."""
        check_2d(X, "X", trajectories=True)
        X = check_float_array(X, "X")
        y = check_float_array(y, "y", ensure_2d=False, ensure_min_samples=0)
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D or 2-D; got shape {y.shape}.")
        if len(y) != len(X):
            raise ValueError(
                f"X and y have different numbers of samples: {len(X)} and {len(y)}."
            )
        self._check_targets(X, y)
        self._check_angles(X.shape[1])
        return X, y

    def _fit(self, X, y, t, groups, *, warm: bool, epochs: int | None):
        """Validate, train (from scratch or from the fitted net), then commit."""
        self._check_params()
        objective = self._training_objective()
        y_given = y is not None
        y = objective.targets(
            X,
            y,
            t,
            groups,
            differentiation=self.differentiation,
            owner=type(self).__name__,
        )
        X_checked, y_checked = self._validate_training_data(X, y)
        if y_given:
            self._warn_about_given_targets(X_checked)
        y_2d = y_checked.reshape(len(y_checked), -1)
        architecture = self._architecture()
        device = resolve_device(self.device)
        previous = getattr(self, "net_", None) if warm else None
        if previous is None:
            staged = copy.copy(self)  # validate_data records widths and names on it
            validate_data(staged, X, reset=True, skip_check_array=True)
            record = new_record(
                n_features_in_=staged.n_features_in_,
                feature_names_in_=getattr(staged, "feature_names_in_", None),
                n_outputs_=y_2d.shape[1],
                y_is_1d=y_checked.ndim == 1,
                normalization=Normalization.fit(X_checked, y_2d, self.normalize),
                architecture=architecture,
            )
        else:
            # A continuation trains the fitted model: same widths, same column
            # names (checked as predict checks them), same normalisation and
            # the same validation split; only the shuffling is drawn anew.
            self._check_same_widths(X_checked.shape[1], y_2d.shape[1])
            self._check_same_architecture(architecture)
            validate_data(self, X, reset=False, skip_check_array=True)
            record = dict(self._fitted_record)
            if record["architecture"] is None:
                record["architecture"] = architecture
        record["optimizer"] = self._optimizer_record()
        X_train, y_train = objective.training_arrays(
            X_checked, y_2d, record["normalization"], t=t, groups=groups
        )
        self._check_validation_size(len(X_train))  # rows, or chunks of rollouts
        if previous is None:
            self._warn_about_params()
        # Drawn last: a refused call leaves a RandomState as it was.
        seed = self._draw_seed()
        if record["validation_seed"] is None:  # new, or restored from an old save
            record["validation_seed"] = seed
        return self._train(
            record,
            X_train,
            y_train,
            previous=previous,
            seed=seed,
            epochs=epochs,
            device=device,
            commit=self._commit,
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

    def _commit(self, record: dict, net) -> None:
        """Make ``record`` and ``net`` this estimator's fitted state, at once."""
        norm: Normalization = record["normalization"]
        self.n_features_in_ = record["n_features_in_"]
        set_feature_names(self, record["feature_names_in_"])
        self.n_outputs_ = record["n_outputs_"]
        self.X_offset_, self.X_scale_, self.y_scale_ = (
            norm.offset,
            norm.x_scale,
            norm.y_scale,
        )
        self._fitted_record = record
        self.net_ = net
        self.history_ = net.history

    @property
    def _validation_seed(self) -> int | None:
        return self._fitted_record["validation_seed"]

    def _normalization(self) -> Normalization:
        return self._fitted_record["normalization"]

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
        replaces the one reached; the architecture (``hidden_layer_sizes``,
        ``activation``, ``module``) must stay as fitted. Arguments, faults and
        interruptions are handled as in :meth:`fit`.

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

    def _validate_X(self, X) -> np.ndarray:
        return checked_rows(self, X)

    def _to_tensor(self, X: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
        """``X`` as a tensor on the net's device."""
        return as_tensor(X, dtype, self.net_.device)

    def _evaluate(self, method: str, X: np.ndarray, output_scale: float) -> np.ndarray:
        """``output_scale * module_.<method>`` of the normalised ``X``, in the
        precision of ``X`` (see :func:`evaluate`)."""
        return evaluate(
            self.module_,
            method,
            X,
            self.net_.device,
            inputs=self._normalization().inputs,
            output_scale=output_scale,
        )

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
            otherwise (computed in that precision). One-dimensional when the
            model was fitted on a 1-D ``y``.
        """
        return self._predict(self._validate_X(X))

    def _predict(self, X: np.ndarray) -> np.ndarray:
        """:meth:`predict` of an ``X`` that :meth:`_validate_X` has checked."""
        out = self._evaluate("forward", X, self.y_scale_)
        return out.ravel() if self._fitted_record["y_is_1d"] else out

    def score(self, X, y=None, sample_weight=None, *, t=None, groups=None):
        """Coefficient of determination R² of the predicted ``dX/dt``.

        As :meth:`sklearn.base.RegressorMixin.score` (uniform average over the
        columns), except that ``y`` may be replaced by trajectories: with
        ``y=None``, ``dX/dt`` is estimated from ``t`` and ``groups`` with the
        ``differentiation`` method, as :meth:`fit` does with
        ``objective="derivative"``. This is the score of every model, however
        it was trained; to select models by their rollouts, use
        :class:`~sklearn_hnn.metrics.RolloutScorer`.

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
        y = get_objective("derivative").targets(
            X,
            y,
            t,
            groups,
            differentiation=self.differentiation,
            owner=type(self).__name__,
        )
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags
