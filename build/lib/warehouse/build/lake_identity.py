"""Which lake a local warehouse was built from, so a build on another lake is stopped before it mixes them.

A generated lake says what it is in `_manifest/generation.json` (scale, seed, business dates). After a
successful build the warehouse keeps that identity in `meta.built_from_lake`. When the lake is regenerated
with another seed or scale, an incremental build would append the new lake's records to the old ones, and
even a `--full-refresh` would keep the old lake's snapshot rows as if they were history. So:
- a plain build on a different lake stops, and says what to do;
- `--full-refresh` on a different lake first drops the snapshot tables (snapshots are the history of one
  lake), then rebuilds everything from the new lake.
A lake without a generation manifest (real data) has no identity to compare; nothing is checked.

The lake is append-only, so the warehouse also keeps how many files each dataset folder held at its last
successful build (`meta.lake_files`). A folder with fewer files now (a deleted day, a half-synced copy) would
rebuild gold without their records, even with `--full-refresh`; the build stops, naming each folder, unless
`--accept-fewer-files` says the removal is meant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.generate.lake_manifest import MANIFEST_PATH

TABLE = "meta.built_from_lake"
FILES_TABLE = "meta.lake_files"
SNAPSHOT_SCHEMA = "snapshots"


class LakeChangedError(RuntimeError):
    """The warehouse was built from another lake."""


@dataclass(frozen=True)
class LakeIdentity:
    scale: str
    seed: int
    start_date: str
    end_date: str

    def describe(self) -> str:
        return f"scale {self.scale}, seed {self.seed}, {self.start_date} to {self.end_date}"


def lake_identity(lake_root: Path) -> LakeIdentity | None:
    path = lake_root / MANIFEST_PATH
    if not path.is_file():
        return None
    written: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    scale = written.get("scale") or {}
    return LakeIdentity(
        scale=str(scale.get("name", "")),
        seed=int(written.get("seed", 0)),
        start_date=str(scale.get("start_date", "")),
        end_date=str(scale.get("end_date", "")),
    )


def built_from(database: Path) -> LakeIdentity | None:
    """The identity the warehouse recorded at its last successful build, or None (new, or built before)."""
    if not database.exists():
        return None
    con = duckdb.connect(str(database), read_only=True)
    try:
        if not _meta_table_exists(con, TABLE):
            return None
        row = con.execute(f"select scale, seed, start_date, end_date from {TABLE}").fetchone()
    finally:
        con.close()
    return None if row is None else LakeIdentity(str(row[0]), int(row[1]), str(row[2]), str(row[3]))


def record(database: Path, identity: LakeIdentity) -> None:
    con = duckdb.connect(str(database))
    try:
        con.execute("create schema if not exists meta")
        con.execute(
            f"create or replace table {TABLE} as select ? as scale, ? as seed, ? as start_date, ? as end_date",
            [identity.scale, identity.seed, identity.start_date, identity.end_date],
        )
    finally:
        con.close()


def _meta_table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'meta' and table_name = ?",
        [table.split(".")[1]],
    ).fetchone()
    return bool(row and row[0])


def recorded_files(database: Path) -> dict[str, int]:
    """Files per lake folder (relative to the lake root) at the last successful build; empty if unknown."""
    if not database.exists():
        return {}
    con = duckdb.connect(str(database), read_only=True)
    try:
        if not _meta_table_exists(con, FILES_TABLE):
            return {}
        return {
            str(folder): int(files)
            for folder, files in con.execute(f"select folder, files from {FILES_TABLE}").fetchall()
        }
    finally:
        con.close()


def record_files(database: Path, counts: dict[str, int]) -> None:
    con = duckdb.connect(str(database))
    try:
        con.execute("create schema if not exists meta")
        con.execute(f"create or replace table {FILES_TABLE} (folder varchar, files bigint)")
        con.executemany(f"insert into {FILES_TABLE} values (?, ?)", sorted(counts.items()))
    finally:
        con.close()


def fewer_files(database: Path, counts: dict[str, int]) -> list[str]:
    """The folders holding fewer files than at the last successful build, described."""
    before = recorded_files(database)
    return [
        f"{folder}: {files:,} files now, {before[folder]:,} at the last build"
        for folder, files in sorted(counts.items())
        if folder in before and files < before[folder]
    ]


def check(database: Path, lake_root: Path, full_refresh: bool) -> LakeIdentity | None:
    """The lake's identity when the build may go on; raises LakeChangedError when it must not. With
    `full_refresh` on a different lake, the snapshot tables are dropped first."""
    current = lake_identity(lake_root)
    previous = built_from(database)
    if current is None or previous is None or current == previous:
        return current
    if not full_refresh:
        raise LakeChangedError(
            f"{database} was built from another lake ({previous.describe()}); the lake at {lake_root} is now "
            f"{current.describe()}. An incremental build would mix the two. Rebuild from the new lake with "
            "`warehouse build --full-refresh` (it also drops the snapshots, which hold the old lake's history), "
            "or point WAREHOUSE_DATA_DIR at a new folder."
        )
    drop_snapshots(database)
    return current


def drop_snapshots(database: Path) -> list[str]:
    con = duckdb.connect(str(database))
    try:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ?", [SNAPSHOT_SCHEMA]
            ).fetchall()
        ]
        for table in tables:
            con.execute(f'drop table "{SNAPSHOT_SCHEMA}"."{table}"')
    finally:
        con.close()
    return tables
