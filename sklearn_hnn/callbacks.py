"""skorch callbacks that know about sklearn-hnn estimators."""

from __future__ import annotations

import json
import os

from sklearn_hnn import persistence
from sklearn_hnn._validation import check_output_file, check_positive_int
from sklearn_hnn.estimators._net import EstimatorCallback


class Checkpoint(EstimatorCallback):
    """Save the estimator during training, in the format of
    :func:`sklearn_hnn.persistence.save`.

    Every ``every`` epochs, and when training ends (including after a Ctrl-C,
    or a :class:`~sklearn_hnn.exceptions.TrainingDivergedError`), the estimator
    with the weights, optimizer state and history reached so far is written to
    ``path``, atomically: a crash while writing leaves the previous checkpoint
    whole. An epoch whose loss is not finite is never saved: after a
    divergence the checkpoint holds the last finite epoch, as the estimator
    does. Resume with::

        est = sklearn_hnn.persistence.load(path)
        est.set_params(warm_start=True, max_epochs=remaining).fit(X, y)

    or call ``est.partial_fit(X, y)`` one epoch at a time.

    Parameters
    ----------
    path : str or os.PathLike
        File to write (overwritten at each save). It is checked before
        training starts: a directory, or a path under a file, is refused then.
    every : int, default=1
        Save after every ``every``-th epoch (counted over the whole history).

    Examples
    --------
    >>> from sklearn_hnn import HamiltonianRegressor
    >>> from sklearn_hnn.callbacks import Checkpoint
    >>> est = HamiltonianRegressor(callbacks=[Checkpoint("hnn.pt", every=100)])
    """

    def __init__(self, path: str | os.PathLike, every: int = 1) -> None:
        self.path = path
        self.every = every

    def initialize(self) -> Checkpoint:
        """Check ``path`` and ``every`` and forget any earlier binding.

        skorch calls it when the net initialises its callbacks, before any
        training, so a path that cannot be written fails before the first epoch
        rather than at its end.

        Returns
        -------
        Checkpoint
            This callback.

        Raises
        ------
        ValueError
            If ``every`` is not an integer >= 1, or ``path`` is empty.
        TypeError
            If ``path`` is not a str or path-like object.
        IsADirectoryError
            If ``path`` is a directory.
        NotADirectoryError
            If a parent of ``path`` is a file, not a directory.
        """
        check_positive_int(self.every, "every")
        check_output_file(self.path)
        self.header_ = None
        self.estimator_ = self.record_ = None
        self.saved_ = None  # what the last save held; see _held
        return self

    def bind(self, estimator, record: dict) -> None:
        """Called by the estimator at the start of ``fit``: what to save besides
        the net.

        Parameters
        ----------
        estimator : estimator
            The estimator being trained (a registered one, see
            :func:`sklearn_hnn.persistence.save`); its parameters are saved.
        record : dict
            The fitted state it will have once trained besides the net
            (widths, feature names, normalisation), which the estimator writes
            into the file.
        """
        # The callbacks are not saved; no need to warn the user who chose them.
        self.header_ = persistence.header(estimator, warn_callbacks=False)
        self.estimator_, self.record_ = estimator, record

    def _save(self, net) -> None:
        if self.header_ is None:
            raise RuntimeError(
                "sklearn_hnn.callbacks.Checkpoint saves sklearn-hnn estimators; use "
                "it in an estimator's callbacks, or skorch's Checkpoint for a net."
            )
        entries = self.estimator_._saved_entries(self.record_, net)
        persistence.write(self.path, self.header_, entries)
        self.saved_ = self._held(net)

    @staticmethod
    def _held(net) -> tuple:
        """What a save holds, cheaply told apart: the weights' version counters
        (every in-place change of a weight, a step or a load, advances them),
        the learning rates (a scheduler after this callback changes them) and
        the last epoch's record (callbacks after this one add to it)."""
        versions = tuple(p._version for p in net.module_.state_dict().values())
        lrs = tuple(group["lr"] for group in net.optimizer_.param_groups)
        last = json.dumps(net.history[-1], default=float) if net.history else None
        return len(net.history), versions, lrs, last

    def on_epoch_end(self, net, **kwargs) -> None:
        """Save if the number of epochs in the history is a multiple of ``every``.

        Parameters
        ----------
        net : skorch.NeuralNet
            The estimator's net, whose weights, optimizer state and history are
            saved.
        **kwargs
            Further arguments from skorch, unused.
        """
        if len(net.history) % self.every == 0:
            self._save(net)

    def save_final(self, net) -> None:
        """Save the net as training ended, unless the last save holds it already.

        The estimator calls it once every callback's ``on_train_end`` has run,
        so that weights a callback restores there (such as skorch's
        ``EarlyStopping`` with ``load_best=True``) are the ones saved; and
        after a divergence or a Ctrl-C too.

        Parameters
        ----------
        net : skorch.NeuralNet
            The estimator's net, whose weights, optimizer state and history are
            saved.
        """
        if self._held(net) != self.saved_:
            self._save(net)


__all__ = ["Checkpoint"]
