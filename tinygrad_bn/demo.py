"""`tinygrad-bn demo`: the BatchNorm tour, or one experiment from the lessons.

tinygrad-bn demo                         the tour (under a minute): trains with and without
                                         BatchNorm, checks composed == fused, draws graphs
tinygrad-bn demo --list                  the experiments
tinygrad-bn demo with-without --quick    one experiment (by name or number), quick mode
"""

import argparse
import sys
from pathlib import Path

from . import experiments
from .experiments.common import REPORT_ROOT
from .safe_write import staged_folder


def configure(parser):
    parser.add_argument(
        "name",
        nargs="?",
        help="experiment to run, by name or number (see --list); leave out for the tour",
    )
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument(
        "--quick", action="store_true", help="fewer steps: seconds instead of minutes"
    )
    parser.add_argument(
        "--data",
        metavar="FILE",
        help="names file, one name per line (default: the shipped census names)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=42,
        help="seed for the train/val/test split and the initial weights",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="report folder (default: ./tinygrad-bn-report, or ./tinygrad-bn-report/NAME)",
    )


def run(args) -> int:
    if args.list:
        for i, (name, (_, description)) in enumerate(experiments.EXPERIMENTS.items(), 1):
            print(f"  {i}  {name:<14} {description}")
        print(
            "\nrun one with: tinygrad-bn demo NAME [--quick] [--data FILE] [--seed N] [--out DIR]"
        )
        return 0
    if args.name is None:
        module, folder = experiments.load("tour"), REPORT_ROOT
    else:
        try:
            module = experiments.load(args.name)
        except KeyError as error:
            print(f"tinygrad-bn demo: {error.args[0]}", file=sys.stderr)
            return 2
        folder = REPORT_ROOT / experiments.resolve(args.name)
    folder = Path(args.out) if args.out else folder
    if folder.exists() and not folder.is_dir():
        print(
            f"tinygrad-bn demo: --out {folder} is a file, not a folder; give a folder name "
            "(it is created if missing)",
            file=sys.stderr,
        )
        return 2
    try:
        with staged_folder(folder) as stage:  # the report appears whole, or the old one stays
            module.run(quick=args.quick, data=args.data, seed=args.seed, out=stage)
    except (OSError, ValueError) as error:
        print(f"tinygrad-bn demo: {error}", file=sys.stderr)
        return 1
    return 0


def main(name=None, argv=None) -> int:
    """Run one experiment from a script (demos/NN_name.py): `main("with-without")` reads
    --quick, --data, --seed and --out from the command line; `main()` runs the tour."""
    parser = argparse.ArgumentParser(
        prog=f"demo {name or ''}".strip(), description=__doc__.splitlines()[0]
    )
    configure(parser)
    argv = sys.argv[1:] if argv is None else list(argv)
    return run(parser.parse_args(([name] if name else []) + argv))
