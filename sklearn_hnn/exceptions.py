"""Errors and warnings that sklearn-hnn raises on numerical faults.

Bad arguments raise plain ``ValueError`` or ``TypeError``; the classes here
mark faults that arise while computing, so that callers can catch or filter
exactly them.
"""

from __future__ import annotations


class TrainingDivergedError(FloatingPointError):
    """The training loss or the weights stopped being finite.

    The estimator is left fitted with the last weights whose loss was finite:
    those at the end of the last epoch whose losses were all finite, or one
    epoch earlier when that epoch's last step made the next loss overflow (the
    initial weights if the first epoch failed). It can be inspected, or
    trained further with a lower learning rate through ``warm_start`` or
    ``partial_fit``.

    Parameters
    ----------
    message : str
        The error message.
    epoch : int
        The epoch in which the fault appeared; stored as :attr:`epoch`.

    Attributes
    ----------
    epoch : int
        The epoch, counted from 1 over the model's whole history, in which
        the fault appeared.
    """

    def __init__(self, message: str, epoch: int) -> None:
        super().__init__(message)
        self.epoch = epoch


class TrainingInterruptedWarning(UserWarning):
    """``fit`` was interrupted (``KeyboardInterrupt``); the model keeps the
    weights reached so far."""


class DivergenceWarning(RuntimeWarning):
    """Some simulated trajectories became non-finite or blew up and were stopped.

    Their states are NaN from the time of the failure on; the other
    trajectories of the batch are unaffected.
    """


class RescaledStatesWarning(UserWarning):
    """The states given to ``fit`` look like a scikit-learn scaler's output
    while their derivatives ``y`` were given as they were: in a ``Pipeline``,
    a scaler rescales ``X`` but not ``y = dX/dt``, so the two disagree."""


class CacheWarning(UserWarning):
    """A dataset cache file could not be used (truncated, corrupted, or written
    for other parameters) and is being rebuilt."""


__all__ = [
    "CacheWarning",
    "DivergenceWarning",
    "RescaledStatesWarning",
    "TrainingDivergedError",
    "TrainingInterruptedWarning",
]
