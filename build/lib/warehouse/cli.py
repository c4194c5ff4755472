"""The `warehouse` command line: one entry point, one subcommand per concern."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from warehouse import __version__, log
from warehouse.config import ConfigError

# Each module exposes `register(subparsers)`, which adds its subcommand and sets `func(args) -> int`.
COMMAND_MODULES: tuple[str, ...] = (
    "warehouse.commands.generate",
    "warehouse.commands.build",
    "warehouse.commands.checksums",
    "warehouse.commands.catalog",
    "warehouse.commands.verify",
    "warehouse.commands.lint",
    "warehouse.commands.stream",
    "warehouse.commands.inventory",
    "warehouse.commands.bench",
    "warehouse.commands.spectrum",
    "warehouse.commands.copy",
    "warehouse.commands.unload",
    "warehouse.commands.ops",
    "warehouse.commands.doctor",
    "warehouse.commands.alerts",
    "warehouse.commands.share",
)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warehouse", description="GlobalRetail medallion warehouse tooling.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    log.setup(verbose=args.verbose)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        log.get("cli").error("configuration error: %s", exc)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
