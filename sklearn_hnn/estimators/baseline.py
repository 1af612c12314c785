"""The paper's baseline: a network that predicts time derivatives directly."""

from __future__ import annotations

from numbers import Real
from typing import ClassVar

import torch

from sklearn_hnn.estimators._constraints import Number
from sklearn_hnn.estimators._docs import (
    NORMALIZATION_ATTRIBUTES_DOC,
    STRUCTURED_PARAMETERS,
    SYMPLECTIC_PENALTY_DOC,
    TRAINING_PARAMETERS,
    parameters_doc,
)
from sklearn_hnn.estimators._energy import BASELINE_HAS_NO_ENERGY, missing_attribute
from sklearn_hnn.estimators.base import BaseDynamicsRegressor
from sklearn_hnn.nn.features import with_angle_features
from sklearn_hnn.nn.fields import DirectField
from sklearn_hnn.nn.mlp import make_mlp


class BaselineDynamicsRegressor(BaseDynamicsRegressor):
    __doc__ = (
        """An MLP that predicts ``dX/dt`` from ``X`` directly.

    This is the baseline of Greydanus, Dzamba & Yosinski (2019): the same
    network and training as :class:`HamiltonianRegressor`, without the
    Hamiltonian structure. It is an ordinary multi-output regressor, so ``y``
    may have any width; :meth:`simulate` needs ``y`` shaped like ``X``.

    The network is an MLP, or your own ``module``: any torch module mapping
    states of shape ``(n, n_features)`` to derivatives of shape
    ``(n, n_outputs)``.

    It learns no energy and so has no ``energy`` method:
    ``hasattr(est, "energy")`` is False, and calling it raises an
    ``AttributeError`` that says what to use instead.

    Parameters
    ----------
"""
        + parameters_doc(
            "hidden_layer_sizes", "activation", "module", *STRUCTURED_PARAMETERS[2:]
        )
        + "\n\n"
        + SYMPLECTIC_PENALTY_DOC
        + "\n\n"
        + parameters_doc(*TRAINING_PARAMETERS)
        + """

    Attributes
    ----------
    n_features_in_ : int
        Width of ``X`` seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` had string column names.
    n_outputs_ : int
        Width of ``y`` seen in ``fit``.
    net_ : skorch.NeuralNet
        The trained skorch net.
    module_ : torch.nn.Module
        The trained network, ``net_.module_``.
    history_ : skorch.History
        Per-epoch training record (``train_loss``, ``valid_loss``, ...).
"""
        + NORMALIZATION_ATTRIBUTES_DOC
        + """
    See Also
    --------
    HamiltonianRegressor : Learns an energy and follows its symplectic gradient.

    References
    ----------
    S. Greydanus, M. Dzamba and J. Yosinski, "Hamiltonian Neural Networks",
    NeurIPS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn import BaselineDynamicsRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> dXdt = np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)  # H = q^2 + p^2
    >>> est = BaselineDynamicsRegressor(hidden_layer_sizes=(64, 64), lr=1e-2,
    ...                                 max_epochs=300, random_state=0)
    >>> est.fit(X, dXdt).score(X, dXdt) > 0.95
    True
    >>> est.simulate([0.5, 0.0], np.linspace(0, 1, 11)).shape
    (11, 2)
    """
    )

    _simulation_fields: ClassVar[dict[str, str]] = {"learned": "forward"}
    _angles_are_positions: ClassVar[bool] = False  # any column of X

    _parameter_constraints: ClassVar[dict] = {
        **BaseDynamicsRegressor._parameter_constraints,
        "symplectic_penalty": [Number(Real, 0, None, closed="left")],
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
        symplectic_penalty=0.0,
        normalize="auto",
        compile="auto",
        warm_start=False,
        callbacks=None,
        device="cpu",
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            module=module,
            angles=angles,
            optimizer=optimizer,
            lr=lr,
            weight_decay=weight_decay,
            max_epochs=max_epochs,
            batch_size=batch_size,
            validation_fraction=validation_fraction,
            differentiation=differentiation,
            objective=objective,
            rollout_length=rollout_length,
            normalize=normalize,
            compile=compile,
            warm_start=warm_start,
            callbacks=callbacks,
            device=device,
            random_state=random_state,
            verbose=verbose,
            **kwargs,
        )
        self.symplectic_penalty = symplectic_penalty

    def _check_targets(self, X, y) -> None:
        if self.symplectic_penalty and (y.shape != X.shape or X.shape[1] % 2):
            raise ValueError(
                f"symplectic_penalty={self.symplectic_penalty!r} penalises the "
                "learned field of [q, p] states, so y must be shaped like X, of "
                f"even width; got X of shape {X.shape} and y of shape {y.shape}. "
                "Set symplectic_penalty=0 for other targets."
            )

    def _module_spec(
        self, n_features: int, n_outputs: int, architecture: dict
    ) -> tuple[type[torch.nn.Module], dict]:
        sizes = tuple(architecture["hidden_layer_sizes"])
        activation = architecture["activation"]
        net = self._custom_module(architecture)
        if architecture.get("angles"):
            net = with_angle_features(
                n_features,
                architecture["angles"],
                n_features,
                lambda width: make_mlp(width, sizes, n_outputs, activation),
            )
        return DirectField, {
            "n_features": n_features,
            "n_outputs": n_outputs,
            "hidden_layer_sizes": sizes,
            "activation": activation,
            "net": net,
        }

    def __getattr__(self, name: str):
        # Only reached when normal lookup fails: explain the one method users
        # expect from the HNN's interface.
        if name == "energy":
            raise missing_attribute(self, name, why=BASELINE_HAS_NO_ENERGY)
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}",
            name=name,
            obj=self,
        )
