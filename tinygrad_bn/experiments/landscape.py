"""Experiment 8: how smooth the loss is along the gradient (Santurkar et al., 2018).

"How Does Batch Normalization Help Optimization?" argues that BatchNorm's
benefit is a smoother loss landscape. Every few training steps, on one batch,
with gradient g at the current weights w, we step along it by several sizes
eta and look at

    loss variation        max_eta L(w - eta g) - min_eta L(w - eta g)
    gradient change       max_eta |grad L(w - eta g) - g|       (gradient predictiveness)
    effective smoothness  max_eta |grad L(w - eta g) - g| / |eta g|
                          (a local Lipschitz constant of the gradient)

Smaller numbers mean the gradient stays a good guide for a longer step, so a
bigger learning rate is safe. Both nets are the same 5-layer tanh MLP from
the same initial weights, trained at lr 0.5 (the regime where BatchNorm helps,
see experiment 2); one has BatchNorm after every hidden Linear. At lr 0.1, where
the plain net trains well too, the difference is small and can go either way:
the smoothing is a property of the regime, not a constant of BatchNorm.
"""

from dataclasses import dataclass, field

import numpy as np

from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots, save

RUNS = {"no norm": None, "BatchNorm": "batch"}
ETAS = (0.1, 0.2, 0.4, 0.8)
LR = 0.5


@dataclass
class LandscapeResult:
    steps: list  # training steps at which we measured
    loss_variation: dict  # run name -> list per measurement
    gradient_change: dict
    smoothness: dict
    trainings: dict
    files: list = field(default_factory=list)

    def median(self, what, name) -> float:
        return float(np.median(getattr(self, what)[name]))


def probe(model, X, Y, etas=ETAS):
    """(loss variation, gradient change, effective smoothness) along -grad on the batch (X, Y).

    The model is left as found."""
    params = model.parameters()
    saved = model.state_dict()

    def loss_and_grad():
        model.zero_grad()
        loss = model(X).cross_entropy(Y)
        loss.backward()
        return loss.item(), np.concatenate([p.grad.ravel() for p in params])

    loss0, g0 = loss_and_grad()
    start = [p.data.copy() for p in params]
    losses, changes = [loss0], []
    for eta in etas:
        offset = 0
        for p, p0 in zip(params, start):
            p.data[...] = p0 - eta * g0[offset : offset + p0.size].reshape(p0.shape)
            offset += p0.size
        loss, g = loss_and_grad()
        losses.append(loss)
        changes.append((np.linalg.norm(g - g0), eta * np.linalg.norm(g0)))
    model.load_state_dict(saved)
    model.zero_grad()
    return max(losses) - min(losses), max(c for c, _ in changes), max(c / s for c, s in changes)


def run(quick=False, data=None, seed=42, out=None) -> LandscapeResult:
    folder = output_folder(out, "landscape")
    heading("8. loss-landscape smoothness")
    splits = load_splits(data, seed, quick=quick)
    steps, every, hidden = (300, 30, 32) if quick else (3000, 100, 100)
    Xtr, Ytr = splits.train
    r = LandscapeResult([], {}, {}, {}, {})
    for name, norm in RUNS.items():
        model = build_mlp(splits.vocab.size, n_layers=5, n_hidden=hidden, norm=norm, seed=seed)
        rng = np.random.default_rng(seed + 3)  # the same probe batches for both nets
        found = {"steps": [], "loss": [], "grad": [], "smooth": []}

        def measure(step, model, loss, found=found, rng=rng):
            if (step + 1) % every:
                return
            ix = rng.integers(0, len(Xtr), 32)
            variation, change, smooth = probe(model, Xtr[ix], Ytr[ix])
            found["steps"].append(step + 1)
            found["loss"].append(variation)
            found["grad"].append(change)
            found["smooth"].append(smooth)

        r.trainings[name] = train(
            model, splits, steps, lr=LR, seed=seed, label=name, on_step=measure
        )
        r.steps = found["steps"]
        r.loss_variation[name], r.gradient_change[name], r.smoothness[name] = (
            found["loss"],
            found["grad"],
            found["smooth"],
        )
    print(
        f"5 hidden tanh layers of {hidden}, lr {LR}, probed every {every} steps along -grad "
        f"with eta in {ETAS}; medians:"
    )
    print(
        f"  {'':<10} {'loss variation':>15} {'gradient change':>16} {'smoothness':>11} "
        f"{'val loss':>9}"
    )
    for name in RUNS:
        print(
            f"  {name:<10} {r.median('loss_variation', name):15.4f} "
            f"{r.median('gradient_change', name):16.4f} "
            f"{r.median('smoothness', name):11.3f} {r.trainings[name].val_loss:9.4f}"
        )
    r.files = draw_plots(_plots, r, folder)
    return r


def _plots(plt, r, folder):
    from matplotlib.ticker import FormatStrFormatter, LogLocator

    colours = {"no norm": "tab:red", "BatchNorm": "tab:blue"}
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    panels = (
        ("loss_variation", "max - min loss along -grad", "loss variation"),
        ("gradient_change", "max |grad(w - eta g) - g|", "gradient predictiveness"),
        ("smoothness", "max |grad change| / |eta g|", "effective beta-smoothness"),
    )
    for ax, (what, ylabel, title) in zip(axes, panels):
        for name in RUNS:
            ax.semilogy(
                r.steps, getattr(r, what)[name], "o-", ms=3, color=colours[name], label=name
            )
        ax.set(xlabel="training step", ylabel=ylabel, title=title)
        ax.yaxis.set_major_locator(
            LogLocator(subs=(1.0, 2.0, 3.0, 5.0, 7.0))
        )  # labelled 1-2-3-5-7 ticks
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(FormatStrFormatter(""))
        ax.legend()
    return [save(fig, folder / "loss_landscape.png")]


def summary(r):
    numbers = {
        f"median {what.replace('_', ' ')}, {name}": r.median(what, name)
        for what in ("loss_variation", "gradient_change", "smoothness")
        for name in RUNS
    }
    numbers.update({f"val loss, {name}": t.val_loss for name, t in r.trainings.items()})
    claims = {
        f"the {what.replace('_', ' ')} is smaller with BatchNorm": (
            r.median(what, "BatchNorm") < r.median(what, "no norm")
        )
        for what in ("loss_variation", "gradient_change", "smoothness")
    }
    return numbers, claims
