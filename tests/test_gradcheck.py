"""gradcheck itself: it passes correct gradients and catches a wrong backward, saying where."""

import re

import numpy as np
import pytest

from tinygrad_bn import Tensor, Value, gradcheck

# how value.py builds a result node: (data, op, input, local derivative)
from tinygrad_bn.value import _node


def reported(result):
    """(where, analytic, numeric) from a result's `worst` entry."""
    where, analytic, numeric = re.fullmatch(
        r"(.*): analytic (\S+), numeric (\S+)", result.worst
    ).groups()
    return where, float(analytic), float(numeric)


def square_missing_factor_two(x):
    """x^2 whose backward forgets the 2: it says d(x^2)/dx = x."""
    return Tensor._make(x.data**2, (x,), "bad_square", lambda g: (g * x.data,))


def product_wrong_at(a, b, where):
    """a * b whose gradient for b is off by 0.5 at one element only."""

    def backward(g):
        grad_b = g * a.data
        grad_b[where] += 0.5 * g[where]
        return g * b.data, grad_b

    return Tensor._make(a.data * b.data, (a, b), "bad_mul", backward)


def test_passes_a_correct_tensor_function_of_several_inputs():
    a, b = Tensor(np.linspace(-1, 1, 6).reshape(2, 3)), Tensor(np.linspace(0.5, 2, 3))
    result = gradcheck(lambda a, b: (a * b).tanh() @ b.log() + a.sum(dim=1), a, b)
    assert result
    assert result.max_error <= 1e-8
    assert str(result).startswith("gradients agree: max error")


def test_passes_a_correct_value_function():
    result = gradcheck(lambda x, y: (x * y + x.exp()).tanh() / y, Value(0.3), Value(-1.7))
    assert result and result.max_error <= 1e-8


def test_catches_a_backward_that_is_wrong_everywhere():
    x = Tensor(np.array([0.1, 0.2, 0.3]))
    result = gradcheck(square_missing_factor_two, x)
    assert not result
    assert "GRADIENTS DIFFER" in str(result)
    # the error |x - 2x| / max(1, |x|, |2x|) is x: worst at the last element
    assert result.max_error == pytest.approx(0.3, rel=1e-6)
    assert reported(result) == (
        "input 0 element (2,), output element 2",
        0.3,
        pytest.approx(0.6, rel=1e-8),
    )


def test_reports_the_input_element_and_output_element_of_the_worst_entry():
    a = Tensor(np.linspace(0.1, 0.4, 6).reshape(2, 3))
    b = Tensor(np.linspace(-0.4, -0.1, 6).reshape(2, 3))
    result = gradcheck(lambda a, b: product_wrong_at(a, b, (1, 2)), a, b)
    assert not result
    where, analytic, numeric = reported(result)
    assert where == "input 1 element (1, 2), output element 5"
    assert analytic == pytest.approx(0.4 + 0.5, rel=1e-8) and numeric == pytest.approx(
        0.4, rel=1e-8
    )
    # analytic a + 0.5 against numeric a, with |a| < 1
    assert result.max_error == pytest.approx(0.5, rel=1e-6)


def test_catches_a_wrong_local_derivative_in_a_value():
    x = Value(1.5)
    # d(x^2)/dx is 2x, not x
    result = gradcheck(lambda x: _node(x.data**2, "bad_square", x, x.data), x)
    assert not result
    assert reported(result) == (
        "input 0 element (), output element 0",
        1.5,
        pytest.approx(3.0, rel=1e-8),
    )
    assert "GRADIENTS DIFFER" in str(result) and reported(result)[0] in str(result)


def test_catches_a_missing_gradient():
    """An op that drops its input from the graph has analytic gradient 0; the numeric one is not."""
    x = Tensor(np.array([0.5, 1.0]))
    result = gradcheck(lambda x: x * 1.0 + Tensor(x.data**2), x)
    assert not result
    assert reported(result) == (
        "input 0 element (1,), output element 1",
        1.0,
        pytest.approx(3.0, rel=1e-8),
    )


def test_leaves_the_input_data_unchanged():
    original = np.linspace(-1, 1, 4)
    x = Tensor(original.copy())
    gradcheck(lambda x: x.exp().sum(), x)
    assert np.array_equal(x.data, original)
    v = Value(0.25)
    gradcheck(lambda v: v.tanh(), v)
    assert v.data == 0.25


def test_honours_the_tolerance():
    """Central differences are accurate to about 1e-10 here, so a 1e-15 tolerance must fail."""
    x = Tensor(np.array([0.7, 1.3]))
    assert gradcheck(lambda x: x.exp(), x)
    assert not gradcheck(lambda x: x.exp(), x, tol=1e-15)
