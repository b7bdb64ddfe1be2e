"""Every op in the table matches PyTorch in float64: values and gradients to 1e-10.

PyTorch is only an oracle here (the library never imports it); the module is
skipped where torch is not installed, and CI installs it.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import (
    BROADCAST_KINDS,
    BROADCASTING_OPS,
    OPS,
    SCALAR_OPS,
    assert_close,
    inputs_for,
    op_inputs,
    scalar_inputs,
)

from tinygrad_bn import Tensor, Value

torch = pytest.importorskip("torch")

TOLERANCE = 1e-10


def upstream_gradient(shape):
    """A strategy for d(loss)/d(out): random, so every output element is weighted differently."""
    return hnp.arrays(np.float64, shape, elements=st.floats(-2.0, 2.0))


def compare_with_torch(op, arrays, data):
    ours = [Tensor(x, requires_grad=True) for x in arrays]
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in arrays]
    out, expected = op.fn(*ours), op.on_torch(torch, *theirs)
    assert_close(out.data, expected.detach().numpy(), TOLERANCE, f"{op.name} value")
    g = data.draw(upstream_gradient(out.shape), label="upstream gradient")
    out.backward(g)
    expected.backward(torch.tensor(g))
    for k, (x, t) in enumerate(zip(ours, theirs, strict=True)):
        assert x.grad is not None, f"{op.name}: input {k} got no gradient"
        assert_close(x.grad, t.grad.numpy(), TOLERANCE, f"{op.name} gradient of input {k}")


@pytest.mark.parametrize("op", OPS, ids=str)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_tensor_op_matches_torch(op, data):
    compare_with_torch(op, data.draw(op_inputs(op), label="inputs"), data)


@pytest.mark.parametrize("kind", BROADCAST_KINDS, ids=str)
@pytest.mark.parametrize("op", BROADCASTING_OPS, ids=str)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_broadcasting_op_matches_torch(op, kind, data):
    compare_with_torch(op, data.draw(inputs_for(op, BROADCAST_KINDS[kind]), label="inputs"), data)


@pytest.mark.parametrize("op", SCALAR_OPS, ids=str)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_value_op_matches_torch(op, data):
    numbers = data.draw(scalar_inputs(op), label="inputs")
    ours = [Value(x) for x in numbers]
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in numbers]
    out, expected = op.fn(*ours), op.on_torch(torch, *theirs)
    assert_close(out.data, expected.item(), TOLERANCE, f"{op.name} value")
    out.backward()
    expected.backward()
    for k, (x, t) in enumerate(zip(ours, theirs, strict=True)):
        assert_close(x.grad, t.grad.item(), TOLERANCE, f"{op.name} gradient of input {k}")


@pytest.mark.parametrize("exponent", [0, 0.5, 1, 1.5, 2, 3])
def test_power_of_zero_matches_torch(exponent):
    """At a zero base: slope 0 for x^0 (not 0 * inf = nan), inf for 0 < p < 1, as PyTorch."""
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (t**exponent).backward()
    v, x = Value(0.0), Tensor(0.0, requires_grad=True)
    (v**exponent).backward()
    with np.errstate(divide="ignore"):
        (x**exponent).backward()
    assert v.grad == x.grad.item() == t.grad.item()
    assert (v**exponent).data == (x**exponent).item() == (t**exponent).item()


@pytest.mark.parametrize("exponent", [0.0, 0.5, 1.0, 2.0])
def test_power_of_zero_to_a_differentiable_exponent_matches_torch(exponent):
    """Both slopes of a^b at a = 0, as PyTorch.

    d/da is 0 for b = 0 and inf for 0 < b < 1; d/db is 0.
    """
    ta, tb = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (0.0, exponent))
    (ta**tb).backward()
    va, vb = Value(0.0), Value(exponent)
    (va**vb).backward()
    xa, xb = Tensor(0.0, requires_grad=True), Tensor(exponent, requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        (xa**xb).backward()
    assert va.grad == xa.grad.item() == ta.grad.item()
    assert vb.grad == xb.grad.item() == tb.grad.item()


@pytest.mark.filterwarnings("ignore:var\\(\\)")
@pytest.mark.parametrize(
    "data, correction", [([1.0, 3.0], 3), ([1.0, 2.0, 4.0], 3), ([2.0], 1), ([2.0], 2)]
)
def test_var_with_correction_at_least_n_matches_torch(data, correction):
    """No negative variance: with n - correction <= 0 the result is inf or nan, as in PyTorch."""
    expected = torch.tensor(data, dtype=torch.float64).var(correction=correction).item()
    np.testing.assert_array_equal(Tensor(data).var(correction=correction).item(), expected)
