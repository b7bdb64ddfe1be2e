"""The scalar engine: every `Value` op in the table, and the micrograd-style API around it."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import SCALAR_OPS, assert_close, scalar_inputs

from tinygrad_bn import Tensor, Value


@pytest.mark.parametrize("op", SCALAR_OPS, ids=str)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_value_op_agrees_with_the_tensor_engine(op, data):
    """A Value op and the same op on 0-d float64 Tensors give the same number and gradients."""
    numbers = data.draw(scalar_inputs(op), label="inputs")
    values = [Value(x) for x in numbers]
    tensors = [Tensor(x, requires_grad=True) for x in numbers]
    out, expected = op.fn(*values), op.fn(*tensors)
    assert_close(out.data, expected.data, 1e-12, f"{op.name} value")
    out.backward()
    expected.backward()
    for k, (v, t) in enumerate(zip(values, tensors, strict=True)):
        assert_close(v.grad, t.grad, 1e-12, f"{op.name} gradient of input {k}")


@pytest.mark.parametrize("op", SCALAR_OPS, ids=str)
def test_value_gradients_are_python_floats(op):
    values = [Value(x) for x in (0.7, 1.3)[: op.arity]]
    op.fn(*values).backward()
    assert all(type(v.grad) is float for v in values), [type(v.grad) for v in values]


def test_new_value_has_data_label_and_zero_float_grad():
    v = Value(3.0, label="w")
    assert (v.data, v.label, v.grad) == (3.0, "w", 0.0)
    assert type(v.grad) is float


def test_numbers_combine_with_values_on_either_side():
    x = Value(2.0)
    results = [x + 1, 1 + x, x - 1, 1 - x, x * 3, 3 * x, x / 4, 4 / x, x**2, 2**x, -x]
    assert [r.data for r in results] == [3.0, 3.0, 1.0, -1.0, 6.0, 6.0, 0.5, 2.0, 4.0, 4.0, -2.0]


def test_value_to_the_power_of_a_value_differentiates_both():
    a, b = Value(3.0), Value(2.0)
    (a**b).backward()
    assert a.grad == pytest.approx(2.0 * 3.0, rel=1e-15)  # b a^(b-1)
    assert b.grad == pytest.approx(9.0 * math.log(3.0), rel=1e-15)  # a^b ln a


def test_power_exponent_must_be_a_number_or_value():
    with pytest.raises(TypeError, match="exponent must be a number or a Value"):
        Value(2.0) ** "3"


def test_sigmoid_is_stable_for_large_inputs():
    """No OverflowError far out: sigmoid(-1000) is 0, sigmoid(1000) is 1, sigmoid(-50) ~ e^-50."""
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-50.0).sigmoid().data == pytest.approx(math.exp(-50.0), rel=1e-15)
    assert Value(0.0).sigmoid().data == 0.5


def test_relu_passes_gradient_only_for_positive_inputs():
    neg, pos = Value(-1.5), Value(2.5)
    (neg.relu() + pos.relu()).backward()
    assert (neg.grad, pos.grad) == (0.0, 1.0)


def test_repr_shows_data_grad_and_label():
    v = Value(1.5, label="x")
    assert repr(v) == "Value(data=1.5, grad=0.0, label='x')"
