"""Row counts read from the local DuckDB file after dbt has finished, and the check that it is not locked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse import log
from warehouse.build.manifest import NO_REASON, REJECTION_COLUMN
from warehouse.build.summary import Relation

logger = log.get("build")

_LOCK_MESSAGE = "Could not set lock on file"
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class DuckDBLockedError(Exception):
    """Another process holds the DuckDB file open, so dbt cannot write to it."""

    def __init__(self, path: Path, detail: str) -> None:
        match = _LOCK_HOLDER.search(detail)
        holder = f"process {match['pid']} ({match['program']})" if match else "another process"
        super().__init__(
            f"{path} is locked by {holder}. DuckDB lets one process write to a file at a time: close it "
            "(a duckdb shell, a notebook, another `warehouse` command) and run the build again."
        )


def is_lock_error(message: str) -> bool:
    return _LOCK_MESSAGE in message


def ensure_unlocked(path: Path) -> None:
    """Open the file for writing and close it at once, so a lock shows up before dbt parses the project."""
    if not path.exists():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.Error as exc:
        if is_lock_error(str(exc)):
            raise DuckDBLockedError(path, str(exc)) from exc
        raise


@dataclass(frozen=True)
class RowCounts:
    rows: dict[str, int | None] = field(default_factory=dict)
    rejections: dict[str, dict[str, int]] = field(default_factory=dict)


def count_rows(path: Path, relations: Iterable[Relation]) -> RowCounts:
    """Count each relation's rows, and group quarantine models' rows by their rejection reason.

    The file is opened read-only. A relation that cannot be read (e.g. a view over an S3 lake this
    connection has no credentials for) gets `None` and a warning instead of failing the summary.
    """
    relations = tuple(relations)
    counts = RowCounts()
    if not relations or not path.exists():
        return counts
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        if is_lock_error(str(exc)):
            logger.warning("rows not counted: %s", DuckDBLockedError(path, str(exc)))
        else:
            logger.warning("rows not counted: cannot open %s: %s", path, exc)
        return counts
    with connection:
        for relation in relations:
            try:
                row = connection.execute(f"select count(*) from {relation.sql_name}").fetchone()
                counts.rows[relation.unique_id] = int(row[0]) if row else 0
                if relation.quarantine_source is not None:
                    counts.rejections[relation.unique_id] = _rejections(connection, relation)
            except duckdb.Error as exc:
                logger.warning("could not count %s: %s", relation.sql_name, str(exc).splitlines()[0])
                counts.rows[relation.unique_id] = None
    return counts


def _rejections(connection: duckdb.DuckDBPyConnection, relation: Relation) -> dict[str, int]:
    rows = connection.execute(
        f"select cast({REJECTION_COLUMN} as varchar), count(*) from {relation.sql_name} group by 1"
    ).fetchall()
    reasons: dict[str, int] = {}
    for reason, count in rows:
        key = NO_REASON if reason is None else str(reason)
        reasons[key] = reasons.get(key, 0) + int(count)
    return reasons
