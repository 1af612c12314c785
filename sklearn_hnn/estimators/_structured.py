"""What the structured Hamiltonian families share: the parameters of an
HNN without ``module`` (their networks are their structure)."""

from __future__ import annotations

from typing import ClassVar

from sklearn_hnn.estimators.hamiltonian import HamiltonianRegressor


class StructuredHamiltonianRegressor(HamiltonianRegressor):
    """An HNN whose networks are fixed by its structure: no ``module``."""

    _parameter_constraints: ClassVar[dict] = {
        name: constraint
        for name, constraint in HamiltonianRegressor._parameter_constraints.items()
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

    def _module_kwargs(self, n_features: int, architecture: dict) -> dict:
        """Keyword arguments of the family's field."""
        return {
            "n_features": n_features,
            "hidden_layer_sizes": tuple(architecture["hidden_layer_sizes"]),
            "activation": architecture["activation"],
            "angles": architecture.get("angles"),
        }
