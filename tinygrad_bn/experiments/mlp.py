"""The character-level MLP of the makemore lessons, and the loop that trains it.

    logits = Linear(tanh(Norm(Linear(flatten(C[context])))))       (n_layers hidden blocks)

Each hidden block is Linear -> BatchNorm1d -> Tanh (the Linear has no bias:
BatchNorm subtracts the mean, so a bias would be cancelled and never learn),
or Linear -> LayerNorm -> Tanh, or Linear(bias) -> Tanh with no normalisation.

Initialisation as in the lessons: embeddings N(0, 1); hidden weights
N(0, 1) * gain / sqrt(fan_in) with gain 5/3 for tanh (Kaiming); the output
layer scaled down by `last_scale` so the first predictions are nearly uniform.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from .. import nn
from ..graph import no_grad
from ..optim import SGD
from .progress import progress

TANH_GAIN = 5 / 3


def build_mlp(
    vocab_size,
    block_size=3,
    n_embd=10,
    n_hidden=200,
    n_layers=1,
    norm="batch",
    fused=True,
    gain=TANH_GAIN,
    last_scale=0.1,
    momentum=0.1,
    seed=0,
):
    """An nn.Sequential MLP; `norm` is "batch", "layer" or None."""
    if norm not in ("batch", "layer", None):
        raise ValueError(f"norm must be 'batch', 'layer' or None, got {norm!r}")
    rng = np.random.default_rng(seed)
    layers = [nn.Embedding(vocab_size, n_embd, rng=rng), nn.Flatten()]
    fan_in = block_size * n_embd
    for _ in range(n_layers):
        linear = nn.Linear(fan_in, n_hidden, bias=norm != "batch", rng=rng)
        _kaiming(linear, rng, gain)
        layers.append(linear)
        if norm == "batch":
            layers.append(nn.BatchNorm1d(n_hidden, momentum=momentum, fused=fused))
        elif norm == "layer":
            layers.append(nn.LayerNorm(n_hidden))
        layers.append(nn.Tanh())
        fan_in = n_hidden
    out = nn.Linear(fan_in, vocab_size, rng=rng)
    _kaiming(out, rng, last_scale)
    layers.append(out)
    return nn.Sequential(*layers)


def _kaiming(linear, rng, gain):
    """weight ~ N(0, 1) * gain / sqrt(fan_in), bias 0."""
    linear.weight.data[...] = (
        rng.standard_normal(linear.weight.shape) * gain / np.sqrt(linear.in_features)
    )
    if linear.bias is not None:
        linear.bias.data[...] = 0.0


def forward_collect(model, X, kinds=(nn.Tanh,)):
    """The logits, and the output of every layer of one of `kinds` (activations to look at)."""
    h, collected = X, []
    for layer in model:
        h = layer(h)
        if isinstance(layer, kinds):
            collected.append(h)
    return h, collected


def evaluate(model, X, Y, chunk=50_000) -> float:
    """Mean cross-entropy over (X, Y) in eval mode (running statistics), in chunks.

    The model's mode is restored."""
    was_training = model.training
    model.eval()
    total = 0.0
    with no_grad():
        for start in range(0, len(X), chunk):
            logits = model(X[start : start + chunk])
            total += logits.cross_entropy(Y[start : start + chunk]).item() * len(logits)
    model.train(was_training)
    return total / len(X)


@dataclass
class Training:
    """What one run of `train` saw: the mini-batch loss of every step, and the end."""

    losses: np.ndarray
    train_loss: float = float("nan")
    val_loss: float = float("nan")
    seconds: float = 0.0
    diverged: bool = False
    extra: dict = field(default_factory=dict)

    def smoothed(self, window=100) -> np.ndarray:
        """Running mean of the step losses over `window` steps (for plots)."""
        window = max(1, min(window, len(self.losses)))
        return np.convolve(self.losses, np.ones(window) / window, mode="valid")

    def final(self, window=200) -> float:
        """Mean mini-batch loss over the last `window` steps."""
        return float(np.mean(self.losses[-window:]))


def train(
    model,
    splits,
    steps,
    lr,
    batch_size=32,
    seed=0,
    decay_at=None,
    label="training",
    show_progress=True,
    evaluate_at_end=True,
    on_step=None,
    evaluate_train=True,
):
    """Plain SGD on random mini-batches of the training split.

    `decay_at`: the step at which lr drops to lr/10 (the lessons' schedule).
    `on_step(step, model, loss)` is called after every update (for recording).
    At the end the loss of the whole validation split (and, if `evaluate_train`,
    of the whole training split) is measured in eval mode.
    Stops early, marking the run diverged, if the loss stops being finite.
    """
    Xtr, Ytr = splits.train
    rng = np.random.default_rng(seed)
    optimiser = SGD(model.parameters(), lr=lr)
    losses = np.full(steps, np.nan)
    model.train()
    start = time.perf_counter()
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for step in progress(range(steps), label, enabled=show_progress):
            if decay_at is not None and step == decay_at:
                optimiser.lr = lr / 10
            ix = rng.integers(0, len(Xtr), batch_size)
            loss = model(Xtr[ix]).cross_entropy(Ytr[ix])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses[step] = loss.item()
            if on_step is not None:
                on_step(step, model, loss)
            if not np.isfinite(losses[step]):
                diverged = True
                break
    result = Training(losses=losses, seconds=time.perf_counter() - start, diverged=diverged)
    if evaluate_at_end and not diverged:
        with np.errstate(over="ignore", invalid="ignore"):
            if evaluate_train:
                result.train_loss = evaluate(model, *splits.train)
            result.val_loss = evaluate(model, *splits.val)
    return result
