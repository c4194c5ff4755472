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
    "warehouse.generate.command",
    "warehouse.build",
    "warehouse.checksums",
    "warehouse.catalog.command",
    "warehouse.verify",
    "warehouse.lint",
    "warehouse.stream.command",
    "warehouse.inventory.command",
    "warehouse.bench.command",
    "warehouse.aws.spectrum",
    "warehouse.aws.copy",
    "warehouse.aws.unload",
    "warehouse.aws.ops.command",
    "warehouse.doctor.command",
    "warehouse.alerts",
    "warehouse.share",
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
