"""Experiment 10: how fast each layer learns, lr |dW| / |W|, with and without BatchNorm.

makemore part 3's exhibit. An SGD step changes a weight matrix W by lr dW, so

    update ratio = lr |dW| / |W|          (Frobenius norms)

is the fraction by which a step moves the layer's weights. The lecture's rule of
thumb: around 1e-3 (log10 -3) is healthy; much larger and the layer thrashes,
much smaller and it hardly learns. Without normalisation the ratio differs from
layer to layer, so no single learning rate suits all of them; with BatchNorm
(the output of a layer does not depend on the scale of its W) every hidden
layer's ratio is about the same. The gradient std reaching each layer is about
the same in both nets (experiment with-without): the ratio, not a fading
gradient, is what differs.
"""

from dataclasses import dataclass, field

import numpy as np

from .. import nn
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots, save

RUNS = {"no norm": None, "BatchNorm": "batch"}


@dataclass
class UpdateRatioResult:
    lr: float
    steps: list  # the steps at which the ratios were recorded
    ratios: dict  # run name -> array (records, layers): lr |dW| / |W| of each hidden Linear
    val_loss: dict  # run name -> final validation loss
    files: list = field(default_factory=list)

    def late(self, name) -> np.ndarray:
        """Per layer: the mean ratio over the last half of training."""
        r = self.ratios[name]
        return r[len(r) // 2 :].mean(axis=0)

    def unevenness(self, name) -> float:
        """Largest / smallest late ratio over the hidden layers (1 = every layer alike)."""
        late = self.late(name)
        return float(late.max() / late.min())


def settings(quick):
    if quick:
        return dict(n_layers=5, n_hidden=32, lr=1.0, steps=300, every=10)
    return dict(n_layers=5, n_hidden=100, lr=0.5, steps=3000, every=50)


def run(quick=False, data=None, seed=42, out=None) -> UpdateRatioResult:
    folder = output_folder(out, "update-ratio")
    cfg = settings(quick)
    heading("10. update-to-weight ratio per layer")
    splits = load_splits(data, seed, quick=quick)
    print(
        f"{cfg['n_layers']} hidden tanh layers of {cfg['n_hidden']}, {cfg['steps']} steps at "
        f"lr {cfg['lr']}; every {cfg['every']} steps, lr |dW| / |W| of each hidden Linear"
    )
    ratios, val_loss, recorded = {}, {}, []
    for name, norm in RUNS.items():
        model = build_mlp(
            splits.vocab.size,
            n_layers=cfg["n_layers"],
            n_hidden=cfg["n_hidden"],
            norm=norm,
            seed=seed,
        )
        hidden = [layer for layer in model if isinstance(layer, nn.Linear)][:-1]
        rows, recorded = [], []

        def record(step, model, loss, hidden=hidden, rows=rows, recorded=recorded):
            if step % cfg["every"]:
                return
            recorded.append(step)
            rows.append(  # the gradient of this step, the weights before it: lr dW / W
                [
                    cfg["lr"]
                    * np.linalg.norm(lin.weight.grad)
                    / np.linalg.norm(lin.weight.data + cfg["lr"] * lin.weight.grad)
                    for lin in hidden
                ]
            )

        t = train(model, splits, cfg["steps"], cfg["lr"], seed=seed, label=name, on_step=record)
        ratios[name], val_loss[name] = np.array(rows), t.val_loss
    r = UpdateRatioResult(cfg["lr"], recorded, ratios, val_loss)
    print("  mean lr |dW| / |W| over the second half of training, hidden layers 1 to 5:")
    for name in RUNS:
        late = " ".join(f"{v:.1e}" for v in r.late(name))
        print(
            f"  {name:<10} {late}   largest/smallest {r.unevenness(name):.2f}   "
            f"val loss {r.val_loss[name]:.4f}"
        )
    r.files = draw_plots(_plots, r, folder)
    return r


def summary(r):
    numbers = {}
    for name in RUNS:
        for i, v in enumerate(r.late(name), 1):
            numbers[f"update ratio, layer {i}, {name}"] = float(v)
        numbers[f"largest / smallest layer ratio, {name}"] = r.unevenness(name)
        numbers[f"val loss, {name}"] = r.val_loss[name]
    claims = {
        "with BatchNorm the hidden layers' update ratios are closer together": (
            r.unevenness("BatchNorm") < r.unevenness("no norm")
        ),
        "without BatchNorm the last hidden layer moves faster than the first": (
            r.late("no norm")[-1] > r.late("no norm")[0]
        ),
    }
    return numbers, claims


def _plots(plt, r, folder):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, name in zip(axes, RUNS):
        for i in range(r.ratios[name].shape[1]):
            ax.plot(r.steps, np.log10(r.ratios[name][:, i]), label=f"layer {i + 1}")
        ax.axhline(-3, color="k", ls=":", lw=1, label="1e-3, the rule of thumb")
        ax.set(
            xlabel="training step",
            ylabel="log10(lr |dW| / |W|)",
            title=f"{name}, lr {r.lr}: largest/smallest {r.unevenness(name):.2f}",
        )
        ax.legend(fontsize=8)
    return [save(fig, folder / "update_ratio.png")]
