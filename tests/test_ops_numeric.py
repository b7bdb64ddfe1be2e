"""Every op in the table matches central differences (float64, full Jacobian, rel. error <= 1e-6).

Shapes and values are drawn by hypothesis from each row of tests/op_table.py;
the broadcasting kinds the issue names are also checked one by one.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import (
    BROADCAST_KINDS,
    BROADCASTING_OPS,
    OPS,
    SCALAR_OPS,
    inputs_for,
    op_inputs,
    scalar_inputs,
)

from tinygrad_bn import Tensor, Value, gradcheck

TOLERANCE = 1e-6


@pytest.mark.parametrize("op", OPS, ids=str)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_tensor_gradient_matches_central_differences(op, data):
    arrays = data.draw(op_inputs(op), label="inputs")
    result = gradcheck(op.fn, *(Tensor(x) for x in arrays), tol=TOLERANCE)
    assert result, f"{op.name}: {result}"


@pytest.mark.parametrize("kind", BROADCAST_KINDS, ids=str)
@pytest.mark.parametrize("op", BROADCASTING_OPS, ids=str)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_broadcasting_gradient_matches_central_differences(op, kind, data):
    arrays = data.draw(inputs_for(op, BROADCAST_KINDS[kind]), label="inputs")
    result = gradcheck(op.fn, *(Tensor(x) for x in arrays), tol=TOLERANCE)
    assert result, f"{op.name} {kind}: {result}"


@pytest.mark.parametrize("op", SCALAR_OPS, ids=str)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_value_gradient_matches_central_differences(op, data):
    numbers = data.draw(scalar_inputs(op), label="inputs")
    result = gradcheck(op.fn, *(Value(x) for x in numbers), tol=TOLERANCE)
    assert result, f"{op.name}: {result}"
