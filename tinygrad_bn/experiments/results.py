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
import re
from pathlib import Path

from . import EXPERIMENTS, load
from .seeds import FULL_SEEDS, QUICK_SWEEP_SEEDS, run_seeds

RESULTS_FILE = Path(__file__).with_name("results.json")
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "experiments.md"  # in a source checkout
REGION = re.compile(
    r"(<!-- results (\S+)(?: (quick))?(?: keys=\"([^\"]*)\")? -->\n)(.*?)(<!-- /results -->)", re.S
)
MODES = ("full", "quick")


def read(path=RESULTS_FILE) -> dict:
    """{"full": {name: sweep}, "quick": {name: sweep}}; empty sections if there is no file."""
    path = Path(path)
    found = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {mode: found.get(mode, {}) for mode in MODES}


def write(results: dict, path=RESULTS_FILE) -> Path:
    """Save atomically: a temporary file beside the target, then one rename."""
    path = Path(path)
    _replace(path, json.dumps(results, indent=1, sort_keys=True) + "\n")
    return path


def _replace(path: Path, text: str):
    """Write `text` to a temporary file beside `path`, then rename it over `path`; on any
    interruption (Ctrl-C included) the temporary file is removed and `path` is untouched."""
    temporary = path.with_name(path.name + ".partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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
    """Run the experiments (all, or `names`) in `modes` and record each sweep as it finishes;
    then rewrite the guide's tables from the file, when the guide is there (a source checkout).

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
    if GUIDE.is_file() and Path(path) == RESULTS_FILE:
        _replace(GUIDE, refresh_guide(GUIDE.read_text(encoding="utf-8"), path))
        print(f"rewrote the tables of {GUIDE}")
    return Path(path)


def refresh_guide(text: str, path=RESULTS_FILE) -> str:
    """`text` with every region <!-- results NAME [quick] [keys="a;b"] --> ... <!-- /results -->
    rewritten from the results file (keys: the numbers whose names contain one of a, b)."""

    def table(match):
        opening, name, quick, keys, _, closing = match.groups()
        mode = "quick" if quick else "full"
        if name not in read(path)[mode]:
            command = f"tinygrad-bn demo --results {name} --mode {mode}"
            return f"{opening}*Not recorded yet: `{command}` records it.*\n{closing}"
        sweep, chosen = read(path)[mode][name], None
        if keys is not None:  # keys="" chooses none: the claims alone
            parts = [part for part in keys.split(";") if part]
            chosen = [k for k in sweep["numbers"] if any(part in k for part in parts)]
        return opening + markdown(name, mode, chosen, path) + "\n" + closing

    return REGION.sub(table, text)


def markdown(name, mode="full", keys=None, path=RESULTS_FILE) -> str:
    """The guide's table for one experiment: each number's mean ± sd, then each claim's count
    as "- [k of n] claim" ("- [k of n, quick] claim" for the quick sweep)."""
    from .seeds import format_spread

    sweep = read(path)[mode][name]
    seeds = ", ".join(map(str, sweep["seeds"]))
    keys = sorted(sweep["numbers"] if keys is None else keys, key=_natural)
    lines = [f"| {name}, seeds {seeds} | mean ± sd |", "|---|---|"] if keys else []
    for key in keys:
        lines.append(f"| {key.replace('|', '&#124;')} | {format_spread(sweep['numbers'][key])} |")
    tag = "" if mode == "full" else ", quick"
    if keys:
        lines.append("")
    for sentence, held in sweep["claims"].items():
        lines.append(f"- [{sum(held)} of {len(held)}{tag}] {sentence}")
    return "\n".join(lines)


def _natural(key: str) -> list:
    """Sort key that reads numbers as numbers: lr 3 before lr 10, layer 2 before layer 10."""
    parts = re.split(r"(\d+(?:\.\d+)?)", key)
    return [(0, float(p), "") if i % 2 else (1, 0.0, p) for i, p in enumerate(parts)]
