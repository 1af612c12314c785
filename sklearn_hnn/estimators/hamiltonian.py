"""Hamiltonian Neural Networks (Greydanus, Dzamba & Yosinski, 2019)."""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
import torch

from sklearn_hnn._validation import check_even_width
from sklearn_hnn.estimators._docs import NORMALIZATION_ATTRIBUTES_DOC, PARAMETERS_DOC
from sklearn_hnn.estimators._rescaled import warn_if_rescaled
from sklearn_hnn.estimators.base import BaseDynamicsRegressor
from sklearn_hnn.nn.features import with_angle_features
from sklearn_hnn.nn.fields import HamiltonianField
from sklearn_hnn.nn.mlp import is_piecewise_linear, make_mlp


class HamiltonianRegressor(BaseDynamicsRegressor):
    __doc__ = (
        """Learn an energy ``H_theta(q, p)`` whose symplectic gradient fits ``dX/dt``.

    The network ``H_theta : R^{2d} -> R`` is trained so that Hamilton's
    equations, ``dq/dt = dH/dp`` and ``dp/dt = -dH/dq``, computed by automatic
    differentiation, match the observed time derivatives in squared error
    (Eq. 3 of the paper). Rollouts of the learned field then conserve the
    learned energy, and approximately the true one.

    ``X`` has shape ``(n_samples, 2d)`` with columns
    ``[q_1 ... q_d, p_1 ... p_d]`` (positions, then momenta), and ``y`` holds
    their time derivatives in the same layout.

    The energy network is an MLP, or your own ``module``: any torch module
    mapping states of shape ``(n, 2d)`` to energies of shape ``(n, 1)``.

    Parameters
    ----------
"""
        + PARAMETERS_DOC
        + """

    Attributes
    ----------
    n_features_in_ : int
        Width ``2d`` of the states seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` had string column names.
    n_outputs_ : int
        Equal to ``n_features_in_``.
    net_ : skorch.NeuralNet
        The trained skorch net.
    module_ : sklearn_hnn.nn.HamiltonianField
        The trained network, ``net_.module_``.
    history_ : skorch.History
        Per-epoch training record (``train_loss``, ``valid_loss``, ...).
"""
        + NORMALIZATION_ATTRIBUTES_DOC
        + """
    See Also
    --------
    BaselineDynamicsRegressor : The same network predicting ``dX/dt`` directly.

    Notes
    -----
    :meth:`simulate` accepts ``field="symplectic"`` (the default, Hamilton's
    equations) or ``field="gradient"``, which follows ``(dH/dq, dH/dp)``: that
    raises the learned energy forward in time and lowers it backward in time
    (the paper's section 6, "adding and removing energy").

    References
    ----------
    S. Greydanus, M. Dzamba and J. Yosinski, "Hamiltonian Neural Networks",
    NeurIPS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn import HamiltonianRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> dXdt = np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)  # H = q^2 + p^2
    >>> est = HamiltonianRegressor(hidden_layer_sizes=(64, 64), lr=1e-2,
    ...                            max_epochs=300, random_state=0)
    >>> est.fit(X, dXdt).score(X, dXdt) > 0.99
    True
    >>> traj = est.simulate([0.5, 0.0], np.linspace(0, 10, 101))
    >>> energy = est.energy(traj)
    >>> bool(np.ptp(energy) < 1e-2 * np.abs(energy).max())
    True
    """
    )

    _simulation_fields: ClassVar[dict[str, str]] = {
        "symplectic": "forward",
        "gradient": "gradient",
    }

    def _check_targets(self, X: np.ndarray, y: np.ndarray) -> None:
        check_even_width(X.shape[1], "X", type(self).__name__)
        if y.shape != X.shape:
            raise ValueError(
                f"y (the time derivatives dX/dt) has shape {y.shape}, but it must "
                f"have the same shape as X, {X.shape}."
            )

    def _warn_about_given_targets(self, X: np.ndarray) -> None:
        warn_if_rescaled(X, type(self).__name__)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = False  # y is shaped like X, 2-D
        return tags

    def _module_spec(
        self, n_features: int, n_outputs: int, architecture: dict
    ) -> tuple[type[torch.nn.Module], dict]:
        sizes = tuple(architecture["hidden_layer_sizes"])
        activation = architecture["activation"]
        energy = self._custom_module(architecture)
        if architecture.get("angles"):
            energy = with_angle_features(
                n_features,
                architecture["angles"],
                n_features,
                lambda width: make_mlp(width, sizes, 1, activation, output_bias=False),
            )
        return HamiltonianField, {
            "n_features": n_features,
            "hidden_layer_sizes": sizes,
            "activation": activation,
            "hamiltonian": energy,
        }

    def _warn_about_params(self) -> None:
        activation = getattr(self, "activation", None)  # a family may have none
        if (
            getattr(self, "module", None) is None
            and activation is not None
            and is_piecewise_linear(activation)
        ):
            warnings.warn(
                f"activation={activation!r} has no useful second derivative: the "
                "learned field, a gradient of the energy, is piecewise constant. "
                "Use a smooth activation such as 'tanh' or 'softplus'.",
                UserWarning,
                stacklevel=5,  # _warn_about_params, _fit, fit, fit's wrapper, caller
            )

    def energy(self, X):
        """The learned energy ``H_theta`` of each state.

        ``H_theta`` is defined up to an additive constant: only its differences
        and gradients are learned.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2d)
            States ``[q, p]``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Energy of each state; float32 when ``X`` is float32, float64
            otherwise (computed in that precision).
        """
        return self._evaluate(
            "energy", self._validate_X(X), self._normalization().energy_scale
        )
