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
            out[1:-1] = _central_interior(x, h)
            out[0] = _one_sided(x[0], x[1], x[2], h[0], h[1])
            # The last point is the first one seen with time reversed.
            out[-1] = -_one_sided(x[-1], x[-2], x[-3], h[-1], h[-2])
        return out


def _central_interior(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Three-point derivative at ``x[1:-1]`` with steps ``h`` of shape (n-1, 1).

    Exact for quadratics: weights the two neighbours by the square of the
    opposite step so the second-order terms cancel.
    """
    h_minus, h_plus = h[:-1], h[1:]
    return (
        h_minus**2 * x[2:] - h_plus**2 * x[:-2] + (h_plus**2 - h_minus**2) * x[1:-1]
    ) / (h_plus * h_minus * (h_plus + h_minus))


def _one_sided(
    x0: np.ndarray, x1: np.ndarray, x2: np.ndarray, h1: np.ndarray, h2: np.ndarray
) -> np.ndarray:
    """Derivative at the end point ``x0`` from the next two samples.

    ``h1`` is the step from ``x0`` to ``x1`` and ``h2`` from ``x1`` to ``x2``.
    The weights come from differentiating the quadratic through the three
    points at the first one, so the estimate is exact for quadratics.
    """
    total = h1 + h2
    return (
        -(2 * h1 + h2) / (h1 * total) * x0
        + total / (h1 * h2) * x1
        - h1 / (h2 * total) * x2
    )
