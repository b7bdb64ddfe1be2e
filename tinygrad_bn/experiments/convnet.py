"""A small convolutional net for the 8x8 digits, and the loop that trains it.

    Conv(1->16) Norm ReLU   Conv(16->16) Norm ReLU   MaxPool 2      8x8 -> 4x4
    Conv(16->32) Norm ReLU  MaxPool 2                               4x4 -> 2x2
    Flatten  Linear(128 -> 10)

Every convolution is 3x3 with padding 1. `norm` picks the normalisation after each
convolution: "batch" (BatchNorm2d: per channel, over the batch and the positions),
"group" (GroupNorm with 4 groups: per example, over groups of channels), "layer"
(GroupNorm with 1 group: per example, over all its channels) or None. A convolution
followed by BatchNorm has no bias (the per-channel mean is subtracted, so a bias would
be cancelled); otherwise it has one. Weights start as PyTorch's do.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from .. import nn
from ..graph import no_grad
from ..optim import SGD
from .progress import progress

NORMS = {"no norm": None, "BatchNorm2d": "batch", "GroupNorm": "group", "LayerNorm": "layer"}
CHANNELS = (16, 16, 32)
GROUPS = 4


def _norm_layer(norm, channels):
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    if norm == "group":
        return nn.GroupNorm(GROUPS, channels)
    if norm == "layer":
        return nn.GroupNorm(1, channels)
    raise ValueError(f"norm must be 'batch', 'group', 'layer' or None, got {norm!r}")


def build_convnet(norm=None, seed=0):
    """The net above as an nn.Sequential, its weights drawn from `seed`."""
    rng = np.random.default_rng(seed)
    layers, in_channels = [], 1
    for k, channels in enumerate(CHANNELS):
        layers.append(nn.Conv2d(in_channels, channels, 3, padding=1, bias=norm != "batch", rng=rng))
        if norm is not None:
            layers.append(_norm_layer(norm, channels))
        layers.append(nn.ReLU())
        if k >= 1:  # pool after the second and the third convolution
            layers.append(nn.MaxPool2d(2))
        in_channels = channels
    layers += [nn.Flatten(), nn.Linear(CHANNELS[-1] * 2 * 2, 10, rng=rng)]
    return nn.Sequential(*layers)


def evaluate(model, images, labels):
    """(mean cross-entropy, accuracy) over all the images in eval mode; the mode is restored."""
    was_training = model.training
    model.eval()
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        logits = model(images)
        loss = logits.cross_entropy(labels).item()
    model.train(was_training)
    return loss, float(np.mean(logits.data.argmax(axis=1) == labels))


@dataclass
class ConvTraining:
    """What one run of `train_convnet` saw: every step's mini-batch loss, then the test split."""

    losses: np.ndarray
    test_loss: float = float("nan")
    test_accuracy: float = float("nan")
    diverged: bool = False
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def final(self, window=20) -> float:
        """Mean mini-batch loss over the last `window` steps (nan if the run diverged)."""
        return float(np.mean(self.losses[-window:]))

    def smoothed(self, window=20) -> np.ndarray:
        window = max(1, min(window, len(self.losses)))
        return np.convolve(self.losses, np.ones(window) / window, mode="valid")


def train_convnet(model, splits, steps, lr, batch_size=32, seed=0, label="", show_progress=True):
    """Plain SGD on random mini-batches of the training digits; stops if the loss blows up.

    A run diverges when its loss stops being finite or exceeds 1e3 (ln 10 = 2.3 is chance).
    At the end the test split is measured in eval mode.
    """
    images, labels = splits.train
    rng = np.random.default_rng(seed)
    optimiser = SGD(model.parameters(), lr=lr)
    losses = np.full(steps, np.nan)
    model.train()
    start, diverged = time.perf_counter(), False
    with np.errstate(over="ignore", invalid="ignore"):
        for step in progress(range(steps), label, enabled=show_progress and bool(label)):
            ix = rng.integers(0, len(labels), batch_size)
            loss = model(images[ix]).cross_entropy(labels[ix])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses[step] = loss.item()
            if not losses[step] < 1e3:  # nan compares False too
                diverged = True
                break
    result = ConvTraining(losses, diverged=diverged, seconds=time.perf_counter() - start)
    if not diverged:
        result.test_loss, result.test_accuracy = evaluate(model, *splits.test)
    return result
