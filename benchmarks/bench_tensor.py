"""Tensor engine vs hand-written numpy vs PyTorch eager: one makemore MLP step.

The step: embedding C (27x10) looked up for a batch of 32 contexts of 3
characters, Linear 30->200 without bias, tanh, Linear 200->27, cross-entropy,
backward, SGD update. All three sides start from the same weights and see
the same batches; the script checks they compute the same loss, then times
them interleaved in one process, in float32 and float64.

    python benchmarks/bench_tensor.py
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_times, fix_allocator, verdict  # noqa: E402

BATCH, BLOCK, EMB, HIDDEN, VOCAB, LR = 32, 3, 10, 200, 27, 0.1


def initial_weights(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "C": rng.standard_normal((VOCAB, EMB)),
        "W1": rng.standard_normal((BLOCK * EMB, HIDDEN)) * (5 / 3) / (BLOCK * EMB) ** 0.5,
        "W2": rng.standard_normal((HIDDEN, VOCAB)) * 0.01,
        "b2": np.zeros(VOCAB),
    }


def batches(n=64, seed=1):
    from tinygrad_bn.data import load_names, make_splits

    Xtr, Ytr = make_splits(load_names(), block_size=BLOCK).train
    rng = np.random.default_rng(seed)
    picks = [rng.integers(0, len(Xtr), BATCH) for _ in range(n)]
    return [(Xtr[ix], Ytr[ix]) for ix in picks]


class Stepper:
    """Cycles through the batches; `step()` does one training step and returns the loss."""

    def __init__(self, data):
        self.data, self.i = data, 0

    def next_batch(self):
        self.i = (self.i + 1) % len(self.data)
        return self.data[self.i]


class TinygradBN(Stepper):
    def __init__(self, data, weights, dtype):
        from tinygrad_bn import Tensor

        super().__init__(data)
        self.p = {k: Tensor(v.astype(dtype), requires_grad=True) for k, v in weights.items()}

    def step(self):
        X, Y = self.next_batch()
        p = self.p
        h = (p["C"][X].view(BATCH, BLOCK * EMB) @ p["W1"]).tanh()
        loss = (h @ p["W2"] + p["b2"]).cross_entropy(Y)
        for t in p.values():
            t.grad = None
        loss.backward()
        for t in p.values():
            t.data -= LR * t.grad
        return loss.item()


class Numpy(Stepper):
    """The same step with the backward pass written out by hand."""

    def __init__(self, data, weights, dtype):
        super().__init__(data)
        self.p = {k: v.astype(dtype) for k, v in weights.items()}

    def step(self):
        X, Y = self.next_batch()
        C, W1, W2, b2 = self.p["C"], self.p["W1"], self.p["W2"], self.p["b2"]
        emb = C[X].reshape(BATCH, BLOCK * EMB)
        h = np.tanh(emb @ W1)
        logits = h @ W2 + b2
        shifted = logits - logits.max(1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(1, keepdims=True)
        rows = np.arange(BATCH)
        loss = (np.log(total[:, 0]) - shifted[rows, Y]).mean()
        dlogits = e / total
        dlogits[rows, Y] -= 1
        dlogits /= BATCH
        dW2, db2 = h.T @ dlogits, dlogits.sum(0)
        dpre = (dlogits @ W2.T) * (1 - h * h)
        dW1, demb = emb.T @ dpre, dpre @ W1.T
        dC = np.zeros_like(C)
        np.add.at(dC, X, demb.reshape(BATCH, BLOCK, EMB))
        for w, g in ((C, dC), (W1, dW1), (W2, dW2), (b2, db2)):
            w -= LR * g
        return float(loss)


class Torch(Stepper):
    def __init__(self, data, weights, dtype):
        import torch

        super().__init__([(torch.from_numpy(X), torch.from_numpy(Y)) for X, Y in data])
        self.torch = torch
        self.p = {k: torch.tensor(v.astype(dtype), requires_grad=True) for k, v in weights.items()}

    def step(self):
        torch, p = self.torch, self.p
        X, Y = self.next_batch()
        h = torch.tanh(p["C"][X].view(BATCH, BLOCK * EMB) @ p["W1"])
        loss = torch.nn.functional.cross_entropy(h @ p["W2"] + p["b2"], Y)
        for t in p.values():
            t.grad = None
        loss.backward()
        with torch.no_grad():
            for t in p.values():
                t -= LR * t.grad
        return loss.item()


def main():
    fix_allocator()
    try:
        import torch

        torch.set_num_threads(1)
        sides = {"tinygrad_bn": TinygradBN, "numpy": Numpy, "torch": Torch}
        print(f"torch {torch.__version__} eager on the CPU, 1 thread (as every side here)")
    except ImportError:
        sides = {"tinygrad_bn": TinygradBN, "numpy": Numpy}
        print("torch not installed: comparing with numpy only")
    data, weights = batches(), initial_weights(np.float64)
    for dtype in (np.float32, np.float64):
        steppers = {name: cls(data, weights, dtype) for name, cls in sides.items()}
        losses = {name: [s.step() for _ in range(5)] for name, s in steppers.items()}
        tol = 1e-4 if dtype == np.float32 else 1e-10
        agree = all(np.allclose(losses["numpy"], v, rtol=tol, atol=tol) for v in losses.values())
        times = best_times({name: s.step for name, s in steppers.items()}, repeats=15, inner=40)
        print(f"\n{np.dtype(dtype).name}: the sides compute the same losses: {agree}")
        for name, t in times.items():
            print(f"  {name:12s} {t * 1e6:8.1f} us/step")
        ratio = times["tinygrad_bn"] / times["numpy"]
        print(
            f"  {verdict(ratio <= 1.5)} tinygrad_bn / numpy by hand = {ratio:.2f} (target <= 1.5)"
        )
        if "torch" in times:
            ratio = times["tinygrad_bn"] / times["torch"]
            print(f"  {verdict(ratio < 1)} tinygrad_bn / torch eager = {ratio:.2f} (target < 1)")


if __name__ == "__main__":
    main()
