"""Second-order neural ODEs (NODE+SO of Gruver, Finzi, Stanton & Wilson, 2022)."""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
import torch

from sklearn_hnn._validation import check_even_width
from sklearn_hnn.estimators._docs import (
    STRUCTURED_PARAMETERS,
    TRAINING_PARAMETERS,
    parameters_doc,
    state_attributes_doc,
)
from sklearn_hnn.estimators.base import BaseDynamicsRegressor
from sklearn_hnn.nn.second_order import SecondOrderField

#: Relative mismatch of ``dq/dt`` and the second half of ``X`` above which
#: ``fit`` warns that the data are not in velocity form.
VELOCITY_MISMATCH = 0.2


class SecondOrderRegressor(BaseDynamicsRegressor):
    __doc__ = (
        """A neural ODE with second-order structure: ``dq/dt = v``,
    ``dv/dt = A_theta(q, v)``.

    The state is read as ``[q, v]``, positions then velocities. The first
    half of the learned field is the second half of the state, exactly; a
    network gives the accelerations, with no energy and no symplectic
    structure. Gruver et al. (2022) found that this structure, not the
    Hamiltonian one, is what makes an HNN accurate on conservative systems,
    and that it does better than an HNN where friction acts.

    It takes no ``symplectic_penalty``: in ``[q, v]`` coordinates the true
    dynamics of a system whose mass matrix depends on ``q`` (a chain of two or
    more links) are not symplectic, so the penalty would push the model away
    from them.

    Data must be in velocity form: ``dq/dt`` equal to the second half of
    ``X``. ``fit`` warns when it is not (momenta of a mass other than 1, as in
    Task 1 of Greydanus et al., where ``dq/dt = 2p``); convert momenta to
    velocities first (the systems' ``to_velocities``).

    Parameters
    ----------
"""
        + parameters_doc(*STRUCTURED_PARAMETERS, *TRAINING_PARAMETERS)
        + "\n"
        + state_attributes_doc("sklearn_hnn.nn.second_order.SecondOrderField")
        + """
    See Also
    --------
    BaselineDynamicsRegressor : The plain neural ODE (NODE), no structure.
    HamiltonianRegressor : A learned energy and Hamilton's equations.
    DissipativeHamiltonianRegressor : A learned energy and learned damping.

    References
    ----------
    N. Gruver, M. Finzi, S. Stanton and A. G. Wilson, "Deconstructing the
    Inductive Biases of Hamiltonian Neural Networks", ICLR 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn import SecondOrderRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> dXdt = np.stack([X[:, 1], -X[:, 0]], axis=1)  # q'' = -q
    >>> est = SecondOrderRegressor(hidden_layer_sizes=(32,), lr=1e-2,
    ...                            max_epochs=200, random_state=0)
    >>> est.fit(X, dXdt).score(X, dXdt) > 0.99
    True
    """
    )

    _parameter_constraints: ClassVar[dict] = {
        name: constraint
        for name, constraint in BaseDynamicsRegressor._parameter_constraints.items()
        if name != "module"
    }

    def __init__(
        self,
        hidden_layer_sizes=(200, 200),
        activation="tanh",
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
        normalize="auto",
        compile="auto",
        warm_start=False,
        callbacks=None,
        device="cpu",
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.angles = angles
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.validation_fraction = validation_fraction
        self.differentiation = differentiation
        self.objective = objective
        self.rollout_length = rollout_length
        self.normalize = normalize
        self.compile = compile
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self._set_prefixed(kwargs)

    def _check_targets(self, X: np.ndarray, y: np.ndarray) -> None:
        name = type(self).__name__
        check_even_width(X.shape[1], "X", name)
        if y.shape != X.shape:
            raise ValueError(
                f"y (the time derivatives dX/dt) has shape {y.shape}, but it must "
                f"have the same shape as X, {X.shape}."
            )
        d = X.shape[1] // 2
        rate, velocity = y[:, :d], X[:, d:]
        scale = np.sqrt(np.mean(rate**2) + np.mean(velocity**2))
        mismatch = np.sqrt(np.mean((rate - velocity) ** 2)) / max(scale, 1e-300)
        if mismatch > VELOCITY_MISMATCH:
            warnings.warn(
                f"{name} reads the second half of X as the velocities dq/dt, but "
                f"dq/dt differs from it by {mismatch:.0%} (relative RMS): these "
                "look like momenta (of a mass other than 1) or other coordinates. "
                "Give the model [q, dq/dt] states (a system's to_velocities "
                "converts canonical [q, p] states).",
                UserWarning,
                stacklevel=6,  # _check_targets, _validate..., _fit, fit, wrapper
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = False  # y is shaped like X, 2-D
        return tags

    def _module_spec(
        self, n_features: int, n_outputs: int, architecture: dict
    ) -> tuple[type[torch.nn.Module], dict]:
        return SecondOrderField, {
            "n_features": n_features,
            "hidden_layer_sizes": tuple(architecture["hidden_layer_sizes"]),
            "activation": architecture["activation"],
            "angles": architecture.get("angles"),
        }
