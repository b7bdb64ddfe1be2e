"""Exercise 12: the makemore MLP with one-line gradients, trained by your own loop.

The lecture's exercises 2 to 4 in one file. The forward pass keeps only what
the one-line backward needs; the cross-entropy's gradient is one line,

    dlogits = (softmax(logits) - onehot(Yb)) / n,

and so is BatchNorm's (with the Bessel-corrected variance of the lecture),

    dhprebn = bngain bnvar_inv / n (n dhpreact - sum dhpreact - n/(n-1) bnraw sum(dhpreact bnraw)).

`train` is the whole loop: batches, forward, backward, update. With it,
    python benchmarks/exercise7_makemore.py --file <this file>
trains on the lecture's 32,033 names and should reach a validation loss <= 2.12.

Fill in every gradient marked TODO (now None), then the loop in `train`.
Check with:  tinygrad-bn exercises check <this file>
"""

# ruff: noqa: F401, F841  (the names prepared for you are unused until you write your gradients)

import numpy as np

EXERCISE = 12  # tells `tinygrad-bn exercises check` which exercise this file is: keep this line

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
    """The loss of one batch; returns what the one-line backward needs."""
    C, W1, b1, bngain, bnbias, W2, b2 = (params[name] for name in PARAM_NAMES)
    n = len(Xb)
    emb = C[Xb]
    embcat = emb.reshape(n, -1)
    hprebn = embcat @ W1 + b1
    bnmean = hprebn.mean(0, keepdims=True)
    bnvar = hprebn.var(0, keepdims=True, ddof=1)  # Bessel-corrected, as in the lecture
    bnvar_inv = (bnvar + EPS) ** -0.5
    bnraw = (hprebn - bnmean) * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = np.tanh(hpreact)
    logits = h @ W2 + b2
    shifted = logits - logits.max(1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(1, keepdims=True)
    loss = -np.log(probs[np.arange(n), Yb]).mean()
    return dict(params, Xb=Xb, Yb=Yb, emb=emb, embcat=embcat, hprebn=hprebn,
                bnvar_inv=bnvar_inv, bnraw=bnraw, hpreact=hpreact, h=h, logits=logits,
                probs=probs, loss=loss)  # fmt: skip


def backward(cache):
    """d(loss)/d(every parameter and layer output), with the two one-line gradients."""
    c = cache
    n = len(c["Yb"])
    dlogits = None  # TODO: one line (two with the copy), from probs and Yb
    dh = None  # TODO
    dW2 = None  # TODO
    db2 = None  # TODO
    dhpreact = None  # TODO
    dbngain = None  # TODO
    dbnbias = None  # TODO
    dhprebn = None  # TODO: one expression
    dembcat = None  # TODO
    dW1 = None  # TODO
    db1 = None  # TODO
    demb = None  # TODO
    dC = None  # TODO
    return dict(logits=dlogits, h=dh, W2=dW2, b2=db2, hpreact=dhpreact, bngain=dbngain,
                bnbias=dbnbias, hprebn=dhprebn, embcat=dembcat, W1=dW1, b1=db1, emb=demb,
                C=dC)  # fmt: skip


def train(params, X, Y, steps, batch_size=32, lr=0.1, decay_step=100_000, seed=0, log_every=0):
    """Stochastic gradient descent with your `backward`: lr until `decay_step`, then lr / 10.

    Each step draws its batch with ix = rng.integers(0, len(X), batch_size) from
    rng = np.random.default_rng(seed) (the checker replays the same batches), updates
    `params` in place, and the loop returns the loss of every step as floats.
    """
    rng = np.random.default_rng(seed)
    losses = []
    # TODO: for each of the `steps` steps, draw ix = rng.integers(0, len(X), batch_size), run
    # forward and backward on X[ix], Y[ix], take a step of rate lr (lr / 10 from decay_step on)
    # for every parameter, and append the batch's loss as a float; print it every log_every
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
