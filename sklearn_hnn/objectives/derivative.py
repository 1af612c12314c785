"""Derivative matching: the paper's objective (Eq. 3 of Greydanus et al., 2019)."""

from __future__ import annotations

import torch

from sklearn_hnn.differentiation import time_derivative
from sklearn_hnn.objectives.base import Objective


class DerivativeMatching(Objective):
    """Match the network's field to the time derivatives ``dX/dt`` in mean
    squared error.

    The derivatives are ``y`` when ``fit`` is given ``y``; otherwise they are
    estimated from the trajectories ``(X, t, groups)`` with the estimator's
    ``differentiation`` method
    (:func:`~sklearn_hnn.differentiation.time_derivative`).

    Examples
    --------
    >>> from sklearn_hnn import HamiltonianRegressor
    >>> from sklearn_hnn.objectives import DerivativeMatching
    >>> est = HamiltonianRegressor(objective=DerivativeMatching())
    """

    name = "derivative"

    def targets(self, X, y, t, groups, *, differentiation, owner: str):
        """``y``, or ``dX/dt`` estimated from ``(X, t, groups)`` when ``y`` is None.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States.
        y : array-like of shape (n_samples, n_outputs) or None
            Time derivatives.
        t, groups : array-like of shape (n_samples,) or None
            Times and trajectory labels, used only when ``y`` is None.
        differentiation : str or Differentiator
            How to estimate ``dX/dt`` from ``t``.
        owner : str
            The estimator's class name, for messages.

        Returns
        -------
        array-like
            The derivatives.

        Raises
        ------
        ValueError
            If neither ``y`` nor ``t`` is given, or both are.
        """
        if y is None:
            if t is None:
                raise ValueError(
                    f"{owner} requires y to be passed, but the target y is None. "
                    "y holds the time derivatives dX/dt; to learn from "
                    "trajectories without derivatives, pass t (and groups) "
                    "instead. In GridSearchCV, cross_validate and other "
                    "model-selection tools, t and groups reach fit and score "
                    "only through metadata routing: "
                    "sklearn.set_config(enable_metadata_routing=True) and "
                    "set_fit_request/set_score_request(t=True, groups=True)."
                )
            return time_derivative(X, t, groups=groups, method=differentiation)
        if t is not None or groups is not None:
            raise ValueError(
                "t and groups describe trajectories whose derivatives are to be "
                "estimated; they are only used when y is None. Pass either y or t."
            )
        return y

    def loss(self, y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean squared error over every entry of the batch.

        Parameters
        ----------
        y_pred : torch.Tensor of shape (batch, n_outputs)
            Predicted derivatives.
        y : torch.Tensor of shape (batch, n_outputs)
            Target derivatives.

        Returns
        -------
        torch.Tensor of shape ()
            The loss, to be minimised.
        """
        return torch.nn.functional.mse_loss(y_pred, y)
