"""Exercise 7's checks: one makemore MLP step against autograd, then a short training run.

The training check runs the learner's `train` for a few steps and the same
loop driven by autograd (the same batches, the same learning rates), and
compares the losses and the parameters they end with.
"""

import numpy as np

from ..tensor import Tensor
from .loader import call_learner
from .part import Part, Row, _copy
from .problems import EPS, names_splits

PARAM_NAMES = ("C", "W1", "b1", "bngain", "bnbias", "W2", "b2")
ORDER = ("logprobs", "probs", "counts_sum_inv", "counts_sum", "counts", "norm_logits", "logit_maxes", "logits", "h", "W2", "b2",
         "hpreact", "bngain", "bnbias", "bnraw", "bnvar_inv", "bnvar", "bndiff2", "bndiff", "bnmeani", "hprebn", "embcat", "W1", "b1",
         "emb", "C")  # fmt: skip
TRAIN_STEPS, TRAIN_DECAY = 12, 8  # the learning rate drops tenfold after TRAIN_DECAY steps


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


def makemore_graph(params, Xb, Yb):
    """The same steps as the template's forward, on Tensors."""
    n = len(Xb)
    emb = params["C"][Xb]
    embcat = emb.reshape(n, -1)
    hprebn = embcat @ params["W1"] + params["b1"]
    bnmeani = hprebn.sum(0, keepdim=True) / n
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = bndiff2.sum(0, keepdim=True) / (n - 1)
    bnvar_inv = (bnvar + EPS) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = params["bngain"] * bnraw + params["bnbias"]
    h = hpreact.tanh()
    logits = h @ params["W2"] + params["b2"]
    logit_maxes = logits.max(1, keepdim=True)
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdim=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[np.arange(n), Yb].mean()
    return dict(params, emb=emb, embcat=embcat, hprebn=hprebn, bnmeani=bnmeani, bndiff=bndiff, bndiff2=bndiff2, bnvar=bnvar,
                bnvar_inv=bnvar_inv, bnraw=bnraw, hpreact=hpreact, h=h, logits=logits, logit_maxes=logit_maxes, norm_logits=norm_logits,
                counts=counts, counts_sum=counts_sum, counts_sum_inv=counts_sum_inv, probs=probs, logprobs=logprobs, loss=loss)  # fmt: skip


def _assigned_not_added(truth):
    """dC written with `dC[Xb] = demb`: a row picked twice keeps only one contribution."""
    demb = truth.grads["emb"]
    wrong = np.zeros_like(truth.grads["C"])
    wrong[truth.nodes["Xb"]] = demb
    hint = (
        "a row of C that the batch picks several times must receive the sum of all its contributions: "
        "np.add.at(dC, Xb, demb) adds them, dC[Xb] = demb keeps only the last one"
    )
    return {"C": [(wrong, hint)]}


class MakemorePart(Part):
    """Like Part, but the graph also remembers Xb for the C hint."""

    def truth(self):
        truth = super().truth()
        truth.nodes["Xb"] = self.inputs["Xb"]
        return truth


class TrainingPart:
    """train(params, X, Y, steps, batch_size, lr, decay_step, seed) against the same loop on autograd."""

    title = "training loop"
    needs_previous = True  # training with wrong gradients tells nothing new
    order = ("losses",) + PARAM_NAMES

    def __init__(self, params, X, Y, seed):
        self.params, self.X, self.Y, self.seed = params, X, Y, seed
        self.kwargs = dict(
            steps=TRAIN_STEPS, batch_size=32, lr=0.1, decay_step=TRAIN_DECAY, seed=seed
        )

    signature = "train(params, X, Y, steps, ...)"

    def expected(self):
        params = {k: Tensor(v.copy(), requires_grad=True) for k, v in self.params.items()}
        rng = np.random.default_rng(self.seed)
        losses = []
        for step in range(TRAIN_STEPS):
            ix = rng.integers(0, len(self.X), 32)
            loss = makemore_graph(params, self.X[ix], self.Y[ix])["loss"]
            for p in params.values():
                p.grad = None
            loss.backward()
            rate = 0.1 if step < TRAIN_DECAY else 0.01
            for p in params.values():
                p.data -= rate * p.grad
            losses.append(loss.item())
        return np.array(losses), {k: p.data for k, p in params.items()}

    def check(self, module, path) -> list[Row]:
        params = _copy(self.params)
        losses, error = call_learner(
            module, "train", path, params, self.X.copy(), self.Y.copy(), **self.kwargs
        )
        if error is None:
            try:
                losses = np.asarray(losses, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError):
                error = f"train() must return the list of losses, one per step; got {type(losses).__name__}"
        if error is None and losses.shape != (TRAIN_STEPS,):
            error = f"train() must return one loss per step: {TRAIN_STEPS} steps, but it returned {losses.size} losses"
        if error is not None:
            return [Row(self.title, "(error)", "error", hint=error)] + [
                Row(self.title, n, "not checked") for n in self.order
            ]
        want_losses, want_params = self.expected()
        rows = [_compare(self.title, "losses", losses, want_losses)]
        for name in PARAM_NAMES:
            got = params.get(name) if isinstance(params, dict) else None
            rows.append(_compare(self.title, name, got, want_params[name], "after training"))
        return rows


def _compare(title, name, got, want, what="") -> Row:
    from .hints import close

    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        got = None
    if got is None or got.shape != want.shape:
        return Row(
            title,
            name,
            "wrong",
            hint=f"`{name}` {what} has the wrong shape or type".replace("  ", " "),
        )
    diff = float(np.abs(got - want).max(initial=0.0))
    if close(got, want, 1e-10):
        return Row(title, name, "right", bool(np.array_equal(got, want)), True, diff)
    hint = f"`{name}` {what} differs from training with autograd's gradients; check the update step in train()"
    return Row(
        title, name, "wrong", bool(np.array_equal(got, want)), False, diff, hint.replace("  ", " ")
    )


def exercise7(rng, seed):
    splits = names_splits()
    X, Y = splits.train
    params = init_params(rng, splits.vocab.size)
    ix = rng.integers(0, len(X), 32)
    inputs = dict(params=params, Xb=X[ix], Yb=Y[ix])
    step = MakemorePart("one training step", "forward", "backward", inputs, makemore_graph, "loss", ORDER, ("params",), n=32,
                        variance=True, mistakes=_assigned_not_added)  # fmt: skip
    return [step, TrainingPart(init_params(rng, splits.vocab.size), X, Y, seed)]
