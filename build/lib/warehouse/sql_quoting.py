"""Quoting names and values into SQL text, the same on DuckDB and Redshift (both follow PostgreSQL here)."""

from __future__ import annotations


class InvalidIdentifierError(ValueError):
    """A name that cannot be written as a quoted SQL identifier."""


def quote_literal(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """A quoted SQL identifier; `schema.table` quotes each part."""
    parts = name.split(".")
    for part in parts:
        if not part or '"' in part or "\x00" in part:
            raise InvalidIdentifierError(f"invalid SQL identifier {name!r}")
    return ".".join(f'"{part}"' for part in parts)
