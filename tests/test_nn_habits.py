"""nn and functional as PyTorch code uses them: Dropout, CrossEntropyLoss, MSELoss, and
F.batch_norm checking everything before it changes any state."""

import numpy as np
import pytest

from tinygrad_bn import Tensor, nn
from tinygrad_bn import functional as F
from tinygrad_bn.errors import DTypeError, ShapeError

torch = pytest.importorskip("torch")


# ---- Dropout ----------------------------------------------------------------------------


def test_dropout_in_eval_is_the_identity():
    drop = nn.Dropout(0.5).eval()
    x = Tensor(np.arange(6.0))
    np.testing.assert_array_equal(drop(x).data, x.data)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dropout_zeroes_with_probability_p_and_scales_the_rest(seed):
    p = 0.3
    drop = nn.Dropout(p, rng=np.random.default_rng(seed))
    x = Tensor(np.ones(20000), requires_grad=True)
    out = drop(x)
    kept = out.data != 0
    np.testing.assert_allclose(out.data[kept], 1 / (1 - p), rtol=1e-15)
    assert abs(kept.mean() - (1 - p)) < 0.02  # 6 standard deviations of a binomial mean
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # d(out)/dx = mask / (1 - p)


def test_dropout_with_the_same_seed_repeats_and_manual_seed_seeds_it():
    x = Tensor(np.ones((4, 5)))
    first = nn.Dropout(0.5, rng=np.random.default_rng(7))(x).data
    again = nn.Dropout(0.5, rng=np.random.default_rng(7))(x).data
    np.testing.assert_array_equal(first, again)
    nn.manual_seed(3)
    a = nn.Dropout(0.5)(x).data
    nn.manual_seed(3)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).data, a)


def test_dropout_p_zero_and_one_as_pytorch():
    x = Tensor(np.arange(1.0, 5.0))
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).data, x.data)
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, np.zeros(4))
    np.testing.assert_array_equal(torch.nn.Dropout(1.0)(torch.ones(4)).numpy(), np.zeros(4))


@pytest.mark.parametrize("p", [-0.1, 1.5, "half"])
def test_dropout_p_outside_zero_one_is_refused(p):
    with pytest.raises(ValueError, match="p must be a probability in \\[0, 1\\]"):
        nn.Dropout(p)


# ---- losses -----------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cross_entropy_loss_matches_pytorch(reduction, seed):
    rng = np.random.default_rng(seed)
    logits, targets = rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)
    ours = Tensor(logits, requires_grad=True)
    theirs = torch.tensor(logits, requires_grad=True)
    loss_o = nn.CrossEntropyLoss(reduction=reduction)(ours, targets)
    loss_t = torch.nn.CrossEntropyLoss(reduction=reduction)(theirs, torch.tensor(targets))
    loss_o.backward(), loss_t.backward()
    np.testing.assert_allclose(loss_o.item(), loss_t.item(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mse_loss_matches_pytorch(reduction, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    ours, theirs = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    loss_o = nn.MSELoss(reduction=reduction)(ours, Tensor(b))
    loss_t = torch.nn.MSELoss(reduction=reduction)(theirs, torch.tensor(b))
    loss_o.sum().backward(), loss_t.sum().backward()
    np.testing.assert_allclose(loss_o.data, loss_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


def test_losses_refuse_unknown_reductions_and_mismatched_shapes():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="average")
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.CrossEntropyLoss(reduction="none")
    with pytest.raises(RuntimeError, match="input has shape \\(3,\\) but target has shape"):
        nn.MSELoss()(Tensor(np.ones(3)), Tensor(np.ones((3, 1))))


# ---- F.batch_norm validates before it changes anything ----------------------------------

X = np.random.default_rng(0).standard_normal((4, 3))


def running_pair():
    return np.zeros(3), np.ones(3)


@pytest.mark.parametrize(
    "running_var, error, message",
    [
        (np.ones((3, 5)), ShapeError, "running_var has shape \\(3, 5\\)"),
        (np.ones(4), ShapeError, "running_var has shape \\(4,\\)"),
        (np.ones(3, dtype=np.int64), DTypeError, "running_var has dtype int64"),
        ([1.0, 1.0, 1.0], TypeError, "running_var must be a numpy array or a Tensor"),
    ],
    ids=["matrix", "length", "int64", "list"],
)
def test_a_bad_running_var_changes_neither_statistic(running_var, error, message):
    running_mean = np.zeros(3)
    with pytest.raises(error, match=message):
        F.batch_norm(Tensor(X), running_mean, running_var, training=True)
    np.testing.assert_array_equal(running_mean, np.zeros(3))  # no half-update


def test_shape_and_dtype_errors_are_runtime_errors_as_in_pytorch():
    for error in (ShapeError, DTypeError):
        assert issubclass(error, RuntimeError)
    with pytest.raises(RuntimeError):
        torch.nn.functional.batch_norm(
            torch.tensor(X), torch.zeros(3), torch.ones(3, 5), training=True
        )
    with pytest.raises(RuntimeError):
        F.batch_norm(Tensor(X), np.zeros(3), np.ones((3, 5)), training=True)
    with pytest.raises(RuntimeError, match="gamma \\(weight\\) has shape \\(2,\\)"):
        F.batch_norm(Tensor(X), None, None, Tensor(np.ones(2)), training=True)


def test_a_read_only_running_statistic_is_refused_in_training_before_any_change():
    running_mean, running_var = running_pair()
    running_var.flags.writeable = False
    with pytest.raises(ValueError, match="running_var is read-only"):
        F.batch_norm(Tensor(X), running_mean, running_var, training=True)
    np.testing.assert_array_equal(running_mean, np.zeros(3))
    out = F.batch_norm(Tensor(X), running_mean, running_var, training=False)  # reads only
    np.testing.assert_allclose(out.data, X / np.sqrt(1 + 1e-5), rtol=1e-14)


@pytest.mark.parametrize("eps", [0.0, -1e-3])
def test_batch_norm_refuses_an_eps_that_is_not_positive(eps):
    running_mean, running_var = running_pair()
    with pytest.raises(ValueError, match="eps must be a number > 0"):
        F.batch_norm(Tensor(X), running_mean, running_var, training=True, eps=eps)
    np.testing.assert_array_equal(running_mean, np.zeros(3))


def test_the_teaching_functions_allow_eps_zero_but_not_negative():
    assert F.batchnorm_fused(Tensor(X), None, None, eps=0.0).shape == (4, 3)
    with pytest.raises(ValueError, match="eps must be a number >= 0"):
        F.batchnorm_composed(Tensor(X), None, None, eps=-1.0)


@pytest.mark.parametrize(
    "batchnorm",
    [
        F.batchnorm_fused,
        F.batchnorm_composed,
        lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True),
        lambda x, g, b: F.batch_norm(x, np.zeros(3), np.ones(3), g, b, training=False),
    ],
    ids=["fused", "composed", "batch_norm", "batch_norm_eval"],
)
def test_numpy_gamma_and_beta_work_as_constants(batchnorm):
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.0, -0.5])
    x = Tensor(X, requires_grad=True)
    out = batchnorm(x, gamma, beta)
    expected = batchnorm(Tensor(X), Tensor(gamma), Tensor(beta))
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-15)
    (out * Tensor(X)).sum().backward()
    assert x.grad.shape == X.shape


def test_training_updates_running_tensors_in_place_and_bumps_their_versions():
    running_mean, running_var = Tensor(np.zeros(3)), Tensor(np.ones(3))
    theirs_mean, theirs_var = (
        torch.zeros(3, dtype=torch.float64),
        torch.ones(3, dtype=torch.float64),
    )
    F.batch_norm(Tensor(X), running_mean, running_var, training=True, momentum=0.3)
    torch.nn.functional.batch_norm(
        torch.tensor(X), theirs_mean, theirs_var, training=True, momentum=0.3
    )
    np.testing.assert_allclose(running_mean.data, theirs_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(running_var.data, theirs_var.numpy(), rtol=1e-12)
    assert running_mean._version == 1 and running_var._version == 1
