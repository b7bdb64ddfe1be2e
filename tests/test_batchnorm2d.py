"""BatchNorm over images: (N, C, H, W), statistics per channel over N*H*W, both ways.

nn.BatchNorm2d is BatchNorm1d's code with another input rank; it is held to
torch.nn.BatchNorm2d step by step (train, eval, running statistics, num_batches_tracked,
state_dict both ways) in float64 to 1e-10, fused and composed. The composed and fused
functions take the four-dimensional input directly; the op table checks them against
central differences and PyTorch (tests/op_table.py).
"""

import numpy as np
import pytest
from test_batchnorm_torch import CONFIGS, assert_close, step_both

from tinygrad_bn import Tensor, gradcheck, nn
from tinygrad_bn.functional import batch_norm, batchnorm_composed, batchnorm_fused

torch = pytest.importorskip("torch")


def twin_layers(channels, fused, config, rng):
    ours = nn.BatchNorm2d(channels, fused=fused, **config)
    theirs = torch.nn.BatchNorm2d(channels, **config).double()
    if ours.affine:
        ours.weight.data[:] = 1 + 0.5 * rng.standard_normal(channels)
        ours.bias.data[:] = rng.standard_normal(channels)
        theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_batchnorm2d_matches_pytorch_over_training_steps_then_eval(config, fused):
    rng = np.random.default_rng(0)
    ours, theirs = twin_layers(3, fused, config, rng)
    for i, (n, h, w) in enumerate([(4, 5, 6), (2, 3, 3), (1, 4, 2), (8, 2, 2)]):
        x = rng.standard_normal((n, 3, h, w)) * 2 + 3
        step_both(ours, theirs, x, rng, f"training step {i}")
    ours.eval(), theirs.eval()
    for n in (5, 1):
        step_both(ours, theirs, rng.standard_normal((n, 3, 4, 4)) + 1, rng, f"eval batch of {n}")


def test_a_batch_of_one_image_trains_since_its_positions_give_each_channel_many_values():
    """N = 1 is fine for images: each channel still averages H*W numbers (PyTorch agrees)."""
    ours, theirs = twin_layers(2, True, {}, np.random.default_rng(1))
    step_both(
        ours,
        theirs,
        np.random.default_rng(2).standard_normal((1, 2, 3, 3)),
        np.random.default_rng(3),
        "N = 1",
    )
    with pytest.raises(ValueError, match=r"more than 1 value per channel.*\(1, 2, 1, 1\)"):
        ours(Tensor(np.ones((1, 2, 1, 1))))


def test_state_dict_goes_both_ways_with_pytorchs_keys():
    rng = np.random.default_rng(4)
    theirs = torch.nn.BatchNorm2d(3).double()
    theirs(torch.from_numpy(rng.standard_normal((4, 3, 2, 2))))  # running stats move
    ours = nn.BatchNorm2d(3)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[key], value.numpy(), err_msg=key)
    ours(Tensor(rng.standard_normal((4, 3, 2, 2))))
    back = torch.nn.BatchNorm2d(3).double()
    back.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    assert int(back.num_batches_tracked) == 2


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 4, 1)])
def test_batchnorm2d_takes_only_images(shape):
    with pytest.raises(ValueError, match=rf"expected 4D input \(got {len(shape)}D input"):
        nn.BatchNorm2d(3)(Tensor(np.ones(shape)))


def test_batchnorm1d_still_refuses_images_and_says_which_shapes_it_takes():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D.*\(N, C, L\)"):
        nn.BatchNorm1d(3)(Tensor(np.ones((2, 3, 4, 4))))


def test_batchnorm2d_is_batchnorm1d_over_the_flattened_positions():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 4, 3, 5)) * 3 + 1
    bn2d, bn1d = nn.BatchNorm2d(4), nn.BatchNorm1d(4)
    xa, xb = Tensor(x, requires_grad=True), Tensor(x.reshape(6, 4, 15), requires_grad=True)
    ya, yb = bn2d(xa), bn1d(xb)
    np.testing.assert_allclose(ya.data, yb.data.reshape(x.shape), rtol=0, atol=1e-13)
    g = rng.standard_normal(x.shape)
    ya.backward(g), yb.backward(g.reshape(6, 4, 15))
    np.testing.assert_allclose(xa.grad, xb.grad.reshape(x.shape), rtol=0, atol=1e-13)
    for key, value in bn1d.state_dict().items():
        np.testing.assert_allclose(bn2d.state_dict()[key], value, rtol=1e-15, err_msg=key)


@pytest.mark.parametrize("unbiased", [False, True])
def test_composed_fused_and_numeric_gradients_agree_on_images(unbiased):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 2, 3)) * 2 + 1
    gamma, beta = 1 + 0.3 * rng.standard_normal(3), rng.standard_normal(3)
    g = rng.standard_normal(x.shape)
    grads = []
    for batchnorm in (batchnorm_composed, batchnorm_fused):
        inputs = [Tensor(a.copy(), requires_grad=True) for a in (x, gamma, beta)]
        out = batchnorm(*inputs, unbiased=unbiased)
        out.backward(g)
        grads.append([out.data] + [t.grad for t in inputs])
        check = gradcheck(
            lambda *t, bn=batchnorm: bn(*t, unbiased=unbiased), *map(Tensor, (x, gamma, beta))
        )
        assert check, check
    for composed, fused in zip(*grads, strict=True):
        np.testing.assert_allclose(composed, fused, rtol=0, atol=1e-12)


def test_functional_batch_norm_on_images_updates_running_stats_as_pytorch():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 4, 2, 5))
    mean_o, var_o = rng.standard_normal(4), rng.random(4) + 0.5
    mean_t, var_t = torch.tensor(mean_o), torch.tensor(var_o)
    for training in (True, False):
        out_o = batch_norm(Tensor(x), mean_o, var_o, training=training, momentum=0.3)
        out_t = torch.nn.functional.batch_norm(
            torch.tensor(x), mean_t, var_t, training=training, momentum=0.3
        )
        assert_close(out_o.data, out_t, f"output (training={training})")
        assert_close(mean_o, mean_t, "running_mean")
        assert_close(var_o, var_t, "running_var")
