"""optim.SGD follows torch.optim.SGD step for step; bad settings are refused."""

import numpy as np
import pytest

from tinygrad_bn import Tensor, nn
from tinygrad_bn.optim import SGD

SETTINGS = {
    "plain": {"lr": 0.1},
    "momentum": {"lr": 0.1, "momentum": 0.9},
    "momentum + weight decay": {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01},
    "dampening": {"lr": 0.1, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1},
    "nesterov": {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
}


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_sgd_matches_pytorch_over_several_steps(settings):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a, requires_grad=True) for a in start]
    opt_o, opt_t = SGD(ours, **settings), torch.optim.SGD(theirs, **settings)
    for step in range(6):
        grads = [rng.standard_normal(a.shape) for a in start]
        if step == 3:
            grads[1] = None  # a parameter without a gradient is skipped by both
        for p, q, g in zip(ours, theirs, grads):
            p.grad = g
            q.grad = None if g is None else torch.tensor(g)
        opt_o.step()
        opt_t.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(
                p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=f"step {step}"
            )


def test_plain_sgd_step_is_minus_lr_times_gradient():
    p = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    p.grad = np.array([0.5, -1.0])
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, 2.1], rtol=1e-15)


def test_step_updates_in_place_so_views_of_the_data_stay_valid():
    p = Tensor(np.zeros(3), requires_grad=True)
    data = p.data
    p.grad = np.ones(3)
    SGD([p], lr=1.0).step()
    assert p.data is data and data[0] == -1.0


def test_zero_grad_clears_gradients():
    model = nn.Linear(2, 1)
    opt = SGD(model.parameters(), lr=0.1)
    model(Tensor(np.ones((3, 2)))).sum().backward()
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_learning_rate_can_be_changed_between_steps():
    p = Tensor(np.array([1.0]), requires_grad=True)
    opt = SGD([p], lr=1.0)
    opt.lr = 0.25
    p.grad = np.array([1.0])
    opt.step()
    assert p.data[0] == 0.75


def test_float32_parameters_stay_float32():
    p = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    p.grad = np.ones(2, dtype=np.float32)
    SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1).step()
    assert p.data.dtype == np.float32


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"lr": -1}, "lr must be >= 0"),
        ({"lr": 0.1, "momentum": -0.5}, "momentum must be >= 0"),
        ({"lr": 0.1, "weight_decay": -1}, "weight_decay must be >= 0"),
        ({"lr": 0.1, "nesterov": True}, "Nesterov momentum needs momentum > 0"),
    ],
)
def test_bad_settings_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        SGD([Tensor(np.ones(1), requires_grad=True)], **bad)


def test_parameters_must_require_grad():
    with pytest.raises(TypeError, match="parameter 0 is a Tensor that does not require grad"):
        SGD([Tensor(np.ones(1))], lr=0.1)


def test_empty_parameter_list_is_refused():
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
