"""`warehouse checksums`: row counts and order-independent content checksums of a schema's tables, on the
local DuckDB warehouse or (--target redshift) on the cluster through the Data API. What a checksum is, and
why the two engines' values are not comparable with each other, is in warehouse/checksums.py.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from warehouse.checksums import table_checksums
from warehouse.commands import Subparsers
from warehouse.config import ConfigError, Settings


def _run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.target == "redshift":
        if args.database:
            raise ConfigError("--database names a DuckDB file: leave it out with --target redshift")
        return _redshift(args)
    database = Path(args.database) if args.database else settings.duckdb_path
    checksums = table_checksums(database, args.schema)
    if not checksums:
        raise ConfigError(f"{database} has no table in schema {args.schema!r} (a typo, or a warehouse not built yet)")
    _print(checksums, args.json)
    return 0


def _redshift(args: argparse.Namespace) -> int:
    from warehouse.aws.command_support import make_runner, reports_errors, require_settings
    from warehouse.aws.settings import AwsSettings
    from warehouse.doctor.registry import Use

    @reports_errors
    def run(args: argparse.Namespace) -> int:
        require_settings(Use.OPS)
        checksums = table_checksums(make_runner(AwsSettings.from_env(), name="checksums"), args.schema)
        if not checksums:
            raise ConfigError(f"the cluster has no table in schema {args.schema!r} (a typo, or not built yet)")
        _print(checksums, args.json)
        return 0

    return run(args)


def _print(checksums: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps({name: asdict(value) for name, value in checksums.items()}, indent=2))
        return
    width = max((len(name) for name in checksums), default=5)
    for name, value in checksums.items():
        print(f"{name:<{width}}  {value.rows:>12,}  {value.checksum}")


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "checksums",
        help="row counts and content checksums of the warehouse's tables",
        description="Row counts and order-independent checksums of every table in a schema: the local DuckDB "
        "warehouse, or Redshift (--target redshift, through the Data API; the settings of `warehouse ops`). "
        "Values compare tables of one engine: each engine hashes rows its own way.",
    )
    parser.add_argument("--schema", default="gold", help="schema to checksum (default: gold)")
    parser.add_argument("--database", help="DuckDB file (default: the local warehouse)")
    parser.add_argument(
        "--target",
        choices=("local", "redshift"),
        default="local",
        help="engine (default: local, whatever WAREHOUSE_TARGET is)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_run)
