"""A graph of a million nodes runs backward at the default recursion limit, freed without a crash.

250,000 links of `x = x * 1.0001 + 0.0` make 1,000,000 nodes after the leaf (each link
adds two constants and two results). Each engine runs in its own Python process, so a
stack overflow or a segfault while walking or freeing the graph fails the test instead
of killing pytest; the two processes run at the same time.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

LINKS = 250_000

SCRIPT = """
import gc, json, sys
default_limit = sys.getrecursionlimit()
gc.disable()  # the graph has no reference cycles: reference counting alone must free it
from tinygrad_bn import Tensor, Value, topological_order

blocks_before = sys.getallocatedblocks()
leaf = {leaf}
x = leaf
for _ in range({links}):
    x = x * 1.0001 + 0.0
nodes = len(topological_order(x))
x.backward()
report = dict(nodes=nodes, value=float(x.data), grad=float(leaf.grad),
              limit=sys.getrecursionlimit(), default_limit=default_limit)
report["blocks_in_graph"] = sys.getallocatedblocks() - blocks_before
del x
report["blocks_left"] = sys.getallocatedblocks() - blocks_before
print(json.dumps(report))
"""

REPOSITORY = Path(__file__).resolve().parents[1]
LEAVES = {"Value": "Value(1.0)", "Tensor": "Tensor(1.0, requires_grad=True)"}


@pytest.fixture(scope="module")
def runs():
    """Start one process per engine; each test waits for its own."""
    procs = {
        engine: subprocess.Popen(
            [sys.executable, "-c", SCRIPT.format(leaf=leaf, links=LINKS)],
            # `python -c` imports from the working directory: this checkout's tinygrad_bn
            cwd=REPOSITORY,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for engine, leaf in LEAVES.items()
    }
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def report_of(runs, engine):
    """The JSON report a process printed, once it has finished (cached: both tests read it)."""
    proc = runs[engine]
    if not hasattr(proc, "report"):
        stdout, stderr = proc.communicate(timeout=900)
        assert proc.returncode == 0, (
            f"{engine} process died with exit code {proc.returncode} (negative: a signal)\n"
            f"{stderr[-3000:]}"
        )
        proc.report = json.loads(stdout)
    return proc.report


@pytest.mark.parametrize("engine", LEAVES)
def test_million_node_graph_backward_at_default_recursion_limit(runs, engine):
    report = report_of(runs, engine)
    assert report["nodes"] == 4 * LINKS + 1
    assert report["limit"] == report["default_limit"] <= 1000
    expected = math.exp(LINKS * math.log1p(1e-4))  # d x_n / d x_0 = 1.0001 ** n
    assert report["grad"] == pytest.approx(expected, rel=1e-9)
    assert report["value"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("engine", LEAVES)
def test_million_node_graph_is_freed_by_reference_counting(runs, engine):
    report = report_of(runs, engine)
    assert report["blocks_in_graph"] > 4 * LINKS  # the graph was really there
    left = report["blocks_left"]
    assert left < report["blocks_in_graph"] / 100, (
        f"{left} of {report['blocks_in_graph']} memory blocks still held after `del x`"
    )
