"""Time derivatives of sampled trajectories.

Measured data usually come as trajectories ``(t, X)`` without ``dX/dt``.
:func:`time_derivative` estimates the derivative of every row, one trajectory
segment at a time, so that no difference is taken between trajectories or
across gaps in time, and with the true (possibly uneven) time steps.

==============  ================================================================
``method``      what it does
==============  ================================================================
``"forward"``   ``(x[i+1] - x[i]) / (t[i+1] - t[i])``, first order
``"backward"``  ``(x[i] - x[i-1]) / (t[i] - t[i-1])``, first order
``"central"``   three-point formula for uneven steps, second order (default)
``"savgol"``    slope of a local least-squares polynomial; smooths noise
==============  ================================================================
"""

from sklearn_hnn.differentiation._registry import METHODS
from sklearn_hnn.differentiation._time_derivative import time_derivative
from sklearn_hnn.differentiation.base import Differentiator
from sklearn_hnn.differentiation.finite_difference import FiniteDifference
from sklearn_hnn.differentiation.savitzky_golay import SavitzkyGolay

__all__ = [
    "METHODS",
    "Differentiator",
    "FiniteDifference",
    "SavitzkyGolay",
    "time_derivative",
]
