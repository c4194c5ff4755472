"""`warehouse catalog load`: fill the product catalog database from the lake's exports."""

from __future__ import annotations

import argparse
from pathlib import Path

from warehouse import log
from warehouse.catalog.duckdb_attach import DSN_VARIABLE, catalog_dsn
from warehouse.catalog.load import CatalogLoadError, load_catalog
from warehouse.commands import Subparsers
from warehouse.config import ConfigError, Settings


def _load(args: argparse.Namespace) -> int:
    dsn = args.dsn or catalog_dsn()
    if not dsn:
        raise ConfigError(f"no catalog database: pass --dsn or set {DSN_VARIABLE}")
    settings = Settings.from_env()
    lake_root = Path(args.lake_root or settings.lake_root)
    try:
        count = load_catalog(dsn, lake_root, table=args.table)
    except CatalogLoadError as exc:
        log.get("catalog").error("%s", exc)
        return 1
    log.get("catalog").info("catalog: %d products upserted into %s", count, args.table)
    return 0


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("catalog", help="the product catalog database (PostgreSQL)")
    actions = parser.add_subparsers(dest="catalog_action", required=True, metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="create/upsert the catalog table from the lake's catalog exports",
        description=(
            "Upsert the latest version of every product from <lake>/raw/products into PostgreSQL. "
            f"The database comes from --dsn or {DSN_VARIABLE}; the password from PGPASSWORD or ~/.pgpass."
        ),
    )
    load.add_argument("--dsn", help=f"libpq connection string (default: ${DSN_VARIABLE})")
    load.add_argument("--lake-root", help="lake root (default: the configured lake)")
    load.add_argument("--table", default="public.products", help="target table (default: public.products)")
    load.set_defaults(func=_load)
