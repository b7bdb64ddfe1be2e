"""Experiment 1: BatchNorm from scratch.

Take a batch, compute the first layer's pre-activations h = emb @ W^T, and
normalise every feature (column) over the batch:

    mean_j = (1/N) sum_i h_ij         var_j = (1/N) sum_i (h_ij - mean_j)^2
    out_ij = gamma_j (h_ij - mean_j) / sqrt(var_j + eps) + beta_j

With gamma = 1 and beta = 0 (their initial values) every feature of the output
has mean 0 and standard deviation sqrt(var/(var + eps)), i.e. 1 up to eps.
`batchnorm_by_hand` (numpy, nothing else) and `nn.BatchNorm1d` agree to rounding.
"""

from dataclasses import dataclass, field

import numpy as np

from .common import heading, load_splits, output_folder
from .mlp import build_mlp
from .plotting import draw_plots, save


@dataclass
class FromScratchResult:
    batch_size: int
    before_mean: np.ndarray  # per feature, of the pre-activations
    before_std: np.ndarray
    after_mean: np.ndarray  # per feature, after BatchNorm in training mode
    after_std: np.ndarray
    by_hand_max_diff: float  # max |numpy formula - nn.BatchNorm1d|
    saturated_before: float  # fraction of |tanh(h)| > 0.97
    saturated_after: float
    files: list = field(default_factory=list)


def batchnorm_by_hand(h, gamma, beta, eps=1e-5):
    """The formula, in numpy, nothing else."""
    mean = h.mean(axis=0)
    var = ((h - mean) ** 2).mean(axis=0)
    return gamma * (h - mean) / np.sqrt(var + eps) + beta


def run(quick=False, data=None, seed=42, out=None) -> FromScratchResult:
    folder = output_folder(out, "from-scratch")
    heading("1. BatchNorm from scratch")
    splits = load_splits(data, seed, quick=quick)
    batch_size = 64 if quick else 512
    model = build_mlp(splits.vocab.size, n_layers=1, n_hidden=200, norm="batch", seed=seed)
    embed, flatten, linear, bn = model[0], model[1], model[2], model[3]
    X = splits.train[0][np.random.default_rng(seed).integers(0, len(splits.train[0]), batch_size)]
    h = linear(flatten(embed(X)))  # the pre-activations
    bn.train()
    normalised = bn(h)
    by_hand = batchnorm_by_hand(h.data, bn.weight.data, bn.bias.data, bn.eps)
    r = FromScratchResult(
        batch_size=batch_size,
        before_mean=h.data.mean(axis=0),
        before_std=h.data.std(axis=0),
        after_mean=normalised.data.mean(axis=0),
        after_std=normalised.data.std(axis=0),
        by_hand_max_diff=float(np.max(np.abs(by_hand - normalised.data))),
        saturated_before=float(np.mean(np.abs(np.tanh(h.data)) > 0.97)),
        saturated_after=float(np.mean(np.abs(np.tanh(normalised.data)) > 0.97)),
    )
    print(f"batch of {batch_size}, 200 features (first layer of the makemore MLP, Kaiming init)")
    print(
        f"  before: feature means in [{r.before_mean.min():+.3f}, {r.before_mean.max():+.3f}], "
        f"stds in [{r.before_std.min():.3f}, {r.before_std.max():.3f}]"
    )
    print(
        f"  after:  max |mean| = {np.max(np.abs(r.after_mean)):.1e}, "
        f"max |std - 1| = {np.max(np.abs(r.after_std - 1)):.1e}"
    )
    print(f"  numpy formula vs nn.BatchNorm1d: max |difference| = {r.by_hand_max_diff:.1e}")
    print(
        f"  saturated tanh units (|tanh| > 0.97): {r.saturated_before:.1%} before, "
        f"{r.saturated_after:.1%} after"
    )
    r.files = draw_plots(_plots, r, h.data, normalised.data, folder)
    return r


def _plots(plt, r, before, after, folder):
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    bins = np.linspace(-6, 6, 61)
    axes[0].hist(before.ravel(), bins=bins, color="tab:red", alpha=0.6, label="before BatchNorm")
    axes[0].hist(after.ravel(), bins=bins, color="tab:blue", alpha=0.6, label="after BatchNorm")
    axes[0].set(
        xlabel="pre-activation value",
        ylabel="count (all features)",
        title=f"pre-activations, batch of {r.batch_size}",
    )
    axes[0].legend()
    features = np.arange(len(r.before_mean))
    axes[1].plot(features, r.before_mean, ".", color="tab:red", label="before")
    axes[1].plot(features, r.after_mean, ".", color="tab:blue", label="after")
    axes[1].set(xlabel="feature", ylabel="mean over the batch", title="per-feature mean")
    axes[1].legend()
    axes[2].plot(features, r.before_std, ".", color="tab:red", label="before")
    axes[2].plot(features, r.after_std, ".", color="tab:blue", label="after")
    axes[2].set(xlabel="feature", ylabel="std over the batch", title="per-feature std")
    axes[2].legend()
    return [save(fig, folder / "before_after_batchnorm.png")]


def summary(r):
    numbers = {
        "max |feature mean| after": float(np.max(np.abs(r.after_mean))),
        "max |feature std - 1| after": float(np.max(np.abs(r.after_std - 1))),
        "numpy formula vs layer, max |diff|": r.by_hand_max_diff,
        "saturated tanh before": r.saturated_before,
        "saturated tanh after": r.saturated_after,
    }
    claims = {
        "after BatchNorm every feature has |mean| < 1e-6 and |std - 1| < 1e-3": (
            numbers["max |feature mean| after"] < 1e-6
            and numbers["max |feature std - 1| after"] < 1e-3
        ),
        "the numpy formula and nn.BatchNorm1d agree to 1e-12": r.by_hand_max_diff <= 1e-12,
        "fewer tanh units saturate after BatchNorm": r.saturated_after < r.saturated_before,
    }
    return numbers, claims
