"""micrograd's own code runs unchanged on tinygrad_bn.Value and computes the same numbers.

Nothing of micrograd is copied here: its README example is read from the installed
package's metadata and its nn.py from the installed package, then executed with our
Value in place of micrograd's. micrograd itself (0.1.0, in the test extra) is the oracle.
"""

import gc
import importlib.metadata
import importlib.util
import random
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from op_table import assert_close

import tinygrad_bn

micrograd_engine = pytest.importorskip("micrograd.engine")
micrograd_nn = pytest.importorskip("micrograd.nn")

MICROGRAD_IMPORT = "from micrograd.engine import Value"


def readme_example():
    """The first Python block of micrograd's README (the package's long description)."""
    readme = importlib.metadata.distribution("micrograd").read_text("METADATA")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks and MICROGRAD_IMPORT in blocks[0], (
        "micrograd's README no longer starts with its Value example"
    )
    return blocks[0]


def run_example(source):
    """Execute `source`; return its namespace and what it printed."""
    printed = []
    namespace = {"print": lambda *args: printed.append(" ".join(map(str, args)))}
    exec(compile(source, "micrograd README example", "exec"), namespace)
    return namespace, printed


def test_readme_example_runs_unchanged_after_importing_our_value():
    source = readme_example()
    ours, ours_printed = run_example(
        source.replace(MICROGRAD_IMPORT, "from tinygrad_bn import Value")
    )
    assert type(ours["g"]) is tinygrad_bn.Value
    theirs, theirs_printed = run_example(source)
    assert type(theirs["g"]) is micrograd_engine.Value
    for name in "abcdefg":
        assert_close(ours[name].data, theirs[name].data, 1e-12, f"{name}.data")
    assert_close(ours["a"].grad, theirs["a"].grad, 1e-12, "a.grad")
    assert_close(ours["b"].grad, theirs["b"].grad, 1e-12, "b.grad")
    assert ours_printed == theirs_printed


def test_readme_example_prints_what_its_comments_promise():
    source = readme_example()
    promised = re.findall(r"# prints (-?[\d.]+)", source)
    _, printed = run_example(source.replace(MICROGRAD_IMPORT, "from tinygrad_bn import Value"))
    assert len(promised) == 3 and printed == promised


@pytest.fixture
def nn_on_our_value(monkeypatch):
    """micrograd/nn.py, from the installed package, executed with
    `micrograd.engine.Value` = tinygrad_bn.Value."""
    path = Path(importlib.util.find_spec("micrograd.nn").origin)
    engine = types.ModuleType("micrograd.engine")
    engine.Value = tinygrad_bn.Value
    monkeypatch.setitem(sys.modules, "micrograd.engine", engine)
    module = types.ModuleType("micrograd_nn_on_tinygrad_bn")
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    return module


def two_moons(n, noise, seed):
    """Two interleaved half circles (labels -1 and +1) with Gaussian noise, as Python floats."""
    rng = np.random.default_rng(seed)
    upper, lower = n // 2, n - n // 2
    t_upper, t_lower = np.linspace(0, np.pi, upper), np.linspace(0, np.pi, lower)
    points = np.concatenate(
        [
            np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1),
            np.stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1),
        ]
    )
    points += rng.normal(0.0, noise, points.shape)
    labels = np.concatenate([-np.ones(upper), np.ones(lower)])
    return points.tolist(), labels.tolist()


def hinge_loss(model, value, points, labels, alpha=1e-4):
    """Mean max(0, 1 - y * score) over the points, plus alpha * sum of squared parameters."""
    scores = [model([value(x0), value(x1)]) for x0, x1 in points]
    margins = [(1 + -y * s).relu() for y, s in zip(labels, scores, strict=True)]
    return sum(margins) * (1.0 / len(margins)) + alpha * sum(p * p for p in model.parameters())


def sgd_step(model, value, points, labels, learning_rate):
    """One step: loss, zero_grad, backward, update. Returns the loss and the gradients."""
    loss = hinge_loss(model, value, points, labels)
    model.zero_grad()
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return loss.data, grads


def test_micrograd_nn_builds_on_our_value(nn_on_our_value):
    random.seed(0)
    model = nn_on_our_value.MLP(2, [4, 1])
    assert all(type(p) is tinygrad_bn.Value for p in model.parameters())
    assert len(model.parameters()) == 2 * 4 + 4 + 4 + 1
    assert (
        repr(model)
        == "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], "
        "Layer of [LinearNeuron(4)]]"
    )


@pytest.fixture
def collector_paused():
    """micrograd's graphs are reference cycles; pausing the collector only makes this faster."""
    gc.disable()
    yield
    gc.enable()
    gc.collect()


def test_moons_training_matches_micrograd_step_by_step(nn_on_our_value, collector_paused):
    """MLP 2-16-16-1 on 100 two-moons points, hinge loss + L2, SGD.

    Same losses, gradients and weights as micrograd.
    """
    points, labels = two_moons(100, noise=0.1, seed=7)
    random.seed(1337)
    ours = nn_on_our_value.MLP(2, [16, 16, 1])
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    for step in range(3):
        learning_rate = 1.0 - 0.9 * step / 100
        our_loss, our_grads = sgd_step(ours, tinygrad_bn.Value, points, labels, learning_rate)
        their_loss, their_grads = sgd_step(
            theirs, micrograd_engine.Value, points, labels, learning_rate
        )
        assert_close(our_loss, their_loss, 1e-12, f"step {step} loss")
        assert_close(our_grads, their_grads, 1e-12, f"step {step} gradients")
        assert any(g != 0 for g in our_grads)
        assert_close(
            [p.data for p in ours.parameters()],
            [p.data for p in theirs.parameters()],
            1e-12,
            f"step {step} weights",
        )
