"""LayerNorm and functional.layer_norm equal PyTorch's: outputs and gradients, float64, to 1e-10."""

import numpy as np
import pytest

from tinygrad_bn import Tensor, gradcheck, nn
from tinygrad_bn.functional import layer_norm


@pytest.fixture
def torch():
    """PyTorch as the oracle; only the tests that compare against it need it."""
    return pytest.importorskip("torch")


CASES = [((6, 5), (5,)), ((3, 4, 5), (5,)), ((3, 4, 5), (4, 5))]


def assert_close(ours, theirs, what):
    theirs = theirs.detach().numpy()  # a torch tensor
    error = np.abs(ours - theirs).max() / max(1.0, np.abs(theirs).max())
    assert error <= 1e-10, f"{what} differs from PyTorch by {error:.3g}"


@pytest.mark.parametrize("shape, normalized", CASES)
def test_layer_norm_matches_pytorch_with_weight_and_bias(torch, shape, normalized):
    rng = np.random.default_rng(0)
    x, w, b, dy = (
        rng.standard_normal(shape) * 3 + 2,
        rng.standard_normal(normalized),
        rng.standard_normal(normalized),
        rng.standard_normal(shape),
    )
    xo, wo, bo = (Tensor(a, requires_grad=True) for a in (x, w, b))
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out_o = layer_norm(xo, normalized, wo, bo, eps=1e-5)
    out_t = torch.nn.functional.layer_norm(xt, normalized, wt, bt, eps=1e-5)
    out_o.backward(dy)
    out_t.backward(torch.from_numpy(dy))
    for what, a, t in [
        ("output", out_o.data, out_t),
        ("d input", xo.grad, xt.grad),
        ("d weight", wo.grad, wt.grad),
        ("d bias", bo.grad, bt.grad),
    ]:
        assert_close(a, t, what)


def test_layernorm_module_matches_pytorchs_module_over_two_steps(torch):
    rng = np.random.default_rng(1)
    ours, theirs = nn.LayerNorm(4), torch.nn.LayerNorm(4).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for _ in range(2):
        x, dy = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
        xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out_o, out_t = ours(xo), theirs(xt)
        out_o.backward(dy)
        out_t.backward(torch.from_numpy(dy))
        assert_close(out_o.data, out_t, "output")
        assert_close(xo.grad, xt.grad, "d input")
        assert_close(ours.weight.grad, theirs.weight.grad, "d weight")
        # take the same step on both, so the second pass has non-trivial weights
        with torch.no_grad():
            for p, q in zip(ours.parameters(), theirs.parameters()):
                p.data -= 0.5 * p.grad
                q -= 0.5 * q.grad
        ours.zero_grad()
        theirs.zero_grad()


def test_layer_norm_without_affine_matches_numerical_gradients():
    x = Tensor(np.random.default_rng(2).standard_normal((3, 4)))
    result = gradcheck(lambda x: layer_norm(x, (4,)), x)
    assert result, str(result)


def test_layernorm_repr_and_parameters():
    ln = nn.LayerNorm(8)
    assert repr(ln) == "LayerNorm((8,), eps=1e-05, elementwise_affine=True)"
    assert [n for n, _ in ln.named_parameters()] == ["weight", "bias"]
    assert nn.LayerNorm(8, elementwise_affine=False).parameters() == []


def test_normalized_shape_must_be_the_trailing_dimensions():
    with pytest.raises(
        ValueError,
        match=r"normalized_shape \(3,\) must be the last dimensions of the input, "
        r"got input of shape \(2, 4\)",
    ):
        layer_norm(Tensor(np.ones((2, 4))), 3)
