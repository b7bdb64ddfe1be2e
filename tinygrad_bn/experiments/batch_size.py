"""Experiment 5: how the batch size changes BatchNorm.

Training-mode BatchNorm normalises with the statistics of the batch, which are
estimates of the dataset's: the batch mean of a feature with dataset standard
deviation sigma wanders around the dataset mean by about sigma / sqrt(B). So a
batch of 8 normalises with noisy statistics (each example is shifted by its
batchmates, a kind of regularising noise), a batch of 512 with nearly exact
ones. This experiment measures that noise at batch sizes 8, 32, 128 and 512,
and trains the makemore MLP with each for the same number of steps.
"""

from dataclasses import dataclass, field

import numpy as np

from ..graph import no_grad
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots, save

BATCH_SIZES = (8, 32, 128, 512)


@dataclass
class BatchSizeResult:
    batch_sizes: tuple
    # per batch size: std over batches of the batch mean, / dataset std, averaged over features
    mean_noise: list
    var_noise: list  # per batch size: std over batches of the batch variance, / dataset variance
    trainings: dict  # batch size -> Training
    steps: int
    files: list = field(default_factory=list)


def statistics_noise(h, batch_size, samples, rng):
    """How far the statistics of batches of rows of h stray from those of all of h,
    relative to the dataset std (for the mean) and variance (for the variance)."""
    sigma, var = h.std(axis=0), h.var(axis=0)
    means, variances = [], []
    for _ in range(samples):
        batch = h[rng.integers(0, len(h), batch_size)]
        means.append(batch.mean(axis=0))
        variances.append(batch.var(axis=0))
    return float(np.mean(np.std(means, axis=0) / sigma)), float(
        np.mean(np.std(variances, axis=0) / var)
    )


def run(quick=False, data=None, seed=42, out=None) -> BatchSizeResult:
    folder = output_folder(out, "batch-size")
    heading("5. batch size")
    splits = load_splits(data, seed)
    steps = 50 if quick else 4000
    rng = np.random.default_rng(seed)
    reference = build_mlp(splits.vocab.size, n_hidden=200, norm="batch", seed=seed)
    with no_grad():
        # first-layer pre-activations of the whole training set
        h = reference[:3](splits.train[0]).data
    mean_noise, var_noise = zip(*(statistics_noise(h, b, 200, rng) for b in BATCH_SIZES))
    trainings = {}
    for b in BATCH_SIZES:
        model = build_mlp(splits.vocab.size, n_hidden=200, norm="batch", seed=seed)
        trainings[b] = train(
            model,
            splits,
            steps,
            lr=0.1,
            batch_size=b,
            seed=seed,
            label=f"batch {b}",
            evaluate_train=False,
        )
    r = BatchSizeResult(BATCH_SIZES, list(mean_noise), list(var_noise), trainings, steps)
    print("noise of the batch statistics (first layer, initial weights; 200 batches each):")
    print(
        f"  {'batch':>6} {'std(batch mean)/sigma':>22} {'1/sqrt(B)':>10} {'std(batch var)/var':>19}   val loss after {steps} steps"
    )
    for b, mn, vn in zip(BATCH_SIZES, r.mean_noise, r.var_noise):
        print(
            f"  {b:>6} {mn:22.4f} {1 / np.sqrt(b):10.4f} {vn:19.4f}   {trainings[b].val_loss:.4f}"
        )
    r.files = draw_plots(_plots, r, folder)
    return r


def _plots(plt, r, folder):
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    sizes = np.array(r.batch_sizes)
    ax.loglog(sizes, r.mean_noise, "o-", color="tab:blue", label="std of the batch mean / sigma")
    ax.loglog(
        sizes, r.var_noise, "s-", color="tab:orange", label="std of the batch variance / variance"
    )
    ax.loglog(sizes, 1 / np.sqrt(sizes), "k:", label="1 / sqrt(B)")
    ax.set(
        xlabel="batch size B",
        ylabel="relative noise of batch statistics",
        title="smaller batches, noisier statistics",
    )
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.legend()
    for b, t in r.trainings.items():
        window = max(1, r.steps // 20)
        smooth = t.smoothed(window)
        bx.plot(
            np.arange(len(smooth)) + window // 2, smooth, label=f"batch {b}: val {t.val_loss:.3f}"
        )
    bx.set(
        xlabel="training step",
        ylabel="mini-batch loss (running mean)",
        title="same number of steps, lr 0.1",
    )
    bx.legend()
    return [save(fig, folder / "batch_size.png")]
