"""A one-line progress bar for loops that take more than a moment (no dependencies).

    for step in progress(range(2000), "training"):
        ...

It redraws at most a few times a second on stderr, so it costs nothing in a
tight loop, and it writes nothing at all when `enabled` is False.
"""

import sys
import time


def progress(
    iterable,
    label: str,
    total: int | None = None,
    enabled: bool = True,
    width: int = 28,
    stream=None,
):
    """Yield the items of `iterable` while drawing `label [#####.....] 40% 800/2000 1.2s`."""
    total = len(iterable) if total is None else total
    if not enabled or total <= 0:
        yield from iterable
        return
    stream = sys.stderr if stream is None else stream
    # redraw in place only on a terminal; else one final line
    live = getattr(stream, "isatty", lambda: False)()
    start = last_draw = time.perf_counter()
    done = 0

    def draw(final=False):
        fraction = done / total
        filled = int(width * fraction)
        bar = "#" * filled + "." * (width - filled)
        elapsed = time.perf_counter() - start
        stream.write(
            f"\r  {label:<28} [{bar}] {fraction:4.0%} {done}/{total} {elapsed:5.1f}s"
            + ("\n" if final else "")
        )
        stream.flush()

    for item in iterable:
        yield item
        done += 1
        now = time.perf_counter()
        if live and now - last_draw > 0.2:
            last_draw = now
            draw()
    draw(final=True)
