"""The BatchNorm experiments, one module each, in the order the lessons take them.

Every module has `run(quick=False, data=None, seed=42, out=None)`: it trains or
measures, prints what it finds, draws its plots into `out` (when matplotlib is
installed) and returns its numbers, so tests can check the claims on them; and
`summary(result) -> (numbers, claims)`, which `seeds.run_seeds` gathers over seeds.

    from tinygrad_bn.experiments import load
    result = load("train-vs-eval").run(quick=True, out="report")

`tour` is the short story that `tinygrad-bn demo` tells first.
"""

import importlib

# name -> (module, one-line description); the number is the position in this list
EXPERIMENTS = {
    "from-scratch": (
        "from_scratch",
        "BatchNorm from scratch: pre-activations before and after, mean 0 and std 1 per feature",
    ),
    "with-without": (
        "with_without",
        "with vs without BatchNorm: loss curves, a learning-rate sweep, a 5-layer tanh net",
    ),
    "train-vs-eval": (
        "train_vs_eval",
        "train vs eval mode: a batch of one, a full batch, the difference",
    ),
    "running-stats": (
        "running_stats",
        "running mean/variance vs batch statistics for momentum 0.1, 0.01, None; calibration",
    ),
    "batch-size": (
        "batch_size",
        "batch sizes 8 to 512: the noise of batch statistics and the final loss",
    ),
    "layernorm": (
        "layernorm",
        "BatchNorm vs LayerNorm: the axis each normalises, batch size one, final loss",
    ),
    "coupling": (
        "coupling",
        "batch coupling: the Jacobian across the batch in training and eval mode",
    ),
    "landscape": (
        "landscape",
        "loss-landscape smoothness (Santurkar et al. 2018) with and without BatchNorm",
    ),
    "makemore": (
        "makemore",
        "the full makemore run, 200,000 steps, beside the lecture's 2.0668 / 2.1048",
    ),
    "update-ratio": (
        "update_ratio",
        "how fast each layer learns, lr |dW| / |W| over training, with and without BatchNorm",
    ),
    "init-scale": (
        "init_scale",
        "a sweep of the weight-init scale with and without BatchNorm (CS231n)",
    ),
    "jacobian": (
        "jacobian",
        "one feature's n x n BatchNorm Jacobian: three terms, null space, a bias's zero gradient",
    ),
    "ics": (
        "ics",
        "noisy BatchNorm (Santurkar et al. 2018): shifted layer inputs, and training still works",
    ),
}


def names() -> list[str]:
    return list(EXPERIMENTS)


def resolve(name: str) -> str:
    """An experiment's name from its name, its number (2 or 02) or its module name."""
    key = name.strip().lower().replace("_", "-")
    if key.isdigit() and 1 <= int(key) <= len(EXPERIMENTS):
        return names()[int(key) - 1]
    for experiment, (module, _) in EXPERIMENTS.items():
        if key in (experiment, module.replace("_", "-")):
            return experiment
    listing = ", ".join(f"{i} {n}" for i, n in enumerate(EXPERIMENTS, 1))
    raise KeyError(f"no experiment called {name!r}; choose one of: {listing} (by name or number)")


def load(name: str):
    """The module of experiment `name` (imported on first use)."""
    if name == "tour":
        return importlib.import_module(".tour", __name__)
    return importlib.import_module(f".{EXPERIMENTS[resolve(name)][0]}", __name__)
