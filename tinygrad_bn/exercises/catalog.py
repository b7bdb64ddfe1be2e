"""The exercises, in the order to do them: number, file name, what each one practises."""

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
            "the chain rule, a variable used three times, a tanh neuron",
        ),
        Exercise(
            2,
            "ex2_broadcasting",
            "Broadcasting and reductions",
            "why the gradient of a broadcast is a sum; a mean; centring",
        ),
        Exercise(
            3,
            "ex3_linear",
            "A linear layer and matmul",
            "x @ W + b, and a product that uses the same matrix twice",
        ),
        Exercise(
            4,
            "ex4_cross_entropy",
            "Softmax and cross-entropy",
            "every intermediate, then the one line (softmax - onehot) / n",
        ),
        Exercise(
            5,
            "ex5_batchnorm_staged",
            "BatchNorm, step by step",
            "mean, centred, squared, variance, 1/std, x-hat, scale, shift",
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
            "embedding, linear, BatchNorm, tanh, linear, loss; then train",
        ),
    ]
}
