"""Experiment 3: BatchNorm in training mode and in evaluation mode.

Training mode normalises with the statistics of the batch at hand; a batch of
one example has no variance to speak of, so it is refused with a clear error.
Evaluation mode normalises with the running statistics gathered in training:

    out = gamma (h - running_mean) / sqrt(running_var + eps) + beta

an affine map of each example on its own, so a batch of one is fine. On a
batch both modes work; they differ by how far the batch's statistics are
from the running ones, which shrinks as the batch grows.
"""

from dataclasses import dataclass, field

import numpy as np

from ..functional import batchnorm_fused
from ..graph import no_grad
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots, save


@dataclass
class TrainVsEvalResult:
    training_error: str  # the message for a batch of one in training mode
    # max |BN output in eval mode - the running-statistics formula|, batch of one
    eval_single_max_diff: float
    # max |example alone - same example inside a batch|, eval mode
    eval_single_vs_batch_max_diff: float
    batch_sizes: list
    mode_difference: list  # mean |training-mode - eval-mode BN output| per batch size
    full_batch_losses: dict  # mode -> validation loss of the whole validation set as one batch
    files: list = field(default_factory=list)


def run(quick=False, data=None, seed=42, out=None) -> TrainVsEvalResult:
    folder = output_folder(out, "train-vs-eval")
    heading("3. train vs eval mode")
    splits = load_splits(data, seed, quick=quick)
    steps = 1000 if quick else 10_000
    model = build_mlp(splits.vocab.size, n_hidden=200, norm="batch", seed=seed)
    train(model, splits, steps, lr=0.1, seed=seed, label="training the MLP", evaluate_at_end=False)
    embed_flat_linear, bn = model[:3], model[3]
    Xval, Yval = splits.val
    h = embed_flat_linear(Xval).detach()  # BatchNorm's input for every validation example

    model.train()
    try:
        bn(h[:1])
        message = ""
    except ValueError as error:
        message = str(error)
    print(f"training mode, batch of one:\n  ValueError: {message}")

    model.eval()
    with no_grad():
        single = bn(h[:1]).data
        formula = (
            bn.weight.data
            * (h.data[:1] - bn.running_mean.data)
            / np.sqrt(bn.running_var.data + bn.eps)
            + bn.bias.data
        )
        in_batch = bn(h[:64]).data[:1]
    single_diff = float(np.max(np.abs(single - formula)))
    alone_diff = float(np.max(np.abs(single - in_batch)))
    print(
        "eval mode, batch of one: max |output - gamma (h - running_mean) / "
        f"sqrt(running_var + eps) - beta| = {single_diff:.1e}"
    )
    print(f"eval mode: the same example alone and inside a batch of 64 differ by {alone_diff:.1e}")

    sizes = [2, 8, 32, 128, 512, len(h)]
    rng = np.random.default_rng(seed)
    differences, pairs = [], {}
    for size in sizes:
        diffs = []
        for _ in range(1 if size == len(h) else 20):
            batch = h[rng.choice(len(h), size, replace=False)] if size < len(h) else h
            with no_grad():
                # training mode, running stats untouched
                trained = batchnorm_fused(batch, bn.weight, bn.bias, bn.eps).data
                evaluated = bn(batch).data
            diffs.append(np.mean(np.abs(trained - evaluated)))
        differences.append(float(np.mean(diffs)))
        pairs[size] = (trained.ravel()[:4000], evaluated.ravel()[:4000])
    losses, state = {}, model.state_dict()
    for mode in ("train", "eval"):
        model.train(mode == "train")
        with no_grad():
            losses[mode] = model(Xval).cross_entropy(Yval).item()
    model.load_state_dict(state)  # undo the running-statistics update of the training-mode pass
    print("mean |training-mode output - eval-mode output| of BatchNorm, by batch size:")
    for size, d in zip(sizes, differences):
        print(f"  batch {size:>6}: {d:.4f}")
    print(
        f"whole validation set as one batch: loss {losses['train']:.4f} in training mode, "
        f"{losses['eval']:.4f} in eval mode"
    )
    r = TrainVsEvalResult(message, single_diff, alone_diff, sizes, differences, losses)
    r.files = draw_plots(_plots, r, pairs, folder)
    return r


def _plots(plt, r, pairs, folder):
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    ax.loglog(
        r.batch_sizes,
        r.mode_difference,
        "o-",
        color="tab:purple",
        label="mean |train-mode - eval-mode|",
    )
    ax.set(
        xlabel="batch size",
        ylabel="mean |difference| of BatchNorm outputs",
        title="train vs eval mode: the gap shrinks with the batch",
    )
    ax.legend()
    small, large = r.batch_sizes[1], r.batch_sizes[-1]
    for size, colour in ((small, "tab:orange"), (large, "tab:blue")):
        trained, evaluated = pairs[size]
        bx.plot(evaluated, trained, ".", ms=2, color=colour, alpha=0.6, label=f"batch of {size}")
    lim = [-4, 4]
    bx.plot(lim, lim, "k:", lw=1, label="equal")
    bx.set(
        xlim=lim,
        ylim=lim,
        xlabel="eval-mode output (running statistics)",
        ylabel="training-mode output (batch statistics)",
    )
    bx.set_title("each dot: one unit of one example")
    bx.legend(markerscale=4)
    return [save(fig, folder / "train_vs_eval.png")]


def summary(r):
    numbers = {
        f"mean |train - eval| output, batch {b}": d
        for b, d in zip(r.batch_sizes[:-1], r.mode_difference)
    }
    numbers["mean |train - eval| output, whole val set"] = r.mode_difference[-1]
    numbers["val loss, whole val set as one batch, training mode"] = r.full_batch_losses["train"]
    numbers["val loss, whole val set as one batch, eval mode"] = r.full_batch_losses["eval"]
    gaps = r.mode_difference
    claims = {
        "training mode refuses a batch of one with PyTorch's message": (
            "Expected more than 1 value per channel" in r.training_error
        ),
        "eval mode on one example is the running-statistics formula (to 1e-12)": (
            r.eval_single_max_diff <= 1e-12
        ),
        "eval mode gives an example the same output alone and in a batch": (
            r.eval_single_vs_batch_max_diff == 0.0
        ),
        "the train/eval gap shrinks at every larger batch": all(
            a > b for a, b in zip(gaps, gaps[1:])
        ),
    }
    return numbers, claims
