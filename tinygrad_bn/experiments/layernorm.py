"""Experiment 6: BatchNorm vs LayerNorm.

For pre-activations h of shape (N examples, C features):

    BatchNorm normalises each feature (column) over the batch:   axis 0
    LayerNorm normalises each example (row) over its features:   axis 1

So after BatchNorm every column has mean 0 and std 1; after LayerNorm every
row does. LayerNorm never looks at other examples: it works on a batch of
one, gives an example the same output alone or in any batch, and has no
running statistics and no train/eval difference.
"""

from dataclasses import dataclass, field

import numpy as np

from .. import nn
from ..graph import no_grad
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots, save

RUNS = {"no norm": None, "BatchNorm": "batch", "LayerNorm": "layer"}


@dataclass
class LayerNormResult:
    # "BatchNorm"/"LayerNorm" -> mean over the batch of each feature of the output
    column_means: dict
    row_means: dict  # -> mean over the features of each example of the output
    column_stds: dict
    row_stds: dict
    batchnorm_single_error: str  # the error BatchNorm gives for one example in training mode
    # max |LayerNorm(example alone) - LayerNorm(same example in a batch)|
    layernorm_single_vs_batch: float
    trainings: dict  # run name -> Training
    files: list = field(default_factory=list)


def run(quick=False, data=None, seed=42, out=None) -> LayerNormResult:
    folder = output_folder(out, "layernorm")
    heading("6. BatchNorm vs LayerNorm")
    splits = load_splits(data, seed, quick=quick)
    model = build_mlp(splits.vocab.size, n_hidden=200, norm=None, seed=seed)
    X = splits.train[0][np.random.default_rng(seed).integers(0, len(splits.train[0]), 64)]
    with no_grad():
        h = model[:3](X)  # pre-activations (64, 200)
        outputs = {"BatchNorm": nn.BatchNorm1d(200)(h).data, "LayerNorm": nn.LayerNorm(200)(h).data}
        layer_norm = nn.LayerNorm(200)
        alone, in_batch = layer_norm(h[:1]).data, layer_norm(h).data[:1]
    try:
        nn.BatchNorm1d(200)(h[:1])
        message = ""
    except ValueError as error:
        message = str(error)
    r = LayerNormResult(
        column_means={k: v.mean(axis=0) for k, v in outputs.items()},
        row_means={k: v.mean(axis=1) for k, v in outputs.items()},
        column_stds={k: v.std(axis=0) for k, v in outputs.items()},
        row_stds={k: v.std(axis=1) for k, v in outputs.items()},
        batchnorm_single_error=message,
        layernorm_single_vs_batch=float(np.max(np.abs(alone - in_batch))),
        trainings={},
    )
    print("a batch of 64 pre-activations (64 x 200), normalised:")
    print(f"  {'':<10} {'max |feature mean|':>19} {'max |example mean|':>19}")
    for k in outputs:
        print(
            f"  {k:<10} {np.max(np.abs(r.column_means[k])):19.2e} "
            f"{np.max(np.abs(r.row_means[k])):19.2e}"
        )
    print(f"batch of one, training mode:\n  BatchNorm: ValueError: {message}")
    print(
        "  LayerNorm: fine; the example alone and inside the batch differ by "
        f"{r.layernorm_single_vs_batch:.1e}"
    )

    steps = 200 if quick else 10_000
    for name, norm in RUNS.items():
        net = build_mlp(splits.vocab.size, n_hidden=200, norm=norm, seed=seed)
        r.trainings[name] = train(net, splits, steps, lr=0.1, seed=seed, label=name)
    print(
        f"after {steps} steps at lr 0.1: "
        + ", ".join(f"{k} val {t.val_loss:.4f}" for k, t in r.trainings.items())
    )
    r.files = draw_plots(_plots, r, folder)
    return r


def _plots(plt, r, folder):
    colours = {"no norm": "tab:red", "BatchNorm": "tab:blue", "LayerNorm": "tab:green"}
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    for k in ("BatchNorm", "LayerNorm"):
        axes[0].plot(r.column_means[k], ".", color=colours[k], label=k)
        axes[1].plot(r.row_means[k], ".", color=colours[k], label=k)
    axes[0].set(
        xlabel="feature (column)",
        ylabel="mean over the 64 examples",
        title="per-feature mean: BatchNorm zeroes it",
    )
    axes[1].set(
        xlabel="example (row)",
        ylabel="mean over the 200 features",
        title="per-example mean: LayerNorm zeroes it",
    )
    axes[0].legend()
    axes[1].legend()
    for name, t in r.trainings.items():
        smooth = t.smoothed()
        axes[2].plot(
            np.arange(len(smooth)) + 50,
            smooth,
            color=colours[name],
            label=f"{name}: val {t.val_loss:.3f}",
        )
    axes[2].set(
        xlabel="training step",
        ylabel="mini-batch loss (running mean of 100)",
        title="1 hidden layer of 200, lr 0.1",
    )
    axes[2].legend()
    return [save(fig, folder / "batchnorm_vs_layernorm.png")]


def summary(r):
    numbers = {f"val loss, {name}": t.val_loss for name, t in r.trainings.items()}
    vals = list(numbers.values())
    numbers["largest - smallest val loss"] = max(vals) - min(vals)
    claims = {
        "BatchNorm zeroes each feature's mean, LayerNorm each example's (to 1e-6)": (
            np.max(np.abs(r.column_means["BatchNorm"])) < 1e-6
            and np.max(np.abs(r.row_means["LayerNorm"])) < 1e-6
        ),
        "LayerNorm gives an example the same output alone and in a batch": (
            r.layernorm_single_vs_batch == 0.0
        ),
        "one hidden layer at lr 0.1: the three nets end within 0.03 of each other": (
            numbers["largest - smallest val loss"] < 0.03
        ),
    }
    return numbers, claims
