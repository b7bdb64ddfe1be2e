"""PyTorch and micrograd habits on the scalar `Value`: comparisons, backward(grad),
IEEE arithmetic (inf and nan where Python would raise), and clear type errors.

PyTorch (float64, 0-d tensors) is the oracle for every value and gradient."""

import math

import numpy as np
import pytest

from tinygrad_bn import Tensor, Value

torch = pytest.importorskip("torch")

# (name, f on a Value or a torch tensor, input): each where Python's float arithmetic raises
# or turns complex, while PyTorch (IEEE) gives inf or nan
IEEE_CASES = [
    ("relu_nan", lambda a: a.relu(), math.nan),
    ("sqrt_negative", lambda a: a**0.5, -8.0),
    ("exp_overflow", lambda a: a.exp(), 1000.0),
    ("exp_nan", lambda a: a.exp(), math.nan),
    ("square_overflow", lambda a: a**2, 1e200),
    ("cube_overflow_negative", lambda a: a**3, -1e200),
    ("divide_by_zero", lambda a: a / 0.0, 1.0),
    ("zero_divided", lambda a: 1.0 / a, 0.0),
    ("zero_to_minus_one", lambda a: a**-1, 0.0),
    ("log_zero", lambda a: a.log(), 0.0),
    ("log_negative", lambda a: a.log(), -2.5),
    ("sqrt_zero", lambda a: a**0.5, 0.0),
    ("tanh_inf", lambda a: a.tanh(), math.inf),
    ("sigmoid_minus_inf", lambda a: a.sigmoid(), -math.inf),
]


def same(ours, theirs):
    """Equal as IEEE numbers: both nan, or equal (infinities included), or within 1e-12."""
    if math.isnan(theirs):
        return math.isnan(ours)
    return ours == theirs or abs(ours - theirs) <= 1e-12 * max(1.0, abs(theirs))


@pytest.mark.parametrize("f, x", [c[1:] for c in IEEE_CASES], ids=[c[0] for c in IEEE_CASES])
def test_value_follows_ieee_like_pytorch_in_value_and_gradient(f, x):
    a = Value(x)
    y = f(a)
    y.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ty = f(t)
    ty.backward()
    assert same(y.data, ty.item()), (y.data, ty.item())
    assert same(a.grad, t.grad.item()), (a.grad, t.grad.item())


def test_division_by_a_zero_value_gives_both_gradients_as_pytorch():
    a, b = Value(0.0), Value(0.0)
    (a / b).backward()
    ta = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (ta / tb).backward()
    assert same(a.grad, ta.grad.item()) and same(b.grad, tb.grad.item())


def test_plain_comparisons_compare_the_numbers():
    a, b = Value(1.0), Value(2.0)
    assert (a < b, a <= b, a > b, a >= b) == (True, True, False, False)
    assert (a < 1.5, a >= 1, 3 > a, 0.5 <= a) == (True, True, True, True)
    assert max([a, b]) is b and sorted([b, a]) == [a, b]


def test_equality_stays_identity_so_values_work_as_dict_keys_as_in_micrograd():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2 and {a: "a", b: "b"}[b] == "b"


def test_backward_with_a_gradient_scales_every_gradient():
    a, b = Value(2.0), Value(-3.0)
    y = (a * b).tanh()
    y.backward(0.5)
    ga, gb = a.grad, b.grad
    a.grad = b.grad = 0.0
    (a * b).tanh().backward()
    assert ga == 0.5 * a.grad and gb == 0.5 * b.grad and ga != 0


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Value("abc"), "needs a real number, got str"),
        (lambda: Value(None), "needs a real number, got NoneType"),
        (lambda: Value(Value(1.0)), "pass the Value itself"),
        (lambda: Value(1.0) * "abc", "needs a real number, got str"),
        (lambda: Value(1.0) / "abc", "needs a real number, got str"),
        (lambda: Value(1.0).backward("x"), "backward\\(grad\\) needs a real number"),
    ],
    ids=["string", "none", "value", "times_string", "divided_by_string", "backward_string"],
)
def test_a_value_of_something_else_than_a_number_is_a_clear_type_error(make, message):
    with pytest.raises(TypeError, match=message):
        make()


@pytest.mark.parametrize(
    "mix",
    [
        lambda: Value(1.0) + Tensor([1.0, 2.0]),
        lambda: Tensor([1.0, 2.0]) + Value(1.0),
        lambda: Value(1.0) * np.ones(2),
        lambda: Tensor([Value(1.0), Value(2.0)]),
        lambda: Tensor(Value(1.0)),
    ],
    ids=["value_plus_tensor", "tensor_plus_value", "value_times_array", "list", "one"],
)
def test_a_value_and_a_tensor_never_nest_silently(mix):
    with pytest.raises(TypeError, match="Value"):
        mix()


def test_numpy_scalars_are_numbers_for_a_value():
    y = Value(np.float64(2.0)) * np.float32(3.0)
    y.backward()
    assert y.data == 6.0
