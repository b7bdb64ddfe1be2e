"""What a backward keeps is visible: every op's saved record is all the state its backward reads.

The engine calls `node._backward(g, **node._saved)`, so a backward's parameters are
its saved names; its closure may hold shapes, axes and counts but never an array
or a Tensor (those would be hidden state that a later in-place change could alter
unseen). Checked for every node every op in the table builds, and for the fused ops.
"""

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import OPS, op_inputs

from tinygrad_bn import Tensor, Value, topological_order
from tinygrad_bn.functional import batch_norm, batchnorm_fused
from tinygrad_bn.viz import to_dot


def hidden_arrays(backward):
    """The arrays and Tensors a backward function reaches through its closure."""
    cells = [c.cell_contents for c in backward.__closure__ or ()]
    return [c for c in cells if isinstance(c, (np.ndarray, Tensor))]


def assert_saved_record_is_complete(root):
    computed = [node for node in topological_order(root) if node._prev]
    assert computed, "the op built no graph node"
    for node in computed:
        parameters = list(inspect.signature(node._backward).parameters)
        assert parameters[1:] == list(node._saved), (node._op, parameters, list(node._saved))
        assert hidden_arrays(node._backward) == [], node._op


@pytest.mark.parametrize("op", OPS, ids=str)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_every_op_reads_arrays_only_from_its_saved_record(op, data):
    inputs = [Tensor(x, requires_grad=True) for x in data.draw(op_inputs(op), label="inputs")]
    assert_saved_record_is_complete(op.fn(*inputs))


@pytest.mark.parametrize("training", [True, False])
def test_fused_batchnorm_saves_x_hat_inv_std_and_gamma_and_nothing_hidden(training):
    rng = np.random.default_rng(3)
    x = Tensor(rng.normal(size=(8, 3)), requires_grad=True)
    gamma, beta = Tensor(np.ones(3), requires_grad=True), Tensor(np.zeros(3), requires_grad=True)
    if training:
        out = batchnorm_fused(x, gamma, beta)
    else:
        out = batch_norm(x, np.zeros(3), np.ones(3), gamma, beta, training=False)
    assert out._fused and set(out._saved) == {"x_hat", "inv_std", "gamma"}
    assert out._saved["gamma"] is gamma
    assert_saved_record_is_complete(out)


def test_a_backward_refuses_an_in_place_change_of_what_it_saved():
    """The saved record holds the input itself, not a copy, so the version counter
    checks exactly these entries: the change is refused, not used in the gradient."""
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x = Tensor(np.array([3.0, 3.0]))
    y = (w * x).sum()
    assert y._prev[0]._saved["b"] is x
    x.data *= 2  # changed after the forward pass
    with pytest.raises(RuntimeError, match="saved as 'b' by '\\*', is at version 1"):
        y.backward()
    assert w.grad is None


def test_a_value_saves_its_local_derivatives():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    assert c._saved == {"d/da": -3.0, "d/db": 2.0}  # d(ab)/da = b, d(ab)/db = a
    t = c.tanh()
    assert t._saved == {"d/da": 1 - t.data**2}
    assert a._saved == {}


def test_pictures_show_what_every_op_saved_on_request():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="w")
    y = (w * 3.0).tanh().sum()
    plain, saved = to_dot(y), to_dot(y, show_saved=True)
    assert "saved" not in plain
    assert 'label="saved a"' in saved and 'label="saved b"' in saved  # mul: lines to its inputs
    assert "<b>out</b> (2,) float64" in saved  # tanh: a box for the output it kept
    v = Value(2.0) * Value(-3.0)
    assert "d/da" in to_dot(v, show_saved=True) and "d/da" not in to_dot(v)
