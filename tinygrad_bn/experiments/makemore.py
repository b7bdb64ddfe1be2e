"""Experiment 9: the full makemore run with BatchNorm, beside the lecture's figures.

The lecture's setting: contexts of 3 characters, embeddings of 10, one hidden
layer of 200, Linear (no bias) -> BatchNorm1d -> tanh -> Linear, batch 32,
200,000 SGD steps at lr 0.1, then 0.01 from step 100,000. The lecture
(32,033 names, split 80/10/10 with seed 42) reports train 2.0668, val 2.1048.

    tinygrad-bn demo makemore --data ../shared/data/names.txt      (a few minutes)
    tinygrad-bn demo makemore --quick                               (seconds)
"""

from dataclasses import dataclass, field

import numpy as np

from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots, save

LECTURE = {"train": 2.0668, "val": 2.1048}


@dataclass
class MakemoreResult:
    steps: int
    train_loss: float
    val_loss: float
    seconds: float
    losses: np.ndarray
    uniform_loss: float  # log(vocabulary size): what guessing gives
    files: list = field(default_factory=list)


def run(quick=False, data=None, seed=42, out=None, steps=None) -> MakemoreResult:
    folder = output_folder(out, "makemore")
    heading("9. the full makemore run with BatchNorm")
    splits = load_splits(data, seed)
    steps = steps if steps is not None else (1000 if quick else 200_000)
    model = build_mlp(
        splits.vocab.size,
        block_size=3,
        n_embd=10,
        n_hidden=200,
        n_layers=1,
        norm="batch",
        seed=seed,
    )
    n_params = sum(p.data.size for p in model.parameters())
    print(
        f"model: {n_params:,} parameters; {steps:,} steps, batch 32, lr 0.1 -> 0.01 at step {steps // 2:,}"
    )
    t = train(
        model,
        splits,
        steps,
        lr=0.1,
        batch_size=32,
        seed=seed,
        decay_at=steps // 2,
        label="makemore",
    )
    r = MakemoreResult(
        steps, t.train_loss, t.val_loss, t.seconds, t.losses, float(np.log(splits.vocab.size))
    )
    print(f"  {'':<10} {'train':>8} {'val':>8}")
    print(
        f"  {'this run':<10} {r.train_loss:8.4f} {r.val_loss:8.4f}   "
        f"({steps:,} steps in {r.seconds:.0f}s, {r.seconds / steps * 1e3:.2f} ms/step)"
    )
    print(
        f"  {'lecture':<10} {LECTURE['train']:8.4f} {LECTURE['val']:8.4f}   (200,000 steps on the 32,033 names of names.txt)"
    )
    r.files = draw_plots(_plots, r, folder)
    return r


def _plots(plt, r, folder):
    fig, ax = plt.subplots(figsize=(7, 4))
    window = max(1, r.steps // 200)
    usable = len(r.losses) // window * window
    steps = np.arange(usable).reshape(-1, window).mean(axis=1)
    ax.plot(
        steps,
        np.log10(r.losses[:usable].reshape(-1, window).mean(axis=1)),
        color="tab:blue",
        label=f"mini-batch loss (mean of {window} steps)",
    )
    ax.axhline(
        np.log10(r.val_loss), color="tab:green", ls="--", label=f"final val loss {r.val_loss:.4f}"
    )
    ax.axhline(
        np.log10(LECTURE["val"]),
        color="tab:gray",
        ls=":",
        label=f"lecture val loss {LECTURE['val']}",
    )
    ax.axvline(r.steps // 2, color="tab:red", lw=0.8, label="lr 0.1 -> 0.01")
    ax.set(xlabel="training step", ylabel="log10 loss", title="makemore MLP with BatchNorm")
    ax.legend()
    return [save(fig, folder / "makemore_loss.png")]
