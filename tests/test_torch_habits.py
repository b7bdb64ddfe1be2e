"""PyTorch habits work on Tensor with PyTorch's answers: spellings, max/min/argmax, comparisons,
truthiness, bool promotion, empty softmax, float16 softmax, creation functions.

Gradients of the new ops are checked by the op table (test_ops_numeric.py, test_ops_torch.py);
here are the behaviours a table row cannot express. PyTorch is the oracle where installed.
"""

import numpy as np
import pytest

import tinygrad_bn
from tinygrad_bn import Tensor
from tinygrad_bn import functional as F

torch = pytest.importorskip("torch")


def both(data, requires_grad=False):
    """The same float64 data as our Tensor and as a torch tensor."""
    data = np.asarray(data, dtype=np.float64)
    return (
        Tensor(data.copy(), requires_grad=requires_grad),
        torch.tensor(data, requires_grad=requires_grad),
    )


TIES = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [5.0, 5.0, 5.0]]


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_max_along_a_dim_gives_values_indices_and_the_gradient_to_the_index_as_torch(dim, keepdim):
    ours, theirs = both(TIES, requires_grad=True)
    mine, expected = ours.max(dim, keepdim=keepdim), theirs.max(dim, keepdim=keepdim)
    values, indices = mine  # a pair, like torch.return_types.max
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    assert indices.dtype == np.int64 and not indices.requires_grad
    g = np.arange(1.0, 1.0 + values.data.size).reshape(values.shape)
    values.backward(g)
    expected.values.backward(torch.tensor(g))
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_full_max_and_min_split_the_gradient_evenly_among_ties_as_torch():
    for reduce in ("max", "min"):
        ours, theirs = both(TIES, requires_grad=True)
        getattr(ours, reduce)().backward()
        getattr(theirs, reduce)().backward()
        np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, -1])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_and_argmin_match_torch_with_ties(name, dim, keepdim):
    ours, theirs = both(TIES)
    mine, expected = getattr(ours, name)(dim, keepdim), getattr(theirs, name)(dim, keepdim)
    assert mine.shape == tuple(expected.shape) and mine.dtype == np.int64
    np.testing.assert_array_equal(mine.data, expected.numpy())


def test_min_along_a_dim_is_values_and_indices():
    ours, theirs = both([[3.0, -1.0, 2.0], [0.5, 4.0, 0.5]])
    values, indices = ours.min(1)
    np.testing.assert_array_equal(values.data, theirs.min(1).values.numpy())
    np.testing.assert_array_equal(indices.data, theirs.min(1).indices.numpy())
    assert ours.min(dim=0).values is not None and ours.max(0)._fields == ("values", "indices")


def test_max_of_a_0d_tensor_along_dim_0_is_itself_at_index_0():
    values, indices = Tensor(2.5).max(0)
    assert values.item() == 2.5 and indices.item() == 0 and values.shape == ()


COMPARISONS = ["<", "<=", ">", ">=", "==", "!="]


@pytest.mark.parametrize("op", COMPARISONS)
def test_comparisons_are_elementwise_bool_tensors_outside_the_graph(op):
    compare = eval(f"lambda a, b: a {op} b")
    a, ta = both([[1.0, 2.0, 3.0]], requires_grad=True)
    b, tb = both([[2.0], [1.0]])
    for right, torch_right in ((b, tb), (2.0, 2.0), (np.array([3.0, 2.0, 1.0]), tb[0, 0])):
        out, expected = compare(a, right), compare(ta, torch_right)
        assert out.dtype == np.bool_ and not out.requires_grad and out._prev == ()
        np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(compare(np.array([2.0]), a).data, compare(tb[0], ta).numpy())


def test_equality_with_a_number_is_elementwise_and_with_none_is_false():
    t = Tensor([1.0, 2.0])
    assert (t == 1.0).tolist() == [True, False]
    assert (t != 1.0).tolist() == [False, True]
    assert (t == None) is False and (t != "abc") is True  # noqa: E711 (what torch answers)
    assert len({t, Tensor([1.0, 2.0])}) == 2  # hashed by identity, as torch


@pytest.mark.parametrize(
    "data, truth", [([0.0], False), ([1.0], True), (0.0, False), ([[2.0]], True), ([True], True)]
)
def test_a_one_element_tensor_is_true_when_nonzero(data, truth):
    assert bool(Tensor(data)) is truth is bool(torch.tensor(data))


@pytest.mark.parametrize("data", [[1.0, 2.0], [0.0, 0.0], []], ids=["two", "zeros", "empty"])
def test_the_truth_of_several_or_no_elements_is_ambiguous_as_torch(data):
    with pytest.raises(RuntimeError):
        bool(torch.tensor(data))
    with pytest.raises(RuntimeError, match="truth value of a tensor with .* is ambiguous.*any"):
        bool(Tensor(data))
    with pytest.raises(ValueError):  # numpy's exception class for the same mistake
        bool(Tensor(data))
    assert bool((Tensor([1.0, 2.0]) > 0).all()) and not bool((Tensor([1.0, 2.0]) > 1).all())
    assert bool((Tensor([1.0, 2.0]) > 1).any())


@pytest.mark.parametrize("other", [1, 0.5, True, -2], ids=["int", "float", "bool", "negative_int"])
@pytest.mark.parametrize("op", ["+", "*", "/"])
def test_bool_tensors_promote_in_arithmetic_as_torch(op, other):
    compute = eval(f"lambda a, b: a {op} b")
    ours = compute(Tensor([True, False]), other)
    expected = compute(torch.tensor([True, False]), other)
    assert ours.dtype.kind == {torch.bool: "b", torch.int64: "i"}.get(expected.dtype, "f")
    np.testing.assert_array_equal(ours.data, expected.numpy())


def test_bool_tensor_plus_one_is_the_int_tensor_two_one():
    out = Tensor([True, False]) + 1
    assert out.dtype == np.int64 and out.tolist() == [2, 1]


@pytest.mark.parametrize("shape, dim", [((3, 0), -1), ((0, 4), 0), ((2, 0, 3), 1), ((0,), 0)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_dimension_is_empty_as_torch(name, shape, dim):
    ours, theirs = both(np.zeros(shape), requires_grad=True)
    out, expected = getattr(ours, name)(dim), getattr(theirs, name)(dim)
    assert out.shape == tuple(expected.shape)
    out.sum().backward()
    expected.sum().backward()
    assert ours.grad.shape == tuple(theirs.grad.shape)


def test_softmax_over_a_nonempty_dim_of_an_empty_tensor_is_empty():
    ours, theirs = both(np.zeros((0, 4)), requires_grad=True)
    assert ours.softmax(-1).shape == tuple(theirs.softmax(-1).shape) == (0, 4)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_float16_softmax_backward_is_as_accurate_as_torch(name, seed):
    """Both compute half precision in float32 inside: against a float64 reference of the
    same float16 inputs, our gradient error is torch's (softmax: identical; measured
    log_softmax ratio <= 1.11 over seeds 0-4, so 1.5 leaves room)."""
    rng = np.random.default_rng(seed)
    x, g = (rng.normal(size=(64, 50)) * 3).astype(np.float16), rng.normal(size=(64, 50))
    g = g.astype(np.float16)
    reference = torch.tensor(x.astype(np.float64), requires_grad=True)
    getattr(reference, name)(-1).backward(torch.tensor(g.astype(np.float64)))
    half = torch.tensor(x, requires_grad=True)
    getattr(half, name)(-1).backward(torch.tensor(g))
    ours = Tensor(x, requires_grad=True)
    out = getattr(ours, name)(-1)
    out.backward(g)
    assert out.dtype == ours.grad.dtype == np.float16
    exact = reference.grad.numpy()
    ours_error = np.abs(ours.grad.astype(np.float64) - exact).max()
    torch_error = np.abs(half.grad.numpy().astype(np.float64) - exact).max()
    assert ours_error <= (1.0 if name == "softmax" else 1.5) * torch_error


def test_keepdims_is_accepted_beside_keepdim_as_torch():
    ours, theirs = both(np.arange(6.0).reshape(2, 3))
    for name in ("sum", "mean", "var", "std", "amax"):
        np.testing.assert_allclose(
            getattr(ours, name)(1, keepdims=True).data,
            getattr(theirs, name)(1, keepdims=True).numpy(),
            rtol=1e-15,
        )
    assert ours.max(1, keepdims=True).values.shape == (2, 1)


def test_var_and_std_take_unbiased_as_torch():
    ours, theirs = both([[1.0, 2.0, 4.0], [0.0, 5.0, 5.0]])
    for unbiased in (True, False):
        for name in ("var", "std"):
            mine = getattr(ours, name)(0, unbiased=unbiased).data
            np.testing.assert_allclose(
                mine, getattr(theirs, name)(0, unbiased=unbiased).numpy(), rtol=1e-15
            )


def test_retain_grad_tolist_and_size_as_torch():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    h = x * 2
    assert h.retain_grad() is None
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad, 4 * np.ones((2, 3)))  # d(h^2)/dh = 2h
    assert x.tolist() == [[1.0] * 3] * 2 and Tensor(2.0).tolist() == 2.0
    assert x.size() == (2, 3) and x.size(0) == 2 and x.size(-1) == 3
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        x.size(2)


def test_t_flatten_unsqueeze_squeeze_shapes_match_torch():
    ours, theirs = both(np.ones((2, 1, 3)))
    cases = [
        lambda a: a.flatten(),
        lambda a: a.flatten(1),
        lambda a: a.unsqueeze(0),
        lambda a: a.unsqueeze(-1),
        lambda a: a.squeeze(),
        lambda a: a.squeeze(1),
        lambda a: a.squeeze(0),  # not of size 1: stays, as torch
        lambda a: a.squeeze((0, 1)),
        lambda a: a.permute(2, 0, 1),
        lambda a: a.movedim(-1, 0),
        lambda a: a[0].t(),
    ]
    for case in cases:
        assert case(ours).shape == tuple(case(theirs).shape)
    assert Tensor(1.0).flatten().shape == tuple(torch.tensor(1.0).flatten().shape) == (1,)


def test_creation_functions_make_tensors_as_torch():
    t = tinygrad_bn.tensor([[1.0, 2.0]], requires_grad=True)
    assert t.shape == (1, 2) and t.requires_grad and t.dtype == np.float64
    source = np.array([1.0, 2.0])
    copy = tinygrad_bn.tensor(source)
    source[0] = 9.0
    assert copy.tolist() == [1.0, 2.0]  # tensor() copies, as torch.tensor
    assert tinygrad_bn.tensor([1, 2]).dtype == np.int64
    assert tinygrad_bn.tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert tinygrad_bn.zeros(2, 3).tolist() == [[0.0] * 3] * 2
    assert tinygrad_bn.ones((2,)).tolist() == [1.0, 1.0]
    assert tinygrad_bn.zeros_like(t).shape == (1, 2) and tinygrad_bn.ones_like(t).tolist() == [
        [1, 1]
    ]
    tinygrad_bn.nn.manual_seed(3)
    first = tinygrad_bn.randn(4, 5)
    tinygrad_bn.nn.manual_seed(3)
    assert np.array_equal(first.data, tinygrad_bn.randn(4, 5).data) and first.shape == (4, 5)
    assert tinygrad_bn.randn_like(first).shape == (4, 5)
    assert tinygrad_bn.randn(2, dtype=np.float32, requires_grad=True).requires_grad


def test_pytorch_names_are_exported():
    names = {"tensor", "zeros", "ones", "randn", "zeros_like", "ones_like", "randn_like"}
    assert names <= set(tinygrad_bn.__all__)
    functional = {"softmax", "log_softmax", "relu", "tanh", "leaky_relu", "sigmoid"}
    assert functional <= set(F.__all__)
    x, tx = both([[-1.0, 0.5, 2.0]])
    for name in functional:
        args = (-1,) if "softmax" in name else ()
        mine = getattr(F, name)(x, *args).data
        np.testing.assert_allclose(
            mine, getattr(torch.nn.functional, name)(tx, *args).numpy(), rtol=1e-15
        )
