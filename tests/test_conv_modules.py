"""Conv2d, MaxPool2d, AvgPool2d and GroupNorm: PyTorch's names, shapes, keys and numbers.

Each module is held to its torch.nn twin with the same weights, in float64 to 1e-10:
output, d input and every parameter's gradient. The ops behind them are in the op
table (tests/op_table.py), which checks them against central differences too.
"""

import numpy as np
import pytest

from tinygrad_bn import Tensor, nn
from tinygrad_bn.functional import avg_pool2d, conv2d, group_norm, max_pool2d, pad

torch = pytest.importorskip("torch")

TOL = 1e-10


def assert_close(ours, theirs, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs PyTorch's {theirs.shape}"
    error = np.abs(ours - theirs).max() / max(1.0, np.abs(theirs).max())
    assert error <= TOL, f"{what} differs from PyTorch by {error:.3g}"


def copy_parameters(ours, theirs):
    """Give PyTorch's module our parameters, by state-dict key."""
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})


def forward_backward_both(ours, theirs, x, rng):
    """Run both on x with one random upstream gradient; compare output and all gradients."""
    xo, xt = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = ours(xo), theirs(xt)
    assert_close(out_o.data, out_t, "output")
    g = rng.standard_normal(out_o.shape)
    out_o.backward(g)
    out_t.backward(torch.from_numpy(g))
    assert_close(xo.grad, xt.grad, "d input")
    for (name, p), (tname, tp) in zip(
        ours.named_parameters(), theirs.named_parameters(), strict=True
    ):
        assert name == tname
        assert_close(p.grad, tp.grad, f"d {name}")


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((3, 4, 3), {}),
        ((2, 5, (3, 2)), {"stride": 2, "padding": 1}),
        ((1, 2, 2), {"stride": (1, 2), "padding": (1, 0), "bias": False}),
    ],
)
def test_conv2d_module_matches_torch(args, kwargs):
    rng = np.random.default_rng(0)
    ours = nn.Conv2d(*args, **kwargs)
    theirs = torch.nn.Conv2d(*args, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert ours.state_dict()[key].shape == tuple(value.shape)
    copy_parameters(ours, theirs)
    forward_backward_both(ours, theirs, rng.standard_normal((2, args[0], 7, 6)), rng)


def test_conv2d_starts_uniform_within_one_over_root_fan_in_as_pytorch():
    nn.manual_seed(0)
    layer = nn.Conv2d(4, 64, 3)
    bound = 1 / np.sqrt(4 * 3 * 3)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.9 * bound  # spread over the whole interval
    assert layer.weight.shape == (64, 4, 3, 3) and layer.bias.shape == (64,)


@pytest.mark.parametrize("kind", ["MaxPool2d", "AvgPool2d"])
@pytest.mark.parametrize(
    "args, kwargs", [((2,), {}), ((3,), {"stride": 1, "padding": 1}), (((3, 2), 2), {})]
)
def test_pooling_module_matches_torch(kind, args, kwargs):
    rng = np.random.default_rng(1)
    x = rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6) / 10.0  # no ties
    forward_backward_both(
        getattr(nn, kind)(*args, **kwargs), getattr(torch.nn, kind)(*args, **kwargs), x, rng
    )


def test_max_pool_sends_a_tie_to_the_first_winner_as_pytorch():
    x = np.ones((1, 1, 2, 2))
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    max_pool2d(xo, 2).sum().backward()
    torch.nn.functional.max_pool2d(xt, 2).sum().backward()
    assert xo.grad.tolist() == xt.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]


def test_overlapping_windows_add_their_gradients():
    """Stride 1 with a 2x2 kernel: the centre of a 3x3 image sits in all four windows."""
    x = Tensor(np.zeros((1, 1, 3, 3)), requires_grad=True)
    avg_pool2d(x, 2, stride=1).sum().backward()
    assert x.grad[0, 0].tolist() == [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]


@pytest.mark.parametrize(
    "groups, channels, shape", [(2, 6, (3, 6, 4, 5)), (1, 4, (2, 4, 3)), (4, 4, (1, 4, 5, 5))]
)
def test_group_norm_module_matches_torch_in_train_and_eval(groups, channels, shape):
    rng = np.random.default_rng(2)
    ours, theirs = nn.GroupNorm(groups, channels), torch.nn.GroupNorm(groups, channels).double()
    ours.weight.data[:] = 1 + 0.5 * rng.standard_normal(channels)
    ours.bias.data[:] = rng.standard_normal(channels)
    copy_parameters(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    x = 3 + 2 * rng.standard_normal(shape)
    forward_backward_both(ours, theirs, x, rng)
    ours.eval(), theirs.eval()
    forward_backward_both(ours, theirs, x, rng)


def test_group_norm_of_one_example_is_the_same_alone_or_in_a_batch():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4, 3, 3))
    alone, in_batch = group_norm(Tensor(x[:1]), 2).data, group_norm(Tensor(x), 2).data[:1]
    np.testing.assert_allclose(alone, in_batch, rtol=0, atol=1e-14)


def test_repr_names_the_arguments_as_pytorch_does():
    assert repr(nn.Conv2d(1, 8, 3, padding=1)) == (
        "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=True)"
    )
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.GroupNorm(2, 8)) == "GroupNorm(2, 8, eps=1e-05, affine=True)"


# ---- bad input: a clear error naming the problem, nothing changed --------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: conv2d(Tensor(np.ones((1, 3, 5, 5))), Tensor(np.ones((2, 2, 3, 3)))),
            "3 channels",
        ),
        (lambda: conv2d(Tensor(np.ones((3, 5, 5))), Tensor(np.ones((2, 3, 3, 3)))), "4D input"),
        (lambda: conv2d(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.ones((1, 1, 3, 3)))), "larger"),
        (
            lambda: conv2d(Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 3, 3))), stride=0),
            "stride",
        ),
        (
            lambda: conv2d(
                Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 3, 3))), padding=-1
            ),
            "padding",
        ),
        (
            lambda: conv2d(
                Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((2, 1, 3, 3))), Tensor(np.ones(3))
            ),
            "bias",
        ),
        (lambda: conv2d(Tensor(np.ones((1, 1, 4, 4))), np.ones((1, 1, 3, 3))), "weight"),
        (lambda: max_pool2d(Tensor(np.ones((1, 1, 4, 4))), 2, padding=2), "half the kernel"),
        (lambda: avg_pool2d(Tensor(np.ones((1, 1, 4, 4))), 5), "larger"),
        (lambda: pad(Tensor(np.ones(3)), (1,)), "even number"),
        (lambda: pad(Tensor(np.ones(3)), (1, -1)), "non-negative"),
        (lambda: pad(Tensor(np.ones(3)), (1, 1), mode="reflect"), "constant"),
        (lambda: group_norm(Tensor(np.ones((2, 6, 3))), 4), "divisor of the 6 channels"),
        (lambda: group_norm(Tensor(np.ones((2, 2, 1))), 2), "more than 1 value per group"),
        (lambda: nn.GroupNorm(4, 6), "divisible"),
        (lambda: nn.Conv2d(0, 3, 3), "in_channels"),
        (lambda: nn.Conv2d(1, 3, (3, 3, 3)), "kernel_size"),
        (lambda: nn.MaxPool2d(0), "MaxPool2d: kernel_size"),
        (lambda: nn.AvgPool2d(2, stride=-1), "AvgPool2d: stride"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()
