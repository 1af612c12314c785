"""Separable Hamiltonians with a learned, position-dependent mass matrix."""

from __future__ import annotations

import torch

from sklearn_hnn.estimators._docs import (
    STRUCTURED_PARAMETERS,
    TRAINING_PARAMETERS,
    parameters_doc,
    state_attributes_doc,
)
from sklearn_hnn.estimators._structured import StructuredHamiltonianRegressor
from sklearn_hnn.nn.separable import SeparableHamiltonianField


class SeparableHamiltonianRegressor(StructuredHamiltonianRegressor):
    __doc__ = (
        """Learn ``H(q, p) = p^T M^-1(q) p / 2 + V(q)``: a mass matrix and a potential.

    The energy of mechanics: kinetic energy quadratic in the momenta with a
    learned positive-definite inverse mass matrix ``M^-1(q)``, plus a learned
    potential ``V(q)``. ``M^-1(q) = L(q) L(q)^T + epsilon I`` with ``L(q)``
    lower-triangular with a positive diagonal, output by a network of the
    positions, so the kinetic energy is positive for every state and every
    weight. Trained like :class:`HamiltonianRegressor` (Hamilton's equations
    matched to ``dX/dt``, or rollouts with ``objective="rollout"``).

    ``simulate(method="leapfrog")`` runs on it, but leapfrog is symplectic
    only for a constant mass matrix; where the learned ``M`` depends on the
    positions, use ``method="implicit_midpoint"`` or ``"tao"``.

    Parameters
    ----------
"""
        + parameters_doc(*STRUCTURED_PARAMETERS, *TRAINING_PARAMETERS)
        + "\n"
        + state_attributes_doc("sklearn_hnn.nn.separable.SeparableHamiltonianField")
        + """
    See Also
    --------
    HamiltonianRegressor : Any learned energy ``H(q, p)``.
    DissipativeHamiltonianRegressor : A learned energy and learned damping.

    References
    ----------
    M. Finzi, K. A. Wang and A. G. Wilson, "Simplifying Hamiltonian and
    Lagrangian Neural Networks via Explicit Constraints", NeurIPS 2020.

    N. Gruver, M. Finzi, S. Stanton and A. G. Wilson, "Deconstructing the
    Inductive Biases of Hamiltonian Neural Networks", ICLR 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn import SeparableHamiltonianRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> dXdt = np.stack([2 * X[:, 1], -2 * X[:, 0]], axis=1)  # H = q^2 + p^2
    >>> est = SeparableHamiltonianRegressor(hidden_layer_sizes=(32,), lr=1e-2,
    ...                                     max_epochs=300, random_state=0)
    >>> est.fit(X, dXdt).score(X, dXdt) > 0.99
    True
    >>> est.inverse_mass(X[:3]).shape  # M^-1 = 2 for H = q^2 + p^2
    (3, 1, 1)
    """
    )

    def _module_spec(
        self, n_features: int, n_outputs: int, architecture: dict
    ) -> tuple[type[torch.nn.Module], dict]:
        return SeparableHamiltonianField, self._module_kwargs(n_features, architecture)

    def inverse_mass(self, X):
        """The learned inverse mass matrix ``M^-1(q)`` at each state.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2d)
            States ``[q, p]`` (only ``q`` is used).

        Returns
        -------
        ndarray of shape (n_samples, d, d)
            Symmetric positive definite matrices: the kinetic energy is
            ``p^T M^-1(q) p / 2``.
        """
        return self._evaluate("inverse_mass", self._validate_X(X), 1.0)
