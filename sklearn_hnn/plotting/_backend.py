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
