"""What a training objective is: the targets it trains on and the loss of a batch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from sklearn.base import BaseEstimator

Field = Callable[[torch.Tensor], torch.Tensor]


class Objective(BaseEstimator):
    """How an estimator's network is trained: targets, prediction and loss.

    An objective prepares the training targets from what ``fit`` was given
    (:meth:`targets`), says what the network predicts for a batch of inputs
    (:meth:`predict`) and scores that prediction (:meth:`loss`). The skorch
    net and the compiled training step both train through these methods, so
    a new objective is one subclass, registered in
    :data:`sklearn_hnn.objectives.OBJECTIVES` under its :attr:`name`.

    Objectives are scikit-learn style objects: their constructor stores their
    parameters, which an estimator's ``objective__<name>`` reaches in
    ``set_params`` and ``GridSearchCV``.
    """

    #: The name under which the objective is registered.
    name: str = ""

    def targets(
        self, X, y, t, groups, *, differentiation, owner: str
    ) -> np.ndarray | object:
        """The training targets for the states ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States, as given to ``fit``.
        y : array-like or None
            Targets, as given to ``fit``.
        t, groups : array-like of shape (n_samples,) or None
            Times and trajectory labels, as given to ``fit``.
        differentiation : str or Differentiator
            The estimator's ``differentiation`` parameter.
        owner : str
            The estimator's class name, for messages.

        Returns
        -------
        array-like of shape (n_samples, n_outputs) or (n_samples,)
            The targets, checked by the estimator afterwards.
        """
        raise NotImplementedError

    def training_arrays(
        self, X: np.ndarray, y: np.ndarray, normalization, *, t=None, groups=None
    ) -> tuple[np.ndarray, np.ndarray]:
        """What the network trains on, from the checked states and targets.

        The default scales the states into the network's units and the
        targets by the output scale, and checks that both fit in float32.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            States, checked.
        y : ndarray of shape (n_samples, n_outputs)
            Targets, checked.
        normalization : Normalization
            The estimator's (see :mod:`sklearn_hnn.nn.normalization`).
        t, groups : ndarray of shape (n_samples,) or None, default=None
            Times and trajectory labels, as given to ``fit`` (checked by
            :meth:`targets`); unused by the default.

        Returns
        -------
        X_train : ndarray of shape (n_train, n_inputs)
            Network inputs: one row per training example.
        y_train : ndarray of shape (n_train, n_targets)
            Targets in the network's units.

        Raises
        ------
        ValueError
            If either exceeds the float32 range the network trains in.
        """
        X_train, y_train = normalization.inputs(X), y / normalization.y_scale
        check_float32_range(X=X_train, y=y_train, normalization=normalization)
        return X_train, y_train

    def states(self, X: torch.Tensor) -> torch.Tensor:
        """The states held in a batch of network inputs (the inputs
        themselves, by default).

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_inputs)
            A batch of :meth:`training_arrays`' inputs.

        Returns
        -------
        torch.Tensor of shape (batch, n_features)
            Normalised states.
        """
        return X

    def regularizer(self, module: torch.nn.Module, X: torch.Tensor):
        """A penalty added to the training loss of a batch, or None for none.

        Parameters
        ----------
        module : torch.nn.Module
            The network being trained.
        X : torch.Tensor of shape (batch, n_inputs)
            The batch's inputs.

        Returns
        -------
        torch.Tensor of shape () or None
            The penalty, to be minimised with the loss.
        """
        return None

    @property
    def regularized(self) -> bool:
        """Whether :meth:`regularizer` adds anything (a regularised loss is
        trained eagerly, not by the compiled step)."""
        return False

    def predict(self, field: Field, X: torch.Tensor) -> torch.Tensor:
        """What the network predicts for a batch.

        Parameters
        ----------
        field : callable
            The network, mapping ``(n, n_features)`` to ``(n, n_outputs)``
            (called functionally in a compiled step).
        X : torch.Tensor of shape (batch, n_features)
            Normalised inputs.

        Returns
        -------
        torch.Tensor
            The prediction, compared with the targets by :meth:`loss`.
        """
        return field(X)

    def loss(self, y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The scalar loss of a batch.

        Parameters
        ----------
        y_pred : torch.Tensor
            :meth:`predict`'s output.
        y : torch.Tensor of shape (batch, n_outputs)
            Normalised targets.

        Returns
        -------
        torch.Tensor of shape ()
            The loss, to be minimised.
        """
        raise NotImplementedError


def check_float32_range(*, normalization, **arrays: np.ndarray) -> None:
    """Raise a ValueError naming the first of ``arrays`` whose values exceed
    the float32 range the network trains in.

    Parameters
    ----------
    normalization : Normalization
        The estimator's, for the advice in the message.
    **arrays : ndarray
        The arrays, by the name the message gives them.
    """
    for name, values in arrays.items():
        largest = float(np.max(np.abs(values), initial=0.0))
        if largest > float(np.finfo(np.float32).max):
            hint = (
                "set normalize=True (or 'auto')"
                if normalization.offset is None
                else "rescale it"
            )
            raise ValueError(
                f"{name} has values up to {largest:.3g}, beyond the float32 "
                f"range the network trains in; {hint}."
            )
