"""The numpy Tensor: every table op in float32, and the behaviours the table cannot express."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import OPS, assert_close, op_inputs

import tinygrad_bn
from tinygrad_bn import Tensor


@pytest.mark.parametrize("op", OPS, ids=str)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_op_keeps_the_dtype_and_float32_agrees_with_float64(op, data):
    arrays = data.draw(op_inputs(op), label="inputs")
    single = [Tensor(x, dtype=np.float32, requires_grad=True) for x in arrays]
    double = [Tensor(x, requires_grad=True) for x in arrays]
    out32, out64 = op.fn(*single), op.fn(*double)
    assert out32.dtype == np.float32, f"{op.name} returned {out32.dtype}"
    assert_close(out32.data, out64.data, 1e-4, f"{op.name} float32 value")
    g = np.linspace(-1.0, 1.0, out64.data.size).reshape(out64.shape)
    out32.backward(g.astype(np.float32))
    out64.backward(g)
    for k, (x32, x64) in enumerate(zip(single, double, strict=True)):
        assert (x32.grad.dtype, x64.grad.dtype) == (np.float32, np.float64), (
            f"{op.name}: gradient dtypes of input {k}"
        )
        assert x32.grad.shape == x32.shape
        assert_close(x32.grad, x64.grad, 1e-4, f"{op.name} float32 gradient of input {k}")


def test_python_numbers_take_the_tensor_dtype():
    x = Tensor([1.0, 2.0], dtype=np.float32)
    assert {(x * 2.5).dtype, (2.5 - x).dtype, (x**2).dtype, (2.0**x).dtype, (x / 3).dtype} == {
        np.dtype(np.float32)
    }


def test_integer_tensor_times_a_float_is_a_float_tensor():
    """As in PyTorch: the float number is not truncated to the tensor's integer dtype."""
    out = Tensor([1, 2, 3]) * 0.5
    assert out.dtype == np.float64
    assert out.data.tolist() == [0.5, 1.0, 1.5]


def test_numpy_array_on_the_left_gives_a_tensor_in_the_graph():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = np.array([2.0, 3.0, 4.0]) * x
    assert isinstance(out, Tensor)
    out.sum().backward()
    assert x.grad.tolist() == [2.0, 3.0, 4.0]


def test_embedding_lookup_equals_one_hot_matmul_and_scatter_adds_repeats():
    """C[X] picks rows; its gradient is one_hot(X)^T @ g.

    So a row used three times gets three gradients.
    """
    C_data = np.arange(15.0).reshape(5, 3) / 7
    X = np.array([[0, 1, 0], [4, 4, 0]])
    one_hot = np.eye(5)[X.ravel()]  # (6, 5)
    g = np.arange(18.0).reshape(2, 3, 3) - 8
    C = Tensor(C_data, requires_grad=True)
    emb = C[X]
    assert emb.shape == (2, 3, 3)
    assert_close(emb.data.reshape(6, 3), one_hot @ C_data, 1e-15, "lookup")
    emb.backward(g)
    assert_close(C.grad, one_hot.T @ g.reshape(6, 3), 1e-15, "scatter-add")
    assert_close(C.grad[0], g[0, 0] + g[0, 2] + g[1, 2], 1e-15, "row 0, used three times")
    assert C.grad[2].tolist() == [0.0, 0.0, 0.0]


def test_indexing_with_an_integer_tensor_works_like_an_array():
    C = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    C[Tensor(np.array([2, 2]))].sum().backward()
    assert C.grad.tolist() == [[0.0, 0.0], [0.0, 0.0], [2.0, 2.0]]


def test_var_defaults_to_the_unbiased_correction_of_one():
    x = Tensor([1.0, 2.0, 3.0, 4.0])  # mean 2.5, squared deviations sum to 5
    assert x.var().item() == 5 / 3
    assert x.var(correction=0).item() == 5 / 4


def test_var_keepdim_keeps_the_reduced_axis():
    x = Tensor(np.arange(12.0).reshape(3, 4))
    assert x.var(dim=0, keepdim=True).shape == (1, 4)
    assert x.var(dim=1).shape == (3,)


def test_max_splits_the_gradient_between_ties():
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


def test_softmax_is_stable_for_huge_logits():
    logits = Tensor([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        probs, logp = logits.softmax(dim=-1), logits.log_softmax(dim=-1)
    assert_close(probs.data, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], 1e-15, "softmax")
    assert_close(logp.data, [[0.0, -1000.0, -2000.0], [-np.log(3)] * 3], 1e-15, "log_softmax")


def test_softmax_rows_sum_to_one():
    probs = Tensor(np.linspace(-3, 3, 12).reshape(3, 4)).softmax(dim=1)
    assert_close(probs.data.sum(axis=1), np.ones(3), 1e-15, "row sums")


def test_cross_entropy_is_the_mean_negative_log_probability_of_the_targets():
    logits = Tensor(np.linspace(-2, 2, 12).reshape(4, 3), requires_grad=True)
    targets = np.array([2, 0, 0, 1])
    expected = -logits.log_softmax(dim=1).data[np.arange(4), targets].mean()
    assert_close(tinygrad_bn.cross_entropy(logits, targets).item(), expected, 1e-15, "function")
    assert_close(
        logits.cross_entropy(Tensor(targets)).item(), expected, 1e-15, "method with Tensor targets"
    )


def test_cross_entropy_of_huge_logits_is_finite():
    logits = Tensor([[1000.0, -1000.0]], requires_grad=True)
    loss = logits.cross_entropy(np.array([1]))
    loss.backward()
    assert loss.item() == 2000.0
    assert logits.grad.tolist() == [[1.0, -1.0]]


def test_cat_and_stack_shapes():
    a, b = Tensor(np.zeros((2, 3))), Tensor(np.ones((2, 3)))
    assert tinygrad_bn.cat([a, b], dim=1).shape == (2, 6)
    assert tinygrad_bn.stack([a, b], dim=1).shape == (2, 2, 3)


def test_transpose_and_view_share_the_data_layout_of_numpy():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.T.data.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert x.view(3, 2).data.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]


def test_accessors_shape_dtype_ndim_item_numpy():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert (x.shape, x.dtype, x.ndim, x.numel(), len(x)) == ((2, 3), np.float64, 2, 6, 2)
    assert x.sum().item() == 15.0 and type(x.sum().item()) is float
    assert x.numpy() is x.data


def test_grad_is_none_until_backward_reaches_the_tensor():
    x, unused = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    assert x.grad is None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0] and unused.grad is None
