"""Exercises 7 and 12: one makemore MLP step judged step by step, then a short training run.

The data are the makemore lectures' 32,033 names, shipped with the package.
The training check runs the learner's `train` for a few steps and the same
loop driven by autograd (the same batches, the same learning rates), and
compares the losses and the parameters they end with.
"""

from functools import lru_cache

import numpy as np

from ..data import load_names, make_splits
from ..tensor import Tensor
from .hints import close
from .mistakes import both, inv_sqrt_exponent, tanh_from_input
from .part import Part, Row
from .steps import EPS

PARAM_NAMES = ("C", "W1", "b1", "bngain", "bnbias", "W2", "b2")
ORDER = (
    "logprobs",
    "probs",
    "counts_sum_inv",
    "counts_sum",
    "counts",
    "norm_logits",
    "logit_maxes",
    "logits",
    "h",
    "W2",
    "b2",
    "hpreact",
    "bngain",
    "bnbias",
    "bnraw",
    "bnvar_inv",
    "bnvar",
    "bndiff2",
    "bndiff",
    "bnmeani",
    "hprebn",
    "embcat",
    "W1",
    "b1",
    "emb",
    "C",
)
TRAIN_STEPS, TRAIN_DECAY = 12, 8  # the learning rate drops tenfold after TRAIN_DECAY steps


@lru_cache(maxsize=1)
def names_splits():
    """The lectures' names, split as in makemore (read-only)."""
    return make_splits(load_names("makemore"), block_size=3, seed=42)


def init_params(rng, vocab_size, block_size=3, n_embd=10, n_hidden=64):
    """Random parameters as in the lecture (Kaiming-scaled W1, small random biases), none zero."""
    fan_in = n_embd * block_size
    return {
        "C": rng.standard_normal((vocab_size, n_embd)),
        "W1": rng.standard_normal((fan_in, n_hidden)) * (5 / 3) / fan_in**0.5,
        "b1": rng.standard_normal(n_hidden) * 0.1,
        "bngain": rng.standard_normal((1, n_hidden)) * 0.1 + 1.0,
        "bnbias": rng.standard_normal((1, n_hidden)) * 0.1,
        "W2": rng.standard_normal((n_hidden, vocab_size)) * 0.1,
        "b2": rng.standard_normal(vocab_size) * 0.1,
    }


def makemore_graph(s):
    """The same steps as the template's forward, as named steps."""
    n = len(s.Xb)
    s.emb = s.C[s.Xb]
    s.embcat = s.emb.reshape(n, -1)
    s.hprebn = s.embcat @ s.W1 + s.b1
    s.bnmeani = s.hprebn.sum(0, keepdim=True) / n
    s.bndiff = s.hprebn - s.bnmeani
    s.bndiff2 = s.bndiff**2
    s.bnvar = s.bndiff2.sum(0, keepdim=True) / (n - 1)
    s.bnvar_inv = (s.bnvar + EPS) ** -0.5
    s.bnraw = s.bndiff * s.bnvar_inv
    s.hpreact = s.bngain * s.bnraw + s.bnbias
    s.h = s.hpreact.tanh()
    s.logits = s.h @ s.W2 + s.b2
    s.logit_maxes = s.logits.max(1, keepdim=True).values
    s.norm_logits = s.logits - s.logit_maxes
    s.counts = s.norm_logits.exp()
    s.counts_sum = s.counts.sum(1, keepdim=True)
    s.counts_sum_inv = s.counts_sum**-1
    s.probs = s.counts * s.counts_sum_inv
    s.logprobs = s.probs.log()
    s.loss = -s.logprobs[np.arange(n), s.Yb].mean()


def _scatter(ctx):
    """dC[Xb] = demb (or += demb): a row picked twice keeps only one contribution."""
    wrong = np.zeros_like(ctx.value("C"))
    wrong[ctx.part.inputs["Xb"]] = ctx.upstreams["emb"]
    hint = (
        "a row of C that the batch picks several times must receive the sum of all its "
        "contributions: np.add.at(dC, Xb, demb) adds them; dC[Xb] = demb and dC[Xb] += demb "
        "both keep only one of them (numpy applies a fancy-index += once per distinct row)"
    )
    return {"C": [(wrong, hint)]}


_makemore_mistakes = both(
    _scatter, tanh_from_input("hpreact", "h"), inv_sqrt_exponent("bnvar", "bnvar_inv")
)


class TrainingPart:
    """train(params, X, Y, steps, batch_size, lr, decay_step, seed) against autograd's loop."""

    title = "training loop"
    needs_previous = True  # training with wrong gradients tells nothing new
    order = ("losses",) + PARAM_NAMES
    function = "train"
    signature = "train(params, X, Y, steps, ...)"

    def __init__(self, params, X, Y, seed):
        self.params, self.X, self.Y, self.seed = params, X, Y, seed
        self.kwargs = dict(
            steps=TRAIN_STEPS, batch_size=32, lr=0.1, decay_step=TRAIN_DECAY, seed=seed
        )

    def call(self) -> dict:
        return {"kind": "train", "kwargs": self.kwargs}

    def arrays(self) -> dict:
        out = {f"inputs.params.{k}": v for k, v in self.params.items()}
        return {**out, "inputs.X": self.X, "inputs.Y": self.Y}

    def expected(self):
        params = {k: Tensor(v.copy(), requires_grad=True) for k, v in self.params.items()}
        rng = np.random.default_rng(self.seed)
        losses = []
        for step in range(TRAIN_STEPS):
            ix = rng.integers(0, len(self.X), 32)
            loss = _loss(params, self.X[ix], self.Y[ix])
            for p in params.values():
                p.grad = None
            loss.backward()
            rate = 0.1 if step < TRAIN_DECAY else 0.01
            for p in params.values():
                p.data -= rate * p.grad
            losses.append(loss.item())
        return np.array(losses), {k: p.data for k, p in params.items()}

    def judge(self, returned) -> list[Row]:
        losses = returned.get("losses")
        error = None
        if not isinstance(losses, np.ndarray):
            error = f"train() must return the list of losses, one per step; got {losses or 'None'}"
        elif losses.size != TRAIN_STEPS:
            error = (
                f"train() must return one loss per step: {TRAIN_STEPS} steps, but it returned "
                f"{losses.size} losses"
            )
        if error is not None:
            return [Row(self.title, "(error)", "error", hint=error)] + [
                Row(self.title, n, "not checked") for n in self.order
            ]
        want_losses, want_params = self.expected()
        rows = [_compare(self.title, "losses", losses.reshape(-1), want_losses)]
        for name in PARAM_NAMES:
            got = returned["params"].get(name)
            rows.append(_compare(self.title, name, got, want_params[name], "after training"))
        return rows


class _Leaves:
    """Parameters as attributes, for makemore_graph outside a Steps build."""

    def __init__(self, params, Xb, Yb):
        self.__dict__.update(params, Xb=Xb, Yb=Yb)


def _loss(params, Xb, Yb):
    s = _Leaves(params, Xb, Yb)
    makemore_graph(s)
    return s.loss


def _compare(title, name, got, want, what="") -> Row:
    if not isinstance(got, np.ndarray) or got.shape != want.shape:
        hint = f"`{name}` {what} has the wrong shape or type".replace("  ", " ")
        return Row(title, name, "wrong", hint=hint)
    got = got.astype(np.float64)
    diff = float(np.abs(got - want).max(initial=0.0))
    exact = bool(np.array_equal(got, want))
    if close(got, want, 1e-10):
        return Row(title, name, "right", exact, True, diff)
    hint = (
        f"`{name}` {what} differs from training with autograd's gradients; check the update "
        "step in train()"
    )
    return Row(title, name, "wrong", exact, False, diff, hint.replace("  ", " "))


def exercise7(rng):
    splits = names_splits()
    X, Y = splits.train
    params = init_params(rng, splits.vocab.size)
    ix = rng.integers(0, len(X), 32)
    inputs = dict(params=params, Xb=X[ix], Yb=Y[ix])
    step = Part(
        "one training step",
        "forward",
        "backward",
        inputs,
        makemore_graph,
        "loss",
        ORDER,
        ("params",),
        n=32,
        variance=True,
        mistakes=_makemore_mistakes,
    )
    seed = int(rng.integers(2**31))
    return [step, TrainingPart(init_params(rng, splits.vocab.size), X, Y, seed)]


ONE_LINE_ORDER = ("logits", "h", "W2", "b2", "hpreact", "bngain", "bnbias", "hprebn", "embcat",
                  "W1", "b1", "emb", "C")  # fmt: skip


def one_line_graph(s):
    """Exercise 12's steps: only the layer outputs are named, BatchNorm and the loss are whole."""
    n = len(s.Xb)
    s.emb = s.C[s.Xb]
    s.embcat = s.emb.reshape(n, -1)
    s.hprebn = s.embcat @ s.W1 + s.b1
    centred = s.hprebn - s.hprebn.sum(0, keepdim=True) / n
    bnvar_inv = ((centred**2).sum(0, keepdim=True) / (n - 1) + EPS) ** -0.5
    s.hpreact = s.bngain * (centred * bnvar_inv) + s.bnbias
    s.h = s.hpreact.tanh()
    s.logits = s.h @ s.W2 + s.b2
    s.loss = s.logits.cross_entropy(s.Yb)


def _one_line_estimator(ctx):
    """dhprebn in one line with the factor of the biased variance (1) where n/(n-1) belongs."""
    hprebn, gain = ctx.value("hprebn"), ctx.value("bngain")
    n = hprebn.shape[0]
    inv = (hprebn.var(0, keepdims=True, ddof=1) + EPS) ** -0.5
    raw = (hprebn - hprebn.mean(0, keepdims=True)) * inv
    dpre = ctx.upstreams["hpreact"]
    wrong = gain * inv / n * (n * dpre - dpre.sum(0) - raw * (dpre * raw).sum(0))
    hint = (
        f"which variance estimator? The lecture's BatchNorm divides by n - 1, so the factor in "
        f"front of bnraw * sum(dhpreact * bnraw) is n/(n-1) = {n}/{n - 1}; yours has 1"
    )
    return {"hprebn": [(wrong, hint)]}


def exercise12(rng):
    splits = names_splits()
    X, Y = splits.train
    params = init_params(rng, splits.vocab.size)
    ix = rng.integers(0, len(X), 32)
    inputs = dict(params=params, Xb=X[ix], Yb=Y[ix])
    step = Part(title="one step, one-line gradients", forward="forward", backward="backward",
                inputs=inputs, graph=one_line_graph, output="loss", order=ONE_LINE_ORDER,
                leaves=("params",), n=32, variance=True,
                mistakes=both(_scatter, tanh_from_input("hpreact", "h"),
                              _one_line_estimator))  # fmt: skip
    seed = int(rng.integers(2**31))
    return [step, TrainingPart(init_params(rng, splits.vocab.size), X, Y, seed)]
