"""Plots are optional: matplotlib is imported only when a plot is drawn.

Without it the experiments still compute and print their numbers, and say
how to get the pictures. The Agg backend writes PNG files; no display needed.
"""

import contextlib
from pathlib import Path

from ..safe_write import replacing, shown

PLOTS_HINT = (
    "matplotlib is not installed, so no plots were drawn; for plots: pip install tinygrad-bn[plots]"
)
DPI = 80
_drawing = [True]  # False inside `no_plots()`


@contextlib.contextmanager
def no_plots():
    """Within this block `draw_plots` draws nothing (the quiet seeds of a multi-seed run)."""
    _drawing.append(False)
    try:
        yield
    finally:
        _drawing.pop()


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend, or None if matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_plots(plot, *args, announce=True) -> list[Path]:
    """Files written by `plot(plt, *args)`, printed one per line.

    Without matplotlib: the hint and []; inside `no_plots()`: just []."""
    if not _drawing[-1]:
        return []
    plt = pyplot()
    if plt is None:
        print(f"  {PLOTS_HINT}")
        return []
    files = plot(plt, *args)
    if announce:
        for path in files:
            print(f"  plot: {shown(path)}")
    return files


def save(fig, path) -> Path:
    """Write `fig` as a small PNG and close it (figures otherwise pile up in memory)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    with replacing(path) as tmp:  # Ctrl-C leaves the old picture or the new one, never half
        fig.savefig(tmp, dpi=DPI)
    pyplot().close(fig)
    return path
