"""Op errors name the problem and the fix, and are catchable as PyTorch code expects.

Where PyTorch raises RuntimeError for a shape problem, ours is a `ShapeError`: a
RuntimeError and a ValueError at once. Each case also checks that PyTorch refuses it.
"""

import re

import numpy as np
import pytest

import tinygrad_bn
from tinygrad_bn import ShapeError, Tensor, nn

torch = pytest.importorskip("torch")


def test_shape_error_is_both_a_value_error_and_a_runtime_error():
    assert issubclass(ShapeError, ValueError) and issubclass(ShapeError, RuntimeError)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**", "<", "=="])
def test_a_broadcasting_mismatch_is_catchable_as_runtime_error_as_in_torch(op):
    compute = eval(f"lambda a, b: a {op} b")
    with pytest.raises(RuntimeError):
        compute(torch.ones(2, 3), torch.ones(4))
    with pytest.raises(RuntimeError, match=re.escape("(2, 3) and (4,) cannot be broadcast")):
        compute(Tensor(np.ones((2, 3))), Tensor(np.ones(4)))


@pytest.mark.parametrize(
    "compute",
    [lambda a: a ** Tensor([-1]), lambda a: a**-2],
    ids=["tensor_exponent", "number_exponent"],
)
def test_an_integer_to_a_negative_power_is_not_called_a_broadcasting_error(compute):
    with pytest.raises(RuntimeError, match="negative integer powers"):
        compute(torch.tensor([2]))
    with pytest.raises(RuntimeError, match="negative integer powers.*float tensor") as error:
        compute(Tensor([2]))
    assert "broadcast" not in str(error.value)
    assert compute(Tensor([2.0])).tolist()[0] in (0.5, 0.25)  # floats are fine


def test_cat_of_0d_tensors_says_to_stack_them():
    with pytest.raises(RuntimeError, match="zero-dimensional"):
        torch.cat([torch.tensor(1.0), torch.tensor(2.0)])
    with pytest.raises(RuntimeError, match="position 0 is 0-d.*use stack"):
        tinygrad_bn.cat([Tensor(1.0), Tensor(2.0)])


def test_cat_along_a_missing_dim_names_the_dim():
    with pytest.raises(IndexError):
        torch.cat([torch.ones(2)], dim=5)
    with pytest.raises(IndexError, match="dim 5 is out of range for a tensor with 1 dimensions"):
        tinygrad_bn.cat([Tensor(np.ones(2)), Tensor(np.ones(2))], dim=5)


@pytest.mark.parametrize("join", ["cat", "stack"])
def test_joining_an_empty_list_says_it_is_empty(join):
    with pytest.raises((RuntimeError, ValueError)):
        getattr(torch, join)([])
    with pytest.raises(ValueError, match=f"{join}: expected a non-empty list of tensors"):
        getattr(tinygrad_bn, join)([])


@pytest.mark.parametrize("join", ["cat", "stack"])
def test_joining_one_tensor_instead_of_a_list_says_to_wrap_it(join):
    with pytest.raises(TypeError, match=re.escape(f"write {join}([a, b])")):
        getattr(tinygrad_bn, join)(Tensor(np.ones(2)))
    with pytest.raises(TypeError, match="position 1 is a ndarray, not a Tensor"):
        getattr(tinygrad_bn, join)([Tensor(np.ones(2)), np.ones(2)])


def test_cat_of_mismatched_shapes_is_catchable_as_runtime_error():
    with pytest.raises(RuntimeError, match=re.escape("got [(2, 3), (2, 4)]")):
        tinygrad_bn.cat([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))])


def test_indexing_with_an_empty_list_selects_nothing_as_torch():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    rows = x[[]]
    assert rows.shape == tuple(torch.ones(2, 3)[[]].shape) == (0, 3)
    (rows.sum() + x.sum()).backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 3)))


@pytest.mark.parametrize("dim", [1.0, "1", (0, 1.5), True], ids=["float", "str", "tuple", "bool"])
def test_a_dim_that_is_not_an_int_says_what_a_dim_is(dim):
    with pytest.raises(TypeError, match="dim must be an int or a tuple of ints"):
        Tensor(np.ones((2, 3))).sum(dim=dim)


def test_sum_with_a_float_dim_is_refused_as_by_torch():
    with pytest.raises(TypeError):
        torch.ones(2, 3).sum(dim=1.0)
    with pytest.raises(TypeError, match=re.escape("got 1.0 (float); e.g. sum(dim=1)")):
        Tensor(np.ones((2, 3))).sum(dim=1.0)


@pytest.mark.parametrize("dims, bad", [((0, 5), 5), ((-3, 1), -3)])
def test_transpose_of_a_missing_dim_names_it(dims, bad):
    with pytest.raises(IndexError):
        torch.ones(2, 3).transpose(*dims)
    with pytest.raises(IndexError, match=f"dim {bad} is out of range.*2 dimensions"):
        Tensor(np.ones((2, 3))).transpose(*dims)


def test_flatten_layer_on_a_0d_tensor_names_the_dim_not_a_modulo_by_zero():
    with pytest.raises(IndexError):
        torch.nn.Flatten()(torch.tensor(1.0))
    with pytest.raises(IndexError, match="dim 1 is out of range for a tensor with 0 dimensions"):
        nn.Flatten()(Tensor(1.0))


def test_flatten_with_start_after_end_says_so():
    with pytest.raises(RuntimeError, match="start_dim 2 comes after end_dim 0"):
        Tensor(np.ones((2, 3, 4))).flatten(2, 0)


@pytest.mark.parametrize(
    "left, right, problem",
    [
        ((), (3,), "at least 1 dimension"),
        ((2, 3), (4, 5), "last dimension of the left must equal the second-to-last"),
        ((2, 2, 3), (3, 3, 1), "batch dimensions"),
    ],
    ids=["0d", "inner", "batch"],
)
def test_matmul_mismatches_are_runtime_errors_naming_both_shapes(left, right, problem):
    with pytest.raises(RuntimeError):
        torch.ones(left) @ torch.ones(right)
    with pytest.raises(RuntimeError, match=re.escape(f"{left} @ {right}") + ".*" + problem):
        Tensor(np.ones(left)) @ Tensor(np.ones(right))


def test_permute_that_repeats_or_misses_a_dim_says_to_name_each_once():
    for dims in ((0, 0), (0,)):
        with pytest.raises(RuntimeError):
            torch.ones(2, 3).permute(*dims)
        with pytest.raises(RuntimeError, match="name each of the dims 0..1 exactly once"):
            Tensor(np.ones((2, 3))).permute(*dims)


def test_t_of_a_3d_tensor_points_to_transpose_and_permute():
    with pytest.raises(RuntimeError):
        torch.ones(2, 3, 4).t()
    with pytest.raises(RuntimeError, match="at most 2 dimensions.*transpose"):
        Tensor(np.ones((2, 3, 4))).t()


@pytest.mark.parametrize("reduce", ["max", "min", "argmax"])
def test_max_over_an_empty_dimension_is_refused_clearly(reduce):
    with pytest.raises((RuntimeError, IndexError)):
        getattr(torch.ones(3, 0), reduce)(1)
    with pytest.raises(RuntimeError, match=re.escape("over an empty dimension of a tensor")):
        getattr(Tensor(np.ones((3, 0))), reduce)(1)
    with pytest.raises(RuntimeError, match="empty dimension"):
        getattr(Tensor(np.ones((3, 0))), reduce)()


def test_max_with_several_dims_points_to_amax():
    with pytest.raises(TypeError, match=re.escape("amax(dim=(0, 1))")):
        Tensor(np.ones((2, 3))).max(dim=(0, 1))


def test_clamp_without_bounds_is_refused_as_by_torch():
    with pytest.raises(RuntimeError):
        torch.ones(2).clamp()
    with pytest.raises(RuntimeError, match="clamp needs a bound"):
        Tensor(np.ones(2)).clamp()
