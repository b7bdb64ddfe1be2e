"""conv2d forward + backward: tinygrad_bn (im2col in numpy) vs PyTorch eager, in one process.

The shape the issue names: a batch of 32 one-channel 8x8 images, 16 filters of 3x3,
padding 1 (so the output is 32 x 16 x 8 x 8), plus the second layer of the `cnn`
experiment (16 -> 32 channels on 4x4 maps) for scale. Both sides start from the same
numbers; the script checks they agree, then times them interleaved round by round,
each on one thread, in float32 and float64. Target: tinygrad_bn <= 3x PyTorch.

    python benchmarks/bench_conv.py [--quick]
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_times, fix_allocator, verdict  # noqa: E402

# (name, input shape, weight shape, padding)
CASES = [
    ("32 x 1 x 8x8, 16 filters 3x3", (32, 1, 8, 8), (16, 1, 3, 3), 1),
    ("32 x 16 x 4x4, 32 filters 3x3", (32, 16, 4, 4), (32, 16, 3, 3), 1),
]
TARGET = 3.0


def make_sides(x, w, b, padding, torch):
    from tinygrad_bn import Tensor
    from tinygrad_bn.functional import conv2d

    g = (
        np.random.default_rng(1)
        .standard_normal((x.shape[0], w.shape[0], x.shape[2], x.shape[3]))
        .astype(x.dtype)
    )
    xs, ws, bs = (Tensor(a.copy(), requires_grad=True) for a in (x, w, b))

    def ours():
        for t in (xs, ws, bs):
            t.grad = None
        out = conv2d(xs, ws, bs, padding=padding)
        out.backward(g)
        return out.data, xs.grad, ws.grad, bs.grad

    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tg = torch.from_numpy(g)

    def theirs():
        for t in (tx, tw, tb):
            t.grad = None
        out = torch.nn.functional.conv2d(tx, tw, tb, padding=padding)
        out.backward(tg)
        return tuple(t.detach().numpy() for t in (out, tx.grad, tw.grad, tb.grad))

    return {"tinygrad_bn": ours, "torch": theirs}


def main():
    fix_allocator()
    quick = "--quick" in sys.argv
    try:
        import torch
    except ImportError:
        print("torch is not installed: nothing to compare with")
        return 0
    torch.set_num_threads(1)
    print(f"torch {torch.__version__} eager on the CPU, 1 thread (as every side here)")
    rng = np.random.default_rng(0)
    worst = 0.0
    for dtype in (np.float32, np.float64):
        for name, x_shape, w_shape, padding in CASES:
            x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape) * 0.3
            b = rng.standard_normal(w_shape[0])
            sides = make_sides(*(a.astype(dtype) for a in (x, w, b)), padding, torch)
            results = [side() for side in sides.values()]
            tol = 1e-4 if dtype == np.float32 else 1e-10
            agree = all(
                np.allclose(a, c, rtol=tol, atol=tol) for a, c in zip(*results, strict=True)
            )
            times = best_times(sides, repeats=5 if quick else 15, inner=20 if quick else 100)
            ratio = times["tinygrad_bn"] / times["torch"]
            worst = max(worst, ratio)
            print(f"\n{np.dtype(dtype).name}, {name}: the sides agree: {agree}")
            for side, t in times.items():
                print(f"  {side:12s} {t * 1e6:8.1f} us per forward + backward")
            print(f"  {verdict(ratio <= TARGET)} tinygrad_bn / torch = {ratio:.2f} (target <= 3)")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
