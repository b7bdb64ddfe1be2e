"""Experiment 12: the BatchNorm Jacobian of one feature, term by term.

Take one feature over a batch of n examples, x = (x_1 .. x_n), and training-mode
BatchNorm y_i = gamma x̂_i + beta with x̂_i = (x_i - mu) / sigma, sigma = sqrt(var + eps)
(var biased). Differentiating,

    dy_i/dx_k = (gamma / sigma) (delta_ik  -  1/n  -  x̂_i x̂_k / n)
    J         = (gamma / sigma) (I  -  1 1ᵀ / n  -  x̂ x̂ᵀ / n)
                 identity        the mean's term   the variance's term

J is symmetric. J 1 = 0 exactly (sum x̂ = 0): the direction that moves every x
equally is the null space, so for any upstream gradient dy the input gradient
dx = J dy sums to zero, and a bias added before BatchNorm gets no gradient.
J x̂ = (gamma / sigma) (eps / (var + eps)) x̂: nearly 0, exactly 0 when eps = 0
(scaling the feature about its mean changes nothing). Every direction orthogonal
to 1 and x̂ is scaled by gamma / sigma: n - 2 equal eigenvalues.
"""

from dataclasses import dataclass, field

import numpy as np

from ..functional import batchnorm_composed, batchnorm_fused
from ..graph import no_grad
from ..tensor import Tensor
from .common import heading, load_splits, output_folder
from .coupling import jacobian
from .mlp import build_mlp
from .plotting import draw_plots, save


@dataclass
class JacobianResult:
    x: np.ndarray  # the feature over the batch, (n,)
    gamma: float
    eps: float
    terms: dict  # "identity", "mean", "variance" -> (n, n) term of the formula
    autograd: dict  # "fused", "composed" -> (n, n) Jacobian by backward()
    eigenvalues: np.ndarray  # of the formula's J, ascending
    formula_vs_autograd: dict  # "fused"/"composed" -> max |J_formula - J_autograd|
    sum_dx: float  # max over random dy of |sum_i dx_i| / |dx|
    xhat_dx: float  # max over random dy of |x̂ᵀ dx| / (|x̂| |dx|)
    bias_grad: float  # |d loss / d b| for a bias b added before BatchNorm
    files: list = field(default_factory=list)

    @property
    def formula(self) -> np.ndarray:
        return self.terms["identity"] + self.terms["mean"] + self.terms["variance"]


def jacobian_terms(x, gamma=1.0, eps=1e-5) -> dict:
    """The three terms of dy/dx for one feature x of shape (n,)."""
    n = len(x)
    sigma = np.sqrt(x.var() + eps)
    xhat = (x - x.mean()) / sigma
    scale = gamma / sigma
    return {
        "identity": scale * np.eye(n),
        "mean": -scale * np.ones((n, n)) / n,
        "variance": -scale * np.outer(xhat, xhat) / n,
    }


def run(quick=False, data=None, seed=42, out=None) -> JacobianResult:
    folder = output_folder(out, "jacobian")
    heading("12. the BatchNorm Jacobian of one feature")
    splits = load_splits(data, seed, quick=quick)
    n, eps = (8 if quick else 32), 1e-5
    rng = np.random.default_rng(seed)
    model = build_mlp(splits.vocab.size, n_hidden=200, norm="batch", seed=seed)
    X = splits.train[0][rng.integers(0, len(splits.train[0]), n)]
    with no_grad():
        x = model[:3](X).data[:, 0].copy()  # feature 0 of the first layer's pre-activations
    gamma = float(rng.uniform(0.5, 2.0))  # a gamma other than 1, so its factor shows
    terms = jacobian_terms(x, gamma, eps)
    g = Tensor(np.array([gamma]))
    zero = Tensor(np.zeros(1))
    autograd = {
        "fused": jacobian(lambda t: batchnorm_fused(t, g, zero, eps), x[:, None]),
        "composed": jacobian(lambda t: batchnorm_composed(t, g, zero, eps), x[:, None]),
    }
    J = sum(terms.values())
    diffs = {k: float(np.max(np.abs(J - A))) for k, A in autograd.items()}
    xhat = (x - x.mean()) / np.sqrt(x.var() + eps)
    sums, overlaps = [], []
    for _ in range(20):  # random upstream gradients dy, through the fused op's backward
        dy = rng.standard_normal(n)
        t = Tensor(x[:, None], requires_grad=True)
        (batchnorm_fused(t, g, zero, eps) * Tensor(dy[:, None])).sum().backward()
        dx = t.grad[:, 0]
        sums.append(abs(dx.sum()) / np.linalg.norm(dx))
        overlaps.append(abs(xhat @ dx) / (np.linalg.norm(xhat) * np.linalg.norm(dx)))
    b = Tensor(np.zeros(1), requires_grad=True)  # a bias before BatchNorm
    loss = (batchnorm_fused(Tensor(x[:, None]) + b, g, zero, eps) * Tensor(dy[:, None])).sum()
    loss.backward()
    r = JacobianResult(
        x,
        gamma,
        eps,
        terms,
        autograd,
        np.linalg.eigvalsh(J),
        diffs,
        float(max(sums)),
        float(max(overlaps)),
        float(abs(b.grad[0])),
    )
    sigma = np.sqrt(x.var() + eps)
    print(f"feature 0 of the first layer over a batch of {n}; gamma {gamma:.3f}, sigma {sigma:.3f}")
    print("  J = (gamma/sigma) (I - 1 1ᵀ/n - x̂ x̂ᵀ/n):")
    for k, d in diffs.items():
        print(f"    max |formula - autograd ({k})| = {d:.1e}")
    ev = r.eigenvalues
    print(
        f"  eigenvalues: {ev[0]:.1e} (direction 1), {ev[1]:.1e} (direction x̂), then {n - 2} "
        f"between {ev[2]:.6f} and {ev[-1]:.6f}; gamma/sigma = {gamma / sigma:.6f}"
    )
    print(
        f"  over 20 random dy: max |sum dx| / |dx| = {r.sum_dx:.1e}, "
        f"max cos(x̂, dx) = {r.xhat_dx:.1e}"
    )
    print(f"  a bias added before BatchNorm: |d loss / d b| = {r.bias_grad:.1e}")
    r.files = draw_plots(_plots, r, folder)
    return r


def summary(r):
    n = len(r.x)
    scale = r.gamma / np.sqrt(r.x.var() + r.eps)
    ev = r.eigenvalues
    numbers = {
        "max |formula - autograd|, fused": r.formula_vs_autograd["fused"],
        "max |formula - autograd|, composed": r.formula_vs_autograd["composed"],
        "max |sum dx| / |dx|": r.sum_dx,
        "max cos(x̂, dx)": r.xhat_dx,
        "|grad of a bias before BatchNorm|": r.bias_grad,
    }
    claims = {
        "the three-term formula matches autograd, fused and composed (to 1e-12)": (
            max(r.formula_vs_autograd.values()) <= 1e-12
        ),
        "dx sums to zero for every dy (to 1e-12 of |dx|)": r.sum_dx < 1e-12,
        "dx is orthogonal to x̂ up to eps (cos < 1e-3)": r.xhat_dx < 1e-3,
        "a bias before BatchNorm gets no gradient (to 1e-12)": r.bias_grad < 1e-12,
        "J has n - 2 eigenvalues equal to gamma/sigma and two near 0": bool(
            np.all(np.abs(ev[:2]) < 1e-3 * scale)
            and np.allclose(ev[2:], scale, rtol=1e-10)
            and len(ev) == n
        ),
    }
    return numbers, claims


def _plots(plt, r, folder):
    panels = [
        ("J (autograd, fused)", r.autograd["fused"]),
        ("identity: (γ/σ) I", r.terms["identity"]),
        ("mean: -(γ/σ) 1 1ᵀ / n", r.terms["mean"]),
        ("variance: -(γ/σ) x̂ x̂ᵀ / n", r.terms["variance"]),
    ]
    top = np.max(np.abs(r.terms["identity"]))
    fig, axes = plt.subplots(
        1, 5, figsize=(17, 3.6), gridspec_kw={"width_ratios": [1, 1, 1, 1, 1.2]}
    )
    for ax, (title, M) in zip(axes, panels):
        image = ax.imshow(M, cmap="RdBu_r", vmin=-top, vmax=top, interpolation="nearest")
        ax.set(title=title, xlabel="k (input example)", ylabel="i (output example)")
    fig.colorbar(image, ax=axes[3], fraction=0.046)
    ax = axes[4]
    ax.plot(np.arange(1, len(r.eigenvalues) + 1), r.eigenvalues, "o", ms=4)
    ax.axhline(r.gamma / np.sqrt(r.x.var() + r.eps), color="gray", ls=":", label="γ/σ")
    ax.set(xlabel="eigenvalue index (ascending)", ylabel="eigenvalue of J", title="spectrum of J")
    ax.legend()
    return [save(fig, folder / "batchnorm_jacobian.png")]
