"""Finite differences on non-uniform time grids."""

from __future__ import annotations

import numpy as np

from sklearn_hnn.differentiation.base import Differentiator

KINDS = ("forward", "backward", "central")


class FiniteDifference(Differentiator):
    """Forward, backward or central differences that use the actual time steps.

    Parameters
    ----------
    kind : {"forward", "backward", "central"}, default="central"
        ``"forward"`` uses ``(x[i+1] - x[i]) / (t[i+1] - t[i])`` and, at the last
        point, the backward difference. ``"backward"`` is its mirror image.
        Both are first-order accurate. ``"central"`` is second-order accurate
        even when the steps are uneven: interior points use the three-point
        formula with the two neighbouring steps, the end points use one-sided
        three-point formulas, and a two-point segment falls back to the plain
        difference.

    Attributes
    ----------
    min_points : int
        Always 2.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn.differentiation import FiniteDifference
    >>> t = np.array([0.0, 1.0, 3.0])
    >>> x = (t**2)[:, None]
    >>> FiniteDifference("forward").differentiate_segment(x, t).ravel().tolist()
    [1.0, 4.0, 4.0]
    >>> FiniteDifference("central").differentiate_segment(x, t).ravel().tolist()
    [0.0, 2.0, 6.0]
    """

    min_points = 2

    def __init__(self, kind: str = "central") -> None:
        self.kind = kind
        self._check_params()

    def _check_params(self) -> None:
        kind = self.kind
        if not isinstance(kind, str) or kind not in KINDS:
            raise ValueError(f"kind must be one of {list(KINDS)}; got {kind!r}.")

    def __repr__(self) -> str:
        return f"FiniteDifference(kind={self.kind!r})"

    def differentiate_segment(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Derivative of ``x`` with respect to ``t`` on one segment.

        Parameters
        ----------
        x : array-like of shape (n, n_features)
            Samples of one segment, ``n >= 2``.
        t : array-like of shape (n,)
            Strictly increasing times.

        Returns
        -------
        ndarray of shape (n, n_features)
            Estimate of ``dx/dt`` at every ``t[i]``, float64.

        Raises
        ------
        ValueError
            If ``x`` is not a finite 2-D array with at least 2 rows, or
            ``t`` does not hold one finite time per row, strictly increasing.
        """
        x, t = self._check_segment(x, t)
        h = np.diff(t)[:, None]
        slopes = np.diff(x, axis=0) / h  # slope between i and i + 1
        out = np.empty_like(x)
        if self.kind == "forward":
            out[:-1] = slopes
            out[-1] = slopes[-1]
        elif self.kind == "backward":
            out[1:] = slopes
            out[0] = slopes[0]
        elif len(t) == 2:
            out[:] = slopes[0]
        else:
            # Both formulas are exact for quadratics and combine the slopes
            # with weights from ratios of steps, so no product of steps can
            # underflow and no sum of steps overflow. Interior points: the
            # slopes on either side, each weighted by the opposite step.
            weight = 1.0 / (1.0 + h[1:] / h[:-1])
            out[1:-1] = weight * slopes[1:] + (1.0 - weight) * slopes[:-1]
            out[0] = _end_slope(slopes[0], slopes[1], h[0], h[1])
            out[-1] = _end_slope(slopes[-1], slopes[-2], h[-1], h[-2])
        return out


def _end_slope(
    near: np.ndarray, far: np.ndarray, h_near: np.ndarray, h_far: np.ndarray
) -> np.ndarray:
    """Derivative at an end point from the two slopes next to it.

    ``near`` is the slope over the end step ``h_near`` and ``far`` the slope
    over the following step ``h_far``. The result is the derivative at the end
    point of the quadratic through the three points, written as the near slope
    extrapolated along the change of slope, so it is exact for quadratics.
    The same formula holds at either end: mirroring time flips the sign of
    every slope and of the derivative alike.
    """
    return near + (near - far) / (1.0 + h_far / h_near)
