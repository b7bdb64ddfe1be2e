"""A small conv net on the 8x8 digits, with and without BatchNorm2d.

BatchNorm's first success was convolutional: normalising every channel over the
batch and the positions (N H W numbers per channel) let Inception train in a
fraction of the steps and at far higher learning rates (Ioffe & Szegedy, 2015).
This experiment repeats the three measurements on the net of `convnet.py`:

1. training curves at the same learning rate, and the test accuracy after them;
2. a learning-rate sweep: the highest rate at which each net still trains
   (its final mini-batch loss below 1.0, where chance is ln 10 = 2.30);
3. per-layer activation statistics at initialisation and after training: the
   std of each convolution's output, of the normalised output, the fraction of
   ReLUs that are zero, and the std of each convolution's weight gradient.

The digits ship with the package (`tinygrad_bn.digits`): `--data` is not used here.
"""

from dataclasses import dataclass, field

import numpy as np

from .. import nn
from ..digits import split_digits
from .common import heading, output_folder
from .convnet import build_convnet, train_convnet
from .plotting import draw_plots, save

NETS = {"no norm": None, "BatchNorm2d": "batch"}
CURVE_LR = 0.1
TRAINS_BELOW = 1.0  # a run "trains" if its final mini-batch loss ends below this


@dataclass
class CnnResult:
    trainings: dict  # net -> ConvTraining at CURVE_LR
    learning_rates: tuple
    sweep: dict  # net -> [final loss per learning rate] (nan: diverged)
    highest_stable_lr: dict  # net -> the highest rate that trains (0 if none)
    layer_stats: dict  # (net, "init" or "trained") -> {statistic: [one value per conv layer]}
    steps: int
    files: list = field(default_factory=list)


def layer_statistics(model, images, labels):
    """Per convolution block, on one batch in training mode: output stds, dead ReLUs, grad std."""
    layers = list(model)
    out, conv_outputs, norm_outputs, relu_outputs = images, [], [], []
    for layer in layers:
        out = layer(out)
        if isinstance(layer, nn.Conv2d):
            conv_outputs.append(out)
        elif isinstance(layer, (nn.BatchNorm2d, nn.GroupNorm)):
            norm_outputs.append(out)
        elif isinstance(layer, nn.ReLU):
            relu_outputs.append(out)
    model.zero_grad()
    out.cross_entropy(labels).backward()
    convs = [layer for layer in layers if isinstance(layer, nn.Conv2d)]
    stats = {
        "conv output std": [float(t.data.std()) for t in conv_outputs],
        "normalised std": [float(t.data.std()) for t in norm_outputs] or [np.nan] * len(convs),
        "zero ReLUs": [float(np.mean(t.data == 0)) for t in relu_outputs],
        "weight grad std": [float(c.weight.grad.std()) for c in convs],
    }
    model.zero_grad()
    return stats


def run(quick=False, data=None, seed=42, out=None) -> CnnResult:
    folder = output_folder(out, "cnn")
    heading("a conv net on the 8x8 digits, with and without BatchNorm2d")
    splits = split_digits(seed)
    print(
        f"data: the shipped UCI digits, {len(splits.train[1])} training and "
        f"{len(splits.test[1])} test images of 8x8" + (" (--data is not used)" if data else "")
    )
    steps, sweep_steps = (120, 100) if quick else (600, 300)
    learning_rates = (0.3, 1.0, 3.0) if quick else (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
    probe = np.random.default_rng(seed).integers(0, len(splits.train[1]), 128)
    batch = splits.train[0][probe], splits.train[1][probe]

    trainings, layer_stats, sweep, highest = {}, {}, {}, {}
    for name, norm in NETS.items():
        model = build_convnet(norm, seed)
        layer_stats[name, "init"] = layer_statistics(model, *batch)
        trainings[name] = train_convnet(model, splits, steps, CURVE_LR, seed=seed, label=name)
        if not trainings[name].diverged:
            layer_stats[name, "trained"] = layer_statistics(model, *batch)
        sweep[name] = []
        for lr in learning_rates:
            run_ = train_convnet(build_convnet(norm, seed), splits, sweep_steps, lr, seed=seed)
            sweep[name].append(np.nan if run_.diverged else run_.final(10))
        trains = [lr for lr, loss in zip(learning_rates, sweep[name]) if _trained([loss])]
        highest[name] = max(trains, default=0.0)
    r = CnnResult(trainings, learning_rates, sweep, highest, layer_stats, steps)
    _print(r, sweep_steps)
    r.files = draw_plots(_plots, r, folder)
    return r


def _print(r, sweep_steps):
    print(f"{r.steps} steps of SGD at lr {CURVE_LR}, batch 32:")
    for name, t in r.trainings.items():
        print(
            f"  {name:<12} final loss {t.final():.3f}   test accuracy {t.test_accuracy:.3f}"
            f"   test loss {t.test_loss:.3f}"
        )
    print(f"learning-rate sweep, {sweep_steps} steps each (final loss; nan: diverged):")
    print(
        "  " + " " * 12 + "".join(f"{lr:>8g}" for lr in r.learning_rates) + "   highest that trains"
    )
    for name, losses in r.sweep.items():
        row = "".join(f"{loss:8.3f}" for loss in losses)
        print(f"  {name:<12}{row}   {r.highest_stable_lr[name]:g}")
    print("per conv layer (1, 2, 3), one batch of 128:")
    for (name, when), stats in r.layer_stats.items():
        for key, values in stats.items():
            cells = " ".join(f"{v:8.3g}" for v in values)
            print(f"  {name:<12} {when:<8} {key:<16} {cells}")


def summary(r):
    """Numbers and claims for one seed (`experiments.seeds` gathers them over seeds)."""
    numbers = {}
    for name, t in r.trainings.items():
        numbers[f"final loss at lr {CURVE_LR}, {name}"] = t.final()
        numbers[f"test accuracy, {name}"] = t.test_accuracy
        numbers[f"highest lr that trains, {name}"] = r.highest_stable_lr[name]
        numbers[f"swept lrs that train, {name}"] = _trained(r.sweep[name])
    plain_init, bn_init = r.layer_stats["no norm", "init"], r.layer_stats["BatchNorm2d", "init"]
    plain, bn = r.trainings["no norm"], r.trainings["BatchNorm2d"]
    claims = {
        f"with BatchNorm2d the training loss after {r.steps} steps is lower": (
            bn.final() < plain.final()
        ),
        "with BatchNorm2d more of the swept learning rates train": (
            _trained(r.sweep["BatchNorm2d"]) > _trained(r.sweep["no norm"])
        ),
        "with BatchNorm2d the highest learning rate that trains is higher": (
            r.highest_stable_lr["BatchNorm2d"] > r.highest_stable_lr["no norm"]
        ),
        "at initialisation BatchNorm2d's outputs have std 1 (to 1%) at every layer": bool(
            np.all(np.abs(np.asarray(bn_init["normalised std"]) - 1) < 0.01)
        ),
        "at initialisation the plain net's conv outputs shrink layer by layer": bool(
            np.all(np.diff(plain_init["conv output std"]) < 0)
        ),
    }
    return numbers, claims


def _trained(losses):
    """How many runs of a sweep ended below TRAINS_BELOW (nan, a diverged run, never does)."""
    return sum(loss < TRAINS_BELOW for loss in losses)


def _plots(plt, r, folder):
    colours = {"no norm": "tab:red", "BatchNorm2d": "tab:blue"}
    fig, (ax, bx, cx) = plt.subplots(1, 3, figsize=(15, 4))
    for name, t in r.trainings.items():
        smooth = t.smoothed(10)
        ax.plot(np.arange(len(smooth)) + 5, smooth, color=colours[name], label=name)
    ax.set(xlabel="step", ylabel="mini-batch loss (mean of 10)", title=f"lr {CURVE_LR}, batch 32")
    ax.legend()
    for name, losses in r.sweep.items():
        bx.semilogx(r.learning_rates, losses, "o-", color=colours[name], label=name)
    bx.axhline(TRAINS_BELOW, color="grey", ls=":", label="trains below this")
    bx.set(xlabel="learning rate", ylabel="final mini-batch loss", title="learning-rate sweep")
    bx.legend()
    layers = np.arange(1, 4)
    for name in NETS:
        for when, style in (("init", "--"), ("trained", "-")):
            stats = r.layer_stats.get((name, when))
            if stats is not None:
                cx.plot(
                    layers,
                    stats["conv output std"],
                    style,
                    marker="o",
                    color=colours[name],
                    label=f"{name}, {when}",
                )
    cx.set(xlabel="conv layer", ylabel="std of the conv output", title="activation scale per layer")
    cx.set_xticks(layers)
    cx.legend()
    return [save(fig, folder / "cnn.png")]
