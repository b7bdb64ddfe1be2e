"""Exercise 12 (solution): the makemore MLP with one-line gradients, trained by your own loop.

The lecture's exercises 2 to 4 in one file. The forward pass keeps only what
the one-line backward needs; the cross-entropy's gradient is one line,

    dlogits = (softmax(logits) - onehot(Yb)) / n,

and so is BatchNorm's (with the Bessel-corrected variance of the lecture),

    dhprebn = bngain bnvar_inv / n (n dhpreact - sum dhpreact - n/(n-1) bnraw sum(dhpreact bnraw)).

`train` is the whole loop: batches, forward, backward, update. With it,
    python benchmarks/exercise7_makemore.py --file <this file>
trains on the lecture's 32,033 names and should reach a validation loss <= 2.12.
"""

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
    dlogits = c["probs"].copy()
    dlogits[np.arange(n), c["Yb"]] -= 1
    dlogits /= n  # softmax minus one-hot, over n: the lecture's exercise 2
    dh = dlogits @ c["W2"].T
    dW2 = c["h"].T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - c["h"] ** 2) * dh
    dbngain = (c["bnraw"] * dhpreact).sum(0, keepdims=True)
    dbnbias = dhpreact.sum(0, keepdims=True)
    dhprebn = (
        c["bngain"]
        * c["bnvar_inv"]
        / n
        * (
            n * dhpreact
            - dhpreact.sum(0)
            - n / (n - 1) * c["bnraw"] * (dhpreact * c["bnraw"]).sum(0)
        )
    )  # the lecture's exercise 3: BatchNorm in one line
    dembcat = dhprebn @ c["W1"].T
    dW1 = c["embcat"].T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.reshape(c["emb"].shape)
    dC = np.zeros_like(c["C"])
    np.add.at(dC, c["Xb"], demb)
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
