"""Exercise 7: one makemore MLP training step, backpropagated by hand.

The network reads `block_size` characters and predicts the next one:

    embedding -> linear -> BatchNorm -> tanh -> linear -> cross-entropy

`forward` is written and keeps every intermediate. Fill in `backward` (every
gradient marked TODO, now None): d(loss)/d(each intermediate and parameter),
with numpy only. The checker compares each one with autograd, then runs
`train`, stochastic gradient descent driven by nothing but your `backward`.
Check with:  tinygrad-bn exercises check <this file>
To train on the full names list afterwards:
    python benchmarks/exercise7_makemore.py --file <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your gradients)

import numpy as np

EXERCISE = 7  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line

EPS = 1e-5  # added to the batch variance before the square root
PARAM_NAMES = ("C", "W1", "b1", "bngain", "bnbias", "W2", "b2")


def init_params(
    vocab_size, block_size=3, n_embd=10, n_hidden=200, seed=2147483647, dtype=np.float64
):
    """Random parameters, none of them zero (a zero would hide a wrong gradient).

    W1 is scaled by gain/sqrt(fan_in) with the tanh gain 5/3 (Kaiming init).
    """
    rng = np.random.default_rng(seed)
    fan_in = n_embd * block_size
    params = {
        "C": rng.standard_normal((vocab_size, n_embd)),
        "W1": rng.standard_normal((fan_in, n_hidden)) * (5 / 3) / fan_in**0.5,
        "b1": rng.standard_normal(n_hidden) * 0.1,
        "bngain": rng.standard_normal((1, n_hidden)) * 0.1 + 1.0,
        "bnbias": rng.standard_normal((1, n_hidden)) * 0.1,
        "W2": rng.standard_normal((n_hidden, vocab_size)) * 0.1,
        "b2": rng.standard_normal(vocab_size) * 0.1,
    }
    return {name: value.astype(dtype) for name, value in params.items()}


def forward(params, Xb, Yb):
    """The loss of one batch, broken into small steps; returns every intermediate."""
    C, W1, b1, bngain, bnbias, W2, b2 = (params[name] for name in PARAM_NAMES)
    n = len(Xb)
    emb = C[Xb]  # (n, block_size, n_embd): look up each context character
    embcat = emb.reshape(n, -1)  # (n, block_size * n_embd)
    hprebn = embcat @ W1 + b1  # (n, n_hidden)
    bnmeani = hprebn.sum(0, keepdims=True) / n  # batch mean
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = bndiff2.sum(0, keepdims=True) / (n - 1)  # Bessel-corrected, as in the lecture
    bnvar_inv = (bnvar + EPS) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = np.tanh(hpreact)
    logits = h @ W2 + b2  # (n, vocab_size)
    logit_maxes = logits.max(1, keepdims=True)
    norm_logits = logits - logit_maxes  # subtract the row maximum so exp cannot overflow
    counts = np.exp(norm_logits)
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = np.log(probs)
    loss = -logprobs[np.arange(n), Yb].mean()
    return dict(params, Xb=Xb, Yb=Yb, emb=emb, embcat=embcat, hprebn=hprebn, bnmeani=bnmeani,
        bndiff=bndiff, bndiff2=bndiff2, bnvar=bnvar, bnvar_inv=bnvar_inv, bnraw=bnraw,
        hpreact=hpreact, h=h, logits=logits, logit_maxes=logit_maxes, norm_logits=norm_logits,
        counts=counts, counts_sum=counts_sum, counts_sum_inv=counts_sum_inv, probs=probs,
        logprobs=logprobs, loss=loss)  # fmt: skip


def backward(cache):
    """d(loss)/d(every intermediate and parameter), from the loss back to the embedding table.

    Everything the forward pass computed is in `cache` (cache["probs"], cache["W2"], ...).
    n = len(cache["Yb"]) is the batch size.
    """
    c = cache
    n = len(c["Yb"])
    dlogprobs = None  # TODO: only the picked entries enter the mean
    dprobs = None  # TODO
    dcounts_sum_inv = None  # TODO
    dcounts_sum = None  # TODO
    dcounts = None  # TODO: counts is used twice
    dnorm_logits = None  # TODO
    dlogit_maxes = None  # TODO
    dlogits = None  # TODO: logits is used twice (the row maximum picks one entry per row)
    dh = None  # TODO
    dW2 = None  # TODO: shape (n_hidden, vocab_size)
    db2 = None  # TODO: shape (vocab_size,)
    dhpreact = None  # TODO
    dbngain = None  # TODO: shape (1, n_hidden)
    dbnbias = None  # TODO: shape (1, n_hidden)
    dbnraw = None  # TODO
    dbnvar_inv = None  # TODO
    dbnvar = None  # TODO
    dbndiff2 = None  # TODO: the forward divides by n - 1
    dbndiff = None  # TODO: bndiff is used twice
    dbnmeani = None  # TODO
    dhprebn = None  # TODO: hprebn is used twice
    dembcat = None  # TODO
    dW1 = None  # TODO
    db1 = None  # TODO: shape (n_hidden,)
    demb = None  # TODO: shape (n, block_size, n_embd)
    dC = None  # TODO: a row of C may be picked several times in one batch
    return dict(logprobs=dlogprobs, probs=dprobs, counts_sum_inv=dcounts_sum_inv,
        counts_sum=dcounts_sum, counts=dcounts, norm_logits=dnorm_logits, logit_maxes=dlogit_maxes,
        logits=dlogits, h=dh, W2=dW2, b2=db2, hpreact=dhpreact, bngain=dbngain, bnbias=dbnbias,
        bnraw=dbnraw, bnvar_inv=dbnvar_inv, bnvar=dbnvar, bndiff2=dbndiff2, bndiff=dbndiff,
        bnmeani=dbnmeani, hprebn=dhprebn, embcat=dembcat, W1=dW1, b1=db1, emb=demb,
        C=dC)  # fmt: skip


def train(params, X, Y, steps, batch_size=32, lr=0.1, decay_step=100_000, seed=0, log_every=0):
    """Stochastic gradient descent with your `backward`: lr until `decay_step`, then lr / 10.

    Updates `params` in place and returns the loss of every step.
    """
    rng = np.random.default_rng(seed)
    losses = []
    for step in range(steps):
        ix = rng.integers(0, len(X), batch_size)
        cache = forward(params, X[ix], Y[ix])
        grads = backward(cache)
        rate = lr if step < decay_step else lr / 10
        for name in PARAM_NAMES:
            params[name] -= rate * grads[name]
        losses.append(float(cache["loss"]))
        if log_every and step % log_every == 0:
            print(f"step {step:7d}/{steps}: loss {losses[-1]:.4f}", flush=True)
    return losses


def batchnorm_statistics(params, X):
    """Mean and (Bessel-corrected) variance of the pre-activations over all of X, for inference."""
    hprebn = params["C"][X].reshape(len(X), -1) @ params["W1"] + params["b1"]
    return hprebn.mean(0, keepdims=True), hprebn.var(0, keepdims=True, ddof=1)


def evaluate(params, X, Y, bn_mean, bn_var):
    """Mean cross-entropy on (X, Y), with BatchNorm using the fixed statistics given."""
    hprebn = params["C"][X].reshape(len(X), -1) @ params["W1"] + params["b1"]
    h = np.tanh(params["bngain"] * (hprebn - bn_mean) * (bn_var + EPS) ** -0.5 + params["bnbias"])
    logits = h @ params["W2"] + params["b2"]
    shifted = logits - logits.max(1, keepdims=True)
    logprobs = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    return float(-logprobs[np.arange(len(Y)), Y].mean())
