"""Models of dynamics in the code space of an encoder: encode observations,
roll the codes out, decode them back."""

from __future__ import annotations

import numpy as np
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from sklearn_hnn._validation import check_float_array
from sklearn_hnn.estimators._energy import missing_attribute
from sklearn_hnn.estimators._inference import checked_rows


def _has_energy(model) -> bool:
    dynamics = getattr(model, "dynamics_", None) or model._part("dynamics")
    return hasattr(dynamics, "energy")


class LatentDynamicsMixin:
    """``transform``, ``inverse_transform``, ``simulate_latent``, ``simulate``
    and ``energy`` for a fitted model made of an ``autoencoder_`` (a fitted
    :class:`~sklearn_hnn.AutoencoderTransformer`) and a ``dynamics_`` model of
    its codes (a fitted dynamics estimator), observations being rows of
    ``n_features_in_`` columns."""

    def __getattr__(self, name: str):
        # Reached when ``energy`` is unavailable (``available_if``) or any
        # other lookup fails: say why the energy is missing.
        if name == "energy":
            dynamics = self.__dict__.get("dynamics_") or self._part("dynamics")
            raise missing_attribute(
                self,
                name,
                why=f"its dynamics model, {type(dynamics).__name__}, learns no "
                "energy. Use dynamics=HamiltonianRegressor() to learn one.",
            )
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}",
            name=name,
            obj=self,
        )

    def transform(self, X):
        """The codes of observations.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)
            Observations (pairs of frames).

        Returns
        -------
        ndarray of shape (n_samples, latent_dim)
            Their codes ``(z_q, z_p)``.
        """
        return self.autoencoder_.transform(checked_rows(self, X))

    def inverse_transform(self, X):
        """Observations (pairs of frames) decoded from codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, latent_dim)
            Codes.

        Returns
        -------
        ndarray of shape (n_samples, `n_features_in_`)
            Decoded observations.
        """
        check_is_fitted(self)
        return self.autoencoder_.inverse_transform(X)

    def _initial_codes(self, x0) -> tuple[np.ndarray, bool]:
        check_is_fitted(self)
        x0 = check_float_array(x0, "x0", ensure_2d=False)
        single = x0.ndim == 1
        if x0.ndim not in (1, 2) or x0.shape[-1] != self.n_features_in_:
            raise ValueError(
                f"x0 must be one observation of shape ({self.n_features_in_},) or "
                f"several of shape (n, {self.n_features_in_}); got shape "
                f"{x0.shape}."
            )
        return self.autoencoder_.transform(np.atleast_2d(x0)), single

    def simulate_latent(self, x0, t, *, method="rk4", field=None, **options):
        """Roll the learned dynamics out in code space from observations.

        Parameters
        ----------
        x0 : array-like of shape (`n_features_in_`,) or (n, `n_features_in_`)
            Initial observation(s) at time ``t[0]``, encoded first.
        t : array-like of shape (n_times,)
            Strictly monotonic times, in seconds.
        method, field, **options
            As for the dynamics model's ``simulate``: the integrator, the
            learned field to follow (``"symplectic"`` or ``"gradient"`` for a
            Hamiltonian model) and the integrator's options.

        Returns
        -------
        ndarray of shape (n_times, latent_dim) or (n, n_times, latent_dim)
            The code trajectory (or trajectories).
        """
        codes, single = self._initial_codes(x0)
        start = codes[0] if single else codes
        return self.dynamics_.simulate(start, t, method=method, field=field, **options)

    def simulate(self, x0, t, *, method="rk4", field=None, **options):
        """Roll the learned dynamics out from observations and decode the frames.

        Parameters
        ----------
        x0 : array-like of shape (`n_features_in_`,) or (n, `n_features_in_`)
            Initial observation(s) at time ``t[0]``.
        t : array-like of shape (n_times,)
            Strictly monotonic times, in seconds.
        method, field, **options
            As in :meth:`simulate_latent`.

        Returns
        -------
        ndarray of shape (n_times, `n_features_in_`) or (n, n_times, \
`n_features_in_`)
            Decoded observations (pairs of frames) along the rollout(s); NaN
            from where a rollout blew up (the dynamics model's ``simulate``
            warns then).
        """
        codes = self.simulate_latent(x0, t, method=method, field=field, **options)
        flat = codes.reshape(-1, codes.shape[-1])
        finite = np.isfinite(flat).all(axis=1)
        decoded = np.full((len(flat), self.n_features_in_), np.nan, dtype=flat.dtype)
        if finite.any():  # a rollout that blew up is NaN from then on
            decoded[finite] = self.autoencoder_.inverse_transform(flat[finite])
        return decoded.reshape(*codes.shape[:-1], decoded.shape[-1])

    @available_if(_has_energy)
    def energy(self, X):
        """The learned energy of observations (of their codes).

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)
            Observations.

        Returns
        -------
        ndarray of shape (n_samples,)
            The dynamics model's energy of each code.
        """
        return self.dynamics_.energy(self.transform(X))
