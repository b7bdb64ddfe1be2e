"""BatchNorm1d and functional.batch_norm equal PyTorch's, step by step, in float64 to 1e-10."""

import numpy as np
import pytest

from tinygrad_bn import Tensor, nn
from tinygrad_bn.functional import batch_norm
from tinygrad_bn.optim import SGD

torch = pytest.importorskip("torch")

CONFIGS = {
    "default": {},
    "cumulative average (momentum=None)": {"momentum": None},
    "frozen running stats (momentum=0)": {"momentum": 0.0},
    "momentum=1": {"momentum": 1.0},
    "no affine": {"affine": False},
    "no running stats": {"track_running_stats": False},
    "eps=1e-3, momentum=0.3": {"eps": 1e-3, "momentum": 0.3},
}
TOL = 1e-10


def assert_close(ours, theirs, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs PyTorch's {theirs.shape}"
    error = np.abs(ours - theirs).max() / max(1.0, np.abs(theirs).max()) if ours.size else 0.0
    assert error <= TOL, f"{what} differs from PyTorch by {error:.3g}"


def twin_layers(num_features, fused, config, rng):
    """Our BatchNorm1d and PyTorch's, with the same random gamma and beta."""
    ours = nn.BatchNorm1d(num_features, fused=fused, **config)
    theirs = torch.nn.BatchNorm1d(num_features, **config).double()
    if ours.affine:
        ours.weight.data[:] = 1 + 0.5 * rng.standard_normal(num_features)
        ours.bias.data[:] = rng.standard_normal(num_features)
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(ours.weight.data))
            theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    return ours, theirs


def step_both(ours, theirs, x, rng, what):
    """One forward and backward on both; compare outputs, gradients and the running statistics."""
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = ours(xo), theirs(xt)
    dy = rng.standard_normal(x.shape)
    ours.zero_grad()
    theirs.zero_grad()
    out_o.backward(dy)
    out_t.backward(torch.from_numpy(dy))
    assert_close(out_o.data, out_t, f"{what}: output")
    assert_close(xo.grad, xt.grad, f"{what}: d input")
    if ours.affine:
        assert_close(ours.weight.grad, theirs.weight.grad, f"{what}: d weight")
        assert_close(ours.bias.grad, theirs.bias.grad, f"{what}: d bias")
    if ours.track_running_stats:
        assert_close(ours.running_mean.data, theirs.running_mean, f"{what}: running_mean")
        assert_close(ours.running_var.data, theirs.running_var, f"{what}: running_var")
        assert int(ours.num_batches_tracked.data) == int(theirs.num_batches_tracked), (
            f"{what}: num_batches_tracked"
        )


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
@pytest.mark.parametrize("length", [None, 5], ids=["(N, C)", "(N, C, L)"])
def test_batchnorm1d_matches_pytorch_over_training_steps_then_eval(config, fused, length):
    rng = np.random.default_rng(0)
    num_features = 4
    ours, theirs = twin_layers(num_features, fused, config, rng)
    shape = lambda n: (n, num_features) if length is None else (n, num_features, length)
    for i, n in enumerate([8, 3, 16, 2]):
        step_both(ours, theirs, rng.standard_normal(shape(n)) * 2 + 3, rng, f"training step {i}")
    ours.eval()
    theirs.eval()
    for n in [5, 1] if config.get("track_running_stats", True) else [5, 2]:
        step_both(ours, theirs, rng.standard_normal(shape(n)) + 1, rng, f"eval batch of {n}")


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_eval_uses_running_statistics_and_never_updates_them(fused):
    bn = nn.BatchNorm1d(3, fused=fused)
    bn(Tensor(np.random.default_rng(1).standard_normal((10, 3)) * 2 + 5))
    before = bn.state_dict()
    bn.eval()
    x = np.random.default_rng(2).standard_normal((1, 3))
    out = bn(Tensor(x)).data
    expected = (x - before["running_mean"]) / np.sqrt(before["running_var"] + 1e-5)
    np.testing.assert_allclose(out, expected, rtol=1e-14, atol=1e-15)
    for key, value in bn.state_dict().items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
@pytest.mark.parametrize("length", [None, 3])
def test_functional_batch_norm_updates_numpy_running_stats_as_pytorch(fused, length):
    rng = np.random.default_rng(3)
    shape = (6, 4) if length is None else (6, 4, length)
    x, weight, bias = rng.standard_normal(shape), rng.standard_normal(4), rng.standard_normal(4)
    mean_o, var_o = rng.standard_normal(4), rng.random(4) + 0.5
    mean_t, var_t = torch.tensor(mean_o), torch.tensor(var_o)
    for training in [True, True, False]:
        out_o = batch_norm(
            Tensor(x),
            mean_o,
            var_o,
            Tensor(weight),
            Tensor(bias),
            training=training,
            momentum=0.2,
            fused=fused,
        )
        out_t = torch.nn.functional.batch_norm(
            torch.tensor(x),
            mean_t,
            var_t,
            torch.tensor(weight),
            torch.tensor(bias),
            training=training,
            momentum=0.2,
        )
        assert_close(out_o.data, out_t, f"output (training={training})")
        assert_close(mean_o, mean_t, "running_mean")
        assert_close(var_o, var_t, "running_var")


def test_state_dict_has_pytorchs_keys_in_pytorchs_order():
    for config in CONFIGS.values():
        ours, theirs = nn.BatchNorm1d(3, **config), torch.nn.BatchNorm1d(3, **config)
        assert list(ours.state_dict()) == list(theirs.state_dict()), config
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Tanh(), nn.Linear(3, 1))
    reference = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3), torch.nn.Tanh(), torch.nn.Linear(3, 1)
    )
    assert list(model.state_dict()) == list(reference.state_dict())


def trained_batchnorm(fused=True):
    bn = nn.BatchNorm1d(3, fused=fused)
    rng = np.random.default_rng(4)
    bn.weight.data[:] = rng.standard_normal(3)
    bn.bias.data[:] = rng.standard_normal(3)
    for _ in range(3):
        bn(Tensor(rng.standard_normal((7, 3)) * 3 + 2))
    return bn


def test_state_dict_loads_into_pytorch_with_identical_outputs():
    ours = trained_batchnorm().eval()
    theirs = torch.nn.BatchNorm1d(3).double()
    theirs.load_state_dict(
        {key: torch.from_numpy(value) for key, value in ours.state_dict().items()}
    )
    theirs.eval()
    assert int(theirs.num_batches_tracked) == 3
    x = np.random.default_rng(5).standard_normal((4, 3))
    assert_close(
        ours(Tensor(x)).data, theirs(torch.tensor(x)), "eval output after loading into PyTorch"
    )


def test_pytorch_state_dict_loads_into_ours_with_identical_outputs():
    theirs = torch.nn.BatchNorm1d(3).double()
    rng = np.random.default_rng(6)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(rng.standard_normal(3)))
        for _ in range(2):
            theirs(torch.tensor(rng.standard_normal((5, 3)) + 1))
    theirs.eval()
    ours = nn.BatchNorm1d(3)
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    ours.eval()
    assert int(ours.num_batches_tracked.data) == 2
    x = rng.standard_normal((4, 3))
    assert_close(
        ours(Tensor(x)).data, theirs(torch.tensor(x)), "eval output after loading from PyTorch"
    )


def test_float32_layer_matches_pytorch_in_float32():
    rng = np.random.default_rng(7)
    ours, theirs = nn.BatchNorm1d(5, dtype=np.float32), torch.nn.BatchNorm1d(5)
    x = (rng.standard_normal((16, 5)) * 2 + 1).astype(np.float32)
    out = ours(Tensor(x))
    assert out.dtype == np.float32 and ours.running_var.dtype == np.float32
    np.testing.assert_allclose(
        out.data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-6)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_mlp_with_batchnorm_trains_like_pytorch_under_sgd(fused):
    nn.manual_seed(0)
    ours = nn.Sequential(
        nn.Linear(6, 8, bias=False), nn.BatchNorm1d(8, fused=fused), nn.Tanh(), nn.Linear(8, 3)
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(6, 8, bias=False),
        torch.nn.BatchNorm1d(8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 3),
    ).double()
    theirs.load_state_dict(
        {key: torch.from_numpy(value) for key, value in ours.state_dict().items()}
    )
    opt_o = SGD(ours.parameters(), lr=0.3, momentum=0.9, weight_decay=1e-3)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.3, momentum=0.9, weight_decay=1e-3)
    rng = np.random.default_rng(8)
    for step in range(5):
        x, y = rng.standard_normal((16, 6)), rng.integers(0, 3, 16)
        loss_o = ours(Tensor(x)).cross_entropy(y)
        loss_t = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
        opt_o.zero_grad()
        opt_t.zero_grad()
        loss_o.backward()
        loss_t.backward()
        opt_o.step()
        opt_t.step()
        assert abs(loss_o.item() - loss_t.item()) <= TOL, f"loss at step {step}"
    for key, value in ours.state_dict().items():
        assert_close(value, theirs.state_dict()[key], f"{key} after training")
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((1, 6))
    assert_close(ours(Tensor(x)).data, theirs(torch.tensor(x)), "eval output of a single example")
