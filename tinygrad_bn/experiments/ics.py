"""Experiment 13: noisy BatchNorm, after Santurkar et al. (2018), section 2.

BatchNorm was introduced to reduce "internal covariate shift": the change, from
step to step, of the distribution of each layer's input. Santurkar et al. test
that story by adding shift on purpose. After every BatchNorm, in training, each
feature is scaled and shifted by random numbers drawn anew at every step:

    h -> s h + m,      s ~ U(1 - S, 1 + S),  m ~ U(-M, M)  per feature, per step

so the input of each tanh moves around far more than in a net without any
normalisation. If reducing that shift were why BatchNorm helps, the noisy net
should train badly. It does not: it trains about as well as BatchNorm, and
better than the plain net. (In eval mode the noise is off.)
"""

from dataclasses import dataclass, field

import numpy as np

from .. import nn
from ..graph import no_grad
from ..tensor import Tensor
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots, save

SCALE_NOISE, SHIFT_NOISE = 0.25, 0.5  # S and M above
RUNS = ("no norm", "BatchNorm", "noisy BatchNorm")


class DistributionShift(nn.Module):
    """In training mode: h * s + m with s, m drawn per feature at every call; eval: h."""

    def __init__(self, num_features, rng, scale=SCALE_NOISE, shift=SHIFT_NOISE):
        super().__init__()
        self.num_features, self.rng, self.scale, self.shift = num_features, rng, scale, shift

    def forward(self, h):
        if not self.training:
            return h
        s = self.rng.uniform(1 - self.scale, 1 + self.scale, (1, self.num_features))
        m = self.rng.uniform(-self.shift, self.shift, (1, self.num_features))
        return h * Tensor(s) + Tensor(m)


def with_noise(model, rng):
    """The same layers, with a DistributionShift after every BatchNorm1d."""
    layers = []
    for layer in model:
        layers.append(layer)
        if isinstance(layer, nn.BatchNorm1d):
            layers.append(DistributionShift(layer.num_features, rng))
    return nn.Sequential(*layers)


def tanh_inputs(model, X):
    """The input of every Tanh layer on X (training mode; the model's state is restored)."""
    state = model.state_dict()
    h, found = X, []
    with no_grad():
        for layer in model:
            if isinstance(layer, nn.Tanh):
                found.append(h.data)
            h = layer(h)
    model.load_state_dict(state)
    return found


@dataclass
class IcsResult:
    steps: list  # record steps
    shift: dict  # run name -> (records-1,) mean over layers and features of the change of the
    #              tanh inputs' per-feature mean and std between consecutive records
    trainings: dict  # run name -> Training
    lr: float
    files: list = field(default_factory=list)

    def mean_shift(self, name) -> float:
        return float(np.mean(self.shift[name]))


def settings(quick):
    if quick:
        return dict(n_layers=5, n_hidden=32, lr=1.0, steps=300, every=10)
    return dict(n_layers=5, n_hidden=100, lr=0.5, steps=3000, every=50)


def run(quick=False, data=None, seed=42, out=None) -> IcsResult:
    folder = output_folder(out, "ics")
    cfg = settings(quick)
    heading("13. noisy BatchNorm: is internal covariate shift the point?")
    splits = load_splits(data, seed, quick=quick)
    Xtr = splits.train[0]
    probe = Xtr[np.random.default_rng(seed + 5).integers(0, len(Xtr), 500)]
    print(
        f"{cfg['n_layers']} hidden tanh layers of {cfg['n_hidden']}, {cfg['steps']} steps at lr "
        f"{cfg['lr']}; noise after BatchNorm: s ~ U({1 - SCALE_NOISE:g}, {1 + SCALE_NOISE:g}), "
        f"m ~ U(-{SHIFT_NOISE:g}, {SHIFT_NOISE:g}) per feature, per step"
    )
    r = IcsResult([], {}, {}, cfg["lr"])
    for name in RUNS:
        norm = None if name == "no norm" else "batch"
        net = dict(n_layers=cfg["n_layers"], n_hidden=cfg["n_hidden"], norm=norm, seed=seed)
        model = build_mlp(splits.vocab.size, **net)
        if name == "noisy BatchNorm":
            model = with_noise(model, np.random.default_rng(seed + 11))
        moments, steps = [], []

        def record(step, model, loss, moments=moments, steps=steps):
            if step % cfg["every"]:
                return
            steps.append(step)
            hs = tanh_inputs(model, probe)
            moments.append(np.array([[h.mean(axis=0), h.std(axis=0)] for h in hs]))

        r.trainings[name] = train(
            model, splits, cfg["steps"], cfg["lr"], seed=seed, label=name, on_step=record
        )
        m = np.array(moments)  # (records, layers, 2, features)
        r.shift[name] = np.abs(np.diff(m, axis=0)).sum(axis=2).mean(axis=(1, 2))
        r.steps = steps[1:]
    print(f"  {'':<16} {'shift per record':>17} {'val loss':>9}")
    for name in RUNS:
        print(f"  {name:<16} {r.mean_shift(name):17.4f} {r.trainings[name].val_loss:9.4f}")
    print(
        "  (shift: change of each tanh input's per-feature mean + std between records "
        f"{cfg['every']} steps apart, averaged over features and layers)"
    )
    r.files = draw_plots(_plots, r, folder)
    return r


def summary(r):
    numbers = {}
    for name in RUNS:
        numbers[f"distribution shift, {name}"] = r.mean_shift(name)
        numbers[f"val loss, {name}"] = r.trainings[name].val_loss
    val = {name: r.trainings[name].val_loss for name in RUNS}
    claims = {
        "noisy BatchNorm's layer inputs shift more than the plain net's": (
            r.mean_shift("noisy BatchNorm") > r.mean_shift("no norm")
        ),
        "noisy BatchNorm still ends with a lower val loss than the plain net": (
            val["noisy BatchNorm"] < val["no norm"]
        ),
    }
    return numbers, claims


def _plots(plt, r, folder):
    colours = {"no norm": "tab:red", "BatchNorm": "tab:blue", "noisy BatchNorm": "tab:purple"}
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for name in RUNS:
        ax.semilogy(r.steps, r.shift[name], color=colours[name], label=name)
        t = r.trainings[name]
        smooth = t.smoothed()
        bx.plot(
            np.arange(len(smooth)) + 50,
            smooth,
            color=colours[name],
            label=f"{name}: val {t.val_loss:.3f}",
        )
    ax.set(
        xlabel="training step",
        ylabel="change of tanh inputs' mean + std",
        title="distribution shift between records",
    )
    bx.set(
        xlabel="training step",
        ylabel="mini-batch loss (running mean of 100)",
        title=f"training at lr {r.lr}",
    )
    ax.legend()
    bx.legend()
    return [save(fig, folder / "noisy_batchnorm.png")]
