"""Bad input gets an error that names the problem and the shapes or values involved.

Each test checks the message, not just the exception type: a learner reads it.
"""

import math
import re

import numpy as np
import pytest

import tinygrad_bn
from tinygrad_bn import Tensor, Value, gradcheck


def message(pattern):
    """A regex matching `pattern` literally, for pytest.raises(match=...)."""
    return re.escape(pattern)


def test_backward_on_a_non_scalar_tensor_needs_a_gradient_argument():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2.0
    with pytest.raises(
        RuntimeError, match=message("needs a single-element tensor, got shape (2, 3)")
    ) as error:
        y.backward()
    assert ".sum()" in str(error.value)  # the message says how to fix it


def test_backward_with_a_wrongly_shaped_gradient_names_both_shapes():
    y = Tensor(np.ones(2), requires_grad=True) * 2.0
    with pytest.raises(
        ValueError, match=message("grad has shape (3,) but the tensor has shape (2,)")
    ):
        y.backward(np.ones(3))


def test_backward_on_a_tensor_without_grad_says_why():
    with pytest.raises(RuntimeError, match="does not require grad.*requires_grad=True"):
        (Tensor([1.0]) * 2).backward()


@pytest.mark.parametrize(
    "left, right",
    [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)), ((4,), (3, 2))],
    ids=["2d@2d", "1d@1d", "2d@1d", "1d@2d"],
)
def test_matmul_shape_mismatch_names_both_shapes(left, right):
    with pytest.raises(ValueError, match=message(f"matmul shape mismatch: {left} @ {right}")):
        Tensor(np.ones(left)) @ Tensor(np.ones(right))


def test_matmul_of_3d_operands_whose_batch_dims_differ_says_they_must_broadcast():
    with pytest.raises(ValueError, match=message("(2, 2, 2) @ (3, 2, 2); the batch dimensions")):
        Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones((3, 2, 2)))


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_broadcasting_mismatch_names_shapes_and_op(op):
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones(4))
    with pytest.raises(
        ValueError, match=message(f"shapes (2, 3) and (4,) cannot be broadcast together for '{op}'")
    ):
        {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__, "**": a.__pow__}[op](b)


@pytest.mark.parametrize(
    "index",
    [1.5, (0, 1.0), np.array([0.0, 1.0]), [0.0, 2.0], Tensor([1.0])],
    ids=["float", "float_in_tuple", "float_array", "float_list", "float_tensor"],
)
def test_indexing_with_floats_is_refused(index):
    with pytest.raises(
        TypeError, match="indices must be integers.*got a float index.*astype\\(int\\)"
    ):
        Tensor(np.ones((3, 3)))[index]


@pytest.mark.parametrize(
    "index", [5, (0, 3), np.array([0, 7]), -4], ids=["int", "second_axis", "int_array", "negative"]
)
def test_index_out_of_range_names_the_shape_and_the_index(index):
    with pytest.raises(
        IndexError, match=message("index out of range for a tensor of shape (3, 3)")
    ) as error:
        Tensor(np.ones((3, 3)))[index]
    assert re.search(r"index -?\d+ is out of bounds", str(error.value))


@pytest.mark.parametrize("x", [0.0, -2.5])
def test_value_log_of_a_nonpositive_number_follows_ieee_as_tensor_log(x):
    assert Value(x).log().data == Tensor(x).log().item() or math.isnan(Value(x).log().data)


def test_tensor_log_follows_pytorch_with_inf_and_nan_instead_of_an_error():
    with np.errstate(all="raise"):  # not even a numpy warning
        out = Tensor([0.0, -1.0, 1.0]).log()
    assert out.data[0] == -math.inf and math.isnan(out.data[1]) and out.data[2] == 0.0


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_an_integer_tensor_cannot_require_grad(dtype):
    with pytest.raises(
        TypeError,
        match=f"only floating-point tensors can require grad, got dtype {np.dtype(dtype)}",
    ):
        Tensor(np.array([1, 0, 1], dtype=dtype), requires_grad=True)


def test_requires_grad_on_an_existing_integer_tensor_is_refused():
    with pytest.raises(
        TypeError, match="only floating-point tensors can require grad, got dtype int64"
    ):
        Tensor([1, 2, 3]).requires_grad_()


def test_reshape_to_a_wrong_size_names_both_shapes_and_the_element_count():
    with pytest.raises(
        ValueError,
        match=message("cannot reshape a tensor of shape (2, 3) (6 elements) into shape (4,)"),
    ):
        Tensor(np.ones((2, 3))).reshape(4)


@pytest.mark.parametrize("method", ["sum", "mean", "var", "max", "softmax", "log_softmax"])
def test_reduction_over_a_missing_dim_names_the_dim_and_the_rank(method):
    with pytest.raises(IndexError, match="dim 2 is out of range for a tensor with 2 dimensions"):
        getattr(Tensor(np.ones((2, 3))), method)(dim=2)


@pytest.mark.parametrize(
    "targets, problem",
    [
        ([0, 3], "integer class indices in [0, 3), got [0 3]"),
        ([0, -1], "integer class indices in [0, 3), got [ 0 -1]"),
        ([0.0, 1.0], "integer class indices in [0, 3), got [0. 1.]"),
        ([0], "expects logits (N, C) and targets (N,), got (2, 3) and (1,)"),
    ],
    ids=["class_too_large", "negative_class", "float_targets", "wrong_length"],
)
def test_cross_entropy_with_bad_targets_names_the_targets(targets, problem):
    with pytest.raises(ValueError, match=message(problem)):
        tinygrad_bn.cross_entropy(Tensor(np.zeros((2, 3))), targets)


def test_cross_entropy_needs_two_dimensional_logits():
    with pytest.raises(
        ValueError, match=message("expects logits (N, C) and targets (N,), got (3,) and (3,)")
    ):
        Tensor(np.zeros(3)).cross_entropy([0, 1, 2])


def test_cat_of_mismatched_shapes_lists_the_shapes():
    with pytest.raises(
        ValueError,
        match=message("cat along dim 0 needs equal shapes elsewhere, got [(2, 3), (2, 4)]"),
    ):
        tinygrad_bn.cat([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))])


def test_stack_of_mismatched_shapes_lists_the_shapes():
    with pytest.raises(
        ValueError, match=message("stack needs tensors of equal shape, got [(2,), (3,)]")
    ):
        tinygrad_bn.stack([Tensor(np.ones(2)), Tensor(np.ones(3))])


def test_gradcheck_refuses_float32_inputs_and_says_how_to_fix():
    with pytest.raises(TypeError, match="needs float64 inputs.*got float32.*dtype=np.float64"):
        gradcheck(lambda x: x * 2, Tensor(np.ones(2), dtype=np.float32))


def test_gradcheck_refuses_a_mix_of_values_and_tensors():
    with pytest.raises(TypeError, match="all Tensors or all Values, got Value, Tensor"):
        gradcheck(lambda a, b: b * a.data, Value(1.0), Tensor([1.0]))


def test_gradcheck_needs_an_input():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0))


def test_requires_grad_false_on_a_computed_tensor_is_refused_with_the_way_out():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(
        RuntimeError, match=r"requires_grad_\(False\) on a tensor computed by '\*'.*detach\(\)"
    ):
        y.requires_grad_(False)
    assert y.requires_grad  # unchanged
