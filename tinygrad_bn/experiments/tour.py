"""The tour that `tinygrad-bn demo` runs: the whole BatchNorm story, short.

1. Train the same 5-layer tanh MLP three times from the same initial weights
   on the same mini-batches at the same (high) learning rate: without
   normalisation, with fused BatchNorm, with composed BatchNorm.
2. Check that the composed graph and the fused node give the same gradients.
3. Draw both BatchNorm graphs on a tiny batch.
4. Write a report folder: README.md (summary table), plots, pictures.

Why BatchNorm wins here: at lr 0.5 (1.0 in quick mode) the plain net's weights grow,
its pre-activations drift far from zero and many tanh units saturate (|tanh| near 1,
where the slope 1 - tanh^2 is near 0), and its layers learn at unequal speeds (the
update-to-weight ratio lr |dW| / |W| grows threefold from layer 1 to layer 5; see
`tinygrad-bn demo update-ratio`). BatchNorm re-centres and re-scales every
pre-activation on every batch, so the units stay in tanh's responsive range and
every layer's update ratio stays about the same, whatever the weights do.
"""

from dataclasses import dataclass, field

import numpy as np

from .. import viz
from ..functional import batchnorm_composed, batchnorm_fused
from ..safe_write import shown
from ..tensor import Tensor
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, forward_collect, train
from .plotting import PLOTS_HINT, draw_plots, save
from .report import Report

SATURATED = 0.97  # |tanh| above this: slope 1 - tanh^2 below 0.06


@dataclass
class TourResult:
    runs: dict  # name -> Training
    grad_max_diff: float  # max |composed - fused| over all parameter gradients of one step
    loss_max_diff: float  # max |composed - fused| step loss over the whole run
    saturation: dict  # name -> fraction of saturated tanh units per layer, at the end
    lr: float
    steps: int
    files: list = field(default_factory=list)


def settings(quick):
    """The tour's net and schedule (quick: seconds, for the tests; a narrower net, a higher lr)."""
    if quick:
        return dict(n_layers=5, n_hidden=32, lr=1.0, steps=300, batch_size=32)
    return dict(n_layers=5, n_hidden=100, lr=0.5, steps=1500, batch_size=32)


def run(quick=False, data=None, seed=42, out=None) -> TourResult:
    folder = output_folder(out, None)
    cfg = settings(quick)
    heading("BatchNorm tour")
    splits = load_splits(data, seed, quick=quick)
    print(
        f"model: {cfg['n_layers']} hidden tanh layers of {cfg['n_hidden']}, trained "
        f"{cfg['steps']} steps at lr {cfg['lr']}, batch {cfg['batch_size']}, "
        "same initial weights and batches for every run"
    )

    runs, saturation = {}, {}
    for name, norm, fused in (
        ("no norm", None, True),
        ("BatchNorm (fused)", "batch", True),
        ("BatchNorm (composed)", "batch", False),
    ):
        model = build_mlp(
            splits.vocab.size,
            n_layers=cfg["n_layers"],
            n_hidden=cfg["n_hidden"],
            norm=norm,
            fused=fused,
            seed=seed,
        )
        runs[name] = train(
            model, splits, cfg["steps"], cfg["lr"], cfg["batch_size"], seed=seed, label=name
        )
        saturation[name] = _saturation(model, splits)
    loss_diff = float(
        np.max(np.abs(runs["BatchNorm (fused)"].losses - runs["BatchNorm (composed)"].losses))
    )
    grad_diff = gradient_agreement(splits, cfg, seed)

    heading("results")
    for name, r in runs.items():
        print(
            f"  {name:<21} last-200-step loss {r.final():.4f}   train {r.train_loss:.4f}   "
            f"val {r.val_loss:.4f}   "
            f"saturated tanh {np.mean(saturation[name]):5.1%}   {r.seconds:.1f}s"
        )
    print(
        "  composed vs fused: max |gradient difference| over one full step = "
        f"{grad_diff:.2e} (want <= 1e-10)"
    )
    print(
        f"  composed vs fused: max |loss difference| over {cfg['steps']} training steps = "
        f"{loss_diff:.2e}"
    )

    result = TourResult(runs, grad_diff, loss_diff, saturation, cfg["lr"], cfg["steps"])
    result.files += draw_plots(_plots, result, folder, announce=False)
    result.files += _graphs(folder / "graphs")
    report = _report(result, cfg, folder)
    heading("where everything went")
    print(f"  report: {shown(report)}")
    for path in result.files:
        print(f"  {shown(path)}")
    print("  next: tinygrad-bn demo --list   (the experiments, each with --quick)")
    return result


def gradient_agreement(splits, cfg, seed) -> float:
    """Largest |difference| between the parameter gradients of the composed and
    the fused BatchNorm nets after one forward/backward on the same batch."""
    X, Y = splits.train
    ix = np.random.default_rng(seed).integers(0, len(X), cfg["batch_size"])
    grads = []
    for fused in (True, False):
        model = build_mlp(
            splits.vocab.size,
            n_layers=cfg["n_layers"],
            n_hidden=cfg["n_hidden"],
            norm="batch",
            fused=fused,
            seed=seed,
        )
        model(X[ix]).cross_entropy(Y[ix]).backward()
        grads.append([p.grad for p in model.parameters()])
    return max(float(np.max(np.abs(a - b))) for a, b in zip(*grads))


def _saturation(model, splits, n=2000):
    """Per layer, the fraction of tanh outputs with |tanh| > SATURATED.

    On the first n training examples, in eval mode."""
    model.eval()
    _, tanhs = forward_collect(model, splits.train[0][:n])
    model.train()
    return [float(np.mean(np.abs(t.data) > SATURATED)) for t in tanhs]


def _plots(plt, result, folder):
    colours = {
        "no norm": "tab:red",
        "BatchNorm (fused)": "tab:blue",
        "BatchNorm (composed)": "tab:cyan",
    }
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for name, r in result.runs.items():
        style = (
            dict(color=colours[name], lw=1.5)
            if "composed" not in name
            else dict(color=colours[name], lw=1, ls="--")
        )
        ax.plot(
            np.arange(len(r.smoothed())) + 50,
            r.smoothed(),
            label=f"{name}: val {r.val_loss:.3f}",
            **style,
        )
    ax.set(
        xlabel="training step",
        ylabel="mini-batch loss (running mean of 100)",
        title=f"same init, same batches, lr {result.lr}",
    )
    ax.legend()
    layers = np.arange(1, len(result.saturation["no norm"]) + 1)
    for k, name in enumerate(("no norm", "BatchNorm (fused)")):
        bx.bar(
            layers + (k - 0.5) * 0.38,
            np.array(result.saturation[name]) * 100,
            width=0.38,
            color=colours[name],
            label=name,
        )
    bx.set(
        xlabel="hidden layer",
        ylabel=f"% of tanh units with |tanh| > {SATURATED}",
        title="saturation after training",
    )
    bx.set_xticks(layers)
    bx.legend()
    return [save(fig, folder / "loss_curves.png")]


def _graphs(folder):
    """BatchNorm on a 4 x 3 batch, composed and fused, as pictures (.dot text without Graphviz)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    x_data, w_data = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    weights = Tensor(w_data, label="w")
    files = []
    for name, bn in (
        ("batchnorm_composed", batchnorm_composed),
        ("batchnorm_fused", batchnorm_fused),
    ):
        x = Tensor(x_data, requires_grad=True, label="x")  # a fresh leaf: grads do not add up
        gamma = Tensor(np.ones(3), requires_grad=True, label="gamma")
        beta = Tensor(np.zeros(3), requires_grad=True, label="beta")
        loss = (bn(x, gamma, beta) * weights).sum()
        loss.label = "loss"
        loss.backward()
        try:
            files.append(viz.render(loss, folder / f"{name}.png", show_saved=True, rankdir="TB"))
        except (viz.GraphvizNotFoundError, viz.RenderTimeoutError) as error:
            files.append(viz.render(loss, folder / f"{name}.dot", show_saved=True))
            print(f"  {error}\n  the DOT text is in {shown(files[-1])}")
    return files


def _report(result, cfg, folder):
    report = Report(folder, "tinygrad-bn: the BatchNorm tour")
    report.text(
        "A character-level MLP (makemore: 3 characters in, the next one out) with "
        f"{cfg['n_layers']} hidden tanh layers of {cfg['n_hidden']} units, trained three times "
        f"for {cfg['steps']} steps of SGD at learning rate {cfg['lr']}, "
        f"batch {cfg['batch_size']}, from the same initial weights on the same mini-batches."
    )
    rows = [
        [
            name,
            cfg["steps"],
            f"{cfg['lr']:g}",
            r.final(),
            r.train_loss,
            r.val_loss,
            f"{np.mean(result.saturation[name]):.1%}",
            f"{r.seconds:.1f}",
        ]
        for name, r in result.runs.items()
    ]
    report.table(
        [
            "run",
            "steps",
            "lr",
            "loss, last 200 steps",
            "train loss",
            "val loss",
            "saturated tanh",
            "seconds",
        ],
        rows,
    )
    report.text(
        "Why BatchNorm wins at this learning rate: without it, the big steps grow the weights, "
        "the pre-activations drift far from zero and many tanh units saturate "
        f"(|tanh| > {SATURATED}, where the slope 1 - tanh^2 is below 0.06), and the layers "
        "learn at unequal speeds: the update-to-weight ratio lr |dW| / |W| grows from the first "
        "layer to the last (`tinygrad-bn demo update-ratio`). BatchNorm re-centres and re-scales "
        "every pre-activation on every batch, so the units stay where tanh responds and every "
        "layer's update ratio stays about the same."
    )
    report.heading("Composed and fused BatchNorm agree")
    report.table(
        ["check", "max absolute difference"],
        [
            [
                "parameter gradients of one full step (same weights, same batch)",
                f"{result.grad_max_diff:.2e}",
            ],
            [
                f"mini-batch loss over all {cfg['steps']} training steps",
                f"{result.loss_max_diff:.2e}",
            ],
        ],
    )
    report.heading("Pictures")
    if not any(path.name == "loss_curves.png" for path in result.files):
        report.text(f"No plots: {PLOTS_HINT}.")
    for path in result.files:
        if path.suffix == ".png":
            report.image(path, path.stem.replace("_", " "))
        else:
            report.text(
                f"`{path.name}`: the DOT text, not rendered here; render it with "
                f"`graphviz-pure -Tpng {path.name} -o {path.stem}.png`."
            )
    report.text(
        "More: `tinygrad-bn demo --list` lists the experiments; each runs with `--quick` "
        "in seconds."
    )
    return report.write()


def summary(result):
    numbers = {}
    for name, r in result.runs.items():
        numbers[f"train loss, {name}"] = r.train_loss
        numbers[f"val loss, {name}"] = r.val_loss
        numbers[f"saturated tanh, {name}"] = float(np.mean(result.saturation[name]))
    numbers["composed vs fused, max |gradient diff|"] = result.grad_max_diff
    numbers["composed vs fused, max |loss diff|"] = result.loss_max_diff
    bn, plain = result.runs["BatchNorm (fused)"], result.runs["no norm"]
    claims = {
        f"BatchNorm ends with a lower val loss than no norm at lr {result.lr}": (
            bn.val_loss < plain.val_loss
        ),
        "composed and fused BatchNorm give the same gradients (to 1e-10)": (
            result.grad_max_diff <= 1e-10
        ),
        "without BatchNorm more tanh units saturate": (
            np.mean(result.saturation["no norm"]) > np.mean(result.saturation["BatchNorm (fused)"])
        ),
    }
    return numbers, claims


def report_sweep(sweep, out=None):
    """Add the numbers over all seeds (mean ± sd) and the claims' counts to the tour's report."""
    from .seeds import claim_line

    path = output_folder(out, None) / "README.md"
    seeds = ", ".join(map(str, sweep.seeds))
    lines = [
        f"\n## Over {len(sweep.seeds)} seeds ({seeds})\n",
        "| number | mean ± sd |",
        "|---|---|",
    ]
    lines += [f"| {key.replace('|', '&#124;')} | {sweep.spread(key)} |" for key in sweep.numbers]
    lines += [""] + [f"- {claim_line(s, held)}" for s, held in sweep.claims.items()]
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
