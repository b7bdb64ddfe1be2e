"""Exercise 7 (solution): one makemore MLP training step, backpropagated by hand.

The network reads `block_size` characters and predicts the next one:

    embedding -> linear -> BatchNorm -> tanh -> linear -> cross-entropy

`forward` keeps every intermediate; `backward` returns d(loss)/d(each of them)
and of every parameter, using numpy only. `train` then runs stochastic
gradient descent driven by nothing but `backward`.
"""

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
    """d(loss)/d(every intermediate and parameter), from the loss back to the embedding table."""
    c = cache
    n = len(c["Yb"])
    rows = np.arange(n)
    # loss = -mean of the picked log-probabilities: each picked one gets -1/n, the rest 0
    dlogprobs = np.zeros_like(c["logprobs"])
    dlogprobs[rows, c["Yb"]] = -1.0 / n
    dprobs = dlogprobs / c["probs"]  # d log p = dp / p
    # probs = counts * counts_sum_inv, counts_sum_inv (n, 1) broadcast over the columns: sum back
    dcounts_sum_inv = (c["counts"] * dprobs).sum(1, keepdims=True)
    dcounts = c["counts_sum_inv"] * dprobs  # first use of counts ...
    dcounts_sum = -(c["counts_sum"] ** -2) * dcounts_sum_inv
    dcounts = dcounts + dcounts_sum  # ... plus the second, through counts_sum = counts.sum(1)
    dnorm_logits = c["counts"] * dcounts  # d exp(x) = exp(x) dx
    dlogit_maxes = -dnorm_logits.sum(1, keepdims=True)
    # logits is used twice: directly, and through its row maximum (the gradient goes to the arg max)
    dlogits = dnorm_logits + (c["logits"] == c["logit_maxes"]) * dlogit_maxes
    dh = dlogits @ c["W2"].T
    dW2 = c["h"].T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - c["h"] ** 2) * dh  # d tanh(x) = (1 - tanh^2 x) dx
    dbngain = (c["bnraw"] * dhpreact).sum(0, keepdims=True)
    dbnraw = c["bngain"] * dhpreact
    dbnbias = dhpreact.sum(0, keepdims=True)
    dbndiff = c["bnvar_inv"] * dbnraw  # first use of bndiff ...
    dbnvar_inv = (c["bndiff"] * dbnraw).sum(0, keepdims=True)
    dbnvar = -0.5 * (c["bnvar"] + EPS) ** -1.5 * dbnvar_inv
    dbndiff2 = np.ones_like(c["bndiff2"]) * dbnvar / (n - 1)
    dbndiff = dbndiff + 2 * c["bndiff"] * dbndiff2  # ... plus the second, through bndiff2
    dbnmeani = -dbndiff.sum(0, keepdims=True)
    dhprebn = dbndiff + np.ones_like(c["hprebn"]) * dbnmeani / n  # directly, and through the mean
    dembcat = dhprebn @ c["W1"].T
    dW1 = c["embcat"].T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.reshape(c["emb"].shape)
    dC = np.zeros_like(c["C"])
    np.add.at(dC, c["Xb"], demb)  # a row picked k times gets k contributions: add, never assign
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
