"""Experiment 7: BatchNorm couples the examples of a batch.

Stack a batch of N inputs x_1..x_N and outputs y_1..y_N. The Jacobian
dy/dx is an N x N grid of blocks, block (i, k) = dy_i/dx_k. A layer that
treats examples independently (Linear, tanh, LayerNorm, BatchNorm in eval
mode) has zero blocks off the diagonal: y_i depends only on x_i. BatchNorm in
training mode uses the batch mean and variance, which depend on every x_k, so
the off-diagonal blocks are not zero: an example's output moves when one of
its batchmates changes. The Jacobian here is built row by row with backward().
"""

from dataclasses import dataclass, field

import numpy as np

from ..safe_write import replacing
from ..tensor import Tensor
from .common import heading, load_splits, output_folder
from .mlp import build_mlp, train
from .plotting import draw_plots


@dataclass
class CouplingResult:
    batch_size: int
    jacobians: dict  # mode -> (N*out, N*in) Jacobian of the network (embeddings -> logits)
    block_size: tuple  # (out, in) of one block
    off_diagonal_max: dict  # mode -> max |entry| outside the diagonal blocks
    diagonal_max: dict  # mode -> max |entry| inside them
    # mode -> max |change of example 0's logits| when example 1's input changes
    batchmate_effect: dict
    files: list = field(default_factory=list)

    def block(self, mode, i, k) -> np.ndarray:
        out, inp = self.block_size
        return self.jacobians[mode][i * out : (i + 1) * out, k * inp : (k + 1) * inp]


def jacobian(f, x: np.ndarray) -> np.ndarray:
    """d f(x) / d x for f: (N, D) Tensor -> (N, K) Tensor, as an (N*K, N*D) matrix.

    One backward pass per output entry."""
    x = Tensor(x, requires_grad=True)
    y = f(x)
    rows = []
    for j in range(y.data.size):
        seed = np.zeros(y.data.size)
        seed[j] = 1.0
        x.grad = None
        y.backward(seed.reshape(y.shape))
        rows.append(x.grad.ravel().copy())
    return np.array(rows)


def off_diagonal(J, n, block):
    """(max |entry| off the diagonal blocks, max |entry| on them)."""
    out, inp = block
    mask = np.kron(np.eye(n, dtype=bool), np.ones((out, inp), dtype=bool))
    return float(np.max(np.abs(J[~mask]))), float(np.max(np.abs(J[mask])))


def run(quick=False, data=None, seed=42, out=None) -> CouplingResult:
    folder = output_folder(out, "coupling")
    heading("7. batch coupling")
    splits = load_splits(data, seed, quick=quick)
    n = 4 if quick else 6
    model = build_mlp(splits.vocab.size, n_hidden=64, norm="batch", seed=seed)
    train(
        model,
        splits,
        200 if quick else 2000,
        lr=0.1,
        seed=seed,
        label="training the MLP",
        show_progress=not quick,
    )
    embed, body = model[:2], model[2:]  # body: Linear -> BatchNorm1d -> Tanh -> Linear
    X = splits.train[0][np.random.default_rng(seed).integers(0, len(splits.train[0]), n)]
    emb = embed(X).data  # (n, 30): the inputs we differentiate with respect to
    jacobians, off, diag, effect = {}, {}, {}, {}
    for mode in ("train", "eval"):
        model.train(mode == "train")
        state = model.state_dict()
        jacobians[mode] = jacobian(body, emb)
        nudged = emb.copy()
        nudged[1] += 0.5  # change example 1 only
        effect[mode] = float(
            np.max(np.abs(body(Tensor(nudged)).data[0] - body(Tensor(emb)).data[0]))
        )
        # training-mode calls moved the running statistics; put them back
        model.load_state_dict(state)
        off[mode], diag[mode] = off_diagonal(jacobians[mode], n, (splits.vocab.size, emb.shape[1]))
    model.train()
    r = CouplingResult(n, jacobians, (splits.vocab.size, emb.shape[1]), off, diag, effect)
    print(
        f"Jacobian of the logits with respect to the embeddings, batch of {n} "
        f"(blocks of {r.block_size[0]} x {r.block_size[1]}):"
    )
    for mode in ("train", "eval"):
        print(
            f"  {mode:<5} mode: max |on-diagonal block entry| {diag[mode]:.2e}, "
            f"max |off-diagonal| {off[mode]:.2e}; "
            f"changing example 1 moves example 0's logits by {effect[mode]:.2e}"
        )
    r.files = draw_plots(_plots, r, folder)
    return r


def _plots(plt, r, folder):
    fig, axes = plt.subplots(1, 2, figsize=(11, 5))
    top = max(np.abs(J).max() for J in r.jacobians.values())
    out, inp = r.block_size
    for ax, (mode, J) in zip(axes, r.jacobians.items()):
        image = ax.imshow(
            np.log10(np.abs(J) + 1e-8),
            vmin=np.log10(top) - 5,
            vmax=np.log10(top),
            cmap="magma",
            aspect="auto",
            interpolation="nearest",
        )
        for k in range(1, r.batch_size):
            ax.axhline(k * out - 0.5, color="white", lw=0.6)
            ax.axvline(k * inp - 0.5, color="white", lw=0.6)
        ax.set(
            xlabel="input: example k, embedding unit",
            ylabel="output: example i, logit",
            title=f"{mode} mode: |d logits_i / d x_k|",
        )
        ax.set_xticks(
            [(k + 0.5) * inp for k in range(r.batch_size)], [f"k={k}" for k in range(r.batch_size)]
        )
        ax.set_yticks(
            [(i + 0.5) * out for i in range(r.batch_size)], [f"i={i}" for i in range(r.batch_size)]
        )
    fig.colorbar(image, ax=axes, label="log10 |entry| (black: zero)")
    path = folder / "batch_coupling.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:  # Ctrl-C leaves the old picture or the new one, never half
        fig.savefig(tmp, dpi=80)
    plt.close(fig)
    return [path]


def summary(r):
    numbers = {
        "max |off-diagonal entry|, training mode": r.off_diagonal_max["train"],
        "max |on-diagonal entry|, training mode": r.diagonal_max["train"],
        "batchmate effect, training mode": r.batchmate_effect["train"],
    }
    claims = {
        "in eval mode the cross-batch Jacobian is exactly block-diagonal": (
            r.off_diagonal_max["eval"] == 0.0 and r.batchmate_effect["eval"] == 0.0
        ),
        "in training mode examples interact (off-diagonal > 1e-3 of the diagonal)": (
            r.off_diagonal_max["train"] > 1e-3 * r.diagonal_max["train"]
        ),
    }
    return numbers, claims
