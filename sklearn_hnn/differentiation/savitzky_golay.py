"""Smoothed derivatives from local least-squares polynomials on uneven grids."""

from __future__ import annotations

from numbers import Integral

import numpy as np

from sklearn_hnn.differentiation.base import Differentiator


class SavitzkyGolay(Differentiator):
    """Savitzky-Golay derivative that uses the actual (possibly uneven) times.

    At each sample ``i``, a polynomial of degree ``polyorder`` in ``t - t[i]``
    is fitted by least squares to ``window_length`` consecutive samples, and
    its slope at ``t[i]`` is the estimate. The window is centred on ``i`` and
    shifted inwards near the ends of a segment so that it never leaves it.
    Because the fit is done in the real time offsets, uneven sampling is
    handled correctly, which the classic fixed-coefficient filter (e.g.
    :func:`scipy.signal.savgol_filter`) does not do.

    Fitting over several samples averages out measurement noise, so this is the
    method to use on noisy data; widen the window for more smoothing, at the
    cost of bias where the signal curves faster than the polynomial can follow.

    Parameters
    ----------
    window_length : int, default=7
        Number of samples in each fit; odd and at least 3.
    polyorder : int, default=3
        Degree of the fitted polynomial, ``1 <= polyorder < window_length``.
        The estimate is exact for polynomials of this degree or lower.

    Attributes
    ----------
    min_points : int
        Equal to ``window_length``: a segment needs at least one full window.

    References
    ----------
    .. [1] A. Savitzky and M. J. E. Golay, "Smoothing and Differentiation of
       Data by Simplified Least Squares Procedures", Analytical Chemistry 36(8),
       pp. 1627-1639, 1964.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hnn.differentiation import SavitzkyGolay
    >>> t = np.array([0.0, 0.1, 0.3, 0.4, 0.7])
    >>> x = (t**3 - t)[:, None]
    >>> deriv = SavitzkyGolay(window_length=5, polyorder=3)
    >>> print(np.round(deriv.differentiate_segment(x, t).ravel(), 6))
    [-1.   -0.97 -0.73 -0.52  0.47]
    """

    def __init__(self, window_length: int = 7, polyorder: int = 3) -> None:
        self.window_length = window_length
        self.polyorder = polyorder
        self._check_params()

    def _check_params(self) -> None:
        window_length, polyorder = self.window_length, self.polyorder
        if (
            isinstance(window_length, bool)
            or not isinstance(window_length, Integral)
            or window_length < 3
            or window_length % 2 == 0
        ):
            raise ValueError(
                f"window_length must be an odd integer >= 3; got {window_length!r}."
            )
        if (
            isinstance(polyorder, bool)
            or not isinstance(polyorder, Integral)
            or not 1 <= polyorder < window_length
        ):
            raise ValueError(
                "polyorder must be an integer with 1 <= polyorder < window_length "
                f"(= {window_length}); got {polyorder!r}."
            )
        self.window_length = int(window_length)
        self.polyorder = int(polyorder)

    @property
    def min_points(self) -> int:
        """Fewest samples a segment needs: ``window_length``."""
        return self.window_length

    def __repr__(self) -> str:
        return (
            f"SavitzkyGolay(window_length={self.window_length}, "
            f"polyorder={self.polyorder})"
        )

    def differentiate_segment(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Slope of the local least-squares polynomial at every sample.

        Parameters
        ----------
        x : array-like of shape (n, n_features)
            Samples of one segment, ``n >= window_length``.
        t : array-like of shape (n,)
            Strictly increasing times.

        Returns
        -------
        ndarray of shape (n, n_features)
            Estimate of ``dx/dt`` at every ``t[i]``, float64.

        Raises
        ------
        ValueError
            If ``x`` is not a finite 2-D array with at least ``window_length`` rows, or
            ``t`` does not hold one finite time per row, strictly increasing.
        """
        x, t = self._check_segment(x, t)
        n, width = len(t), self.window_length
        # Window of every sample: centred, then clipped to stay in the segment.
        start = np.clip(np.arange(n) - width // 2, 0, n - width)
        window = start[:, None] + np.arange(width)  # (n, width)
        offsets = t[window] - t[:, None]  # (n, width)
        # Measure offsets in mean steps of their window (so |offset| < width)
        # whatever the time unit: the Vandermonde matrices stay well conditioned.
        scale = (t[window[:, -1]] - t[window[:, 0]]) / (width - 1)  # (n,)
        powers = np.arange(self.polyorder + 1)
        vandermonde = (offsets / scale[:, None])[..., None] ** powers
        # With V = QR, the least-squares coefficients are R^-1 Q^T x, so the
        # linear coefficient (the slope at t[i], in scaled time) is w^T x with
        # w = Q R^-T e_1. The times in a window are distinct, so R is invertible.
        q, r = np.linalg.qr(vandermonde)  # (n, width, k), (n, k, k)
        unit = np.zeros((n, self.polyorder + 1, 1))
        unit[:, 1] = 1.0
        slope_weights = (q @ np.linalg.solve(np.swapaxes(r, 1, 2), unit))[..., 0]
        slopes = np.einsum("nw,nwf->nf", slope_weights, x[window])
        return slopes / scale[:, None]
