"""Reconstruction: an autoencoder trained to give back its input."""

from __future__ import annotations

import torch

from sklearn_hnn.objectives.base import Objective


class Reconstruction(Objective):
    """Match the network's output to its input in mean squared error.

    The objective of an autoencoder
    (:class:`~sklearn_hnn.AutoencoderTransformer`): the targets are the inputs
    themselves, and ``y`` given to ``fit`` is ignored, as scikit-learn's
    transformers ignore it. It is not one of the dynamics estimators'
    :data:`~sklearn_hnn.objectives.OBJECTIVES`.
    """

    name = "reconstruction"

    def targets(self, X, y, t, groups, *, differentiation=None, owner: str = ""):
        """The inputs ``X``; ``y``, ``t`` and ``groups`` are ignored.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y, t, groups : ignored
            Accepted for the interface of :class:`Objective`.
        differentiation : ignored
            Accepted for the interface of :class:`Objective`.
        owner : str, default=""
            The estimator's class name (unused).

        Returns
        -------
        array-like of shape (n_samples, n_features)
            ``X``.
        """
        return X

    def loss(self, y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean squared error of the reconstruction ``y_pred`` of ``y``.

        Parameters
        ----------
        y_pred : torch.Tensor of shape (batch, n_features)
            Reconstructions.
        y : torch.Tensor of shape (batch, n_features)
            Inputs.

        Returns
        -------
        torch.Tensor of shape ()
            The mean over rows and features.
        """
        return torch.nn.functional.mse_loss(y_pred, y)
