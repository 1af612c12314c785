"""Hamiltonian dynamics with learned damping: energy that can only decrease."""

from __future__ import annotations

from typing import ClassVar

import torch

from sklearn_hnn.estimators._docs import (
    STRUCTURED_PARAMETERS,
    TRAINING_PARAMETERS,
    parameters_doc,
    state_attributes_doc,
)
from sklearn_hnn.estimators._structured import StructuredHamiltonianRegressor
from sklearn_hnn.nn.dissipative import DissipativeHamiltonianField


class DissipativeHamiltonianRegressor(StructuredHamiltonianRegressor):
    __doc__ = (
        """Learn an energy ``H(q, p)`` and a damping matrix ``D(q)``:
    ``dq/dt = dH/dp``, ``dp/dt = -dH/dq - D(q) dH/dp``.

    ``D(q)`` is positive semidefinite by construction (``L(q) L(q)^T`` with
    ``L`` output by a network of the positions), so along the learned
    dynamics ``dH/dt = -(dH/dp)^T D (dH/dp) <= 0``: the learned energy can
    only decrease, and how fast is learned from the data. With ``D = 0`` this
    is the HNN. It answers the limitation Greydanus et al. state for the HNN,
    which cannot model friction: on a system that loses energy, such as the
    real pendulum of Task 3, it learns the loss instead of refusing it.

    Parameters
    ----------
"""
        + parameters_doc(*STRUCTURED_PARAMETERS, *TRAINING_PARAMETERS)
        + "\n"
        + state_attributes_doc("sklearn_hnn.nn.dissipative.DissipativeHamiltonianField")
        + """
    See Also
    --------
    HamiltonianRegressor : The same energy, conserved.
    SecondOrderRegressor : Second-order dynamics without an energy.

    Notes
    -----
    :meth:`simulate` follows ``field="learned"`` (the default, the damped
    dynamics), ``field="conservative"`` (Hamilton's equations of the learned
    energy alone) or ``field="gradient"`` (``dH/dx``, as for the HNN). Along
    RK4 rollouts of the damped dynamics at the step sizes of the data, the
    learned energy decreases up to rounding.

    References
    ----------
    S. Greydanus, M. Dzamba and J. Yosinski, "Hamiltonian Neural Networks",
    NeurIPS 2019 (the limitation).

    A. J. van der Schaft and D. Jeltsema, "Port-Hamiltonian Systems Theory:
    An Introductory Overview", Foundations and Trends in Systems and Control,
    2014 (the form of the dynamics).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn import DissipativeHamiltonianRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(300, 2))
    >>> q, p = X.T
    >>> dXdt = np.stack([p, -q - 0.2 * p], axis=1)  # damped, H = (q^2 + p^2) / 2
    >>> est = DissipativeHamiltonianRegressor(hidden_layer_sizes=(32,), lr=1e-2,
    ...                                       max_epochs=400, random_state=0)
    >>> est.fit(X, dXdt).score(X, dXdt) > 0.99
    True
    >>> bool(abs(est.damping(X).mean() - 0.2) < 0.02)
    True
    """
    )

    _simulation_fields: ClassVar[dict[str, str]] = {
        "learned": "forward",
        "conservative": "conservative",
        "gradient": "gradient",
    }

    def _module_spec(
        self, n_features: int, n_outputs: int, architecture: dict
    ) -> tuple[type[torch.nn.Module], dict]:
        return DissipativeHamiltonianField, self._module_kwargs(
            n_features, architecture
        )

    def damping(self, X):
        """The learned damping matrix ``D(q)`` at each state.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2d)
            States ``[q, p]`` (only ``q`` is used).

        Returns
        -------
        ndarray of shape (n_samples, d, d)
            Symmetric positive semidefinite matrices: the momenta lose
            ``D(q) dH/dp`` per unit time.
        """
        return self._evaluate("damping", self._validate_X(X), 1.0)
