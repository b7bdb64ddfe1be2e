"""Differential testing against PyTorch: random expression trees of every op, edge values included.

Hypothesis draws one to three float64 leaves (shapes with 0-d, size-1 and empty dims; values
mixing ordinary numbers with 0, -0, nan and +-inf), then grows an expression by applying
random ops (elementwise, number ops, reductions, softmax, shape ops, indexing, broadcasting
binary ops, batched matmul, cat/stack, comparison masks) to earlier nodes. The same
expression runs on our Tensor and on torch, and at every step:

- where PyTorch refuses an op (a shape mismatch, an empty reduction), we must refuse too;
- forward values agree: the same nan and inf positions, finite values to 1e-10;
- after backward from the last node, every leaf's gradient agrees wherever PyTorch's is
  finite (nan/inf gradients are where the derivative is undefined; conventions differ).

CI runs the same 150 expressions every time (derandomized, about 20 s), so it never fails
by chance. To search new expressions locally, set a count (the search is then random):

    TINYGRAD_BN_DIFFERENTIAL_EXAMPLES=5000 PYTHONPATH=$PWD python -m pytest -q \
        tests/test_differential_torch.py
"""

import os
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_bn
from tinygrad_bn import Tensor

torch = pytest.importorskip("torch")

EXAMPLES = int(os.environ.get("TINYGRAD_BN_DIFFERENTIAL_EXAMPLES", "150"))
SEARCH = "TINYGRAD_BN_DIFFERENTIAL_EXAMPLES" in os.environ  # random only when asked for
TOLERANCE = 1e-10
MAX_STEPS = 6

OURS = SimpleNamespace(cat=tinygrad_bn.cat, stack=tinygrad_bn.stack, F=tinygrad_bn.functional)
THEIRS = SimpleNamespace(cat=torch.cat, stack=torch.stack, F=torch.nn.functional)

EDGES = st.sampled_from([0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0])
# magnitudes between 1e-3 and 3, or exactly 0: at 1e-99, x / x has slope 1/x - x/x^2, a
# difference of two 1e98 terms, and each library rounds it differently (0 or 1e82)
ELEMENTS = st.floats(1e-3, 3.0) | st.floats(-3.0, -1e-3) | EDGES
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)


# ---- the ops: each draws its parameters for the operand shapes, or None if it does not apply ----

UNARY = {  # elementwise, any shape
    "neg": lambda lib, a: -a,
    "exp": lambda lib, a: a.exp(),
    "log": lambda lib, a: a.log(),
    "sqrt": lambda lib, a: a.sqrt(),
    "tanh": lambda lib, a: a.tanh(),
    "sigmoid": lambda lib, a: a.sigmoid(),
    "relu": lambda lib, a: a.relu(),
    "abs": lambda lib, a: abs(a),
    "leaky_relu": lambda lib, a: lib.F.leaky_relu(a, 0.1),
    "clamp": lambda lib, a: a.clamp(-1.0, 1.5),
    "square": lambda lib, a: a**2,
    "pow_minus_1_5": lambda lib, a: a**-1.5,  # not -0.5: torch's rsqrt gives -inf at -0.0
    "add_number": lambda lib, a: a + 1.5,
    "rsub_number": lambda lib, a: 2.0 - a,
    "mul_number": lambda lib, a: a * -0.5,
    "rdiv_number": lambda lib, a: 1.0 / a,
    "flatten": lambda lib, a: a.flatten(),
    "reshape_flat": lambda lib, a: a.reshape(-1),
    "unsqueeze": lambda lib, a: a.unsqueeze(0),
    "squeeze": lambda lib, a: a.squeeze(),
    "permute_reversed": lambda lib, a: a.permute(tuple(reversed(range(a.ndim)))),
    "sum": lambda lib, a: a.sum(),
    "mean": lambda lib, a: a.mean(),
    "mask_positive": lambda lib, a: a * (a > 0),
}


def draw_dim_op(data, shape):
    """An op that takes a dim: reductions, softmax, movedim, transpose, indexing."""
    ndim = len(shape)
    if ndim == 0:
        return None
    dim = data.draw(st.integers(-ndim, ndim - 1), label="dim")
    keep = data.draw(st.booleans(), label="keepdim")
    ops = {
        "sum_dim": lambda lib, a: a.sum(dim, keepdim=keep),
        "mean_dim": lambda lib, a: a.mean(dim, keepdim=keep),
        "var_dim": lambda lib, a: a.var(dim, keepdim=keep, correction=0),
        "std_dim": lambda lib, a: a.std(dim, keepdim=keep, unbiased=True),
        "max_dim": lambda lib, a: a.max(dim, keepdim=keep).values,
        "min_dim": lambda lib, a: a.min(dim, keepdim=keep).values,
        "amax": lambda lib, a: a.amax(dim, keepdim=keep),
        "softmax": lambda lib, a: lib.F.softmax(a, dim=dim),
        "log_softmax": lambda lib, a: a.log_softmax(dim),
        "movedim": lambda lib, a: a.movedim(dim, 0),
        "transpose": lambda lib, a: a.transpose(dim, -1),
        "index_first": lambda lib, a: a[0],
        "slice_from_1": lambda lib, a: a[1:],
        "flatten_from": lambda lib, a: a.flatten(dim),
    }
    name = data.draw(st.sampled_from(sorted(ops)), label="op")
    return f"{name}(dim={dim}, keepdim={keep})", ops[name]


BINARY = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "pow": lambda lib, a, b: a**b,
    "matmul": lambda lib, a, b: a @ b,
    "cat": lambda lib, a, b: lib.cat([a, b], dim=0) if a.ndim == b.ndim else None,
    "stack": lambda lib, a, b: lib.stack([a, b], dim=-1),
    "mask_greater": lambda lib, a, b: a * (a >= b),
}


# ---- running one expression on both sides -------------------------------------------------------


def assert_same_values(ours, theirs, what):
    """Equal shapes, nan where PyTorch has nan, the same infinities, finite values to 1e-10."""
    ours = np.asarray(ours, dtype=np.float64)
    theirs = theirs.detach().numpy().astype(np.float64)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch {theirs.shape}"
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{what}: nan")
    infinite = np.isinf(theirs)
    np.testing.assert_array_equal(ours[infinite], theirs[infinite], err_msg=f"{what}: inf")
    assert_close_where_finite(ours, theirs, what)


def assert_close_where_finite(ours, theirs, what):
    finite = np.isfinite(theirs)
    error = np.abs(ours[finite] - theirs[finite]) / np.maximum(1.0, np.abs(theirs[finite]))
    worst = float(error.max()) if error.size else 0.0
    assert not np.isnan(worst) and worst <= TOLERANCE, (
        f"{what}: relative error {worst:.3g}\nours {ours}\ntorch {theirs}"
    )


def apply(name, fn, operands, steps):
    """Run fn on both sides; PyTorch's refusal must be ours too. The new node, or None."""
    try:
        theirs = fn(THEIRS, *(t for _, t in operands))
    except (RuntimeError, IndexError, ValueError, TypeError):  # PyTorch refuses: so must we
        with pytest.raises(Exception):  # noqa: B017 (any clear error; the class varies)
            fn(OURS, *(o for o, _ in operands))
        return None
    if theirs is None:
        return None  # not applicable (cat of different ranks: torch's legacy skips (0,) parts)
    with np.errstate(all="ignore"):
        ours = fn(OURS, *(o for o, _ in operands))
    steps.append(name)
    assert_same_values(ours.data, theirs, " -> ".join(steps))
    return ours, theirs


@settings(
    max_examples=EXAMPLES,
    derandomize=not SEARCH,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_expressions_agree_with_torch(data):
    first = data.draw(SHAPES, label="shape of leaf 0")
    kinds = st.sampled_from([first, (), first[-1:], first[1:]]) | SHAPES
    shapes = [first] + data.draw(st.lists(kinds, max_size=2), label="other leaf shapes")
    arrays = [data.draw(hnp.arrays(np.float64, s, elements=ELEMENTS)) for s in shapes]
    leaves = [
        (Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)) for x in arrays
    ]
    nodes, steps = list(leaves), [f"leaves {[tuple(s) for s in shapes]}"]
    for _ in range(data.draw(st.integers(1, MAX_STEPS), label="steps")):
        a = data.draw(st.sampled_from(nodes), label="operand")
        kind = data.draw(st.sampled_from(["unary", "dim", "binary"]), label="kind")
        if kind == "unary":
            name = data.draw(st.sampled_from(sorted(UNARY)), label="op")
            node = apply(name, UNARY[name], [a], steps)
        elif kind == "dim":
            drawn = draw_dim_op(data, a[0].shape)
            node = drawn and apply(drawn[0], drawn[1], [a], steps)
        else:
            b = data.draw(st.sampled_from(nodes), label="second operand")
            name = data.draw(st.sampled_from(sorted(BINARY)), label="op")
            node = apply(name, BINARY[name], [a, b], steps)
        if node is not None:
            nodes.append(node)
    out, expected = nodes[-1]
    if not expected.requires_grad:
        return  # the expression is a leaf or a mask: no graph to compare
    g = data.draw(hnp.arrays(np.float64, out.shape, elements=st.floats(-2, 2)), label="g")
    with np.errstate(all="ignore"):
        out.backward(g)
    expected.backward(torch.tensor(g))
    for k, (ours, theirs) in enumerate(leaves):
        what = f"gradient of leaf {k} after {' -> '.join(steps)}"
        assert (ours.grad is None) == (theirs.grad is None), what
        if theirs.grad is not None:
            assert_close_where_finite(ours.grad, theirs.grad.numpy(), what)
