"""The exercises: number, file name, what each one practises, and the order to do them in."""

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Exercise:
    number: int
    slug: str  # file name without .py, the same for the template and the solution
    title: str
    practises: str

    @property
    def filename(self) -> str:
        return f"{self.slug}.py"

    @property
    def template_path(self) -> Path:
        return HERE / "templates" / self.filename

    @property
    def solution_path(self) -> Path:
        return HERE / "solutions" / self.filename


EXERCISES = {
    e.number: e
    for e in [
        Exercise(
            1,
            "ex1_scalars",
            "Scalar warm-ups on Value",
            "the chain rule, a variable used three times, a neuron",
        ),
        Exercise(
            2,
            "ex2_broadcasting",
            "Broadcasting and reductions",
            "the gradient of a broadcast is a sum; a mean; centring",
        ),
        Exercise(
            3,
            "ex3_linear",
            "A linear layer and matmul",
            "x @ W + b, and a product using one matrix twice",
        ),
        Exercise(
            4,
            "ex4_cross_entropy",
            "Softmax and cross-entropy",
            "every intermediate, then (softmax - onehot) / n",
        ),
        Exercise(
            5,
            "ex5_batchnorm_staged",
            "BatchNorm, step by step",
            "mean, centred, squared, var, 1/std, x-hat, scale, shift",
        ),
        Exercise(
            6,
            "ex6_batchnorm_one_line",
            "BatchNorm in one line",
            "dx in one expression, biased and Bessel-corrected variance",
        ),
        Exercise(
            7,
            "ex7_makemore",
            "The makemore MLP by hand",
            "embedding, linear, BatchNorm, tanh, linear, loss; train",
        ),
        Exercise(
            8,
            "ex8_engine",
            "Build the engine",
            "topological order, backward(), exp, sigmoid, unbroadcast",
        ),
        Exercise(
            9,
            "ex9_layernorm",
            "LayerNorm backward",
            "the statistics over the features: staged, then one line",
        ),
        Exercise(
            10,
            "ex10_batchnorm_eval",
            "BatchNorm at inference",
            "eval-mode backward; running statistics, two conventions",
        ),
        Exercise(
            11,
            "ex11_batchnorm_jacobian",
            "The BatchNorm Jacobian",
            "(gamma/sigma)(delta_ij - 1/n - x^_i x^_j / n), by term",
        ),
        Exercise(
            12,
            "ex12_makemore_training",
            "makemore, your own training loop",
            "one-line loss and BatchNorm gradients; val <= 2.12",
        ),
    ]
}

# The order to do them in: the numbers stay fixed so that a started file keeps its exercise.
SUGGESTED_ORDER = (1, 8, 2, 3, 4, 5, 6, 10, 11, 9, 7, 12)
