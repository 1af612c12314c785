"""matplotlib, imported when a picture is drawn (the optional ``plot`` extra)."""

from __future__ import annotations

EXTRA = "needs the optional 'plot' extra: pip install 'sklearn-hnn[plot]'"


def pyplot():
    """``matplotlib.pyplot``; an ImportError naming the extra without it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(f"Plotting {EXTRA}") from exc
    return plt


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """``plt.subplots`` for a function given no axes: a figure whose layout
    keeps the axes' labels and titles on the canvas, so that a plain
    ``figure.savefig`` keeps them. Axes given by a user are left as they are."""
    return pyplot().subplots(nrows, ncols, layout="constrained", **kwargs)
