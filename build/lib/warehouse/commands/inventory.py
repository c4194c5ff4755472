"""`warehouse inventory tier`: offload inventory movement history older than a horizon to the lake's cold tier.

Runs the dbt operation `tier_inventory_history` in this process (macros/inventory/tier_inventory_history.sql):
on Redshift an UNLOAD to Parquet in S3 (the Spectrum table `inventory_movements_cold`), on DuckDB a
COPY ... TO Parquet under <lake root>/cold/inventory_movements/; then the offloaded movements are deleted
from the hot table. Idempotent; the history totals (hot + cold) are checked unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import replace
from typing import Any

from warehouse import log
from warehouse.build.dbt_runner import run_operation
from warehouse.build.duckdb_counts import DuckDBLockedError, ensure_unlocked
from warehouse.commands import Subparsers
from warehouse.config import Settings

logger = log.get("inventory")

OPERATION = "tier_inventory_history"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("inventory", help="inventory operations: hot/cold tiering of the history")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    tier = actions.add_parser(
        "tier",
        help="offload movement history older than the horizon to Parquet in the lake (idempotent)",
        description="Write the inventory movements that happened before the first day of the month "
        "HORIZON months before --as-of to the cold tier (Parquet in the lake: UNLOAD on Redshift, COPY TO on "
        "DuckDB), then delete them from the hot table. int_inventory_movements_history still shows them. "
        "Reruns are safe; the history's totals are checked unchanged.",
    )
    tier.add_argument(
        "--horizon-months",
        type=_positive_months,
        default=None,
        help="keep this many months hot (default: the dbt var inventory_hot_months, 36)",
    )
    tier.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="date the horizon counts back from (default: today)",
    )
    tier.add_argument("--dry-run", action="store_true", help="count what would be offloaded, change nothing")
    tier.add_argument("--target", choices=("local", "redshift"), default=None, help="dbt target")
    tier.set_defaults(func=_tier)


def _positive_months(text: str) -> int:
    """At least one month stays hot: 0 or a negative horizon would offload (and delete from the hot table)
    the whole history, the current month included."""
    try:
        months = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of months") from None
    if months < 1:
        raise argparse.ArgumentTypeError(f"{months}: keep at least 1 month hot (the default is 36)")
    return months


def operation_args(horizon_months: int | None, as_of: dt.date | None, dry_run: bool) -> dict[str, Any]:
    """The macro's arguments; unset ones are left to the macro's defaults."""
    arguments: dict[str, Any] = {"dry_run": dry_run}
    if horizon_months is not None:
        arguments["horizon_months"] = horizon_months
    if as_of is not None:
        arguments["as_of"] = as_of.isoformat()
    return arguments


def run_tier(
    settings: Settings, horizon_months: int | None = None, as_of: dt.date | None = None, dry_run: bool = False
) -> int:
    """Run the tier operation on `settings.target`; 0 on success."""
    settings.apply_to_environ()
    if settings.target == "local":
        try:
            ensure_unlocked(settings.duckdb_path)
        except DuckDBLockedError as exc:
            logger.error("%s", exc)
            return 1
        if not settings.duckdb_path.exists():
            logger.error("no warehouse at %s: run `warehouse build` first", settings.duckdb_path)
            return 1
    arguments = operation_args(horizon_months, as_of, dry_run)
    result = run_operation(OPERATION, arguments, settings.project_dir, settings.target)
    if not result.success:
        logger.error("%s failed: %s", OPERATION, result.exception or "see the dbt log above")
        return 1
    return 0


def _tier(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    settings = replace(settings, target=args.target or settings.target)
    return run_tier(settings, args.horizon_months, args.as_of, args.dry_run)
