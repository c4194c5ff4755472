"""dbt-duckdb plugin (profiles.yml `plugins: [{module: warehouse.aws.s3_lake_plugin, alias: s3_lake}]`).

When the lake is on S3 it loads httpfs offline and creates the S3 secret from the environment (see
duckdb_s3.py); otherwise it does nothing, so local runs are unchanged.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from warehouse.aws.duckdb_s3 import configure_s3


class Plugin(BasePlugin):  # type: ignore[misc]
    def configure_connection(self, conn: Any) -> None:
        configure_s3(conn)
