"""Point masses on a chain of rigid rods, in angular coordinates."""

from __future__ import annotations

import numpy as np

from sklearn_hnn._validation import check_positive_float, check_positive_int
from sklearn_hnn.systems.mechanical import MechanicalSystem, check_per_body


class ChainPendulum(MechanicalSystem):
    """``k`` point masses hanging in a chain of massless rigid rods, in the plane.

    Rod ``i`` (of length ``l_i``) joins mass ``i - 1`` to mass ``i``; rod 1
    hangs from a fixed pivot at the origin. The coordinates are the absolute
    angles ``theta_i`` of the rods from the downward vertical (not the angles
    between consecutive rods), so mass ``i`` sits at
    ``x_i = sum_{j<=i} l_j sin(theta_j)``, ``y_i = -sum_{j<=i} l_j cos(theta_j)``.

    ``H = p^T M(theta)^-1 p / 2 + V(theta)``, with the mass matrix
    ``M_jk = mu_max(j,k) l_j l_k cos(theta_j - theta_k)``, where ``mu_j`` is
    the total mass from mass ``j`` to the end of the chain, and the potential
    ``V = g sum_i m_i y_i`` (zero at the height of the pivot, as in Finzi et
    al.). For ``k >= 2``, ``p`` is not ``(m l^2) dtheta/dt`` of each rod: use
    :meth:`to_velocities` and :meth:`to_momenta` to convert.

    With ``drag = lambda > 0``, each mass feels ``-lambda v_i``; see
    :class:`~sklearn_hnn.systems.MechanicalSystem`.

    Parameters
    ----------
    n_links : int, default=1
        Number of rods and masses ``k``, at least 1.
    drag : float, default=0.0
        Drag coefficient ``lambda``, non-negative.
    masses : float or sequence of float, default=1.0
        Mass ``m_i`` of each point mass (one number for all), positive.
    lengths : float or sequence of float, default=1.0
        Length ``l_i`` of each rod (one number for all), positive.
    gravity : float, default=9.81
        Gravitational acceleration ``g``, positive.

    Attributes
    ----------
    angles : tuple of int
        Every coordinate is an angle: ``(0, ..., k - 1)``.

    See Also
    --------
    Pendulum : The one-link chain, with its energy zero at the bottom.
    SpringPendulum : Masses joined by springs, in Cartesian coordinates.

    References
    ----------
    Finzi, Wang & Wilson, "Simplifying Hamiltonian and Lagrangian Neural
    Networks via Explicit Constraints", NeurIPS 2020.

    Examples
    --------
    A double pendulum at rest, hanging straight down, has energy
    ``-g (2 m l + m l) = -3 g`` for unit masses and rods:

    >>> chain = ChainPendulum(n_links=2)
    >>> float(chain.hamiltonian(np.zeros(4)))
    -29.43
    """

    def __init__(
        self,
        n_links: int = 1,
        drag: float = 0.0,
        masses=1.0,
        lengths=1.0,
        gravity: float = 9.81,
    ) -> None:
        n_links = check_positive_int(n_links, "n_links")
        drag = self._check_drag(drag)
        masses = check_per_body(masses, "masses", n_links)
        lengths = check_per_body(lengths, "lengths", n_links)
        gravity = check_positive_float(gravity, "gravity")
        self.n_links = n_links
        self.drag = drag
        self.masses = masses
        self.lengths = lengths
        self.gravity = gravity
        self.n_dof = n_links
        self.angles = tuple(range(n_links))
        # mu_j, the mass from mass j to the end, and the number of masses
        # there; their values at max(j, k) weigh M and D.
        tail_mass = np.cumsum(masses[::-1])[::-1]
        tail_count = np.arange(n_links, 0, -1, dtype=np.float64)
        last = np.maximum.outer(np.arange(n_links), np.arange(n_links))
        rods = np.outer(lengths, lengths)
        self._mass_weights = tail_mass[last] * rods
        self._drag_weights = tail_count[last] * rods
        self._potential_scale = gravity * tail_mass * lengths

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_links={self.n_links}, drag={self.drag}, "
            f"masses={tuple(self.masses.tolist())}, "
            f"lengths={tuple(self.lengths.tolist())}, gravity={self.gravity})"
        )

    @staticmethod
    def _cos_sin_differences(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``cos`` and ``sin`` of ``theta_j - theta_k``, each ``(..., k, k)``."""
        c, s = np.cos(q), np.sin(q)
        cos = c[..., :, None] * c[..., None, :] + s[..., :, None] * s[..., None, :]
        sin = s[..., :, None] * c[..., None, :] - c[..., :, None] * s[..., None, :]
        return cos, sin

    def _mass_matrix(self, q: np.ndarray) -> np.ndarray:
        return self._mass_weights * self._cos_sin_differences(q)[0]

    def _drag_matrix(self, q: np.ndarray) -> np.ndarray:
        return self._drag_weights * self._cos_sin_differences(q)[0]

    def _potential(self, q: np.ndarray) -> np.ndarray:
        return -np.sum(self._potential_scale * np.cos(q), axis=-1)

    def _potential_gradient(self, q: np.ndarray) -> np.ndarray:
        return self._potential_scale * np.sin(q)

    def _kinetic_gradient(self, q: np.ndarray, v: np.ndarray) -> np.ndarray:
        # dM_jk/dtheta_a = -w_jk sin(theta_j - theta_k) (delta_ja - delta_ka),
        # so -v^T (dM/dtheta_a) v / 2 = v_a sum_k w_ak sin(theta_a - theta_k) v_k.
        coupling = self._mass_weights * self._cos_sin_differences(q)[1]
        return v * (coupling @ v[..., None])[..., 0]

    def _vector_field(self, X: np.ndarray) -> np.ndarray:
        # MechanicalSystem._vector_field in one pass, the trigonometry shared:
        # it is most of the cost of simulating a chain.
        q, p = self._split(X)
        cos, sin = self._cos_sin_differences(q)
        v = np.linalg.solve(self._mass_weights * cos, p[..., None])
        dp_dt = -(v[..., 0] * ((self._mass_weights * sin) @ v)[..., 0])
        dp_dt -= self._potential_scale * np.sin(q)
        if self.drag:
            dp_dt -= self.drag * ((self._drag_weights * cos) @ v)[..., 0]
        return np.concatenate([v[..., 0], dp_dt], axis=-1)
