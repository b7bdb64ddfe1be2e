"""Experiment 9: the full makemore run with BatchNorm, beside the lecture's figures.

The lecture's setting (makemore part 3): the 32,033 names, split 80/10/10 after
a shuffle with seed 42; contexts of 3 characters, embeddings of 10, one hidden
layer of 200, Linear (no bias) -> BatchNorm1d -> tanh -> Linear; weights
C ~ N(0, 1), W1 ~ N(0, 1) (5/3) / sqrt(30), W2 ~ N(0, 1) 0.01, b2 = 0; running
statistics with momentum 0.001; batch 32, 200,000 SGD steps at lr 0.1, then 0.01
from step 100,000. The lecture reports train 2.0668, val 2.1048. What still
differs here is listed in DIFFERENCES and printed beside the result.

    tinygrad-bn demo makemore            (3 seeds, a few minutes each)
    tinygrad-bn demo makemore --quick    (1,000 steps, seconds)
"""

from dataclasses import dataclass, field

import numpy as np

from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots, save

LECTURE = {"train": 2.0668, "val": 2.1048}
LECTURE_STEPS = 200_000
TARGET = 0.015  # |val - lecture val| we aim for at the lecture's length
N_HIDDEN = 200
LAST_SCALE = 0.01 * np.sqrt(N_HIDDEN)  # W2 = N(0, 1) * LAST_SCALE / sqrt(200) = N(0, 1) * 0.01
MOMENTUM = 0.001  # the lecture's running-statistics update: 0.999 running + 0.001 batch
SPLIT_SEED = 42  # the lecture's shuffle; the run's seed picks only the initial weights and batches
DIFFERENCES = (
    "normalisation: (h - mean) / sqrt(biased var + 1e-5) here; / unbiased std, no eps, "
    "in the lecture",
    "running statistics: mean and unbiased variance here; mean and unbiased std in the lecture",
    "precision: float64 here, float32 in the lecture",
    "random numbers: numpy's generator seeded with the run's seed here; torch's seeded "
    "2147483647 in the lecture, so other initial weights and batches (the same split: "
    "the names shuffled with seed 42)",
)


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
    data = "makemore" if data is None else data  # the lecture's names, also for --quick
    splits = load_splits(data, SPLIT_SEED, quick=quick)  # the lecture's split, whatever `seed`
    steps = steps if steps is not None else (1000 if quick else LECTURE_STEPS)
    model = build_mlp(
        splits.vocab.size,
        block_size=3,
        n_embd=10,
        n_hidden=N_HIDDEN,
        n_layers=1,
        norm="batch",
        last_scale=LAST_SCALE,
        momentum=MOMENTUM,
        seed=seed,
    )
    n_params = sum(p.data.size for p in model.parameters())
    print(
        f"model: {n_params:,} parameters; {steps:,} steps, batch 32, "
        f"lr 0.1 -> 0.01 at step {steps // 2:,}, running-statistics momentum {MOMENTUM}"
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
        steps,
        t.train_loss,
        t.val_loss,
        t.seconds,
        t.losses,
        float(np.log(splits.vocab.size)),
    )
    print(f"  {'':<10} {'train':>8} {'val':>8}")
    print(
        f"  {'this run':<10} {r.train_loss:8.4f} {r.val_loss:8.4f}   "
        f"({steps:,} steps in {r.seconds:.0f}s, {r.seconds / steps * 1e3:.2f} ms/step)"
    )
    print(
        f"  {'lecture':<10} {LECTURE['train']:8.4f} {LECTURE['val']:8.4f}   "
        f"({LECTURE_STEPS:,} steps on the 32,033 names)"
    )
    if steps != LECTURE_STEPS or data != "makemore":
        print(
            "  not comparable to the lecture: it trains 200,000 steps on the lectures' names; "
            f"this run is {steps:,} steps on {data}"
        )
    print("  still different from the lecture:")
    for difference in DIFFERENCES:
        print(f"    - {difference}")
    r.files = draw_plots(_plots, r, folder)
    return r


def lecture_setting(r) -> bool:
    return r.steps == LECTURE_STEPS


def summary(r):
    numbers = {"train loss": r.train_loss, "val loss": r.val_loss, "seconds": r.seconds}
    if lecture_setting(r):
        claims = {
            f"val loss within {TARGET} of the lecture's {LECTURE['val']}": (
                abs(r.val_loss - LECTURE["val"]) <= TARGET
            )
        }
    else:
        claims = {
            "val loss ends at least 0.6 below log(27), the loss of guessing": (
                r.val_loss < r.uniform_loss - 0.6
            )
        }
    return numbers, claims


def _plots(plt, r, folder):
    from matplotlib.ticker import FormatStrFormatter

    fig, ax = plt.subplots(figsize=(7, 4))
    window = max(1, r.steps // 200)
    usable = len(r.losses) // window * window
    steps = np.arange(usable).reshape(-1, window).mean(axis=1)
    ax.plot(
        steps,
        r.losses[:usable].reshape(-1, window).mean(axis=1),
        color="tab:blue",
        label=f"mini-batch loss (mean of {window} steps)",
    )
    ax.axhline(r.val_loss, color="tab:green", ls="--", label=f"final val loss {r.val_loss:.4f}")
    ax.axhline(LECTURE["val"], color="tab:gray", ls=":", label=f"lecture val loss {LECTURE['val']}")
    ax.axvline(r.steps // 2, color="tab:red", lw=0.8, label="lr 0.1 -> 0.01")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))  # 2.1, not 2.1 x 10^0
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    ax.set(xlabel="training step", ylabel="loss (log scale)", title="makemore MLP with BatchNorm")
    ax.legend()
    return [save(fig, folder / "makemore_loss.png")]
