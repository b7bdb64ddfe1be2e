"""Experiment 9 at full length: 200,000 steps of the makemore MLP with BatchNorm.

    python benchmarks/makemore_full.py                 # the lectures' 32,033 names, shipped
    python benchmarks/makemore_full.py --data names.txt --steps 200000

Prints train and validation loss beside the lecture's 2.0668 / 2.1048, the
wall time, and where a training step spends its time (forward, backward,
optimiser), measured on a short run first.

Run it with glibc's malloc thresholds set high (numpy frees and re-allocates
the same small arrays every step); the script re-executes itself with
MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ set if they are missing.
"""

import argparse
import os
import sys
import time

MALLOC_ENV = {"MALLOC_TRIM_THRESHOLD_": "1000000000", "MALLOC_MMAP_THRESHOLD_": "1000000000"}
if any(k not in os.environ for k in MALLOC_ENV):
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **MALLOC_ENV})

import numpy as np  # noqa: E402

from tinygrad_bn.experiments import makemore  # noqa: E402
from tinygrad_bn.experiments.common import load_splits  # noqa: E402
from tinygrad_bn.experiments.mlp import build_mlp  # noqa: E402
from tinygrad_bn.optim import SGD  # noqa: E402


def step_breakdown(splits, steps=1000, seed=0):
    """Seconds per step spent in sampling, forward, backward and the SGD update."""
    Xtr, Ytr = splits.train
    model = build_mlp(splits.vocab.size, n_hidden=200, norm="batch", seed=seed)
    optimiser = SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(seed)
    spent = dict(sample=0.0, forward=0.0, backward=0.0, update=0.0)
    for _ in range(steps):
        t0 = time.perf_counter()
        ix = rng.integers(0, len(Xtr), 32)
        x, y = Xtr[ix], Ytr[ix]
        t1 = time.perf_counter()
        loss = model(x).cross_entropy(y)
        t2 = time.perf_counter()
        optimiser.zero_grad()
        loss.backward()
        t3 = time.perf_counter()
        optimiser.step()
        loss.item()
        t4 = time.perf_counter()
        for key, dt in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            spent[key] += dt
    return {k: v / steps for k, v in spent.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", default="makemore", help="names file, or 'makemore' (default) / 'census'"
    )
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", default="tinygrad-bn-report/makemore")
    args = parser.parse_args()
    print(f"malloc thresholds: {', '.join(f'{k}={os.environ[k]}' for k in MALLOC_ENV)}")
    splits = load_splits(args.data, args.seed, quiet=True)
    per_step = step_breakdown(splits)
    total = sum(per_step.values())
    print(
        f"one step: {total * 1e3:.3f} ms = "
        + " + ".join(f"{k} {v * 1e3:.3f}" for k, v in per_step.items())
    )
    print(f"projected for {args.steps:,} steps: {total * args.steps:.0f}s (target: under 180s)")
    r = makemore.run(data=args.data, seed=args.seed, out=args.out, steps=args.steps)
    near = abs(r.val_loss - makemore.LECTURE["val"]) <= makemore.TARGET
    verdict = "OK" if near and r.seconds < 180 else "MISSED"
    print(
        f"{verdict}: val {r.val_loss:.4f} (want within {makemore.TARGET} of the lecture's "
        f"{makemore.LECTURE['val']}), {r.seconds:.0f}s of training (want < 180s)"
    )


if __name__ == "__main__":
    main()
