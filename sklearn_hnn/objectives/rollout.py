"""Rollout matching: integrate the model over short chunks of the observed
trajectories and match the states (how Gruver et al., 2022, train every model)."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch

from sklearn_hnn.differentiation import time_derivative
from sklearn_hnn.differentiation._time_derivative import _split_groups
from sklearn_hnn.integrate.fixed_grid import RK4
from sklearn_hnn.objectives.base import Field, Objective, check_float32_range


class RolloutMatching(Objective):
    """Match rollouts of the model over chunks of ``rollout_length`` points.

    ``fit(X, t=t, groups=groups)`` cuts every trajectory into all its windows
    of ``rollout_length`` consecutive points, integrates the learned field
    from the first state of each window over the window's own times with a
    differentiable fourth-order Runge-Kutta step per interval (all windows in
    one batch, on the device of the network), and minimises the mean squared
    error of the predicted states, in the network's normalised units. No
    derivatives are estimated for training; a finite-difference estimate only
    sets the output scale when ``normalize`` asks for one.

    Parameters
    ----------
    rollout_length : int, default=5
        Points per chunk, at least 2: the first is the initial state, the
        others are matched. Every trajectory must have at least that many
        points.

    Notes
    -----
    Every trajectory of ``n`` points gives ``n - rollout_length + 1``
    overlapping chunks; a dataset of one chunk per trajectory, as in the
    protocol of Gruver et al., gives one each. A ``validation_fraction`` holds out
    chunks at random, so held-out chunks overlap training ones where
    trajectories are longer than a chunk: hold out whole trajectories
    yourself for an honest validation loss.

    References
    ----------
    N. Gruver, M. Finzi, S. Stanton and A. G. Wilson, "Deconstructing the
    Inductive Biases of Hamiltonian Neural Networks", ICLR 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn import HamiltonianRegressor
    >>> t = np.tile(np.linspace(0, 1, 11), 4)
    >>> phase = np.repeat(np.arange(4.0), 11)
    >>> X = np.stack([np.cos(2 * t + phase), -np.sin(2 * t + phase)], axis=1)
    >>> est = HamiltonianRegressor(objective="rollout", hidden_layer_sizes=(16,),
    ...                            max_epochs=5, random_state=0)
    >>> est.fit(X, t=t, groups=np.repeat(np.arange(4), 11)).n_features_in_
    2
    """

    name = "rollout"

    def __init__(self, rollout_length: int = 5) -> None:
        self.rollout_length = rollout_length

    def _length(self) -> int:
        length = self.rollout_length
        if not isinstance(length, Integral) or isinstance(length, bool) or length < 2:
            raise ValueError(
                "rollout_length must be an int of at least 2 (the initial state "
                f"and one point to match); got {length!r}."
            )
        return int(length)

    def targets(self, X, y, t, groups, *, differentiation, owner: str):
        """Check the trajectories; return a rough ``dX/dt`` for the output scale.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States along trajectories.
        y : None
            Must be None: rollouts are matched to states, not derivatives.
        t : array-like of shape (n_samples,)
            Time of each row, strictly increasing within each trajectory.
        groups : array-like of shape (n_samples,) or None
            Trajectory label of each row; None for one trajectory.
        differentiation : str or Differentiator
            Unused.
        owner : str
            The estimator's class name, for messages.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            Forward-difference estimates of ``dX/dt`` (only their scale is
            used).

        Raises
        ------
        ValueError
            If ``y`` is given, ``t`` is missing or does not match ``X``, or a
            trajectory is shorter than ``rollout_length``.
        """
        length = self._length()
        if y is not None:
            raise ValueError(
                f"{owner} with objective='rollout' trains on trajectories, not on "
                "derivatives: pass t (and groups) instead of y."
            )
        if t is None:
            raise ValueError(
                f"{owner} with objective='rollout' needs t, the time of each row "
                "of X (and groups, the trajectory of each row, if there are "
                "several). In GridSearchCV and other model-selection tools, t and "
                "groups reach fit only through metadata routing: "
                "sklearn.set_config(enable_metadata_routing=True) and "
                "set_fit_request(t=True, groups=True)."
            )
        derivative = time_derivative(X, t, groups=groups, method="forward")
        for label, rows in _split_groups(groups, len(derivative)):
            if len(rows) < length:
                which = "the trajectory" if label is None else f"trajectory {label!r}"
                raise ValueError(
                    f"rollout_length={length}, but {which} has only {len(rows)} "
                    "point(s); every trajectory needs at least rollout_length. "
                    "Use a shorter rollout_length or drop the short trajectories."
                )
        return derivative

    def windows(self, n_samples: int, groups) -> np.ndarray:
        """Row indices of every chunk.

        Parameters
        ----------
        n_samples : int
            Rows of ``X``.
        groups : array-like of shape (n_samples,) or None
            Trajectory labels.

        Returns
        -------
        ndarray of shape (n_chunks, rollout_length)
            The rows of each chunk, in time order.
        """
        length = self._length()
        offsets = np.arange(length)
        chunks = [
            rows[start + offsets]
            for _, rows in _split_groups(groups, n_samples)
            for start in range(len(rows) - length + 1)
        ]
        return np.asarray(chunks, dtype=np.intp).reshape(-1, length)

    def training_arrays(
        self, X: np.ndarray, y: np.ndarray, normalization, *, t=None, groups=None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Chunks of normalised states and their step sizes.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            States, checked.
        y : ndarray of shape (n_samples, n_features)
            :meth:`targets`' estimates (unused here).
        normalization : Normalization
            The estimator's.
        t, groups : ndarray of shape (n_samples,)
            Times and trajectory labels, checked by :meth:`targets`.

        Returns
        -------
        X_train : ndarray of shape (n_chunks, n_features + rollout_length - 1)
            The first normalised state of each chunk, then its time steps in
            the network's units (``dt * y_scale / x_scale``).
        y_train : ndarray of shape (n_chunks, (rollout_length - 1) * n_features)
            The normalised states to match, in time order.
        """
        rows = self.windows(len(X), groups)
        Z = normalization.inputs(X)
        steps = np.diff(np.asarray(t, dtype=np.float64)[rows], axis=1)
        rate = normalization.y_scale / normalization.x_scale
        X_train = np.concatenate([Z[rows[:, 0]], steps * rate], axis=1)
        y_train = Z[rows[:, 1:]].reshape(len(rows), -1)
        check_float32_range(X=X_train, y=y_train, normalization=normalization)
        return X_train, y_train

    def states(self, X: torch.Tensor) -> torch.Tensor:
        """The first state of each chunk of the batch.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, D + rollout_length - 1)
            Rows of :meth:`training_arrays`' ``X_train``.

        Returns
        -------
        torch.Tensor of shape (batch, D)
            Normalised states.
        """
        return X[:, : X.shape[1] - (self._length() - 1)]

    def predict(self, field: Field, X: torch.Tensor) -> torch.Tensor:
        """Roll the field out over each chunk of the batch.

        Parameters
        ----------
        field : callable
            The network, mapping ``(n, D)`` to ``(n, D)``.
        X : torch.Tensor of shape (batch, D + rollout_length - 1)
            Rows of :meth:`training_arrays`' ``X_train``.

        Returns
        -------
        torch.Tensor of shape (batch, (rollout_length - 1) * D)
            The predicted states after each step, in time order.
        """
        state, steps = X[:, : X.shape[1] - (self._length() - 1)], self._steps(X)
        stepper, predicted = RK4(), []
        for k in range(steps.shape[1]):
            state = stepper.step(field, state, steps[:, k : k + 1])
            predicted.append(state)
        return torch.cat(predicted, dim=1)

    def _steps(self, X: torch.Tensor) -> torch.Tensor:
        return X[:, X.shape[1] - (self._length() - 1) :]

    def loss(self, y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean squared error of the predicted states.

        Parameters
        ----------
        y_pred, y : torch.Tensor of shape (batch, (rollout_length - 1) * D)
            Predicted and observed normalised states.

        Returns
        -------
        torch.Tensor of shape ()
            The loss, to be minimised.
        """
        return torch.nn.functional.mse_loss(y_pred, y)
