"""The skorch side of the estimators: a net and a fast batch iterator."""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch
from torch.utils.data import Subset


def _tensors_of(dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """``(X, y)`` of a skorch ``Dataset`` holding tensors, or a ``Subset`` of one."""
    if isinstance(dataset, Subset):
        X, y = _tensors_of(dataset.dataset)
        index = torch.as_tensor(dataset.indices, dtype=torch.long)
        return X[index], y[index]
    return torch.as_tensor(dataset.X), torch.as_tensor(dataset.y)


class TensorBatchIterator:
    """Batches sliced from whole tensors, replacing skorch's ``DataLoader``.

    A ``DataLoader`` fetches and collates every sample on its own, which costs
    more than a small network's training step; slicing costs one indexing
    operation per batch. Shuffling uses torch's global generator, which the
    estimators seed.

    Parameters
    ----------
    dataset : skorch.dataset.Dataset or torch.utils.data.Subset
        Holds ``X`` and ``y`` as tensors.
    batch_size : int
        Samples per batch; the last batch may be smaller.
    shuffle : bool, default=False
        Draw a new permutation at each pass.
    """

    def __init__(self, dataset, batch_size: int, shuffle: bool = False) -> None:
        self.X, self.y = _tensors_of(dataset)
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self) -> int:
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.X)
        if self.batch_size >= n:
            yield self.X, self.y
            return
        order = torch.randperm(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                yield (
                    self.X[start : start + self.batch_size],
                    self.y[start : start + self.batch_size],
                )
            else:
                index = order[start : start + self.batch_size]
                yield self.X[index], self.y[index]
