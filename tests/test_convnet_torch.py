"""A small conv net loaded from a PyTorch state dict gives PyTorch's loss and every gradient.

The same Sequential is built in both libraries; PyTorch's weights (and BatchNorm's running
statistics, moved off their defaults by a few training steps) are loaded into ours by
state-dict key. Then one batch of the shipped digits goes through both, in float64.
"""

import numpy as np
import pytest

from tinygrad_bn import Tensor, nn
from tinygrad_bn.digits import load_digits

torch = pytest.importorskip("torch")

TOL = 1e-10


def convnet(library):
    """Every image layer of the library, and the keys PyTorch gives them."""
    return library.Sequential(
        library.Conv2d(1, 4, 3, padding=1),
        library.BatchNorm2d(4),
        library.ReLU(),
        library.MaxPool2d(2),
        library.Conv2d(4, 6, 3, stride=2, padding=1, bias=False),
        library.GroupNorm(2, 6),
        library.ReLU(),
        library.AvgPool2d(2, stride=1),
        library.Flatten(),
        library.Linear(6, 10),
    )


@pytest.fixture(scope="module")
def twins():
    torch.manual_seed(0)
    theirs = convnet(torch.nn).double()
    images, labels = load_digits()
    optimiser = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for start in range(0, 96, 32):  # move weights and running statistics off their defaults
        x = torch.from_numpy(images[start : start + 32])
        loss = torch.nn.functional.cross_entropy(theirs(x), torch.from_numpy(labels[start:][:32]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    ours = convnet(nn)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs, images[100:140], labels[100:140]


def test_the_state_dict_keys_and_shapes_are_pytorchs(twins):
    ours, theirs, _, _ = twins
    expected = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    assert {k: v.shape for k, v in ours.state_dict().items()} == expected
    assert list(ours.state_dict()) == list(expected)
    assert ours.state_dict()["1.num_batches_tracked"] == 3


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_loss_and_every_gradient_match_pytorch(twins, training):
    ours, theirs, images, labels = twins
    ours.train(training), theirs.train(training)
    before = {k: v.copy() for k, v in ours.state_dict().items()}
    x_ours, x_theirs = Tensor(images, requires_grad=True), torch.tensor(images, requires_grad=True)
    loss = ours(x_ours).cross_entropy(labels)
    expected = torch.nn.functional.cross_entropy(theirs(x_theirs), torch.from_numpy(labels))
    ours.zero_grad(), theirs.zero_grad()
    loss.backward(), expected.backward()
    assert abs(loss.item() - expected.item()) <= TOL
    np.testing.assert_allclose(x_ours.grad, x_theirs.grad.numpy(), rtol=0, atol=TOL)
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, grads[name].grad.numpy(), rtol=0, atol=TOL, err_msg=name)
    for key, value in theirs.state_dict().items():  # running statistics moved (train) or not
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=0, atol=TOL)
    changed = {k for k in before if not np.array_equal(before[k], ours.state_dict()[k])}
    assert changed == (
        {"1.running_mean", "1.running_var", "1.num_batches_tracked"} if training else set()
    )
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in before.items()})
    ours.load_state_dict(before)
