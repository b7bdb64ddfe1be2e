"""The `tinygrad-bn` command: each subcommand lives in the module that owns it.

A subcommand module has `configure(parser)` (add its arguments) and
`run(args) -> int` (the exit code). Modules are imported only when chosen.
Ctrl-C in any subcommand prints one line and exits with 130, never a traceback.
"""

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "demo": ("tinygrad_bn.demo", "train with and without BatchNorm, render graphs, write a report"),
    "graph": ("tinygrad_bn.viz_examples", "render a ready-made computation graph to SVG or PNG"),
    "exercises": ("tinygrad_bn.exercises.cli", "backprop-by-hand exercises and their checker"),
}


INTERRUPTED = (
    "tinygrad-bn {}: interrupted (Ctrl-C); every file is either the old one or the new one"
)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="tinygrad-bn",
        description="Learn backpropagation and BatchNorm by reading and running them.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in SUBCOMMANDS.items():
        commands.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] not in SUBCOMMANDS:
        parser.parse_args(argv)  # prints help or a usage error
        parser.print_help()
        return 2
    try:
        module = importlib.import_module(SUBCOMMANDS[argv[0]][0])
        sub = argparse.ArgumentParser(
            prog=f"tinygrad-bn {argv[0]}", description=SUBCOMMANDS[argv[0]][1]
        )
        module.configure(sub)
        return module.run(sub.parse_args(argv[1:]))
    except KeyboardInterrupt:
        print(INTERRUPTED.format(argv[0]), file=sys.stderr)
        return 130  # 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C


if __name__ == "__main__":
    sys.exit(main())
