"""Experiment 11: how much the weight-init scale matters, with and without BatchNorm.

CS231n's exhibit. Every hidden weight matrix starts as N(0, 1) * gain / sqrt(fan_in);
Kaiming's gain for tanh is 5/3. With gain well below 1 each layer shrinks its
input, so the activations of a deep tanh net fade towards 0 layer by layer; well
above, they pile up at +-1 (saturation). Either way the net starts badly and
may not recover. BatchNorm re-standardises every pre-activation, and
BN(a W x) = BN(W x) for any a > 0, so the scale of W does not matter at all in
the forward pass: at init every gain gives the same activations. It still matters
a little in training: the gradient scales as 1/a (d BN(a W x) / dW = (1/a) ...),
so a large W learns slowly, a small one fast, as if with another learning rate.
"""

from dataclasses import dataclass, field

import numpy as np

from ..graph import no_grad
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, forward_collect, train
from .plotting import draw_plots, save

RUNS = {"no norm": None, "BatchNorm": "batch"}
GAINS = (0.2, 0.5, 1.0, 5 / 3, 3.0, 10.0)


@dataclass
class InitScaleResult:
    gains: tuple
    steps: int
    val_loss: dict  # run name -> val loss per gain
    last_std: dict  # run name -> std of the last hidden layer's tanh output at init, per gain
    saturated: dict  # run name -> fraction of |tanh| > 0.97 in the last hidden layer at init
    files: list = field(default_factory=list)

    def spread(self, name) -> float:
        """Worst minus best val loss over the gains."""
        return float(np.max(self.val_loss[name]) - np.min(self.val_loss[name]))


def settings(quick):
    if quick:
        return dict(n_layers=5, n_hidden=32, steps=300, lr=0.1)
    return dict(n_layers=5, n_hidden=100, steps=2000, lr=0.1)


def run(quick=False, data=None, seed=42, out=None) -> InitScaleResult:
    folder = output_folder(out, "init-scale")
    cfg = settings(quick)
    heading("11. weight-init scale")
    splits = load_splits(data, seed, quick=quick)
    print(
        f"{cfg['n_layers']} hidden tanh layers of {cfg['n_hidden']}, weights N(0,1) gain / "
        f"sqrt(fan_in), {cfg['steps']} steps at lr {cfg['lr']} for each gain"
    )
    probe = splits.train[0][:1000]
    r = InitScaleResult(GAINS, cfg["steps"], {}, {}, {})
    for name, norm in RUNS.items():
        r.val_loss[name], r.last_std[name], r.saturated[name] = [], [], []
        for gain in GAINS:
            model = build_mlp(
                splits.vocab.size,
                n_layers=cfg["n_layers"],
                n_hidden=cfg["n_hidden"],
                norm=norm,
                gain=gain,
                seed=seed,
            )
            with no_grad():
                _, tanhs = forward_collect(model, probe)
            r.last_std[name].append(float(tanhs[-1].data.std()))
            r.saturated[name].append(float(np.mean(np.abs(tanhs[-1].data) > 0.97)))
            t = train(
                model,
                splits,
                cfg["steps"],
                cfg["lr"],
                seed=seed,
                label=f"{name}, gain {gain:.3g}",
                evaluate_train=False,
            )
            r.val_loss[name].append(float("nan") if t.diverged else t.val_loss)
    print(f"  {'gain':>6}   " + "   ".join(f"{n + ': std@init, val':>26}" for n in RUNS))
    for i, gain in enumerate(GAINS):
        cells = "   ".join(f"{r.last_std[n][i]:>15.3f} {r.val_loss[n][i]:>10.4f}" for n in RUNS)
        print(f"  {gain:>6.3g}   {cells}")
    for name in RUNS:
        print(f"  {name}: worst - best val loss over the gains = {r.spread(name):.4f}")
    r.files = draw_plots(_plots, r, folder)
    return r


def summary(r):
    numbers = {}
    for name in RUNS:
        for gain, v, s in zip(r.gains, r.val_loss[name], r.last_std[name]):
            numbers[f"val loss, gain {gain:.3g}, {name}"] = v
            numbers[f"last-layer tanh std at init, gain {gain:.3g}, {name}"] = s
        numbers[f"worst - best val loss, {name}"] = r.spread(name)
    small, large = r.gains.index(0.2), r.gains.index(10.0)
    claims = {
        "with BatchNorm the val loss depends less on the init scale": (
            r.spread("BatchNorm") < r.spread("no norm")
        ),
        "without BatchNorm a gain of 0.2 leaves the last layer's activations near 0 (std < 0.05)": (
            r.last_std["no norm"][small] < 0.05
        ),
        "without BatchNorm a gain of 10 saturates most of the last layer at init": (
            r.saturated["no norm"][large] > 0.5
        ),
    }
    return numbers, claims


def _plots(plt, r, folder):
    colours = {"no norm": "tab:red", "BatchNorm": "tab:blue"}
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for name in RUNS:
        ax.semilogx(r.gains, r.last_std[name], "o-", color=colours[name], label=name)
        bx.semilogx(r.gains, r.val_loss[name], "o-", color=colours[name], label=name)
    for axis in (ax, bx):
        axis.axvline(5 / 3, color="gray", ls=":", label="Kaiming, 5/3")
        axis.set_xticks(r.gains, [f"{g:.3g}" for g in r.gains])
        axis.legend()
    ax.set(
        xlabel="init gain",
        ylabel="std of the last hidden tanh output",
        title="at initialisation",
    )
    bx.set(xlabel="init gain", ylabel="final val loss", title=f"after {r.steps} steps")
    return [save(fig, folder / "init_scale.png")]
