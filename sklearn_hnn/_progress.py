"""One progress bar for a long fit (tqdm, a dependency of skorch)."""

from __future__ import annotations

import math

from tqdm.auto import tqdm


def progress_bar(total: int, unit: str) -> tqdm:
    """A bar over ``total`` epochs or steps that shows the time left.

    It redraws at most once a second, in place, so that a long fit prints a
    single line wherever its output goes (a terminal, a notebook or a log).
    """
    return tqdm(total=total, unit=unit, mininterval=1.0, dynamic_ncols=True)


def loss_postfix(loss: float) -> dict[str, str]:
    """The bar's label for the current training loss."""
    return {"loss": f"{loss:.4g}" if math.isfinite(loss) else str(loss)}
