"""The results file: every experiment's numbers and claims over its seeds, in one JSON file.

    tinygrad-bn demo --results                    # everything: full runs and the quick sweep
    tinygrad-bn demo --results makemore --mode full   # refresh one experiment's full runs

Full runs use the seeds 42, 7, 1 on the lectures' names; the quick sweep runs each
experiment's `--quick` setting over 8 seeds, to show whether its claims hold there.
The guide (docs/experiments.md) quotes only numbers from this file, and a test
holds it to them. The file is rewritten after each experiment through a temporary
file and a rename, so Ctrl-C leaves the last complete version behind.
"""

import json
import os
from pathlib import Path

from . import EXPERIMENTS, load
from .seeds import FULL_SEEDS, QUICK_SWEEP_SEEDS, run_seeds

RESULTS_FILE = Path(__file__).with_name("results.json")
MODES = ("full", "quick")


def read(path=RESULTS_FILE) -> dict:
    """{"full": {name: sweep}, "quick": {name: sweep}}; empty sections if there is no file."""
    path = Path(path)
    found = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {mode: found.get(mode, {}) for mode in MODES}


def write(results: dict, path=RESULTS_FILE) -> Path:
    """Save atomically: a temporary file beside the target, then one rename."""
    path = Path(path)
    temporary = path.with_name(path.name + ".partial")
    temporary.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def record(sweep, path=RESULTS_FILE) -> Path:
    results = read(path)
    results["quick" if sweep.quick else "full"][sweep.name] = sweep.as_dict()
    return write(results, path)


def quick_note(name, path=RESULTS_FILE) -> list[str]:
    """The closing note of a quick run: each claim's count in the recorded 8-seed quick sweep,
    with a caveat for any that did not hold in every seed."""
    recorded = read(path)["quick"].get(name)
    if not recorded:
        return []
    seeds = recorded["seeds"]
    lines = [f"quick mode, recorded sweep over {len(seeds)} seeds ({', '.join(map(str, seeds))}):"]
    for sentence, held in recorded["claims"].items():
        k, n = sum(held), len(held)
        mark = "" if k == n else "   <- CAVEAT: quick mode is too short for this claim"
        lines.append(f"  {k} of {n}: {sentence}{mark}")
    return lines


def regenerate(names=None, modes=MODES, path=RESULTS_FILE, out=None) -> Path:
    """Run the experiments (all, or `names`) in `modes` and record each sweep as it finishes.

    Full runs draw the first seed's plots into `out`/NAME (the guide's pictures).
    """
    names = ["tour", *EXPERIMENTS] if not names else names
    for mode in modes:
        for name in names:
            quick = mode == "quick"
            seeds = QUICK_SWEEP_SEEDS if quick else FULL_SEEDS
            folder = None if out is None else Path(out) / name
            sweep = run_seeds(load(name), name, seeds, quick=quick, out=folder, plots=not quick)
            record(sweep, path)
            print(f"recorded {mode} {name} in {path}", flush=True)
    return Path(path)
