"""An autoencoder as a scikit-learn transformer (the pixel experiment of
Greydanus et al., 2019)."""

from __future__ import annotations

import copy
from numbers import Integral
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_hnn._validation import check_2d, check_float_array
from sklearn_hnn.estimators._constraints import (
    HiddenLayerSizes,
    Number,
    SubclassOf,
    check_builds,
)
from sklearn_hnn.estimators._constraints import hidden_layer_sizes as _sizes
from sklearn_hnn.estimators._docs import parameters_doc
from sklearn_hnn.estimators._inference import checked_rows, evaluate
from sklearn_hnn.estimators._runtime import resolve_device
from sklearn_hnn.estimators._state import (
    SavedStateMixin,
    new_record,
    set_feature_names,
)
from sklearn_hnn.estimators._training import TRAINING_CONSTRAINTS, TorchEstimatorMixin
from sklearn_hnn.nn.autoencoder import Autoencoder
from sklearn_hnn.nn.mlp import ACTIVATIONS
from sklearn_hnn.objectives import Reconstruction


class AutoencoderTransformer(
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    SavedStateMixin,
    TorchEstimatorMixin,
    BaseEstimator,
):
    __doc__ = (
        """Compress rows, such as flattened images, to a few numbers and back.

    A fully connected autoencoder with residual blocks (the architecture of
    the pixel experiment of Greydanus et al., 2019), trained through skorch to
    reconstruct its input in mean squared error. :meth:`transform` gives the
    codes, :meth:`inverse_transform` the reconstructions. Inputs are used as
    given: scale images to about ``[0, 1]`` first.

    On its own it is a scikit-learn transformer for any tabular data; inside
    :class:`~sklearn_hnn.PixelHamiltonianPipeline` it is trained jointly with
    a dynamics model of its codes, and its training parameters below do not
    apply there.

    Parameters
    ----------
    latent_dim : int, default=2
        Width of the code.

    hidden_layer_sizes : int or tuple of int, default=(200, 200, 200)
        Hidden widths of the encoder; the decoder mirrors them. After the
        first, each layer as wide as the one before it is a residual block.

    activation : {"tanh", "softplus", "sigmoid", "silu", "gelu", "elu", "relu"} \
or torch.nn.Module class, default="relu"
        Activation after each hidden layer: a name, or a module class built
        without arguments.

"""
        + parameters_doc("optimizer", "lr")
        + """

    weight_decay : float, default=1e-5
        L2 penalty passed to the optimizer.

    max_epochs : int, default=100
        Passes over the training data.

    batch_size : int or None, default=200
        Samples per optimizer step; ``None`` uses the whole training set.

"""
        + parameters_doc(
            "validation_fraction",
            "compile",
            "warm_start",
            "callbacks",
            "device",
            "random_state",
            "verbose",
        )
        + """

    Attributes
    ----------
    n_features_in_ : int
        Width of the rows seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` had string column names.
    net_ : skorch.NeuralNet
        The trained skorch net.
    module_ : sklearn_hnn.nn.autoencoder.Autoencoder
        The trained network, ``net_.module_``.
    history_ : skorch.History
        Per-epoch training record (``train_loss``, ``valid_loss``, ...).

    See Also
    --------
    PixelHamiltonianPipeline : An autoencoder and a dynamics model of its
        codes, trained together on pairs of frames.

    References
    ----------
    S. Greydanus, M. Dzamba and J. Yosinski, "Hamiltonian Neural Networks",
    NeurIPS 2019 (section 4, Task 5).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn import AutoencoderTransformer
    >>> rng = np.random.default_rng(0)
    >>> codes = rng.normal(size=(300, 2))
    >>> X = np.tanh(codes @ rng.normal(size=(2, 20)))  # 20 columns, 2 factors
    >>> ae = AutoencoderTransformer(hidden_layer_sizes=(32, 32), max_epochs=100,
    ...                             batch_size=None, lr=1e-2, random_state=0)
    >>> ae.fit_transform(X).shape
    (300, 2)
    >>> bool(np.mean((ae.inverse_transform(ae.transform(X)) - X) ** 2) < 0.01)
    True
    """
    )

    _parameter_constraints: ClassVar[dict] = {
        "latent_dim": [Number(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [HiddenLayerSizes()],
        "activation": [
            StrOptions(set(ACTIVATIONS)),
            SubclassOf(torch.nn.Module, "torch.nn.Module"),
        ],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(
        self,
        latent_dim=2,
        hidden_layer_sizes=(200, 200, 200),
        activation="relu",
        optimizer="adam",
        lr=1e-3,
        weight_decay=1e-5,
        max_epochs=100,
        batch_size=200,
        validation_fraction=0.0,
        compile="auto",
        warm_start=False,
        callbacks=None,
        device="cpu",
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.latent_dim = latent_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.validation_fraction = validation_fraction
        self.compile = compile
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self._set_prefixed(kwargs)

    # ------------------------------------------------------------------ hooks

    def _architecture(self) -> dict:
        return {
            "latent_dim": int(self.latent_dim),
            "hidden_layer_sizes": _sizes(self.hidden_layer_sizes),
            "activation": self.activation,
        }

    def _check_architecture(self) -> None:
        arguments = self._prefixed("module__")
        if arguments:
            raise ValueError(
                f"module__ arguments {sorted(arguments)} are set, but "
                f"{type(self).__name__} builds its own network and takes none."
            )
        if isinstance(self.activation, type):
            check_builds(self.activation, {}, "activation", "no arguments")

    def _module_spec(
        self, n_features: int, n_outputs: int, architecture: dict
    ) -> tuple[type[torch.nn.Module], dict]:
        return Autoencoder, {
            "n_features": n_features,
            "latent_dim": architecture["latent_dim"],
            "hidden_layer_sizes": tuple(architecture["hidden_layer_sizes"]),
            "activation": architecture["activation"],
        }

    def _training_objective(self) -> Reconstruction:
        return Reconstruction()

    def _new_record(self, X) -> dict:
        """The fitted record of a fresh model of the rows ``X`` (checked), in
        the layout every torch estimator's saves share: the output is the
        input, used as given."""
        staged = copy.copy(self)  # validate_data records widths and names on it
        validate_data(staged, X, reset=True, skip_check_array=True)
        record = new_record(
            n_features_in_=staged.n_features_in_,
            feature_names_in_=getattr(staged, "feature_names_in_", None),
            n_outputs_=staged.n_features_in_,
            architecture=self._architecture(),
        )
        record["optimizer"] = self._optimizer_record()
        return record

    def _commit(self, record: dict, net) -> None:
        """Make ``record`` and ``net`` this estimator's fitted state, at once."""
        self.n_features_in_ = record["n_features_in_"]
        set_feature_names(self, record["feature_names_in_"])
        self._fitted_record = record
        self.net_ = net
        self.history_ = net.history

    @property
    def _n_features_out(self) -> int:
        return self._fitted_record["architecture"]["latent_dim"]

    # --------------------------------------------------------------- training

    def _fit(self, X, *, warm: bool, epochs: int | None):
        self._check_params()
        check_2d(X, "X")
        X_checked = check_float_array(X, "X")
        self._check_validation_size(len(X_checked))
        device = resolve_device(self.device)
        previous = getattr(self, "net_", None) if warm else None
        if previous is None:
            record = self._new_record(X)
        else:
            if X_checked.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X_checked.shape[1]} features, but {type(self).__name__} "
                    f"is expecting {self.n_features_in_} features as input: "
                    "warm_start and partial_fit continue training the fitted "
                    "model. Set warm_start=False to start over."
                )
            self._check_same_architecture(self._architecture())
            validate_data(self, X, reset=False, skip_check_array=True)
            record = {**self._fitted_record, "optimizer": self._optimizer_record()}
        X_train, y_train = self._training_objective().training_arrays(
            X_checked, X_checked, record["normalization"]
        )
        seed = self._draw_seed()  # drawn last: a refused call leaves it as it was
        if record["validation_seed"] is None:
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct the rows of ``X``.

        Training runs for ``max_epochs`` epochs, from new weights or, with
        ``warm_start=True``, from the fitted ones. Faults, interruptions and
        invalid arguments are handled as by the dynamics estimators: nothing
        changes unless training ran.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to compress, such as flattened images scaled to ``[0, 1]``.
        y : None
            Ignored; accepted for scikit-learn's transformer interface.

        Returns
        -------
        object
            The fitted transformer (``self``).
        """
        return self._fit(X, warm=self.warm_start, epochs=None)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train for one epoch, continuing from the fitted weights if any.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows, of the width seen before.
        y : None
            Ignored.

        Returns
        -------
        object
            The fitted transformer (``self``).
        """
        self._validate_params()
        return self._fit(X, warm=True, epochs=1)

    # ------------------------------------------------------------- inference

    def _run(self, method: str, X: np.ndarray) -> np.ndarray:
        return evaluate(self.module_, method, X, self.net_.device)

    def transform(self, X):
        """Encode the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of the width seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, latent_dim)
            Codes; float32 when ``X`` is float32, float64 otherwise.
        """
        return self._run("encode", checked_rows(self, X))

    def inverse_transform(self, X):
        """Decode codes back to rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, latent_dim)
            Codes, as :meth:`transform` gives them.

        Returns
        -------
        ndarray of shape (n_samples, `n_features_in_`)
            Reconstructed rows; float32 when the codes are float32, float64
            otherwise.
        """
        check_is_fitted(self)
        check_2d(X, "X")
        Z = check_float_array(X, "X")
        if Z.shape[1] != self._n_features_out:
            raise ValueError(
                f"X has {Z.shape[1]} columns, but inverse_transform takes codes of "
                f"latent_dim={self._n_features_out} columns."
            )
        return self._run("decode", Z)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
