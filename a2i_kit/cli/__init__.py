"""The ``a2i-kit`` command line: one subcommand module per area.

Example:
    $ a2i-kit serve --port 8443
    $ a2i-kit template lint my-task.html --input sample.json
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from a2i_kit.errors import A2IKitError

# Each module defines ``register(subparsers)`` and sets ``func`` on its parsers.
SUBCOMMAND_MODULES = ("serve", "template", "review", "demo", "db", "admin", "doctor")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="a2i-kit", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"a2i_kit.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except A2IKitError as exc:
        print(f"a2i-kit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `a2i-kit template list | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
