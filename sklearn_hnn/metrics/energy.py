"""The energy error of rollouts against the truth (Table 1's metric)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sklearn_hnn._validation import check_states

#: Shapes accepted for trajectories, quoted in error messages.
_TRAJECTORY_SHAPES = "(n_times, 2d) or (n_trajectories, n_times, 2d)"


def energy_mse(
    hamiltonian: Callable[[np.ndarray], np.ndarray],
    true_trajectories: np.ndarray,
    predicted_trajectories: np.ndarray,
) -> float:
    """Mean squared difference of the true energy along two sets of trajectories.

    The metric of Greydanus et al. (2019), Table 1: evaluate the *true*
    Hamiltonian along the true and the predicted rollouts from the same initial
    states, and average the squared difference over states and times.

    Parameters
    ----------
    hamiltonian : callable
        True energy, mapping ``(..., 2d)`` to ``(...)``. It is given float64
        arrays of its own, never the caller's: it may modify them in place.
    true_trajectories : array-like of shape (n_trajectories, n_times, 2d)
        Reference rollouts; a single one may be passed as ``(n_times, 2d)``.
    predicted_trajectories : array-like of the same shape
        Rollouts of the model from the same initial states, at the same times.

    Returns
    -------
    float
        The mean over trajectories and times of the squared difference of the
        true energy along the two.

    Raises
    ------
    TypeError
        If ``hamiltonian`` is not callable or does not return numbers.
    ValueError
        If the trajectories are empty, not finite, of an odd width or of
        different shapes, or ``hamiltonian`` does not return one finite energy
        per state. A rollout that diverged to NaN or infinity is reported as
        such rather than scored.

    Examples
    --------
    >>> import numpy as np
    >>> H = lambda x: (x ** 2).sum(-1)
    >>> true = np.ones((1, 3, 2))
    >>> energy_mse(H, true, 2 * true)
    36.0
    """
    if not callable(hamiltonian):
        raise TypeError(
            "hamiltonian must be a callable mapping states (..., 2d) to energies "
            f"(...); got {hamiltonian!r}."
        )
    true_trajectories = _check_trajectories(true_trajectories, "true_trajectories")
    predicted_trajectories = _check_trajectories(
        predicted_trajectories, "predicted_trajectories"
    )
    if true_trajectories.shape != predicted_trajectories.shape:
        raise ValueError(
            "true_trajectories and predicted_trajectories must have the same shape; "
            f"got {true_trajectories.shape} and {predicted_trajectories.shape}."
        )
    difference = _energy(hamiltonian, true_trajectories, "true_trajectories") - (
        _energy(hamiltonian, predicted_trajectories, "predicted_trajectories")
    )
    return float(np.mean(difference**2))


def _check_trajectories(trajectories, name: str) -> np.ndarray:
    """``trajectories`` as a float64 array that shares no memory with them.

    ``hamiltonian`` may write into its input. Validation already converts
    lists and arrays of other dtypes into a new array; only what it returns
    as is, or as a view (float64 arrays, buffers, CPU tensors), is copied.
    A read-only view would cost nothing, but would make a ``hamiltonian``
    that writes into its input fail, and ``torch.from_numpy`` warn.
    """
    checked = check_states(
        trajectories, name, _TRAJECTORY_SHAPES, owner="energy_mse", ndims=(2, 3)
    )
    # A list or tuple is always converted into a new array.
    if not isinstance(trajectories, list | tuple) and np.may_share_memory(
        checked, trajectories
    ):
        checked = checked.copy()
    return checked


def _energy(hamiltonian, trajectories: np.ndarray, name: str) -> np.ndarray:
    """``hamiltonian(trajectories)``, checked: one finite energy per state."""
    try:
        energy = hamiltonian(trajectories)
    except (ValueError, TypeError) as exc:
        error = ValueError if isinstance(exc, ValueError) else TypeError
        raise error(f"hamiltonian could not evaluate {name}: {exc}") from exc
    expected = trajectories.shape[:-1]
    if np.iscomplexobj(energy):
        raise TypeError(f"hamiltonian must return real energies; got {energy!r}.")
    try:
        energy = np.asarray(energy, dtype=np.float64)
    except (ValueError, TypeError):
        raise TypeError(
            f"hamiltonian must return an array of energies of shape {expected}; "
            f"got {energy!r}."
        ) from None
    if energy.shape != expected:
        raise ValueError(
            f"hamiltonian must return one energy per state, shape {expected} for "
            f"{name}; got shape {energy.shape}."
        )
    if not np.all(np.isfinite(energy)):
        raise ValueError(f"hamiltonian returned NaN or infinite energies on {name}.")
    return energy
