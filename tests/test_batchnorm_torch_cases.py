"""PyTorch's own BatchNorm1d cases, run side by side against torch.nn.BatchNorm1d:
train then eval, an empty batch, bias=False, eps, momentum=None with
reset_running_stats, reset_parameters, and load_state_dict's errors."""

import numpy as np
import pytest

from tinygrad_bn import Tensor, nn
from tinygrad_bn.errors import ShapeError

torch = pytest.importorskip("torch")
SEEDS = [0, 1, 2]


def pair(num_features=3, **options):
    """Our BatchNorm1d and PyTorch's (float64), built with the same options."""
    return nn.BatchNorm1d(num_features, **options), torch.nn.BatchNorm1d(
        num_features, dtype=torch.float64, **options
    )


def assert_same_state(ours, theirs):
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(
            ours.state_dict()[key], value.numpy(), rtol=1e-10, atol=1e-12, err_msg=key
        )


def run_both(ours, theirs, x, weights):
    """Forward both on x, backward sum(out * weights); return (our out, their out)."""
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = ours(xo), theirs(xt)
    if out_t.requires_grad:
        (out_o * weights).sum().backward()
        (out_t * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(xo.grad, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
        for name, p in theirs.named_parameters():
            np.testing.assert_allclose(
                getattr(ours, name).grad, p.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
            )
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    return out_o, out_t


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_train_then_eval(seed, fused):
    rng = np.random.default_rng(seed)
    ours, theirs = pair(4, momentum=0.2)
    ours.fused = fused
    for _ in range(3):
        x = rng.standard_normal((6, 4)) * 2 + 1
        run_both(ours, theirs, x, rng.standard_normal((6, 4)))
        assert_same_state(ours, theirs)
    ours.eval(), theirs.eval()
    x = rng.standard_normal((1, 4))  # a batch of one is fine in eval
    run_both(ours, theirs, x, rng.standard_normal((1, 4)))
    assert_same_state(ours, theirs)


@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 5)], ids=["2d", "3d"])
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "composed"])
def test_an_empty_batch_leaves_the_running_statistics_alone(shape, fused):
    ours, theirs = pair(3)
    ours.fused = fused
    rng = np.random.default_rng(0)
    warm = rng.standard_normal((5, 3))
    run_both(ours, theirs, warm, np.ones((5, 3)))
    ours.zero_grad(), theirs.zero_grad()
    out, _ = run_both(ours, theirs, np.zeros(shape), np.zeros(shape))
    assert out.shape == shape
    assert not np.isnan(ours.running_mean.data).any()
    assert_same_state(ours, theirs)  # num_batches_tracked counts it, as PyTorch
    np.testing.assert_array_equal(ours.weight.grad, [0.0, 0.0, 0.0])


@pytest.mark.parametrize("seed", SEEDS)
def test_bias_false_keeps_gamma_and_no_beta(seed):
    ours, theirs = pair(3, bias=False)
    assert ours.bias is None and theirs.bias is None
    assert [k for k, _ in ours.named_parameters()] == [k for k, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(rng.standard_normal(3)))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    run_both(ours, theirs, rng.standard_normal((8, 3)), rng.standard_normal((8, 3)))
    assert_same_state(ours, theirs)
    assert "bias=False" in repr(ours)


@pytest.mark.parametrize("eps", [1e-5, 1e-3, 0.5])
def test_eps(eps):
    ours, theirs = pair(3, eps=eps)
    x = np.random.default_rng(3).standard_normal((4, 3)) * 1e-2  # eps matters at this scale
    run_both(ours, theirs, x, np.arange(12.0).reshape(4, 3))


@pytest.mark.parametrize("eps", [0, 0.0, -1e-5, float("nan"), "1e-5"])
def test_eps_that_is_not_a_positive_number_is_refused(eps):
    with pytest.raises(ValueError, match="eps must be a number > 0"):
        nn.BatchNorm1d(3, eps=eps)


@pytest.mark.parametrize("seed", SEEDS)
def test_momentum_none_is_a_cumulative_average_that_reset_running_stats_restarts(seed):
    ours, theirs = pair(2, momentum=None)
    rng = np.random.default_rng(seed)
    for step in range(6):
        if step == 3:
            ours.reset_running_stats()
            theirs.reset_running_stats()
            assert_same_state(ours, theirs)
            assert ours.num_batches_tracked.item() == 0
        run_both(ours, theirs, rng.standard_normal((5, 2)) + step, np.ones((5, 2)))
        assert_same_state(ours, theirs)


def test_reset_parameters_resets_gamma_beta_and_the_running_statistics():
    ours, theirs = pair(2)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor([2.0, 3.0]))
        theirs.bias.copy_(torch.tensor([-1.0, 1.0]))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    run_both(ours, theirs, rng.standard_normal((5, 2)), np.ones((5, 2)))
    ours.reset_parameters()
    theirs.reset_parameters()
    assert_same_state(ours, theirs)


def test_load_state_dict_refuses_what_pytorch_refuses_and_changes_nothing():
    ours, theirs = pair(3)
    incoming = {k: v.numpy() for k, v in torch.nn.BatchNorm1d(5).state_dict().items()}
    with pytest.raises(RuntimeError, match="size mismatch"):
        theirs.load_state_dict({k: torch.tensor(v) for k, v in incoming.items()})
    before = ours.state_dict()
    with pytest.raises(RuntimeError, match="wrong shape for weight: got \\(5,\\)") as error:
        ours.load_state_dict(incoming)  # caught as RuntimeError, as PyTorch code does
    assert isinstance(error.value, (ValueError, ShapeError))
    for key, value in before.items():
        np.testing.assert_array_equal(ours.state_dict()[key], value)


def test_load_state_dict_of_a_list_is_a_type_error_as_in_pytorch():
    ours, theirs = pair(3)
    with pytest.raises(TypeError):
        theirs.load_state_dict([1, 2])
    with pytest.raises(TypeError, match="expects a dict .*got list"):
        ours.load_state_dict([1, 2])


def test_strict_missing_keys_are_a_runtime_error_as_in_pytorch():
    ours, theirs = pair(3)
    with pytest.raises(RuntimeError, match="Missing key"):
        theirs.load_state_dict({"weight": torch.zeros(3, dtype=torch.float64)})
    with pytest.raises(RuntimeError, match="missing key.*bias"):
        ours.load_state_dict({"weight": np.zeros(3)})


def test_a_state_dict_without_num_batches_tracked_loads_as_in_pytorch():
    ours, theirs = pair(3)
    rng = np.random.default_rng(0)
    run_both(ours, theirs, rng.standard_normal((4, 3)), np.ones((4, 3)))
    source = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    with torch.no_grad():
        source.running_mean.fill_(0.5)
    incoming = dict(source.state_dict())
    del incoming["num_batches_tracked"]
    theirs.load_state_dict(incoming)
    ours.load_state_dict({k: v.numpy() for k, v in incoming.items()})
    assert_same_state(ours, theirs)  # num_batches_tracked keeps its value (1) in both
    assert ours.num_batches_tracked.item() == 1


@pytest.mark.parametrize(
    "value, message",
    [
        (np.array(["a", "b", "c"]), "weight holds <U1 values, not numbers"),
        (np.array([object(), 1, 2], dtype=object), "weight holds object values"),
        ("abc", "weight holds <U3 values"),
    ],
    ids=["strings", "objects", "a_string"],
)
def test_load_state_dict_of_values_that_are_not_numbers_names_the_key(value, message):
    ours = nn.BatchNorm1d(3)
    incoming = {**ours.state_dict(), "weight": value}
    with pytest.raises(ValueError, match=message):
        ours.load_state_dict(incoming)
    np.testing.assert_array_equal(ours.weight.data, [1.0, 1.0, 1.0])
