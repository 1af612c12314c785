"""A check that a saved figure keeps its labels on the canvas."""

from __future__ import annotations

from pathlib import Path


def assert_labels_on_canvas(figure, path: Path) -> None:
    """Save ``figure`` as a plain ``savefig(path)`` would, then assert that
    every non-empty axis label and title lies inside the figure."""
    figure.savefig(path)
    assert path.stat().st_size > 0
    figure.canvas.draw()
    texts = [
        text
        for ax in figure.axes
        for text in (ax.xaxis.label, ax.yaxis.label, ax.title)
        if text.get_text()
    ]
    assert texts
    canvas = figure.bbox
    outside = {
        text.get_text(): [round(float(v), 1) for v in extent.extents]
        for text in texts
        for extent in [text.get_window_extent()]
        if not (canvas.contains(*extent.p0) and canvas.contains(*extent.p1))
    }
    assert not outside, f"(x0, y0, x1, y1) outside {canvas.extents}: {outside}"
