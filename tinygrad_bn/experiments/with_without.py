"""Experiment 2: the same MLP with and without BatchNorm.

Three views:
  * loss curves of a 5-layer tanh net at one (high) learning rate, same
    initial weights and the same mini-batches for both;
  * a learning-rate sweep: the final validation loss at each rate; a run is
    *stable* if it ends below log(vocabulary) (what guessing uniformly gives);
  * per-layer statistics of the 5-layer net after training: how many tanh
    units are saturated (|tanh| > 0.97, slope below 0.06) and how large the
    gradients reaching each layer's activations are.

Without BatchNorm a high learning rate grows the weights until many tanh units
saturate; with it every layer's pre-activations are re-standardised on every
batch, and (since BN(a W x) = BN(W x) for a > 0) growing weights cannot push the
units into saturation. The gradient std reaching each layer is about the same in
both nets: what differs is how fast each layer's weights move relative to their
size (experiment update-ratio).
"""

from dataclasses import dataclass, field

import numpy as np

from .common import heading, load_splits, output_folder
from .mlp import build_mlp, forward_collect, train
from .plotting import draw_plots, save

SATURATED = 0.97
RUNS = {"no norm": None, "BatchNorm": "batch"}


@dataclass
class WithWithoutResult:
    lr: float
    steps: int
    curves: dict  # run name -> Training
    lrs: list
    sweep: dict  # run name -> final validation loss per lr (nan if it diverged)
    uniform_loss: float  # log(vocabulary size)
    layers: dict  # run name -> per-layer dict of lists: act_mean, act_std, saturated, grad_std
    files: list = field(default_factory=list)

    def stable(self, name) -> list[bool]:
        return [bool(np.isfinite(v) and v < self.uniform_loss) for v in self.sweep[name]]


def settings(quick):
    if quick:
        return dict(
            n_layers=5, n_hidden=32, lr=1.0, steps=300, sweep_steps=150, lrs=[0.1, 1.0, 3.0, 10.0]
        )
    return dict(
        n_layers=5,
        n_hidden=100,
        lr=0.5,
        steps=3000,
        sweep_steps=1000,
        lrs=[0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0],
    )


def run(quick=False, data=None, seed=42, out=None) -> WithWithoutResult:
    folder = output_folder(out, "with-without")
    cfg = settings(quick)
    heading("2. with vs without BatchNorm")
    splits = load_splits(data, seed, quick=quick)
    net = dict(n_layers=cfg["n_layers"], n_hidden=cfg["n_hidden"], seed=seed)

    print(
        f"{cfg['n_layers']} hidden tanh layers of {cfg['n_hidden']}, {cfg['steps']} steps at "
        f"lr {cfg['lr']}, same init and batches"
    )
    curves, layers = {}, {}
    for name, norm in RUNS.items():
        model = build_mlp(splits.vocab.size, norm=norm, **net)
        curves[name] = train(model, splits, cfg["steps"], cfg["lr"], seed=seed, label=name)
        layers[name] = layer_statistics(model, splits, seed)
        print(f"  {name:<10} val loss {curves[name].val_loss:.4f}")

    sweep = {name: [] for name in RUNS}
    print(f"learning-rate sweep, {cfg['sweep_steps']} steps each: final val loss")
    for lr in cfg["lrs"]:
        for name, norm in RUNS.items():
            t = train(
                build_mlp(splits.vocab.size, norm=norm, **net),
                splits,
                cfg["sweep_steps"],
                lr,
                seed=seed,
                label=f"{name}, lr {lr}",
                evaluate_train=False,
            )
            sweep[name].append(float("nan") if t.diverged else t.val_loss)
    r = WithWithoutResult(
        cfg["lr"], cfg["steps"], curves, cfg["lrs"], sweep, float(np.log(splits.vocab.size)), layers
    )
    print(f"  {'lr':>6} " + " ".join(f"{name:>12}" for name in RUNS))
    for i, lr in enumerate(r.lrs):
        print(f"  {lr:>6} " + " ".join(f"{r.sweep[name][i]:>12.4f}" for name in RUNS))
    for name in RUNS:
        good = [lr for lr, ok in zip(r.lrs, r.stable(name)) if ok]
        print(
            f"  {name}: stable (ends below log(vocab) = {r.uniform_loss:.3f}) at {len(good)} "
            f"of {len(r.lrs)} rates: {good}"
        )
    print("per-layer statistics after training (5-layer net):")
    for name in RUNS:
        s = r.layers[name]
        sat = " ".join(f"{v:5.1%}" for v in s["saturated"])
        grad = " ".join(f"{v:.1e}" for v in s["grad_std"])
        print(f"  {name:<10} saturated: {sat}   gradient std: {grad}")
    r.files = draw_plots(_plots, r, folder)
    return r


def layer_statistics(model, splits, seed, batch_size=500):
    """Per hidden layer, on one training batch in training mode: mean and std of the tanh outputs,
    the fraction saturated, and the std of the loss gradient with respect to them."""
    X, Y = splits.train
    ix = np.random.default_rng(seed + 1).integers(0, len(X), batch_size)
    logits, tanhs = forward_collect(model, X[ix])
    model.zero_grad()
    logits.cross_entropy(Y[ix]).backward()
    return {
        "act_mean": [float(t.data.mean()) for t in tanhs],
        "act_std": [float(t.data.std()) for t in tanhs],
        "saturated": [float(np.mean(np.abs(t.data) > SATURATED)) for t in tanhs],
        "grad_std": [float(t.grad.std()) for t in tanhs],
        "acts": [t.data.ravel() for t in tanhs],
        "grads": [t.grad.ravel() for t in tanhs],
    }


def _plots(plt, r, folder):
    colours = {"no norm": "tab:red", "BatchNorm": "tab:blue"}
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for name, t in r.curves.items():
        smooth = t.smoothed()
        ax.plot(
            np.arange(len(smooth)) + 50,
            smooth,
            color=colours[name],
            label=f"{name}: val {t.val_loss:.3f}",
        )
    ax.set(
        xlabel="training step",
        ylabel="mini-batch loss (running mean of 100)",
        title=f"5-layer tanh MLP at lr {r.lr}",
    )
    ax.legend()
    ceiling = r.uniform_loss + 1
    for name in r.sweep:
        values = np.array(r.sweep[name])
        shown = np.where(np.isfinite(values), np.minimum(values, ceiling), ceiling)
        bx.plot(r.lrs, shown, "o-", color=colours[name], label=name)
    bx.axhline(
        r.uniform_loss,
        color="gray",
        ls=":",
        label=f"uniform guess, log({int(round(np.exp(r.uniform_loss)))})",
    )
    bx.set_xscale("log")
    bx.set(
        xlabel="learning rate",
        ylabel=f"final val loss (capped at {ceiling:.1f})",
        title="learning-rate sweep",
    )
    bx.legend()
    files = [save(fig, folder / "with_without_batchnorm.png")]

    fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharey="row")
    g = 4 * max(np.abs(np.concatenate(r.layers["BatchNorm"]["grads"])).std(), 1e-12)
    tallest = [0.0, 0.0]
    for col, name in enumerate(r.layers):
        s = r.layers[name]
        for i, (acts, grads) in enumerate(zip(s["acts"], s["grads"])):
            for row, (values, span, text) in enumerate(
                (
                    (acts, 1.0, f"{s['saturated'][i]:.0%} saturated"),
                    (grads, g, f"std {s['grad_std'][i]:.1e}"),
                )
            ):
                hist, edges = np.histogram(values, bins=41, range=(-span, span), density=True)
                tallest[row] = max(tallest[row], hist.max())
                axes[row, col].plot(
                    (edges[:-1] + edges[1:]) / 2, hist, label=f"layer {i + 1}: {text}"
                )
        axes[0, col].set(
            xlabel="tanh output", ylabel="density", title=f"{name}: activations after training"
        )
        axes[1, col].set(
            xlabel="d loss / d tanh output",
            ylabel="density",
            title=f"{name}: gradients after training",
        )
        for row in range(2):
            axes[row, col].legend(fontsize=7, loc="upper left", framealpha=0.8)
    for row in range(2):  # both columns on one scale, topped just above the tallest curve
        axes[row, 0].set_ylim(0, tallest[row] * 1.05)
    files.append(save(fig, folder / "layer_statistics.png"))
    return files


def largest_stable_lr(r, name) -> float:
    """The largest rate up to which every rate of the sweep is stable (0 if the first is not)."""
    best = 0.0
    for lr, ok in zip(r.lrs, r.stable(name)):
        if not ok:
            break
        best = lr
    return best


def summary(r):
    numbers = {f"val loss at lr {r.lr}, {name}": t.val_loss for name, t in r.curves.items()}
    for name in RUNS:
        for lr, v in zip(r.lrs, r.sweep[name]):
            numbers[f"sweep lr {lr:g}, {name}"] = v
        numbers[f"largest stable lr, {name}"] = largest_stable_lr(r, name)
    for name in RUNS:
        for i, sat in enumerate(r.layers[name]["saturated"], 1):
            numbers[f"saturated, layer {i}, {name}"] = sat
        for i, g in enumerate(r.layers[name]["grad_std"], 1):
            numbers[f"gradient std, layer {i}, {name}"] = g
    plain, bn = r.stable("no norm"), r.stable("BatchNorm")
    claims = {
        f"BatchNorm ends with a lower val loss at lr {r.lr}": (
            r.curves["BatchNorm"].val_loss < r.curves["no norm"].val_loss
        ),
        "BatchNorm is stable at every rate where no norm is, and at more rates": (
            all(b for p, b in zip(plain, bn) if p) and sum(bn) > sum(plain)
        ),
        "BatchNorm's largest stable rate is at least 3x no norm's": (
            numbers["largest stable lr, BatchNorm"] >= 3 * numbers["largest stable lr, no norm"]
        ),
        "without BatchNorm more tanh units saturate, in every layer": all(
            p > b
            for p, b in zip(r.layers["no norm"]["saturated"], r.layers["BatchNorm"]["saturated"])
        ),
    }
    return numbers, claims
