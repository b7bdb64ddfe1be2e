"""`tinygrad-bn demo`: the BatchNorm tour, or one experiment from the lessons.

tinygrad-bn demo                         the tour: trains with and without BatchNorm
                                         (seeds 42, 7, 1), checks composed == fused, draws graphs
tinygrad-bn demo --list                  the experiments
tinygrad-bn demo with-without            one experiment (by name or number), over 3 seeds
tinygrad-bn demo with-without --quick    the same, short, one seed, on the small census names
tinygrad-bn demo --results               rerun everything; record it in the results file
"""

import argparse
import sys
from pathlib import Path

from . import experiments
from .experiments.common import REPORT_ROOT
from .experiments.seeds import FULL_SEEDS
from .safe_write import staged_folder


def configure(parser):
    parser.add_argument(
        "name",
        nargs="?",
        help="experiment to run, by name or number (see --list); leave out for the tour",
    )
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument(
        "--quick", action="store_true", help="fewer steps, one seed: seconds instead of minutes"
    )
    parser.add_argument(
        "--data",
        metavar="FILE",
        help="names file, one name per line, or 'makemore' / 'census' (the shipped lists; "
        "default: makemore, census with --quick)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="run this one seed (the train/val/test split, initial weights and batches)",
    )
    parser.add_argument(
        "--seeds",
        metavar="LIST",
        help=f"comma-separated seeds (default: {','.join(map(str, FULL_SEEDS))}; 42 with --quick)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="report folder (default: ./tinygrad-bn-report, or ./tinygrad-bn-report/NAME)",
    )
    parser.add_argument(
        "--results",
        nargs="?",
        const="",
        metavar="FILE",
        help="rerun every experiment (or NAME) over its seeds, full and quick, and record the "
        "numbers in FILE (default: the package's experiments/results.json)",
    )
    parser.add_argument(
        "--mode",
        choices=("full", "quick", "both"),
        default="both",
        help="with --results: the full runs, the 8-seed quick sweep, or both (default)",
    )


def seed_list(args) -> list[int]:
    """--seed N: [N]; --seeds a,b,c: those; otherwise 42, 7, 1 (42 alone with --quick)."""
    if args.seed is not None and args.seeds:
        raise ValueError("give --seed N or --seeds a,b,c, not both")
    if args.seed is not None:
        return [args.seed]
    if not args.seeds:
        return [42] if args.quick else list(FULL_SEEDS)
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        message = f"--seeds takes whole numbers separated by commas, got {args.seeds!r}"
        raise ValueError(message) from None
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds has a seed twice ({args.seeds}); list each once")
    return seeds


def run(args) -> int:
    from .experiments import results, seeds

    if args.list:
        for i, (name, (_, description)) in enumerate(experiments.EXPERIMENTS.items(), 1):
            print(f"  {i:>2}  {name:<14} {description}")
        print(
            "\nrun one with: tinygrad-bn demo NAME [--quick] [--data FILE] [--seeds 42,7,1] "
            "[--out DIR]"
        )
        return 0
    try:
        name = "tour" if args.name is None else experiments.resolve(args.name)
    except KeyError as error:
        print(f"tinygrad-bn demo: {error.args[0]}", file=sys.stderr)
        return 2
    if args.mode != "both" and args.results is None:
        print(
            "tinygrad-bn demo: --mode goes with --results (e.g. --results --mode quick)",
            file=sys.stderr,
        )
        return 2
    folder = REPORT_ROOT if name == "tour" else REPORT_ROOT / name
    folder = Path(args.out) if args.out else folder
    if folder.exists() and not folder.is_dir():
        print(
            f"tinygrad-bn demo: --out {folder} is a file, not a folder; give a folder name "
            "(it is created if missing)",
            file=sys.stderr,
        )
        return 2
    try:
        if args.results is not None:
            modes = results.MODES if args.mode == "both" else (args.mode,)
            names = None if args.name is None else [name]
            results.regenerate(names, modes, args.results or results.RESULTS_FILE, args.out)
            return 0
        chosen = seed_list(args)
        with staged_folder(folder) as stage:  # the report appears whole, or the old one stays
            seeds.run_seeds(experiments.load(name), name, chosen, args.quick, args.data, stage)
    except (OSError, ValueError) as error:
        print(f"tinygrad-bn demo: {error}", file=sys.stderr)
        return 1
    if args.quick:
        for line in results.quick_note(name):
            print(line)
    return 0


def main(name=None, argv=None) -> int:
    """Run one experiment from a script (demos/NN_name.py): `main("with-without")` reads
    --quick, --data, --seed(s) and --out from the command line; `main()` runs the tour."""
    parser = argparse.ArgumentParser(
        prog=f"demo {name or ''}".strip(), description=__doc__.splitlines()[0]
    )
    configure(parser)
    argv = sys.argv[1:] if argv is None else list(argv)
    return run(parser.parse_args(([name] if name else []) + argv))
