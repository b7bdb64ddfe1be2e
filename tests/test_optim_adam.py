"""optim.Adam follows torch.optim.Adam step for step; optimisers refuse a bare Tensor as torch."""

import numpy as np
import pytest

from tinygrad_bn import Tensor
from tinygrad_bn.optim import SGD, Adam

torch = pytest.importorskip("torch")

SETTINGS = {
    "defaults": {},
    "lr": {"lr": 0.05},
    "weight decay": {"lr": 0.01, "weight_decay": 0.1},
    "amsgrad": {"lr": 0.02, "amsgrad": True},
    "betas, eps, everything": {
        "lr": 0.03,
        "betas": (0.5, 0.9),
        "eps": 1e-3,
        "weight_decay": 0.01,
        "amsgrad": True,
    },
}


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adam_matches_pytorch_over_several_steps(settings, seed):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    ours = [Tensor(a, requires_grad=True) for a in start]
    theirs = [torch.tensor(a, requires_grad=True) for a in start]
    opt_o, opt_t = Adam(ours, **settings), torch.optim.Adam(theirs, **settings)
    for step in range(8):
        grads = [rng.standard_normal(a.shape) * (1 + step) for a in start]
        if step == 3:
            grads[1] = None  # a parameter without a gradient is skipped by both (its t too)
        for p, q, g in zip(ours, theirs, grads):
            p.grad = None if g is None else g.copy()
            q.grad = None if g is None else torch.tensor(g)
        opt_o.step()
        opt_t.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_adam_has_torchs_defaults():
    w = Tensor([1.0], requires_grad=True)
    adam = Adam([w])
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay, adam.amsgrad) == (
        1e-3,
        (0.9, 0.999),
        1e-8,
        0,
        False,
    )


@pytest.mark.parametrize("make", [SGD, Adam])
def test_a_bare_tensor_instead_of_a_list_is_a_type_error_as_in_torch(make):
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match=r"got a single Tensor; pass a list"):
        make(w, lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        getattr(torch.optim, make.__name__)(torch.ones(3, requires_grad=True), lr=0.1)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"lr": -1.0}, "lr must be >= 0"),
        ({"eps": -1e-8}, "eps must be >= 0"),
        ({"betas": (0.9, 1.0)}, "betas must be two numbers in \\[0, 1\\)"),
        ({"weight_decay": -0.1}, "weight_decay must be >= 0"),
    ],
    ids=["lr", "eps", "betas", "weight_decay"],
)
def test_adam_refuses_bad_settings(settings, message):
    with pytest.raises(ValueError, match=message):
        Adam([Tensor([1.0], requires_grad=True)], **settings)


@pytest.mark.parametrize("make", [SGD, Adam])
def test_a_step_with_a_wrong_shaped_grad_changes_nothing(make):
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    a.grad, b.grad = np.ones(2), np.ones(2)
    with pytest.raises(ValueError, match="parameter 1 has shape \\(1,\\) but its grad"):
        make([a, b], lr=0.1).step()
    assert list(a.data) == [1.0, 2.0] and a._version == 0


def test_adam_trains_a_quadratic_to_its_minimum():
    w = Tensor([5.0, -3.0], requires_grad=True)
    adam = Adam([w], lr=0.1)
    for _ in range(500):
        adam.zero_grad()
        ((w - Tensor([1.0, 2.0])) ** 2).sum().backward()
        adam.step()
    np.testing.assert_allclose(w.data, [1.0, 2.0], atol=1e-3)
