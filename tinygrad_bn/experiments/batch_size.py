"""Experiment 5: how the batch size changes BatchNorm, compared at equal examples seen.

Training-mode BatchNorm normalises with the statistics of the batch, which are
estimates of the dataset's: the batch mean of a feature with dataset standard
deviation sigma wanders around the dataset mean by about sigma / sqrt(B). So a
batch of 8 normalises with noisy statistics (each example is shifted by its
batchmates), a batch of 512 with nearly exact ones; a batch of 2 maps every
feature to +-1 (x̂ = (x_1 - x_2) / |x_1 - x_2| up to eps), which destroys most
of what the layer computed.

The training runs are compared at an equal number of examples seen (B x steps is
the same for every B), so a small batch takes many small noisy steps and a large
one few precise steps. Three nets at each size: no normalisation (the baseline),
BatchNorm, and LayerNorm (which never looks at other examples).
"""

from dataclasses import dataclass, field

import numpy as np

from ..graph import no_grad
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots, save

RUNS = {"no norm": None, "BatchNorm": "batch", "LayerNorm": "layer"}


@dataclass
class BatchSizeResult:
    batch_sizes: tuple
    mean_noise: list  # per size: std over batches of the batch mean / dataset std, feature mean
    var_noise: list  # per size: std over batches of the batch variance / dataset variance
    trainings: dict  # run name -> {batch size -> Training}
    examples: int  # examples seen by every run
    files: list = field(default_factory=list)

    def val(self, name) -> list:
        return [self.trainings[name][b].val_loss for b in self.batch_sizes]


def settings(quick):
    if quick:
        return dict(batch_sizes=(2, 4, 32, 128), examples=4096)
    return dict(batch_sizes=(2, 4, 8, 32, 128, 512), examples=64_000)


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
    cfg = settings(quick)
    sizes, examples = cfg["batch_sizes"], cfg["examples"]
    heading("5. batch size, at equal examples seen")
    splits = load_splits(data, seed, quick=quick)
    rng = np.random.default_rng(seed)
    reference = build_mlp(splits.vocab.size, n_hidden=200, norm="batch", seed=seed)
    with no_grad():  # first-layer pre-activations of the whole training set
        h = reference[:3](splits.train[0]).data
    mean_noise, var_noise = zip(*(statistics_noise(h, b, 200, rng) for b in sizes))
    trainings = {name: {} for name in RUNS}
    for b in sizes:
        for name, norm in RUNS.items():
            model = build_mlp(splits.vocab.size, n_hidden=200, norm=norm, seed=seed)
            trainings[name][b] = train(
                model,
                splits,
                examples // b,
                lr=0.1,
                batch_size=b,
                seed=seed,
                label=f"{name}, batch {b}",
                evaluate_train=False,
            )
    r = BatchSizeResult(sizes, list(mean_noise), list(var_noise), trainings, examples)
    print("noise of the batch statistics (first layer, initial weights; 200 batches each):")
    print(
        f"  {'batch':>6} {'std(batch mean)/sigma':>22} {'1/sqrt(B)':>10} {'std(batch var)/var':>19}"
    )
    for b, mn, vn in zip(sizes, r.mean_noise, r.var_noise):
        print(f"  {b:>6} {mn:22.4f} {1 / np.sqrt(b):10.4f} {vn:19.4f}")
    print(f"val loss after {examples:,} examples (B x steps), lr 0.1, one hidden layer of 200:")
    print(f"  {'batch':>6} {'steps':>7} " + " ".join(f"{name:>10}" for name in RUNS))
    for i, b in enumerate(sizes):
        print(f"  {b:>6} {examples // b:>7} " + " ".join(f"{r.val(n)[i]:10.4f}" for n in RUNS))
    r.files = draw_plots(_plots, r, folder)
    return r


def summary(r):
    numbers = {}
    for b, mn in zip(r.batch_sizes, r.mean_noise):
        numbers[f"std of batch mean / sigma, B = {b}"] = mn
    for name in RUNS:
        for b, v in zip(r.batch_sizes, r.val(name)):
            numbers[f"val loss, B = {b}, {name}"] = v
    bn, ln = r.val("BatchNorm"), r.val("LayerNorm")
    tiny = [i for i, b in enumerate(r.batch_sizes) if b <= 4]
    i32, i128 = r.batch_sizes.index(32), r.batch_sizes.index(128)
    claims = {
        "the batch mean's noise is 1/sqrt(B) within 25% at every B": all(
            abs(mn * np.sqrt(b) - 1) < 0.25 for b, mn in zip(r.batch_sizes, r.mean_noise)
        ),
        "LayerNorm beats BatchNorm at B = 2 and 4": all(ln[i] < bn[i] for i in tiny),
        "at equal examples, BatchNorm with B = 32 beats B = 128": bn[i32] < bn[i128],
        "BatchNorm at B = 2 is worse than no normalisation at B = 2": bn[0] > r.val("no norm")[0],
    }
    return numbers, claims


def _plots(plt, r, folder):
    colours = {"no norm": "tab:red", "BatchNorm": "tab:blue", "LayerNorm": "tab:green"}
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
    for name in RUNS:
        bx.semilogx(sizes, r.val(name), "o-", color=colours[name], label=name)
    bx.set_xticks(sizes, [str(s) for s in sizes])
    bx.set(
        xlabel="batch size B",
        ylabel="final val loss",
        title=f"equal examples seen ({r.examples:,}), lr 0.1",
    )
    bx.legend()
    return [save(fig, folder / "batch_size.png")]
