"""Rendering the ready-made pictures: their PNG sizes, and graphviz-pure beside system `dot`.

For each example of `tinygrad-bn graph --list` this prints the PNG's width x height and
width / height (drawn by graphviz-pure; the pictures are fixed, so no seeds), then times the
SVG layout of each example with both programs in this one process, interleaved, best of
--repeat runs, and prints the ratio graphviz-pure / dot. Last, the issue's 100-term sum: how
long each program runs on it, up to --limit seconds.

    python benchmarks/bench_render.py [--repeat 5] [--limit 30]
"""

import argparse
import time

from tinygrad_bn import Value, renderers
from tinygrad_bn.viz import to_dot
from tinygrad_bn.viz_examples import EXAMPLES, draw_example


def seconds(source, program, timeout):
    start = time.perf_counter()
    try:
        renderers.layout(source, "svg", renderer=program, timeout=timeout)
    except renderers.RenderTimeoutError:
        return None
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--limit", type=float, default=30.0)
    args = parser.parse_args()
    has_dot = renderers.find_program("dot") is not None
    print(f"{'picture':<24} {'PNG px':>12} {'w/h':>5}   {'pure s':>7} {'dot s':>7} {'ratio':>6}")
    for name in EXAMPLES:
        picture = draw_example(name)
        png = renderers.layout(picture.source, "png")
        width, height = (int.from_bytes(png[k : k + 4], "big") for k in (16, 20))
        pure, dot = [], []
        for _ in range(args.repeat):
            pure.append(seconds(picture.source, "graphviz-pure", args.limit))
            if has_dot:
                dot.append(seconds(picture.source, "dot", args.limit))
        p = min(pure)
        d = min(dot) if dot else float("nan")
        size = f"{width}x{height}"
        print(f"{name:<24} {size:>12} {width / height:5.2f}   {p:7.3f} {d:7.3f} {p / d:6.2f}")
    x = Value(1.0, label="x")
    source = to_dot(sum(x * float(i) for i in range(100)))
    for program in ("graphviz-pure", "dot") if has_dot else ("graphviz-pure",):
        took = seconds(source, program, args.limit)
        shown = f"{took:.1f} s" if took is not None else f"more than {args.limit:g} s (stopped)"
        print(f"the 100-term sum, {program}: {shown}")


if __name__ == "__main__":
    main()
