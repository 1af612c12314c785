"""The estimators that :mod:`sklearn_hnn.persistence` can save and load.

Every concrete torch estimator registers itself under its class name when its
class is defined (``TorchEstimatorMixin.__init_subclass__``), so a new model
family saves, loads and checkpoints with no edit to the persistence module.
Persistence reads this registry; nothing here knows about files.
"""

from __future__ import annotations

#: Registered estimator classes, by class name.
ESTIMATORS: dict[str, type] = {}


def register(estimator_class: type) -> type:
    """Register an estimator class under its name.

    A class defined again under the same name replaces the earlier one, as
    re-running a notebook cell does.

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
    ESTIMATORS[estimator_class.__name__] = estimator_class
    return estimator_class
