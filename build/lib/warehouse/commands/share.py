"""`warehouse share`: a masked copy of a local warehouse, to hand to someone who may not see personal data.

DuckDB has no roles: whoever has the warehouse file reads every column. This writes a separate DuckDB file
with what one Redshift role may read (the models whose grants name it), personal-data columns masked by
the same expressions as the Redshift masking policies (macros/access/share_masked.sql, docs/access.md).
The file is written next to its destination and moved into place only when complete, so a failed share
leaves nothing half-written, and the warehouse file itself is never a destination.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from warehouse import log
from warehouse.build.dbt_runner import run_operation
from warehouse.build.duckdb_counts import DuckDBLockedError, ensure_unlocked
from warehouse.commands import Subparsers
from warehouse.config import Settings

logger = log.get("share")

OPERATION = "share_masked"
DEFAULT_ROLE = "globalretail_analyst"


class ShareError(Exception):
    """The share cannot be written (the message says why)."""


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "share",
        help="write a DuckDB file with what one role may read, personal data masked (local warehouse)",
        description="Write a separate DuckDB file holding the models a Redshift role may read (their grants: "
        "config), as tables, with every personal-data column (meta pii) masked as the Redshift masking "
        "policies mask it. Its table main.share_manifest lists the relations, row counts and masked columns.",
    )
    parser.add_argument("--out", type=Path, required=True, help="the DuckDB file to write")
    parser.add_argument("--role", default=DEFAULT_ROLE, help=f"share what this role reads (default {DEFAULT_ROLE})")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    settings = replace(Settings.from_env(), target="local")
    try:
        shared = write_share(settings, args.out, args.role, args.force)
    except (ShareError, DuckDBLockedError) as exc:
        logger.error("%s", exc)
        return 1
    report(shared, args.out)
    return 0


def _check_destination(settings: Settings, out: Path, force: bool) -> Path:
    destination = out.expanduser().resolve()
    warehouse = settings.duckdb_path.resolve()
    if destination in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        raise ShareError(f"--out {out} is the warehouse file itself: choose another file")
    if destination.exists() and not force:
        raise ShareError(f"{destination} exists: pass --force to replace it")
    if destination.exists() and not destination.is_file():
        raise ShareError(f"{destination} is not a file")
    return destination


def write_share(settings: Settings, out: Path, role: str, force: bool = False) -> list[tuple[str, int, list[str]]]:
    """Write the share of `role` to `out`; (relation, rows, masked columns) of each table it holds."""
    destination = _check_destination(settings, out, force)
    if not settings.duckdb_path.exists():
        raise ShareError(f"no warehouse at {settings.duckdb_path}: run `warehouse build` first")
    ensure_unlocked(settings.duckdb_path)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    settings.apply_to_environ()
    try:
        result = run_operation(OPERATION, {"path": str(partial), "role": role}, settings.project_dir, "local")
        if not result.success:
            raise ShareError(f"{OPERATION} failed: {result.exception or 'see the dbt log above'}")
        shared = _manifest_of(partial)
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    logger.info("wrote %s: %d relations shared as %s", destination, len(shared), role)
    return shared


def _manifest_of(path: Path) -> list[tuple[str, int, list[str]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select relation, row_count, masked_columns from share_manifest order by relation"
        ).fetchall()
    finally:
        con.close()
    return [(str(relation), int(count), list(masked)) for relation, count, masked in rows]


def report(shared: list[tuple[str, int, list[str]]], out: Path) -> None:
    table = Table(title=f"share {out}")
    table.add_column("relation")
    table.add_column("rows", justify="right")
    table.add_column("masked columns")
    for relation, count, masked in shared:
        table.add_row(relation, f"{count:,}", ", ".join(masked))
    Console(highlight=False).print(table)
