"""DOT text in, SVG/PNG/PDF bytes out: which Graphviz program lays the graph out, for how long.

Two programs can do it:

    graphviz-pure   a self-contained port of Graphviz's `dot`, installed by pip with this package:
                    SVG and PNG, fonts bundled, the same picture on every machine
    dot             the system's Graphviz (apt-get / brew / conda install graphviz); PDF needs it

The choice, in order: the `renderer=` argument, else the environment variable
TINYGRAD_BN_RENDERER, else "auto" (graphviz-pure for SVG and PNG, dot for PDF).

Every layout runs under a time limit (`timeout=` seconds, DEFAULT_TIMEOUT by default): Graphviz
can run for hours on a graph of a few hundred nodes, so a layout that takes longer is stopped
and RenderTimeoutError says how big the graph was and how to draw less.
"""

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

DEFAULT_TIMEOUT = 10.0  # seconds; every ready-made picture takes well under one
RENDERERS = ("auto", "graphviz-pure", "dot")
FORMATS = ("svg", "png", "pdf")
PURE_FORMATS = ("svg", "png")  # graphviz-pure 0.2 writes no PDF

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install "
    "graphviz; conda: conda install graphviz; Windows: https://graphviz.org/download/) "
    "so that `dot` is on your PATH"
)
PURE_HINT = "pip install graphviz-pure (it comes with tinygrad-bn; reinstall with pip install -e .)"


class GraphvizNotFoundError(RuntimeError):
    """No program that can render this format is installed."""


class RenderTimeoutError(TimeoutError):
    """The layout took longer than its time limit and was stopped."""


def choose(fmt, renderer=None):
    """The program ("graphviz-pure" or "dot") that renders `fmt` under the `renderer` choice."""
    renderer = renderer or os.environ.get("TINYGRAD_BN_RENDERER") or "auto"
    if renderer not in RENDERERS:
        raise ValueError(
            f"unknown renderer {renderer!r}: choose one of {', '.join(RENDERERS)} "
            "(argument renderer= or the environment variable TINYGRAD_BN_RENDERER)"
        )
    if fmt not in FORMATS:
        raise ValueError(f"cannot render format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if renderer == "auto":
        return "graphviz-pure" if fmt in PURE_FORMATS else "dot"
    if renderer == "graphviz-pure" and fmt not in PURE_FORMATS:
        raise GraphvizNotFoundError(
            f"graphviz-pure cannot write {fmt.upper()}; for PDF use renderer='dot' "
            f"and {INSTALL_HINT}, or write .svg or .png instead"
        )
    return renderer


def find_program(name):
    """The path of `name`, on PATH or beside this Python's scripts (a venv that is not active)."""
    found = shutil.which(name)
    if found:
        return found
    if name == "graphviz-pure":
        for scripts in {sysconfig.get_path("scripts"), sysconfig.get_path("scripts", "posix_user")}:
            for candidate in (Path(scripts) / name, Path(scripts) / f"{name}.exe"):
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    return str(candidate)
    return None


def layout(dot_text, fmt, *, renderer=None, timeout=None, size=""):
    """The picture of `dot_text` in format `fmt` (bytes), laid out within `timeout` seconds.

    `size` describes the graph ("180 shapes") for the message when time runs out."""
    program = choose(fmt, renderer)
    path = find_program(program)
    if path is None:
        if program == "dot":
            why = "PDF needs system Graphviz" if fmt == "pdf" else "renderer='dot' was asked for"
            raise GraphvizNotFoundError(
                f"Graphviz's `dot` program was not found ({why}). To fix it, {INSTALL_HINT}; "
                "or write .svg or .png, which graphviz-pure renders without it"
            )
        raise GraphvizNotFoundError(
            f"the graphviz-pure program was not found. To fix it: {PURE_HINT}; "
            f"or use system Graphviz: renderer='dot' after you {INSTALL_HINT}"
        )
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    try:
        done = subprocess.run(
            [path, f"-T{fmt}"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        graph = f"this graph ({size})" if size else "this graph"
        raise RenderTimeoutError(
            f"{program} did not finish laying out {graph} within {timeout:g} s and was stopped. "
            "To draw less: collapse=True folds each group into one box, a lower max_nodes= "
            "refuses big graphs at once, or draw a smaller example (the loss of one example, "
            f"fewer terms). To wait longer: timeout={max(60, 6 * timeout):g}"
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(
            f"{program} failed (exit code {done.returncode}): "
            + (message[-1] if message else "no message")
        )
    return done.stdout
