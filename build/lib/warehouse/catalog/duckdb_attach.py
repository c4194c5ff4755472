"""Attach the product catalog's PostgreSQL database to a DuckDB connection, offline.

When WAREHOUSE_CATALOG_DSN is set (a libpq connection string or URI, e.g.
`host=127.0.0.1 port=5432 dbname=catalog user=warehouse`; the password from PGPASSWORD or ~/.pgpass, never
from the repository), the postgres extension is installed from its PyPI wheel (`INSTALL` would download it),
loaded, and the database attached read-only as `catalog_db`. Bronze then reads the catalog live
(models/bronze/catalog). Without the variable nothing happens and bronze reads the lake's catalog exports.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

ATTACH_ALIAS = "catalog_db"
DSN_VARIABLE = "WAREHOUSE_CATALOG_DSN"


class CatalogAttachError(RuntimeError):
    """The catalog database could not be attached; the message says what to check."""


def catalog_dsn(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(DSN_VARIABLE, "").strip()


def attach_catalog(conn: Any, dsn: str) -> None:
    """Install (from the wheel) and load the postgres extension, then attach `dsn` read-only."""
    import duckdb_extensions

    duckdb_extensions.import_extension("postgres_scanner", con=conn)
    conn.execute("load postgres_scanner")
    attached = {row[0] for row in conn.execute("select database_name from duckdb_databases()").fetchall()}
    if ATTACH_ALIAS in attached:
        return
    escaped = dsn.replace("'", "''")
    try:
        conn.execute(f"attach '{escaped}' as {ATTACH_ALIAS} (type postgres, read_only)")
    except Exception as exc:  # duckdb raises several error types for connection problems
        raise CatalogAttachError(
            f"cannot attach the product catalog database ({DSN_VARIABLE}): {exc}. "
            "Check the host, port, database and user, and that the password is in PGPASSWORD or ~/.pgpass."
        ) from exc
