"""Pictures of dynamics in state space: phase portraits, rollouts and energy."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from sklearn.utils import Bunch

from sklearn_hnn._validation import (
    check_float_array,
    check_option,
    check_positive_int,
    check_time_grid,
)
from sklearn_hnn.plotting._backend import new_figure


def _field_and_energy(model) -> tuple[Callable, Callable | None]:
    """The vector field and the energy (or None) of a fitted estimator or a
    system."""
    if hasattr(model, "predict"):
        field = model.predict
    elif hasattr(model, "vector_field"):
        field = model.vector_field
    else:
        raise ValueError(
            "model must be a fitted dynamics estimator (with predict) or a system "
            f"(with vector_field); got {type(model).__name__}."
        )
    energy = getattr(model, "energy", None) or getattr(model, "hamiltonian", None)
    return field, energy


def _extent(extent, X) -> tuple[float, float, float, float]:
    if extent is not None:
        values = np.asarray(extent, dtype=float)
        if values.shape != (4,) or not np.all(np.isfinite(values)):
            raise ValueError(
                f"extent must be four finite numbers (q_min, q_max, p_min, p_max); "
                f"got {extent!r}."
            )
        if not (values[0] < values[1] and values[2] < values[3]):
            raise ValueError(
                f"extent must have q_min < q_max and p_min < p_max; got {extent!r}."
            )
        return tuple(values)
    if X is None:
        raise ValueError("Give X or extent: they set the extent of the plane.")
    low, high = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(high - low, 1e-6)
    return low[0] - pad[0], high[0] + pad[0], low[1] - pad[1], high[1] + pad[1]


def plot_phase_portrait(
    model=None,
    X=None,
    y=None,
    *,
    ax=None,
    extent=None,
    kind: str = "arrows",
    resolution: int = 20,
    levels=10,
):
    """A phase portrait of a one-degree-of-freedom system: data, the learned
    (or true) field, and the energy's contours.

    The paper's Figure 1 is three of these: the data, the baseline's field and
    the HNN's field with its energy.

    Parameters
    ----------
    model : fitted estimator, system or None, default=None
        Whose field is drawn on a grid: a fitted dynamics estimator
        (``predict``) or a system of :mod:`sklearn_hnn.systems`
        (``vector_field``). Its energy (``energy`` or ``hamiltonian``), where
        it has one, is drawn as contours. None draws the data only.
    X : array-like of shape (n_samples, 2) or None, default=None
        States ``[q, p]`` drawn as points (or as arrows with ``y``); they set
        the extent of the plane unless ``extent`` is given.
    y : array-like of shape (n_samples, 2) or None, default=None
        Derivatives ``dX/dt`` at ``X``, drawn as arrows.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.
    extent : tuple of 4 floats or None, default=None
        ``(q_min, q_max, p_min, p_max)`` of the grid; None takes the range of
        ``X`` with a margin.
    kind : {"arrows", "streamlines"}, default="arrows"
        How the model's field is drawn.
    resolution : int, default=20
        Grid points per axis, at least 2.
    levels : int or array-like, default=10
        Energy contour levels, as matplotlib's ``contour`` takes them.

    Returns
    -------
    Bunch
        ``ax``; ``field`` (the ``Quiver`` or ``StreamplotSet`` of the model's
        field, or None); ``contours`` (the ``QuadContourSet`` of its energy,
        or None); ``data`` (the ``PathCollection`` or ``Quiver`` of ``X``,
        or None).

    Raises
    ------
    ValueError
        When there is nothing to draw, the states are not 2 wide, ``y`` does
        not match ``X``, or there is neither ``X`` nor ``extent`` to set the
        plane.
    """
    kind = check_option(kind, "kind", ("arrows", "streamlines"))
    resolution = check_positive_int(resolution, "resolution")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2; got {resolution}.")
    if model is None and X is None:
        raise ValueError("Nothing to draw: give a model, X, or both.")
    if X is not None:
        X = check_float_array(X, "X")
        if X.shape[1] != 2:
            raise ValueError(
                f"X must hold states [q, p] of one degree of freedom (2 columns); "
                f"got {X.shape[1]}."
            )
    if y is not None:
        if X is None:
            raise ValueError("y gives the derivatives at X: give X too.")
        y = check_float_array(y, "y")
        if y.shape != X.shape:
            raise ValueError(f"y must have the shape of X, {X.shape}; got {y.shape}.")
    field = energy = None
    if model is not None:
        field, energy = _field_and_energy(model)
    q_min, q_max, p_min, p_max = _extent(extent, X)
    if model is not None:  # evaluated before anything is drawn
        q, p = np.meshgrid(
            np.linspace(q_min, q_max, resolution), np.linspace(p_min, p_max, resolution)
        )
        grid = np.stack([q.ravel(), p.ravel()], axis=1)
        flow = np.asarray(field(grid), dtype=float)
        if flow.shape != grid.shape:
            raise ValueError(
                f"model's field must map (n, 2) states to (n, 2) derivatives; got "
                f"shape {flow.shape}."
            )
        dq, dp = flow[:, 0].reshape(q.shape), flow[:, 1].reshape(q.shape)
        if energy is not None:
            values = np.asarray(energy(grid), dtype=float).reshape(q.shape)
    if ax is None:
        _, ax = new_figure(figsize=(4, 4))
    result = Bunch(ax=ax, field=None, contours=None, data=None)
    if model is not None:
        if energy is not None:
            result.contours = ax.contour(
                q, p, values, levels=levels, cmap="viridis", linewidths=1.0
            )
        if kind == "arrows":
            result.field = ax.quiver(q, p, dq, dp, color="tab:blue", alpha=0.8)
        else:
            result.field = ax.streamplot(q, p, dq, dp, color="tab:blue", density=1.0)
    if X is not None:
        if y is None:
            result.data = ax.scatter(X[:, 0], X[:, 1], s=6, c="k", alpha=0.6)
        else:
            result.data = ax.quiver(X[:, 0], X[:, 1], y[:, 0], y[:, 1], color="k")
    ax.set_xlim(q_min, q_max)
    ax.set_ylim(p_min, p_max)
    ax.set_xlabel("q")
    ax.set_ylabel("p")
    return result


def _rollouts(rollouts: Mapping, n_times: int, name: str) -> dict[str, np.ndarray]:
    if not isinstance(rollouts, Mapping) or not rollouts:
        raise ValueError(f"{name} must be a non-empty mapping of labels to arrays.")
    checked = {}
    for label, values in rollouts.items():
        array = check_float_array(
            values, f"{name}[{label!r}]", ensure_2d=False, ensure_all_finite=False
        )
        if len(array) != n_times:
            raise ValueError(
                f"{name}[{label!r}] has {len(array)} times, but t has {n_times}."
            )
        checked[str(label)] = array
    return checked


def plot_rollout(t, rollouts: Mapping, *, coordinates=None, ax=None):
    """Rollouts of several models (and the truth) over time, one line per
    coordinate and model.

    Parameters
    ----------
    t : array-like of shape (n_times,)
        Times of the rollouts.
    rollouts : mapping of str to array-like of shape (n_times, n_features)
        Label to trajectory, such as ``{"true": ..., "HNN": hnn.simulate(x0,
        t)}``. NaN (a rollout that blew up) leaves a gap.
    coordinates : sequence of int or None, default=None
        Columns to draw; None draws them all.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    Bunch
        ``ax`` and ``lines``: a dict of label to the list of ``Line2D``, one
        per coordinate.

    Raises
    ------
    ValueError
        When a rollout is not 2-D, its length is not that of ``t``, widths
        differ, or a coordinate is out of range.
    """
    t = check_time_grid(t)
    rollouts = _rollouts(rollouts, len(t), "rollouts")
    widths = {
        label: r.shape[1] if r.ndim == 2 else None for label, r in rollouts.items()
    }
    if None in widths.values() or len(set(widths.values())) != 1:
        raise ValueError(
            "rollouts must all be 2-D, (n_times, n_features), of one width; got "
            f"{ {label: r.shape for label, r in rollouts.items()} }."
        )
    width = next(iter(widths.values()))
    columns = range(width) if coordinates is None else list(coordinates)
    for column in columns:
        if not isinstance(column, (int, np.integer)) or not 0 <= column < width:
            raise ValueError(
                f"coordinates must be column indices in [0, {width}); got {column!r}."
            )
    if ax is None:
        _, ax = new_figure(figsize=(6, 3))
    lines = {}
    styles = ["-", "--", ":", "-."]
    for k, (label, rollout) in enumerate(rollouts.items()):
        lines[label] = []
        for j, column in enumerate(columns):
            (line,) = ax.plot(
                t,
                rollout[:, column],
                ls=styles[k % len(styles)],
                color=f"C{j}",
                label=f"{label}, x[{column}]" if len(columns) > 1 else label,
            )
            lines[label].append(line)
    ax.set_xlabel("t")
    ax.legend(fontsize="small")
    return Bunch(ax=ax, lines=lines)


def plot_energy(t, rollouts: Mapping, *, energy: Callable | None = None, ax=None):
    """Energy over time along several rollouts.

    Parameters
    ----------
    t : array-like of shape (n_times,)
        Times of the rollouts.
    rollouts : mapping of str to array-like
        Label to either energies of shape ``(n_times,)`` or states of shape
        ``(n_times, n_features)``, whose energy ``energy`` gives.
    energy : callable or None, default=None
        Maps states ``(n, n_features)`` to energies ``(n,)``, such as a
        system's ``hamiltonian`` (the true energy of every model's rollout)
        or a model's ``energy``. Needed when a rollout holds states.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    Bunch
        ``ax``, ``lines`` (a dict of label to ``Line2D``) and ``energies``
        (a dict of label to the ndarray of shape ``(n_times,)`` drawn).

    Raises
    ------
    ValueError
        When a rollout's length is not that of ``t``, or a rollout holds
        states and ``energy`` is None.
    """
    t = check_time_grid(t)
    rollouts = _rollouts(rollouts, len(t), "rollouts")
    energies = {}
    for label, values in rollouts.items():
        if values.ndim == 1:
            energies[label] = values
        elif values.ndim == 2:
            if energy is None:
                raise ValueError(
                    f"rollouts[{label!r}] holds states: give energy=, a function of "
                    "states such as system.hamiltonian."
                )
            finite = np.all(np.isfinite(values), axis=1)
            energies[label] = np.full(len(values), np.nan)
            if finite.any():
                energies[label][finite] = np.asarray(energy(values[finite]))
        else:
            raise ValueError(
                f"rollouts[{label!r}] must be 1-D energies or 2-D states; got "
                f"shape {values.shape}."
            )
    if ax is None:
        _, ax = new_figure(figsize=(6, 3))
    lines = {label: ax.plot(t, e, label=label)[0] for label, e in energies.items()}
    ax.set_xlabel("t")
    ax.set_ylabel("energy")
    ax.legend(fontsize="small")
    return Bunch(ax=ax, lines=lines, energies=energies)
