"""The ``codedml`` command: a parser built from the :mod:`codedml.experiments` modules, and the dispatch.

Building the parser imports no compiled kernel, no scipy and no galois (each command imports what it
needs when it runs), so ``codedml --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys

from codedml import __version__
from codedml.errors import CodedMLError
from codedml.experiments import admm, allocate, compare, distributed, tables, train
from codedml.experiments.options import CommandParser

#: The command modules, in the order ``codedml --help`` lists them.
COMMANDS = (compare, tables, allocate, train, admm, distributed)


def build_parser() -> argparse.ArgumentParser:
    """The ``codedml`` parser: ``--version`` and one subcommand per module of :data:`COMMANDS`."""
    parser = CommandParser(prog="codedml", description="Coded computing for straggler-tolerant ML.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``codedml`` command; return its exit status.

    A bad option exits with status 2 at parse time (``SystemExit``); a :class:`CodedMLError` raised
    later (a combination of options, a library check) returns 2. Either way stderr gets one line
    ``codedml: error: MESSAGE``.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CodedMLError as error:
        message = " ".join(str(error).split())
        print(f"codedml: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
