"""Graph semantics shared by Value and Tensor: reuse, accumulation, zero_grad, no_grad, detach."""

import numpy as np
import pytest

from tinygrad_bn import Tensor, Value, group, is_grad_enabled, no_grad, topological_order

# The same expressions on both engines: a Value leaf, or a one-element Tensor leaf.
ENGINES = {
    "Value": lambda x: Value(x),
    "Tensor": lambda x: Tensor(x, requires_grad=True),
}


def grad_of(leaf):
    return leaf.grad if isinstance(leaf, Value) else float(leaf.grad)


def backward(out):
    out.backward() if isinstance(out, Value) else out.sum().backward()


@pytest.mark.parametrize("make", ENGINES.values(), ids=ENGINES.keys())
def test_a_node_used_twice_gets_both_gradients(make):
    x = make(3.0)
    backward(x * x)  # d(x^2)/dx = 2x
    assert grad_of(x) == 6.0


@pytest.mark.parametrize("make", ENGINES.values(), ids=ENGINES.keys())
def test_a_plus_a_has_gradient_two(make):
    a = make(3.0)
    backward(a + a)
    assert grad_of(a) == 2.0


@pytest.mark.parametrize("make", ENGINES.values(), ids=ENGINES.keys())
def test_reused_intermediate_node_accumulates_before_passing_on(make):
    a = make(3.0)
    b = a + a
    c = b + b  # c = 4a
    backward(c)
    assert grad_of(a) == 4.0
    assert grad_of(b) == 2.0


@pytest.mark.parametrize("make", ENGINES.values(), ids=ENGINES.keys())
def test_second_backward_adds_into_leaf_grad(make):
    """As in PyTorch: leaf gradients accumulate across backward calls until zeroed."""
    x = make(3.0)
    backward(x * 5.0)
    backward(x * 5.0)
    assert grad_of(x) == 10.0


@pytest.mark.parametrize("make", ENGINES.values(), ids=ENGINES.keys())
def test_second_backward_through_the_same_graph_adds_again(make):
    x = make(2.0)
    y = x * x
    backward(y)
    backward(y)
    assert grad_of(x) == 8.0


@pytest.mark.parametrize("make", ENGINES.values(), ids=ENGINES.keys())
def test_intermediate_node_grad_is_this_calls_gradient_not_a_sum(make):
    x = make(2.0)
    y = x * 3.0
    z = y * 4.0
    backward(z)
    backward(z)
    assert grad_of(y) == 4.0
    assert grad_of(x) == 24.0


def test_value_zero_grad_clears_the_whole_graph():
    x, w = Value(2.0), Value(-1.0)
    out = (x * w).tanh()
    out.backward()
    out.zero_grad()
    assert [n.grad for n in topological_order(out)] == [0.0] * len(topological_order(out))
    out.backward()
    assert x.grad == pytest.approx(-(1 - np.tanh(-2.0) ** 2), rel=1e-15)


def test_tensor_zero_grad_resets_grad_to_none():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.zero_grad()
    assert x.grad is None
    (x * 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_no_grad_records_nothing_for_values():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 3.0 + 1.0
    assert is_grad_enabled()
    assert y.data == 7.0
    assert y._prev == () and y._op == ""
    y.backward()
    assert x.grad == 0.0


def test_no_grad_records_nothing_for_tensors():
    x = Tensor([2.0], requires_grad=True)
    with no_grad():
        y = (x * 3.0).exp()
    assert not y.requires_grad and y._prev == ()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(KeyError), no_grad():
        raise KeyError("a failure inside the block")
    assert is_grad_enabled()


def test_no_grad_nests():
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()


@pytest.mark.parametrize("make", ENGINES.values(), ids=ENGINES.keys())
def test_detach_cuts_the_graph(make):
    x = make(3.0)
    y = x * x
    z = y.detach() * x  # treats y as a constant: dz/dx = y = 9
    backward(z)
    assert grad_of(x) == 9.0


def test_detached_tensor_shares_values_but_requires_no_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert d.data.tolist() == [2.0, 4.0] and not d.requires_grad and d._prev == ()


def test_tensor_without_requires_grad_gets_no_gradient():
    w = Tensor([1.0, 2.0], requires_grad=True)
    data = Tensor([3.0, 4.0])
    (w * data).sum().backward()
    assert data.grad is None
    assert w.grad.tolist() == [3.0, 4.0]


def test_leaf_grad_is_its_own_array_not_a_view_of_the_upstream_gradient():
    """Writing into x.grad (an optimizer step) must not change anything else."""
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    x.sum().backward()
    assert x.grad.flags.writeable and x.grad.flags.owndata
    x.grad *= 0.5
    assert x.grad.tolist() == [[0.5] * 3] * 2


def test_topological_order_puts_every_node_after_its_inputs():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert len(order) == len(set(order)) == 5
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        assert all(position[id(child)] < position[id(node)] for child in node._prev)
    assert order[-1] is e


def test_group_tags_nodes_with_the_nested_name_path():
    x = Value(1.0)
    with group("layer1"):
        with group("neuron0"):
            y = x * 2.0
        z = y + 1.0
    w = z * 1.0
    assert (x._group, y._group, z._group, w._group) == (None, "layer1/neuron0", "layer1", None)
