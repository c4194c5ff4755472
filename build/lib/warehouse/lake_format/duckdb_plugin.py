"""dbt-duckdb plugin (profiles.yml `plugins`): the lake's text readers on every DuckDB connection.

Registers `lake_csv_fields(line)`, opencsv's parser for the CSV lines that need it, and the temporary table
macros of readers.sql (lake_lines, lake_text_lines, lake_csv_lines) that the bronze sources read through.
Temporary macros belong to one connection, so every cursor dbt opens gets them too.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from warehouse.lake_format import opencsv_fields

READERS_SQL = "readers.sql"


def readers_sql() -> str:
    return resources.files(__package__).joinpath(READERS_SQL).read_text(encoding="utf-8")


def register_readers(conn: Any) -> None:
    """The readers on one DuckDB connection (the function once per database instance, the macros on
    this connection)."""
    if not _has_function(conn, "lake_csv_fields"):
        conn.create_function("lake_csv_fields", opencsv_fields, ["VARCHAR"], "VARCHAR[]", side_effects=False)
    conn.execute(readers_sql())


def _has_function(conn: Any, name: str) -> bool:
    rows = conn.execute("select 1 from duckdb_functions() where function_name = ? limit 1", [name]).fetchall()
    return bool(rows)


class Plugin(BasePlugin):  # type: ignore[misc]
    def configure_connection(self, conn: Any) -> None:
        register_readers(conn)

    def configure_cursor(self, cursor: Any) -> None:
        register_readers(cursor)
