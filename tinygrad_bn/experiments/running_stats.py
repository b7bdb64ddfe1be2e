"""Experiment 4: BatchNorm's running statistics while the network trains.

In training mode each batch's mean m_B and unbiased variance v_B are folded in:

    running = (1 - momentum) running + momentum batch       (momentum 0.1, 0.01)
    running = average of all batches so far                 (momentum None)

They should track the *dataset* statistics (the mean and variance of the
pre-activations over the whole training set, at the current weights).
Momentum 0.1 follows them closely but stays noisy, 0.01 is smooth but lags
(it remembers about 100 batches), None never forgets the early weights.
Afterwards one can *calibrate*: set the running statistics to the exact
dataset statistics of the final network, as the lessons do.
"""

from dataclasses import dataclass, field

import numpy as np

from ..graph import no_grad
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, evaluate, train
from .plotting import draw_plots, save

MOMENTA = (0.1, 0.01, None)


@dataclass
class Track:
    """Recorded every few steps for one momentum."""

    steps: list = field(default_factory=list)
    running_mean: list = field(default_factory=list)  # (n_features,) each
    running_var: list = field(default_factory=list)
    batch_mean: list = field(default_factory=list)  # a fresh batch of 32 at the same weights
    batch_var: list = field(default_factory=list)
    data_mean: list = field(default_factory=list)  # the whole training set at the same weights
    data_var: list = field(default_factory=list)

    def error(self, which) -> np.ndarray:
        """Mean over features of |which mean - dataset mean| at every record.

        `which`: "running" or "batch"."""
        return np.array(
            [np.mean(np.abs(a - b)) for a, b in zip(getattr(self, f"{which}_mean"), self.data_mean)]
        )

    def var_error(self, which) -> np.ndarray:
        """Mean over features of |log(which var / dataset var)|: relative error of the variances."""
        return np.array(
            [
                np.mean(np.abs(np.log(a / b)))
                for a, b in zip(getattr(self, f"{which}_var"), self.data_var)
            ]
        )


@dataclass
class RunningStatsResult:
    tracks: dict  # momentum -> Track
    val_running: dict  # momentum -> eval-mode val loss with the running statistics
    val_calibrated: dict  # momentum -> eval-mode val loss after calibration
    calibration_max_diff: dict  # momentum -> max |calibrated running mean - dataset mean|
    files: list = field(default_factory=list)


def dataset_statistics(model, X):
    """Mean and unbiased variance over all of X of the input of the first BatchNorm."""
    with no_grad():
        h = model[:3](X).data
    return h.mean(axis=0), h.var(axis=0, ddof=1)


def calibrate(model, X):
    """Set the first BatchNorm's running statistics to the exact statistics of X."""
    mean, var = dataset_statistics(model, X)
    bn = model[3]
    bn.running_mean.data[...] = mean
    bn.running_var.data[...] = var
    return mean, var


def run(quick=False, data=None, seed=42, out=None) -> RunningStatsResult:
    folder = output_folder(out, "running-stats")
    heading("4. running statistics")
    splits = load_splits(data, seed, quick=quick)
    steps, every = (300, 50) if quick else (6000, 100)
    Xtr = splits.train[0]
    rng = np.random.default_rng(seed + 7)
    tracks, val_running, val_calibrated, calibration_diff = {}, {}, {}, {}
    for momentum in MOMENTA:
        model = build_mlp(
            splits.vocab.size, n_hidden=100, norm="batch", momentum=momentum, seed=seed
        )
        bn, track = model[3], Track()

        def record(step, model, loss, bn=bn, track=track):
            if step >= 0 and (step + 1) % every and step != steps - 1:
                return
            mean, var = dataset_statistics(model, Xtr)
            with no_grad():
                h = model[:3](Xtr[rng.integers(0, len(Xtr), 32)]).data
            track.steps.append(step + 1)
            track.running_mean.append(bn.running_mean.data.copy())
            track.running_var.append(bn.running_var.data.copy())
            track.batch_mean.append(h.mean(axis=0))
            track.batch_var.append(h.var(axis=0, ddof=1))
            track.data_mean.append(mean)
            track.data_var.append(var)

        record(-1, model, None)  # before training: running mean 0, running variance 1
        train(
            model,
            splits,
            steps,
            lr=0.1,
            seed=seed,
            label=f"momentum {momentum}",
            evaluate_at_end=False,
            on_step=record,
        )
        tracks[momentum] = track
        val_running[momentum] = evaluate(model, *splits.val)
        mean, _ = calibrate(model, Xtr)
        calibration_diff[momentum] = float(np.max(np.abs(bn.running_mean.data - mean)))
        val_calibrated[momentum] = evaluate(model, *splits.val)

    r = RunningStatsResult(tracks, val_running, val_calibrated, calibration_diff)
    print(
        f"after {steps} steps: mean over features of |statistic - dataset statistic| "
        "(dataset: whole training set, same weights)"
    )
    print(
        f"  {'momentum':<9} {'running mean':>13} {'one batch':>10} {'running var*':>13} "
        f"{'one batch*':>11}  val loss: running -> calibrated"
    )
    for m, t in tracks.items():
        print(
            f"  {str(m):<9} {t.error('running')[-1]:13.4f} {t.error('batch').mean():10.4f} "
            f"{t.var_error('running')[-1]:13.4f} {t.var_error('batch').mean():11.4f}  "
            f"{val_running[m]:.4f} -> {val_calibrated[m]:.4f}"
        )
    print("  (* |log(var / dataset var)|; 'one batch' averages that error over every record)")
    r.files = draw_plots(_plots, r, folder)
    return r


def _plots(plt, r, folder):
    colours = {0.1: "tab:blue", 0.01: "tab:green", None: "tab:orange"}
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    t0 = r.tracks[0.1]
    feature = 0
    axes[0].plot(
        t0.steps,
        [m[feature] for m in t0.batch_mean],
        ".",
        color="gray",
        ms=3,
        label="mean of one batch of 32",
    )
    axes[0].plot(
        t0.steps,
        [m[feature] for m in t0.data_mean],
        "k-",
        lw=2,
        label="dataset mean (momentum 0.1 run)",
    )
    for m, t in r.tracks.items():
        axes[0].plot(
            t.steps,
            [v[feature] for v in t.running_mean],
            color=colours[m],
            label=f"running mean, momentum {m}",
        )
    axes[0].set(
        xlabel="training step",
        ylabel=f"mean of pre-activation {feature}",
        title="running mean vs batch and dataset",
    )
    axes[0].legend(fontsize=8)
    for m, t in r.tracks.items():
        axes[1].semilogy(
            t.steps, t.error("running"), color=colours[m], label=f"running, momentum {m}"
        )
    axes[1].semilogy(t0.steps, t0.error("batch"), ".", color="gray", ms=3, label="one batch of 32")
    axes[1].set(
        xlabel="training step",
        ylabel="mean |mean - dataset mean| over features",
        title="error of the mean",
    )
    axes[1].legend(fontsize=8)
    for m, t in r.tracks.items():
        axes[2].semilogy(
            t.steps, t.var_error("running"), color=colours[m], label=f"running, momentum {m}"
        )
    axes[2].semilogy(
        t0.steps, t0.var_error("batch"), ".", color="gray", ms=3, label="one batch of 32"
    )
    axes[2].set(
        xlabel="training step",
        ylabel="mean |log(var / dataset var)|",
        title="error of the variance",
    )
    axes[2].legend(fontsize=8)
    return [save(fig, folder / "running_statistics.png")]


def summary(r):
    numbers = {}
    for m, t in r.tracks.items():
        numbers[f"momentum {m}: error of running mean"] = float(t.error("running")[-1])
        numbers[f"momentum {m}: error of one batch's mean"] = float(t.error("batch").mean())
        numbers[f"momentum {m}: val loss, running statistics"] = r.val_running[m]
        numbers[f"momentum {m}: val loss, calibrated"] = r.val_calibrated[m]
    claims = {
        "at every momentum the running mean ends closer to the dataset mean than one batch's": all(
            t.error("running")[-1] < t.error("batch").mean() for t in r.tracks.values()
        ),
        "momentum None (a plain average) gives the worst val loss with running statistics": (
            max(r.val_running, key=r.val_running.get) is None
        ),
        "calibrating lowers the val loss at momentum 0.1": r.val_calibrated[0.1]
        < r.val_running[0.1],
        "calibrating gives the three momenta the same val loss (to 1e-3)": (
            max(r.val_calibrated.values()) - min(r.val_calibrated.values()) < 1e-3
        ),
    }
    return numbers, claims
