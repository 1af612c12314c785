"""Point masses hanging in a chain of springs, in 3-d Cartesian coordinates."""

from __future__ import annotations

import numpy as np

from sklearn_hnn._validation import check_positive_float, check_positive_int
from sklearn_hnn.systems.mechanical import MechanicalSystem, check_per_body


class SpringPendulum(MechanicalSystem):
    """``k`` point masses in space, hanging from a fixed point by a chain of springs.

    Spring ``i`` (stiffness ``s_i``, rest length ``L_i``) joins mass ``i - 1``
    to mass ``i``; spring 1 hangs from a fixed anchor at the origin. The
    coordinates are the Cartesian positions of the masses, ``z`` pointing up:
    ``q = [x_1, y_1, z_1, ..., x_k, y_k, z_k]`` and ``p_i = m_i v_i``, so the
    mass matrix is the constant ``diag(m_1, m_1, m_1, ..., m_k, m_k, m_k)``.

    ``H = sum_i |p_i|^2 / (2 m_i) + g sum_i m_i z_i
    + sum_i s_i (|r_i - r_{i-1}| - L_i)^2 / 2``, with ``r_i`` the position of
    mass ``i`` and ``r_0 = 0`` the anchor; the potential is zero at the
    anchor's height.

    With ``drag = lambda > 0``, each mass feels ``-lambda v_i``: ``dp_i/dt``
    gains ``-lambda p_i / m_i``; see
    :class:`~sklearn_hnn.systems.MechanicalSystem`.

    Parameters
    ----------
    n_masses : int, default=1
        Number of masses and springs ``k``, at least 1.
    drag : float, default=0.0
        Drag coefficient ``lambda``, non-negative.
    masses : float or sequence of float, default=1.0
        Mass ``m_i`` of each point mass (one number for all), positive.
    stiffness : float or sequence of float, default=10.0
        Spring constant ``s_i`` of each spring (one number for all), positive.
    rest_lengths : float, sequence of float or None, default=None
        Rest length ``L_i`` of each spring (one number for all), non-negative.
        None gives Finzi et al.'s: 0 for the spring from the anchor and 1 for
        the springs between masses.
    gravity : float, default=9.81
        Gravitational acceleration ``g``, positive.

    Attributes
    ----------
    angles : tuple of int
        Empty: no coordinate is an angle.

    See Also
    --------
    ChainPendulum : Masses on rigid rods, in angular coordinates.

    Notes
    -----
    The force of a spring with a positive rest length has no direction when
    its two ends meet: the methods raise a ValueError for such states.

    References
    ----------
    Finzi, Wang & Wilson, "Simplifying Hamiltonian and Lagrangian Neural
    Networks via Explicit Constraints", NeurIPS 2020.

    Examples
    --------
    A unit mass at rest, a distance 1 below the anchor, on a spring of rest
    length 0 and stiffness 10: ``H = -g + 10 / 2``.

    >>> pendulum = SpringPendulum()
    >>> round(float(pendulum.hamiltonian([0.0, 0.0, -1.0, 0.0, 0.0, 0.0])), 12)
    -4.81
    """

    def __init__(
        self,
        n_masses: int = 1,
        drag: float = 0.0,
        masses=1.0,
        stiffness=10.0,
        rest_lengths=None,
        gravity: float = 9.81,
    ) -> None:
        n_masses = check_positive_int(n_masses, "n_masses")
        drag = self._check_drag(drag)
        masses = check_per_body(masses, "masses", n_masses)
        stiffness = check_per_body(stiffness, "stiffness", n_masses)
        if rest_lengths is None:
            rest_lengths = np.ones(n_masses)
            rest_lengths[0] = 0.0
        else:
            rest_lengths = check_per_body(
                rest_lengths, "rest_lengths", n_masses, positive=False
            )
        gravity = check_positive_float(gravity, "gravity")
        self.n_masses = n_masses
        self.drag = drag
        self.masses = masses
        self.stiffness = stiffness
        self.rest_lengths = rest_lengths
        self.gravity = gravity
        self.n_dof = 3 * n_masses
        self._diagonal = np.repeat(masses, 3)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_masses={self.n_masses}, drag={self.drag}, "
            f"masses={tuple(self.masses.tolist())}, "
            f"stiffness={tuple(self.stiffness.tolist())}, "
            f"rest_lengths={tuple(self.rest_lengths.tolist())}, "
            f"gravity={self.gravity})"
        )

    def _springs(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each spring's vector ``r_i - r_{i-1}``, ``(..., k, 3)``, and length."""
        r = q.reshape(*q.shape[:-1], self.n_masses, 3)
        span = np.diff(r, axis=-2, prepend=np.zeros_like(r[..., :1, :]))
        return span, np.linalg.norm(span, axis=-1)

    def _check_domain(self, X: np.ndarray, name: str) -> None:
        """Raise where a spring of positive rest length has zero length."""
        _, length = self._springs(X[..., : self.n_dof])
        bad = np.argwhere((length == 0) & (self.rest_lengths > 0))
        if bad.size:
            *state, spring = bad[0]
            where = f" (state {tuple(int(i) for i in state)})" if state else ""
            ends = "the anchor" if spring == 0 else f"mass {spring}"
            raise ValueError(
                f"{name} puts mass {spring + 1} at the position of {ends}{where}, "
                "where the force of their spring, of positive rest length, has "
                "no direction."
            )

    def _mass_matrix(self, q: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.diag(self._diagonal), (*q.shape, q.shape[-1])).copy()

    def _drag_matrix(self, q: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.eye(self.n_dof), (*q.shape, q.shape[-1])).copy()

    def _velocities(self, q: np.ndarray, p: np.ndarray) -> np.ndarray:
        return p / self._diagonal

    def _momenta(self, q: np.ndarray, v: np.ndarray) -> np.ndarray:
        return v * self._diagonal

    def _drag_force(self, q: np.ndarray, v: np.ndarray) -> np.ndarray:
        return -self.drag * v

    def _potential(self, q: np.ndarray) -> np.ndarray:
        _, length = self._springs(q)
        heights = q[..., 2::3]
        elastic = 0.5 * self.stiffness * (length - self.rest_lengths) ** 2
        return self.gravity * heights @ self.masses + np.sum(elastic, axis=-1)

    def _potential_gradient(self, q: np.ndarray) -> np.ndarray:
        span, length = self._springs(q)
        # Spring i pulls on mass i with -s_i (|d_i| - L_i) d_i / |d_i|, and on
        # mass i - 1 with the opposite; with L_i = 0 that is -s_i d_i.
        stretch = self.stiffness * (length - self.rest_lengths)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(self.rest_lengths > 0, stretch / length, self.stiffness)
        tension = scale[..., None] * span
        grad = tension.copy()
        grad[..., :-1, :] -= tension[..., 1:, :]
        grad[..., 2] += self.gravity * self.masses
        return grad.reshape(q.shape)

    def _kinetic_gradient(self, q: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.zeros_like(q)
