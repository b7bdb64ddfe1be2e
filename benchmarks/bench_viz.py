"""Drawing micrograd's moons step graph: DOT text for ~66,000 scalar nodes.

One SGD step of micrograd's MLP 2->16->16->1 on 100 two-moons points with
hinge loss + L2 (the workload of bench_scalar.py) builds a graph of about
66,000 Values. This script times, in one process and interleaved:

    step    forward + backward of that graph (the reference)
    to_dot  its DOT text (no Graphviz program involved)

and prints to_dot's time, the ratio to the step, and whether drawing it is
refused by max_nodes with a message (it must be: dot would run for hours).

    python benchmarks/bench_viz.py
"""

import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_times, fix_allocator, verdict  # noqa: E402
from bench_scalar import Workload, count_nodes  # noqa: E402


def main():
    fix_allocator()
    from tinygrad_bn import Value
    from tinygrad_bn.viz import GraphTooBigError, draw_dot, to_dot

    workload = Workload(Value)
    loss = workload.loss()
    loss.backward()
    nodes = count_nodes(loss)
    text = to_dot(loss)  # also proves: no RecursionError at this depth
    print(
        f"moons step graph: {nodes:,} Value nodes, "
        f"DOT text {len(text) / 1e6:.1f} MB, {text.count(chr(10)):,} lines"
    )

    def step():
        workload.loss().backward()

    times = best_times({"step": step, "to_dot": lambda: to_dot(loss)}, repeats=5, before=gc.collect)
    print(f"step (forward + backward): {times['step'] * 1e3:7.1f} ms")
    print(
        f"to_dot:                    {times['to_dot'] * 1e3:7.1f} ms  "
        f"({times['to_dot'] / times['step']:.1f}x the step)"
    )

    try:
        draw_dot(loss)
        refused, message = False, ""
    except GraphTooBigError as error:
        refused, message = True, str(error)
    print(
        "draw_dot with the default max_nodes: "
        f"{'refused: ' + message if refused else 'NOT refused'}"
    )

    print(f"{verdict(times['to_dot'] < 2.0)} DOT text in under 2 s")
    helpful = refused and "collapse=True" in message and "max_nodes=" in message
    print(
        f"{verdict(helpful)} rendering refused with a message on how to collapse or raise the limit"
    )


if __name__ == "__main__":
    main()
