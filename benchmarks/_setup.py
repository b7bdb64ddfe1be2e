"""Shared set-up for the benchmark scripts: allocator settings and timing."""

import os
import statistics
import sys
import time

# glibc returns freed memory to the system eagerly, which makes the timing of
# large numpy arrays depend on allocation history. Raising both thresholds
# keeps freed blocks in the process. They must be set before Python starts,
# so a script re-runs itself once with them.
# Every side runs on one thread (numpy's BLAS included) so that a comparison
# measures the work, not how two cores are shared.
ALLOCATOR = {"MALLOC_TRIM_THRESHOLD_": "1000000000000", "MALLOC_MMAP_THRESHOLD_": "1000000000000"}
THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def fix_allocator():
    """Re-execute the running script with the allocator and thread settings, once."""
    wanted = {**ALLOCATOR, **THREADS}
    if any(os.environ.get(k) != v for k, v in wanted.items()):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **wanted})
    print("environment: " + " ".join(f"{k}={v}" for k, v in wanted.items()))


def best_times(sides: dict, repeats: int, inner: int = 1, before=None) -> dict:
    """Median seconds per call of each side, the sides interleaved round by round.

    `before()`, if given, runs untimed before each side's turn (e.g. gc.collect,
    so that one side's garbage is not collected on the other side's clock)."""
    samples = {name: [] for name in sides}
    for _ in range(repeats):
        for name, fn in sides.items():
            if before is not None:
                before()
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            samples[name].append((time.perf_counter() - start) / inner)
    return {name: statistics.median(s) for name, s in samples.items()}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
