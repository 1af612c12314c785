"""Scorers that judge a dynamics model by its rollouts, for model selection.

A derivative's R² (the estimators' ``score``) can rate two models alike whose
rollouts part ways within a few periods: what matters for dynamics is where
the model goes. These scorers roll the model out from the first state of each
held-out trajectory over that trajectory's own times and compare. They take
the rows of ``X`` with their times ``t`` and trajectory labels ``groups``, as
the estimators' ``fit`` and ``score`` do; in ``GridSearchCV`` and
``cross_validate`` these reach the scorer through scikit-learn's metadata
routing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.utils.metadata_routing import MetadataRequest

from sklearn_hnn._validation import check_float_array, check_positive_int

_ROUTING = (
    "In GridSearchCV or cross_validate, enable metadata routing so that t and "
    "groups reach the scorer: sklearn.set_config(enable_metadata_routing=True), "
    "then pass them to the search's fit: search.fit(X, y, t=t, groups=groups)."
)


class _TrajectoryScorer:
    """What both scorers share: the routing request for ``t`` and ``groups``,
    the split of rows into trajectories, and batched rollouts."""

    def __init__(self, *, method="rk4", substeps: int | None = 10) -> None:
        self.method = method
        self.substeps = substeps

    def get_metadata_routing(self) -> MetadataRequest:
        """The scorer asks for ``t`` and ``groups`` of the scored rows.

        Returns
        -------
        MetadataRequest
            ``t`` and ``groups`` requested by ``score``.
        """
        request = MetadataRequest(owner=type(self).__name__)
        request.score.add_request(param="t", alias=True)
        request.score.add_request(param="groups", alias=True)
        return request

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(method={self.method!r}, substeps={self.substeps})"
        )

    def _rollouts(self, estimator, X, t, groups) -> tuple[list, list]:
        """Each trajectory's rows and the model's rollout from its first row,
        over its times; NaN where a rollout blew up."""
        if t is None:
            raise ValueError(
                f"{type(self).__name__} needs the times t of the scored rows (and "
                f"groups, when they hold several trajectories). {_ROUTING}"
            )
        options = {}
        if self.substeps is not None:
            options["substeps"] = check_positive_int(self.substeps, "substeps")
        X = check_float_array(X, "X", dtype=np.float64)
        t = check_float_array(t, "t", dtype=np.float64, ensure_2d=False)
        if t.shape != (len(X),):
            raise ValueError(
                f"t must hold one time per row of X, shape ({len(X)},); got shape "
                f"{t.shape}."
            )
        if groups is None:
            groups = np.zeros(len(X), dtype=int)
        groups = np.asarray(groups)
        if groups.shape != (len(X),):
            raise ValueError(
                f"groups must hold one label per row of X, shape ({len(X)},); got "
                f"shape {groups.shape}."
            )
        _, first, labels = np.unique(groups, return_index=True, return_inverse=True)
        trajectories, grids = [], []
        for label in np.argsort(first):  # in order of appearance
            rows = np.flatnonzero(labels == label)
            rows = rows[np.argsort(t[rows], kind="stable")]  # shuffled splits
            if len(rows) < 2:
                continue  # nothing to roll out
            times = t[rows]
            if not np.all(np.diff(times) > 0):
                raise ValueError(
                    "t must not repeat within a trajectory; it does in the "
                    f"trajectory of groups={groups[rows[0]]!r}."
                )
            trajectories.append(X[rows])
            grids.append(times - times[0])  # the dynamics do not depend on t
        # One batched rollout per distinct time grid (usually one in all).
        batches: dict[bytes, list[int]] = {}
        for i, grid in enumerate(grids):
            batches.setdefault(grid.tobytes(), []).append(i)
        rollouts: list = [None] * len(trajectories)
        for members in batches.values():
            x0 = np.stack([trajectories[i][0] for i in members])
            batch = estimator.simulate(
                x0, grids[members[0]], method=self.method, **options
            )
            for i, rollout in zip(members, batch, strict=True):
                rollouts[i] = rollout
        if not trajectories:
            raise ValueError(
                "No trajectory of the scored rows has two or more points to roll "
                "out; check groups."
            )
        return trajectories, rollouts


class RolloutScorer(_TrajectoryScorer):
    """Scorer: minus the mean squared error of rollouts from each held-out
    trajectory's first state.

    ``scorer(estimator, X, y=None, t=t, groups=groups)`` splits the rows of
    ``X`` into trajectories by ``groups`` (in any row order: each is sorted
    by ``t``), rolls ``estimator`` out from each trajectory's earliest state
    over its times with :meth:`simulate`, and returns minus the squared state
    error averaged over times, features and trajectories (greater is better).
    Trajectories of a single row have nothing to roll out and are left out. A
    rollout that blew up scores ``-inf``. ``y`` is ignored: no derivatives
    are needed.

    Parameters
    ----------
    method : str or stepper instance, default="rk4"
        The integrator of the rollouts, as :meth:`simulate` takes it.
    substeps : int or None, default=10
        Steps of a fixed-step integrator per interval of each trajectory's
        time grid; None for an adaptive ``method`` (``"dopri5"``,
        ``"scipy"``).

    See Also
    --------
    EnergyDriftScorer : How far an energy drifts along the model's rollouts.

    Examples
    --------
    >>> import numpy as np
    >>> import sklearn
    >>> from sklearn.model_selection import GridSearchCV, GroupKFold
    >>> from sklearn_hnn import HamiltonianRegressor
    >>> from sklearn_hnn.datasets import make_spring_dataset
    >>> from sklearn_hnn.metrics import RolloutScorer
    >>> data = make_spring_dataset(n_trajectories=6, random_state=0)
    >>> X, y = data.X_train, data.dXdt_train
    >>> groups = np.repeat(np.arange(3), len(data.t))
    >>> t = np.tile(data.t, 3)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     hnn = HamiltonianRegressor(hidden_layer_sizes=(32,), max_epochs=20)
    ...     hnn = hnn.set_fit_request(t=False, groups=False)  # fit takes dX/dt
    ...     search = GridSearchCV(hnn, {"lr": [1e-3, 1e-2]}, cv=GroupKFold(3),
    ...                           scoring=RolloutScorer()).fit(X, y, t=t, groups=groups)
    >>> search.best_params_["lr"] in (1e-3, 1e-2), bool(search.best_score_ <= 0)
    (True, True)
    """

    def __call__(self, estimator, X, y=None, *, t=None, groups=None) -> float:
        trajectories, rollouts = self._rollouts(estimator, X, t, groups)
        errors = [
            np.mean((rollout - truth) ** 2)
            for truth, rollout in zip(trajectories, rollouts, strict=True)
        ]
        error = float(np.mean(errors))
        return -error if np.isfinite(error) else -np.inf


class EnergyDriftScorer(_TrajectoryScorer):
    """Scorer: minus the drift of an energy along the model's own rollouts.

    ``scorer(estimator, X, y=None, t=t, groups=groups)`` rolls ``estimator``
    out from each held-out trajectory's earliest state over its times (as
    :class:`RolloutScorer` does) and returns minus ``|E(x(t)) - E(x(t_0))|``
    along the rollouts, averaged over times and trajectories, in the units of
    ``E``. ``E`` is the model's learned ``energy`` by default (defined up to
    a constant, which cancels here): a conserving model scores near 0, one
    whose rollouts leak or gain energy below. A rollout that blew up scores
    ``-inf``.

    Parameters
    ----------
    energy : callable or None, default=None
        ``energy(states)`` for states ``(n, n_features)``, such as a system's
        true ``hamiltonian``, which also scores models without an energy of
        their own (the baseline). None uses the estimator's ``energy``.
    method : str or stepper instance, default="rk4"
        The integrator of the rollouts, as :meth:`simulate` takes it.
    substeps : int or None, default=10
        Steps of a fixed-step integrator per interval of each trajectory's
        time grid; None for an adaptive ``method`` (``"dopri5"``,
        ``"scipy"``).

    See Also
    --------
    RolloutScorer : The state error of the rollouts.
    """

    def __init__(
        self,
        energy: Callable | None = None,
        *,
        method="rk4",
        substeps: int | None = 10,
    ) -> None:
        super().__init__(method=method, substeps=substeps)
        self.energy = energy

    def __call__(self, estimator, X, y=None, *, t=None, groups=None) -> float:
        energy = self.energy
        if energy is None:
            if not hasattr(estimator, "energy"):
                raise ValueError(
                    f"{type(estimator).__name__} learns no energy: give "
                    "EnergyDriftScorer(energy=...) an energy to measure along its "
                    "rollouts, such as the system's hamiltonian."
                )
            energy = estimator.energy
        _, rollouts = self._rollouts(estimator, X, t, groups)
        drifts = []
        for rollout in rollouts:
            if not np.all(np.isfinite(rollout)):
                return -np.inf
            values = np.asarray(energy(rollout), dtype=np.float64)
            drifts.append(np.mean(np.abs(values - values[0])))
        drift = float(np.mean(drifts))
        return -drift if np.isfinite(drift) else -np.inf

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(energy={self.energy!r}, method={self.method!r}, "
            f"substeps={self.substeps})"
        )
