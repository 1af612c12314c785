"""The estimators that :mod:`sklearn_hnn.persistence` can save and load.

Every concrete torch estimator registers itself when its class is defined
(``TorchEstimatorMixin.__init_subclass__``), so a new model family saves,
loads and checkpoints with no edit to the persistence module.
Persistence reads this registry; nothing here knows about files.
"""

from __future__ import annotations

#: Registered estimator classes, by :func:`registered_name`.
ESTIMATORS: dict[str, type] = {}


def registered_name(estimator_class: type) -> str:
    """The name a class is registered and saved under: its class name for the
    library's own estimators, ``module.QualifiedName`` for any other, so that
    a class of yours never takes the place of one of ours.

    Parameters
    ----------
    estimator_class : type
        An estimator class.

    Returns
    -------
    str
        Its name in :data:`ESTIMATORS`.
    """
    if estimator_class.__module__.split(".")[0] == "sklearn_hnn":
        return estimator_class.__name__
    return f"{estimator_class.__module__}.{estimator_class.__qualname__}"


def register(estimator_class: type) -> type:
    """Register an estimator class under its :func:`registered_name`.

    A class defined again under the same name in the same module replaces the
    earlier one, as re-running a notebook cell does.

    Parameters
    ----------
    estimator_class : type
        An estimator class that writes and reads its own fitted state
        (``_saved_entries`` and ``_load_saved``).

    Returns
    -------
    type
        ``estimator_class``, so that ``register`` can decorate the class.
    """
    ESTIMATORS[registered_name(estimator_class)] = estimator_class
    return estimator_class
