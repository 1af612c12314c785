"""The error a model that learns no energy gives when asked for one."""

from __future__ import annotations


def missing_attribute(owner: object, name: str, *, why: str) -> AttributeError:
    """An ``AttributeError`` for ``owner.name`` that says why it is missing.

    Raised from ``__getattr__``, so ``hasattr(owner, name)`` stays False while
    a user who calls the method reads ``why`` instead of a bare message.
    """
    return AttributeError(
        f"{type(owner).__name__!r} object has no attribute {name!r}: {why}",
        name=name,
        obj=owner,
    )


BASELINE_HAS_NO_ENERGY = (
    "a BaselineDynamicsRegressor predicts dX/dt directly and learns no energy. "
    "Fit a HamiltonianRegressor to learn one, or measure the true energy along "
    "this model's rollouts with the system's own, for example "
    "sklearn_hnn.systems.Pendulum().hamiltonian(model.simulate(x0, t))."
)
