"""One experiment over several seeds: every number as mean ± spread, every claim as "k of n".

A single run proves little: a loss that differs by 0.01 between two nets may flip
with the next seed. So each experiment module has

    summary(result) -> (numbers, claims)

`numbers` maps a name to a float measured in that run; `claims` maps a sentence
(what the lesson says) to whether it held in that run. `run_seeds` runs the
experiment once per seed and reports, over the n seeds,

    number:  mean ± sd            (sd: the sample standard deviation, ddof = 1)
    claim:   "holds in all n seeds"  or  "in k of n seeds"

The first seed's run prints its details and draws the plots; the others run quietly.
"""

import contextlib
import io
import math
import time
from dataclasses import dataclass, field

import numpy as np

from .plotting import no_plots

FULL_SEEDS = (42, 7, 1)  # the default for full runs
QUICK_SWEEP_SEEDS = (42, 7, 1, 2, 3, 4, 5, 6)  # the sweep that checks each quick setting


@dataclass
class Sweep:
    """What one experiment measured over several seeds."""

    name: str
    quick: bool
    data: str
    seeds: list
    numbers: dict = field(default_factory=dict)  # name -> [value per seed]
    claims: dict = field(default_factory=dict)  # sentence -> [held per seed]
    seconds: float = 0.0
    first: object = None  # the first seed's result: its plots are the ones drawn

    def add(self, numbers: dict, claims: dict):
        for key, value in numbers.items():
            self.numbers.setdefault(key, []).append(float(value))
        for sentence, held in claims.items():
            self.claims.setdefault(sentence, []).append(bool(held))

    def spread(self, key) -> str:
        return format_spread(self.numbers[key])

    def as_dict(self) -> dict:
        """The JSON form kept in the results file."""
        return dict(
            quick=self.quick,
            data=self.data,
            seeds=list(self.seeds),
            seconds=round(self.seconds, 1),
            numbers=self.numbers,
            claims=self.claims,
        )


def mean_sd(values) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value); nan values make both nan."""
    values = np.asarray(values, dtype=float)
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return float(np.mean(values)), sd


def format_spread(values) -> str:
    """'mean ± sd', the mean given to the sd's second significant digit (4 decimals if sd = 0)."""
    mean, sd = mean_sd(values)
    if len(values) == 1:
        return f"{mean:.4g} (one seed)"
    if not (math.isfinite(mean) and math.isfinite(sd)):
        return f"{mean} ± {sd}"
    if mean != 0 and (abs(mean) < 1e-3 or abs(mean) >= 1e4):
        return f"{mean:.2e} ± {sd:.1e}"
    exponent = int(f"{sd:.1e}".split("e")[1])  # of sd as rounded: 0.0999 -> 1.0e-01 -> -1
    decimals = 4 if sd == 0 else min(6, max(0, 1 - exponent))
    return f"{mean:.{decimals}f} ± {sd:.{decimals}f}"


def claim_line(sentence: str, held: list) -> str:
    """The claim as it may be printed: plainly if it held in every seed, else with its count."""
    k, n = sum(held), len(held)
    if k == n:
        return f"{sentence} (holds in {'the one seed run' if n == 1 else f'all {n} seeds'})"
    return f"in {k} of {n} seeds: {sentence}"


def run_seeds(module, name, seeds, quick=False, data=None, out=None, plots=True) -> Sweep:
    """Run `module.run` once per seed; print the first run in full and the sweep's summary."""
    from .common import default_data

    sweep = Sweep(name, quick, data if data is not None else default_data(quick), list(seeds))
    start = time.perf_counter()
    for i, seed in enumerate(seeds):
        if i == 0:
            with contextlib.nullcontext() if plots else no_plots():
                result = module.run(quick=quick, data=data, seed=seed, out=out)
            sweep.first = result
        else:
            print(f"  seed {seed} ({i + 1} of {len(seeds)}) ...", flush=True)
            with contextlib.redirect_stdout(io.StringIO()), no_plots():
                result = module.run(quick=quick, data=data, seed=seed, out=out)
        sweep.add(*module.summary(result))
    sweep.seconds = time.perf_counter() - start
    print_summary(sweep)
    if plots and hasattr(module, "report_sweep"):
        module.report_sweep(sweep, out)
    return sweep


def print_summary(sweep: Sweep):
    seeds = ", ".join(str(s) for s in sweep.seeds)
    print(f"\n== over {len(sweep.seeds)} seed(s) ({seeds}): mean ± sd  [{sweep.seconds:.0f}s]")
    width = max((len(k) for k in sweep.numbers), default=0)
    for key in sweep.numbers:
        print(f"  {key:<{width}}  {sweep.spread(key)}")
    for sentence, held in sweep.claims.items():
        print(f"  {claim_line(sentence, held)}")
