"""Rolling a fitted dynamics model out in time: :meth:`SimulationMixin.simulate`."""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_hnn._threads import threads_for
from sklearn_hnn._validation import check_2d, check_float_array, check_option, shape_of
from sklearn_hnn.exceptions import DivergenceWarning
from sklearn_hnn.integrate import integrate
from sklearn_hnn.nn.frozen import Field


class SimulationMixin:
    """``simulate`` for fitted estimators whose module is a vector field.

    The estimator provides ``n_features_in_``, ``n_outputs_``, ``module_``,
    the normalisation its module was trained with (``_normalization()``),
    ``_to_tensor(X, dtype)`` (an array on the module's device) and
    the fields a user may follow (``_simulation_fields``: names mapped to
    methods of the module, the first the default).
    """

    _simulation_fields: ClassVar[dict[str, str]] = {"learned": "forward"}

    def _check_initial_states(self, x0) -> tuple[np.ndarray, bool]:
        shape = shape_of(x0)
        if shape is None or len(shape) not in (1, 2):
            raise ValueError(
                f"x0 must have shape ({self.n_features_in_},) or "
                f"(n, {self.n_features_in_}); got shape {shape}."
            )
        single = len(shape) == 1
        if single and shape[0] != self.n_features_in_:
            raise ValueError(
                f"x0 has width {shape[0]}, but this model was fitted on states "
                f"of width {self.n_features_in_}."
            )
        if single:  # one row, keeping a Series' labels as column names
            if hasattr(x0, "to_frame"):
                x0 = x0.to_frame().T
            elif isinstance(x0, torch.Tensor):
                x0 = x0[None]
            else:
                x0 = np.atleast_2d(np.asarray(x0))
        else:
            check_2d(x0, "x0")
        states = check_float_array(x0, "x0")
        if states.shape[1] != self.n_features_in_:
            raise ValueError(
                f"x0 has width {states.shape[1]}, but this model was fitted on "
                f"states of width {self.n_features_in_}."
            )
        validate_data(self, x0, reset=False, skip_check_array=True)  # names
        return states, single

    def _vector_field(self, field: str | None) -> tuple[Field, bool]:
        """The learned field ``field`` in physical units, and whether it is
        frozen (:func:`~sklearn_hnn.nn.freeze_field`: the same function in
        far fewer torch operations, without autograd, capturable in a CUDA
        graph); a module that cannot be frozen runs its own method."""
        name = next(iter(self._simulation_fields)) if field is None else field
        check_option(name, "field", self._simulation_fields)
        module = self._normalization().wrap(self.module_)
        return module.field(self._simulation_fields[name])

    def simulate(self, x0, t, *, method="rk4", field: str | None = None, **options):
        """Roll the learned dynamics out from one or many initial states.

        All initial states are integrated together in one batched torch
        computation (see :func:`sklearn_hnn.integrate.integrate`), in the
        dtype of ``x0`` (float64 by default) while the network runs in
        float32.

        Parameters
        ----------
        x0 : array-like of shape (n_features,) or (n_trajectories, n_features)
            Initial state(s) at time ``t[0]``.
        t : array-like of shape (n_times,)
            Strictly monotonic times. A decreasing ``t`` integrates backwards,
            so rolling out forward and then back returns to ``x0``.
        method : str or stepper instance, default="rk4"
            The integrator: ``"rk4"``, ``"midpoint"``, ``"euler"``, the
            symplectic ``"leapfrog"`` (separable ``H`` only),
            ``"implicit_midpoint"`` and ``"tao"``, the adaptive ``"dopri5"``,
            ``"scipy"``, or a configured stepper such as
            ``sklearn_hnn.integrate.Tao(omega=10.0)``. See
            :mod:`sklearn_hnn.integrate`.
        field : str or None, default=None
            Which learned field to follow; ``None`` is the model's dynamics.
            See the estimator's documentation for the choices.
        **options
            Passed to :func:`~sklearn_hnn.integrate.integrate`: ``substeps``
            (fixed-step methods), ``rtol``, ``atol`` and ``max_steps``
            (adaptive methods) and ``max_growth`` (a trajectory whose state
            stops being finite or grows beyond ``max_growth * max(1,
            max|x0|)`` is stopped, with NaN from then on and a
            :class:`~sklearn_hnn.exceptions.DivergenceWarning` naming it).

        Returns
        -------
        ndarray of shape (n_times, n_features) or (n_trajectories, n_times, \
n_features)
            The trajectory (or trajectories); entry ``[..., 0, :]`` is ``x0``.
        """
        check_is_fitted(self)
        for name in ("cuda_graph", "return_report"):
            if name in options:
                raise TypeError(
                    f"simulate() got an unexpected keyword argument {name!r}"
                )
        if self.n_outputs_ != self.n_features_in_:
            raise ValueError(
                "simulate needs a vector field, but this model was fitted on y of "
                f"width {self.n_outputs_} for X of width {self.n_features_in_}."
            )
        x0, single = self._check_initial_states(x0)
        state_dtype = torch.float64 if x0.dtype == np.float64 else torch.float32
        vector_field, frozen = self._vector_field(field)
        x0_tensor = self._to_tensor(x0, state_dtype)
        self.module_.eval()
        # inference_mode trims every torch operation a little, but forbids the
        # autograd that an unfrozen field may need for its input gradient.
        no_autograd = torch.inference_mode() if frozen else torch.no_grad()
        widest = max(
            (m.weight.shape[0] for m in self.module_.modules() if hasattr(m, "weight")),
            default=1,
        )
        threads = threads_for(len(x0_tensor), widest, x0_tensor.device)
        with no_autograd, threads:  # integrate validates t, method and the options
            states, report = integrate(
                vector_field,
                x0_tensor,
                t,
                method,
                **options,
                cuda_graph=frozen,  # a frozen field is capturable
                return_report=True,
            )
        if report is not None:
            warnings.warn(report, DivergenceWarning, stacklevel=2)
        out = states.transpose(0, 1).cpu().numpy()
        return out[0] if single else out
