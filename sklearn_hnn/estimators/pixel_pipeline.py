"""Learning dynamics from pixels: an autoencoder and a dynamics model of its
codes, trained together (Task 5 of Greydanus et al., 2019)."""

from __future__ import annotations

import copy
import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_hnn._validation import check_2d
from sklearn_hnn.estimators._constraints import Device, Number
from sklearn_hnn.estimators._inference import as_tensor
from sklearn_hnn.estimators._pairs import consecutive_pairs
from sklearn_hnn.estimators._parts import PartsMixin
from sklearn_hnn.estimators._registry import register
from sklearn_hnn.estimators._runtime import draw_seed, resolve_device, seeded_torch
from sklearn_hnn.estimators._state import SavedStateError, new_record, set_feature_names
from sklearn_hnn.estimators._training import (
    TRAINING_CONSTRAINTS,
    check_weight_decay,
    optimizer_class,
)
from sklearn_hnn.estimators.autoencoder import AutoencoderTransformer
from sklearn_hnn.estimators.base import BaseDynamicsRegressor
from sklearn_hnn.estimators.hamiltonian import HamiltonianRegressor
from sklearn_hnn.estimators.latent import LatentDynamicsMixin
from sklearn_hnn.nn.latent import LatentDynamicsLoss, train_latent_dynamics
from sklearn_hnn.nn.normalization import Normalization


class PixelHamiltonianPipeline(
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    LatentDynamicsMixin,
    PartsMixin,
    BaseEstimator,
):
    """An autoencoder of pixel pairs and a dynamics model of its codes, trained
    jointly: Hamiltonian dynamics learned from video.

    Each row of ``X`` is an observation made of two consecutive frames
    (flattened and concatenated), so that velocity is observable. The
    ``autoencoder`` maps it to a code ``z = (z_q, z_p)``; the ``dynamics``
    model learns ``dz/dt`` in that code space. Both are trained together on
    consecutive observations of each trajectory with the loss of the paper's
    pixel experiment (:class:`~sklearn_hnn.nn.latent.LatentDynamicsLoss`):
    the reconstruction error of the frames, plus ``dynamics_weight`` times
    the error of one Euler step of the latent field over each observation's
    time step, plus ``canonical_weight`` times the distance of ``z_p`` from
    the change of ``z_q`` to the next observation. Rollouts then run in code
    space and are decoded back to frames.

    Observations are best evenly spaced in time within each trajectory: the
    Euler step follows each pair's own time step, but the canonical term
    compares ``z_p`` with the change of ``z_q`` per observation.

    Parameters
    ----------
    autoencoder : AutoencoderTransformer or None, default=None
        The autoencoder; None means ``AutoencoderTransformer()`` (the paper's
        fully connected residual network, 2-d code). Its architecture
        (``latent_dim``, ``hidden_layer_sizes``, ``activation``) is used; its
        training parameters apply only when it is fitted on its own.
    dynamics : BaseDynamicsRegressor or None, default=None
        The model of the codes' dynamics; None means
        ``HamiltonianRegressor()``. ``BaselineDynamicsRegressor()`` gives the
        paper's baseline. Hamiltonian models need an even ``latent_dim``.
        Its architecture is used; its training parameters are not.
        Nested parameters such as ``dynamics__hidden_layer_sizes`` can be set
        even when the part is None (the default part is made first).
    reconstruction_weight, dynamics_weight, canonical_weight : float, \
default=(1.0, 0.1, 1.0)
        Weights of the three terms of the loss (the paper's).
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
default="adam"
        Optimizer of both networks' weights.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=1e-5
        L2 penalty passed to the optimizer.
    batch_size : int, default=200
        Pairs of consecutive observations per step, drawn anew at each step.
    max_steps : int, default=10_000
        Optimizer steps.
    device : str or torch.device, default="cpu"
        Where both networks train and run, for example ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights and the batches; torch's global random state is
        left as it was.
    verbose : int, default=0
        ``0`` is silent; ``1`` or more draws one progress bar over the
        steps, with the loss and the time left.

    Attributes
    ----------
    autoencoder_ : AutoencoderTransformer
        The trained autoencoder, usable on its own.
    dynamics_ : BaseDynamicsRegressor
        The trained dynamics model of the codes, usable on its own
        (``dynamics_.simulate``, ``dynamics_.energy``).
    n_features_in_ : int
        Width of the observations (two frames).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` had string column names.
    loss_curve_ : ndarray of shape (max_steps,)
        The combined loss of each step's batch.

    See Also
    --------
    AutoencoderTransformer : The autoencoder on its own.
    HamiltonianRegressor : The dynamics model of the codes.

    References
    ----------
    S. Greydanus, M. Dzamba and J. Yosinski, "Hamiltonian Neural Networks",
    NeurIPS 2019 (section 4, Task 5, and Figure 5).

    Examples
    --------
    >>> from sklearn_hnn import PixelHamiltonianPipeline
    >>> from sklearn_hnn.datasets import make_pixel_pendulum_dataset
    >>> data = make_pixel_pendulum_dataset(n_trajectories=4, n_points=20,
    ...                                    random_state=0)
    >>> model = PixelHamiltonianPipeline(max_steps=20, random_state=0)
    >>> model.fit(data.X_train, t=data.t_train, groups=data.groups_train)
    PixelHamiltonianPipeline(max_steps=20, random_state=0)
    >>> model.simulate(data.X_test[0], [0.0, 0.05, 0.1]).shape
    (3, 1568)
    """

    _parts: ClassVar[dict] = {
        "autoencoder": AutoencoderTransformer,
        "dynamics": HamiltonianRegressor,
    }

    _parameter_constraints: ClassVar[dict] = {
        "autoencoder": [None, AutoencoderTransformer],
        "dynamics": [None, BaseDynamicsRegressor],
        "reconstruction_weight": [Number(Real, 0, None, closed="left")],
        "dynamics_weight": [Number(Real, 0, None, closed="left")],
        "canonical_weight": [Number(Real, 0, None, closed="left")],
        "batch_size": [Number(Integral, 1, None, closed="left")],
        "max_steps": [Number(Integral, 1, None, closed="left")],
        **{
            name: TRAINING_CONSTRAINTS[name]
            for name in (
                "optimizer",
                "lr",
                "weight_decay",
                "device",
                "random_state",
                "verbose",
            )
        },
    }

    def __init__(
        self,
        autoencoder=None,
        dynamics=None,
        reconstruction_weight=1.0,
        dynamics_weight=0.1,
        canonical_weight=1.0,
        optimizer="adam",
        lr=1e-3,
        weight_decay=1e-5,
        batch_size=200,
        max_steps=10_000,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.autoencoder = autoencoder
        self.dynamics = dynamics
        self.reconstruction_weight = reconstruction_weight
        self.dynamics_weight = dynamics_weight
        self.canonical_weight = canonical_weight
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_steps = max_steps
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ---------------------------------------------------------------- checks

    def _check_data(self, X, t, groups, *, reset: bool):
        """The checked observations and their consecutive pairs (see
        :func:`consecutive_pairs`); nothing on ``self`` changes."""
        if not reset:
            check_2d(X, "X")
            validate_data(self, X, reset=False, skip_check_array=True)  # width
        X_checked, pairs = consecutive_pairs(X, t, groups, owner=type(self).__name__)
        return (X_checked, *pairs)

    def _checked_parts(self) -> dict:
        """Copies of the parts, their parameters and architectures checked
        (not their training parameters, which do not apply here); raise a
        ValueError naming what does not fit."""
        check_weight_decay(self.optimizer, self.weight_decay)
        parts = {}
        for name in self._parts:
            parts[name] = part = clone(self._part(name))
            part._validate_params()
            part._check_architecture()
        latent = int(parts["autoencoder"].latent_dim)
        codes = np.zeros((1, latent))
        try:
            parts["dynamics"]._check_targets(codes, codes)
        except ValueError as exc:
            raise ValueError(
                f"autoencoder latent_dim={latent} does not suit dynamics="
                f"{type(parts['dynamics']).__name__}: {exc}"
            ) from None
        return parts

    # -------------------------------------------------------------- training

    def _loss_module(self, nets=None, records=None) -> LatentDynamicsLoss:
        """The loss of the given nets and records, or of the fitted parts."""
        if nets is None:
            nets = {name: getattr(self, f"{name}_").net_ for name in self._parts}
            records = {
                name: getattr(self, f"{name}_")._fitted_record for name in self._parts
            }
        return LatentDynamicsLoss(
            nets["autoencoder"].module_,
            nets["dynamics"].module_,
            field_scale=records["dynamics"]["normalization"].y_scale,
        )

    def _weights(self) -> tuple[float, float, float]:
        return (
            float(self.reconstruction_weight),
            float(self.dynamics_weight),
            float(self.canonical_weight),
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, *, t=None, groups=None):
        """Train the autoencoder and the dynamics together.

        Each step draws ``batch_size`` pairs of consecutive observations
        (each pair from one trajectory), anew at every step, and takes an
        optimizer step on the combined loss. If
        the loss stops being finite, training stops with
        :class:`~sklearn_hnn.exceptions.TrainingDivergedError`; if the
        arguments are invalid or training is interrupted, nothing changes: a
        fitted pipeline stays as it was.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2 * n_pixels)
            Observations: each row is a frame and the frame after it,
            flattened and concatenated, the second frame of a row being the
            first of the next row of its trajectory.
        y : None
            Ignored.
        t : array-like of shape (n_samples,)
            Time of each row's first frame, in seconds.
        groups : array-like of shape (n_samples,), default=None
            Trajectory label of each row; None means one trajectory.

        Returns
        -------
        object
            The fitted pipeline (``self``).
        """
        X_checked, i, j, dt = self._check_data(X, t, groups, reset=True)
        staged = copy.copy(self)
        validate_data(staged, X, reset=True, skip_check_array=True)
        device = resolve_device(self.device)
        parts = self._checked_parts()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parts["dynamics"]._warn_about_params()
        for warning in caught:  # at the caller's line
            warnings.warn(warning.message, warning.category, stacklevel=3)
        # Drawn after every check: a refused call leaves a RandomState as it was.
        seed = draw_seed(self.random_state)
        records, nets = {}, {}
        with seeded_torch(seed, device):
            for name, part in parts.items():
                part.set_params(device=str(device))
                width, normalization = X_checked.shape[1], None
                if name == "dynamics":
                    # The network steps in units of the typical time step, as
                    # the original stepped frames; its record maps it to seconds.
                    width = int(parts["autoencoder"].latent_dim)
                    normalization = Normalization(y_scale=1.0 / float(np.median(dt)))
                records[name] = record = new_record(
                    n_features_in_=width,
                    feature_names_in_=None,
                    n_outputs_=width,
                    architecture=part._architecture(),
                    normalization=normalization,
                )
                # The joint optimizer trained it, not the part's own: a fit of
                # the part alone starts its optimizer afresh.
                net = part._make_net(width, width, record["architecture"], device, seed)
                nets[name] = net.initialize()
        loss_curve = self._train(nets, records, X_checked, i, j, dt, device, seed)
        # Fitted state is set only now that training has ended.
        for name, part in parts.items():
            part._commit(records[name], nets[name])
        self.autoencoder_ = parts["autoencoder"]
        self.dynamics_ = parts["dynamics"]
        self.n_features_in_ = staged.n_features_in_
        set_feature_names(self, getattr(staged, "feature_names_in_", None))
        self.loss_curve_ = loss_curve
        return self

    def _train(self, nets, records, X, i, j, dt, device, seed) -> np.ndarray:
        loss_module = self._loss_module(nets, records)
        optimizer = optimizer_class(self.optimizer)
        with seeded_torch(seed, device):
            curve = train_latent_dynamics(
                loss_module,
                as_tensor(X, torch.float32, device),
                torch.as_tensor(np.stack([i, j], axis=1), device=device),
                torch.as_tensor(dt, dtype=torch.float32, device=device),
                optimizer(
                    loss_module.parameters(),
                    lr=self.lr,
                    weight_decay=self.weight_decay,
                ),
                weights=self._weights(),
                batch_size=int(self.batch_size),
                max_steps=int(self.max_steps),
                seed=seed,
                verbose=self.verbose,
            )
        return curve

    def losses(self, X, *, t=None, groups=None) -> dict[str, float]:
        """The terms of the training loss on observations, unweighted.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)
            Observations, as in :meth:`fit`.
        t, groups : array-like of shape (n_samples,)
            As in :meth:`fit`.

        Returns
        -------
        dict
            ``"reconstruction"``, ``"dynamics"``, ``"canonical"`` (means over
            all pairs of consecutive observations) and ``"total"``, their sum
            weighted as in training.
        """
        check_is_fitted(self)
        X_checked, i, j, dt = self._check_data(X, t, groups, reset=False)
        loss_module = self._loss_module().eval()
        device = self.autoencoder_.net_.device
        frames = as_tensor(X_checked, torch.float32, device)
        sums = np.zeros(3)
        chunk = 4096
        with torch.no_grad():
            for start in range(0, len(i), chunk):
                rows = slice(start, start + chunk)
                terms = loss_module(
                    frames[torch.as_tensor(i[rows], device=device)],
                    frames[torch.as_tensor(j[rows], device=device)],
                    torch.as_tensor(dt[rows], dtype=torch.float32, device=device),
                )
                sums += len(i[rows]) * np.array([float(v) for v in terms])
        means = sums / len(i)
        names = ("reconstruction", "dynamics", "canonical")
        result = {name: float(v) for name, v in zip(names, means, strict=True)}
        result["total"] = float(np.dot(self._weights(), means))
        return result

    def score(self, X, y=None, *, t=None, groups=None) -> float:
        """Minus the combined training loss on observations (greater is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)
            Observations, as in :meth:`fit`.
        y : None
            Ignored.
        t, groups : array-like of shape (n_samples,)
            As in :meth:`fit`.

        Returns
        -------
        float
            ``-losses(X, t=t, groups=groups)["total"]``.
        """
        return -self.losses(X, t=t, groups=groups)["total"]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.target_tags.required = False
        tags.non_deterministic = Device().is_satisfied_by(self.device) and (
            torch.device(self.device).type != "cpu"
        )
        return tags

    @property
    def _n_features_out(self) -> int:
        return self.autoencoder_._n_features_out

    # ----------------------------------------------------------- persistence

    def _fitted_json(self) -> dict:
        names = getattr(self, "feature_names_in_", None)
        return {
            "n_features_in_": int(self.n_features_in_),
            "feature_names_in_": None if names is None else [str(n) for n in names],
            "loss_curve_": self.loss_curve_.tolist(),
        }

    def _restore(self, data: dict, parts: dict) -> None:
        width, names = data.get("n_features_in_"), data.get("feature_names_in_")
        if not (isinstance(width, int) and width >= 2 and width % 2 == 0):
            raise SavedStateError(f"n_features_in_={width!r} is not an even width")
        if names is not None and not (isinstance(names, list) and len(names) == width):
            raise SavedStateError("feature_names_in_ does not match n_features_in_")
        curve = data.get("loss_curve_")
        if not (isinstance(curve, list) and all(isinstance(v, float) for v in curve)):
            raise SavedStateError("loss_curve_ is not a list of numbers")
        autoencoder, dynamics = parts["autoencoder"], parts["dynamics"]
        if autoencoder.n_features_in_ != width:
            raise SavedStateError(
                f"its autoencoder takes {autoencoder.n_features_in_} columns, but "
                f"n_features_in_ is {width}"
            )
        if dynamics.n_features_in_ != autoencoder._n_features_out:
            raise SavedStateError(
                f"its dynamics model takes {dynamics.n_features_in_} columns, but "
                f"the code has {autoencoder._n_features_out}"
            )
        self.autoencoder_, self.dynamics_ = autoencoder, dynamics
        self.n_features_in_ = width
        set_feature_names(
            self, None if names is None else np.asarray(names, dtype=object)
        )
        self.loss_curve_ = np.asarray(curve, dtype=float)


register(PixelHamiltonianPipeline)
