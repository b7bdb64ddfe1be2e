"""Scalar engine vs micrograd 0.1.0 on micrograd's own moons workload.

One SGD step of micrograd's MLP 2->16->16->1 on 100 two-moons points with
hinge loss + L2, the model code being micrograd's own nn.py run once with
micrograd's Value and once with ours. Prints time per step under Python's
default garbage-collector settings and with the collector off (for both),
and Python-heap bytes per graph node.

    pip install micrograd==0.1.0 && python benchmarks/bench_scalar.py
"""

import gc
import importlib.util
import math
import random
import sys
import tracemalloc
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_times, fix_allocator, verdict  # noqa: E402


def moons(n=100, noise=0.1, seed=0):
    """Two interleaving half circles, labels -1 / +1."""
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n):
        upper = i < n // 2
        t = math.pi * rng.random()
        x, y = (math.cos(t), math.sin(t)) if upper else (1 - math.cos(t), 0.5 - math.sin(t))
        points.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        labels.append(1.0 if upper else -1.0)
    return points, labels


def micrograd_nn_with(value_class):
    """micrograd's nn.py, executed with `value_class` as its Value."""
    spec = importlib.util.find_spec("micrograd.nn")
    source = Path(spec.origin).read_text()
    module = types.ModuleType(f"micrograd_nn_{value_class.__module__}")
    module.Value = value_class
    exec(
        compile(source.replace("from micrograd.engine import Value", ""), spec.origin, "exec"),
        module.__dict__,
    )
    return module


class Workload:
    """One side: a model plus the data, stepping with SGD."""

    def __init__(self, value_class, seed=1337):
        self.Value = value_class
        random.seed(seed)
        self.model = micrograd_nn_with(value_class).MLP(2, [16, 16, 1])
        self.X, self.y = moons()

    def loss(self):
        Value = self.Value
        scores = [self.model([Value(a) for a in row]) for row in self.X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in self.model.parameters())
        return data_loss + reg_loss

    def step(self, lr=0.01):
        total = self.loss()
        self.model.zero_grad()
        total.backward()
        for p in self.model.parameters():
            p.data -= lr * p.grad
        return total


def count_nodes(root):
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


def heap_bytes_per_node(workload):
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    root = workload.loss()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / count_nodes(root), count_nodes(root)


def main():
    fix_allocator()
    from micrograd.engine import Value as MicrogradValue

    from tinygrad_bn import Value

    ours, theirs = Workload(Value), Workload(MicrogradValue)
    print(
        f"graph nodes per step: tinygrad_bn {count_nodes(ours.loss()):,}, "
        f"micrograd {count_nodes(theirs.loss()):,}"
    )

    results = {}
    for setting in ("default gc", "gc disabled"):
        if setting == "gc disabled":
            gc.collect()
            gc.disable()
        times = best_times(
            {"tinygrad_bn": ours.step, "micrograd": theirs.step}, repeats=7, before=gc.collect
        )
        gc.enable()
        gc.collect()
        results[setting] = times
        ours_ms, theirs_ms = times["tinygrad_bn"] * 1e3, times["micrograd"] * 1e3
        print(
            f"{setting:12s}: tinygrad_bn {ours_ms:7.1f} ms/step, "
            f"micrograd {theirs_ms:7.1f} ms/step, speed-up {theirs_ms / ours_ms:.2f}x"
        )

    ours_bytes, _ = heap_bytes_per_node(ours)
    theirs_bytes, _ = heap_bytes_per_node(theirs)
    print(f"heap bytes per node: tinygrad_bn {ours_bytes:.0f}, micrograd {theirs_bytes:.0f}")

    default, off = results["default gc"], results["gc disabled"]
    print(
        f"{verdict(default['micrograd'] / default['tinygrad_bn'] >= 5)} "
        ">= 5x faster than micrograd under default gc"
    )
    print(
        f"{verdict(off['micrograd'] > off['tinygrad_bn'])} "
        "faster than micrograd with gc disabled for both"
    )
    print(f"{verdict(ours_bytes <= theirs_bytes)} heap bytes per node no more than micrograd's")


if __name__ == "__main__":
    main()
