"""Telling a scaler's output from physical states, for the warning that a
``Pipeline`` rescaled ``X`` but not its derivatives."""

from __future__ import annotations

import warnings

import numpy as np

from sklearn_hnn.exceptions import RescaledStatesWarning

#: Fewer rows than this are not judged: small arrays meet these tests by chance.
MIN_ROWS = 10

# What scikit-learn's scalers leave in every column: column-wise statistics
# that then equal the target exactly (to rounding). MaxAbsScaler and
# RobustScaler are left out: their signatures (|x| at most 1 and reaching it;
# median 0 and interquartile range 1) are also those of states sampled evenly
# over [-1, 1], common in the paper's examples.
_SIGNATURES = {
    "StandardScaler (mean 0, standard deviation 1)": (
        lambda X: np.stack([X.mean(axis=0), X.std(axis=0)]),
        np.array([[0.0], [1.0]]),
    ),
    "MinMaxScaler (minimum 0, maximum 1)": (
        lambda X: np.stack([X.min(axis=0), X.max(axis=0)]),
        np.array([[0.0], [1.0]]),
    ),
}


def scaler_signature(X: np.ndarray) -> str | None:
    """The scaler whose output ``X`` looks like, in every column, or None."""
    if len(X) < MIN_ROWS:
        return None
    tolerance = 1e-5 if X.dtype == np.float32 else 1e-9
    for name, (statistic, target) in _SIGNATURES.items():
        with np.errstate(over="ignore", invalid="ignore"):  # states near 1e154
            values = statistic(X)
        if np.allclose(values, np.broadcast_to(target, values.shape), atol=tolerance):
            return name
    return None


def warn_if_rescaled(X: np.ndarray, owner: str) -> None:
    """Warn when ``X``, given with its derivatives, looks like a scaler's
    output: in a ``Pipeline`` the derivatives were not rescaled with it."""
    scaler = scaler_signature(X)
    if scaler is None:
        return
    warnings.warn(
        f"X looks rescaled by scikit-learn's {scaler}, in every column, while y "
        "(dX/dt) was given as it was. In a Pipeline, a scaler rescales X but not "
        "y, so the states and their derivatives disagree and no Hamiltonian fits "
        f"them. Drop the scaler: {owner} rescales X and dX/dt together itself "
        "(normalize='auto', the default). If your states really are this way, "
        "ignore this warning (sklearn_hnn.exceptions.RescaledStatesWarning).",
        RescaledStatesWarning,
        stacklevel=6,  # warn_if_rescaled, the hook, _fit, fit, its wrapper, caller
    )
