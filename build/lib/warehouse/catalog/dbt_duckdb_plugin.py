"""dbt-duckdb plugin (profiles.yml `plugins`): attach the live product catalog when one is configured."""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from warehouse.catalog.duckdb_attach import attach_catalog, catalog_dsn


class Plugin(BasePlugin):  # type: ignore[misc]
    def configure_connection(self, conn: Any) -> None:
        dsn = catalog_dsn()
        if dsn:
            attach_catalog(conn, dsn)
