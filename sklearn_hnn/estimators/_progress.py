"""A skorch callback that draws one progress bar over a fit's epochs."""

from __future__ import annotations

from skorch.callbacks import Callback

from sklearn_hnn._progress import loss_postfix, progress_bar


class EpochProgress(Callback):
    """One bar over the epochs of a fit, with the last epoch's training loss.

    The estimators add it at ``verbose=1`` in place of skorch's per-epoch
    table (which ``verbose >= 2`` keeps). The number of epochs comes from the
    net's ``epochs_planned`` (set by the estimator for this fit), else its
    ``max_epochs``. The bar lives only while training: a fitted model keeps
    no handle on the terminal, so it pickles and copies as any other.
    """

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self._close()  # one left open by a fit that raised
        total = getattr(net, "epochs_planned", None) or net.max_epochs
        self.bar_ = progress_bar(total, unit="epoch")

    def on_epoch_end(self, net, **kwargs):
        bar = self.__dict__.get("bar_")
        if bar is None:
            return
        bar.set_postfix(loss_postfix(net.history[-1, "train_loss"]), refresh=False)
        bar.update(1)
        if bar.n >= bar.total:
            self._close()

    def on_train_end(self, net, X=None, y=None, **kwargs):
        self._close()

    def _close(self) -> None:
        bar = self.__dict__.pop("bar_", None)
        if bar is not None:
            bar.close()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("bar_", None)  # a terminal handle does not pickle
        return state
