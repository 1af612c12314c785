"""The base class of every integration method that ``integrate`` accepts."""

from __future__ import annotations

import inspect


class Integrator:
    """Base class of the integration methods: a configured scheme.

    A method is an instance whose constructor arguments are its settings,
    stored as attributes of the same names. They are checked when it is built
    and again when :func:`~sklearn_hnn.integrate.integrate` uses it, by
    :meth:`_check_params`, which subclasses with settings override. The three
    families that ``integrate`` runs are
    :class:`~sklearn_hnn.integrate.fixed_grid.FixedStepMethod`,
    :class:`~sklearn_hnn.integrate.adaptive.AdaptiveMethod` and
    :class:`~sklearn_hnn.integrate.scipy_ivp.ScipyIVP`.
    """

    #: Whether the method is symplectic: for Hamiltonian vector fields of states
    #: ``[q, p]`` (even width) only.
    symplectic: bool = False

    def _check_params(self) -> None:
        """Raise a ValueError naming the setting at fault, if any (none here)."""

    def __repr__(self) -> str:
        """``Name(setting=value, ...)``, every constructor argument included."""
        names = [
            name
            for name, parameter in inspect.signature(type(self)).parameters.items()
            if parameter.kind is parameter.POSITIONAL_OR_KEYWORD
            or parameter.kind is parameter.KEYWORD_ONLY
        ]
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({settings})"
