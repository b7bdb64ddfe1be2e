"""BatchNorm vs GroupNorm vs LayerNorm on the conv net, over batch sizes 2 to 64.

BatchNorm2d normalises each channel with the statistics of the batch: N H W
numbers. With a batch of 2 those estimates are noisy, so an example's output
depends on which other example shares its batch, and the net trains with a
normalisation that evaluation (running statistics) does not reproduce. GroupNorm
(Wu & He, 2018) normalises each example over groups of its own channels, and
LayerNorm (GroupNorm with one group) over all of them: neither looks across the
batch, so both behave the same at every batch size and in both modes.

On images BatchNorm2d's statistics pool N H W numbers per channel, so even a batch
of 2 gives each channel 32 to 128 values here: how much that noise costs in accuracy
is measured, not assumed.

For each batch size and normalisation the net of `convnet.py` trains for the same
number of steps at the same learning rate; then it measures

    test accuracy     in evaluation mode (BatchNorm: the running statistics)
    batchmate effect  the std of one example's logits over 16 random sets of batchmates,
                      in training mode (0 up to rounding when no statistic crosses the batch)
    train-eval gap    |test loss with batch statistics (batches of that size) - in eval mode|
"""

from dataclasses import dataclass, field

import numpy as np

from ..digits import split_digits
from ..graph import no_grad
from .common import heading, output_folder
from .convnet import build_convnet, evaluate, train_convnet
from .plotting import draw_plots, save

NORMS = {"BatchNorm2d": "batch", "GroupNorm": "group", "LayerNorm": "layer"}
LR = 0.05


@dataclass
class GroupNormResult:
    batch_sizes: tuple
    accuracy: dict  # norm -> [test accuracy per batch size]
    batchmate_effect: dict  # norm -> [std of one example's logits over batchmates, per size]
    train_eval_gap: dict  # norm -> [|test loss in train mode - in eval mode|, per batch size]
    steps: int
    files: list = field(default_factory=list)


def batchmate_effect(model, images, batch_size, rng, draws=16):
    """How much one example's logits move when its batchmates change (training mode)."""
    if batch_size == 1:
        return 0.0
    example, outputs = images[:1], []
    with no_grad():
        for _ in range(draws):
            mates = images[rng.integers(1, len(images), batch_size - 1)]
            outputs.append(model(np.concatenate([example, mates])).data[0])
    return float(np.std(outputs, axis=0).mean())


def train_eval_gap(model, images, labels, batch_size):
    """|test loss with batch statistics - with running statistics|, on the same whole batches."""
    cut = len(labels) - len(labels) % batch_size
    losses = {}
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        for training in (True, False):
            model.train(training)
            losses[training] = np.mean(
                [
                    model(images[k : k + batch_size])
                    .cross_entropy(labels[k : k + batch_size])
                    .item()
                    for k in range(0, cut, batch_size)
                ]
            )
    model.train()
    return float(abs(losses[True] - losses[False]))


def run(quick=False, data=None, seed=42, out=None) -> GroupNormResult:
    folder = output_folder(out, "groupnorm")
    heading("BatchNorm vs GroupNorm vs LayerNorm over batch sizes 2 to 64")
    splits = split_digits(seed)
    print(
        f"data: the shipped UCI digits, {len(splits.train[1])} training and "
        f"{len(splits.test[1])} test images" + (" (--data is not used)" if data else "")
    )
    steps = 60 if quick else 600
    batch_sizes = (2, 8, 64) if quick else (2, 4, 8, 16, 32, 64)
    rng = np.random.default_rng(seed)
    test_images, test_labels = splits.test
    r = GroupNormResult(batch_sizes, {}, {}, {}, steps)
    for name, norm in NORMS.items():
        r.accuracy[name], r.batchmate_effect[name], r.train_eval_gap[name] = [], [], []
        for b in batch_sizes:
            model = build_convnet(norm, seed)
            label = f"{name}, batch {b}"
            t = train_convnet(model, splits, steps, LR, batch_size=b, seed=seed, label=label)
            accuracy = evaluate(model, test_images, test_labels)[1]
            gap = train_eval_gap(model, test_images, test_labels, b)
            r.accuracy[name].append(np.nan if t.diverged else accuracy)
            r.batchmate_effect[name].append(batchmate_effect(model, test_images, b, rng))
            r.train_eval_gap[name].append(gap)
    _print(r)
    r.files = draw_plots(_plots, r, folder)
    return r


def _print(r):
    print(f"{r.steps} steps of SGD at lr {LR} for each batch size:")
    header = "".join(f"{b:>8}" for b in r.batch_sizes)
    for title, table, fmt in (
        ("test accuracy (eval mode)", r.accuracy, "8.3f"),
        ("batchmate effect (std of one example's logits)", r.batchmate_effect, "8.3f"),
        ("train-eval gap of the test loss", r.train_eval_gap, "8.3f"),
    ):
        print(f"  {title}\n  {'batch':<12}{header}")
        for name, values in table.items():
            print(f"  {name:<12}" + "".join(f"{v:{fmt}}" for v in values))


def summary(r):
    """Numbers and claims for one seed (`experiments.seeds` gathers them over seeds)."""
    numbers = {}
    for name in NORMS:
        for b, acc, effect in zip(r.batch_sizes, r.accuracy[name], r.batchmate_effect[name]):
            numbers[f"test accuracy, {name}, batch {b}"] = acc
            if name == "BatchNorm2d":
                numbers[f"batchmate effect, {name}, batch {b}"] = effect
    bn_effect, bn_accuracy = r.batchmate_effect["BatchNorm2d"], r.accuracy["BatchNorm2d"]
    gn_accuracy = r.accuracy["GroupNorm"]
    claims = {
        "GroupNorm and LayerNorm outputs never depend on the batchmates (effect below 1e-12)": all(
            v < 1e-12 for name in ("GroupNorm", "LayerNorm") for v in r.batchmate_effect[name]
        ),
        "GroupNorm and LayerNorm have no train-eval gap (below 1e-12)": all(
            v < 1e-12 for name in ("GroupNorm", "LayerNorm") for v in r.train_eval_gap[name]
        ),
        "BatchNorm2d's batchmate effect is larger at batch 2 than at batch 64": (
            bn_effect[0] > bn_effect[-1]
        ),
        "at batch 2 BatchNorm2d's test accuracy is below GroupNorm's": (
            bn_accuracy[0] < gn_accuracy[0]
        ),
    }
    return numbers, claims


def _plots(plt, r, folder):
    colours = {"BatchNorm2d": "tab:blue", "GroupNorm": "tab:green", "LayerNorm": "tab:purple"}
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    tables = (
        (r.accuracy, "test accuracy (eval mode)"),
        (r.batchmate_effect, "std of one example's logits over batchmates"),
        (r.train_eval_gap, "|test loss, train mode - eval mode|"),
    )
    for ax, (table, title) in zip(axes, tables):
        for name, values in table.items():
            ax.semilogx(r.batch_sizes, values, "o-", color=colours[name], label=name, base=2)
        ax.set(xlabel="batch size", title=title)
        ax.set_xticks(r.batch_sizes, [str(b) for b in r.batch_sizes])
        ax.legend()
    return [save(fig, folder / "groupnorm.png")]
