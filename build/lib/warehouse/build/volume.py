"""What the volume guard stopped, in words a user can act on.

Every silver table that feeds gold carries the `volume_guard` test (tests/generic/volume_guard.sql): it
fails when the model holds fewer than `volume_guard_min_ratio` (0.5) times its rows at the last build
recorded in `meta.model_row_counts` (the on-run-end hook record_model_row_counts appends one row per built
table per run, but not the count of a model whose guard failed). A truncated export or a wrong partition
still has files, so the lake preflight lets it through; the guard stops it, and `dbt build` skips every
node built from the model, so gold and the snapshots keep their previous content.

dbt itself only says "Got 1 result". This module names, for each failed guard, the model, both counts (on
DuckDB, by running the test's compiled query again read-only), the sources it is built from, and the gold
models and snapshots that were not rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.build.manifest import Json, find_node, layer_of, results

TEST_NAME = "volume_guard"
ACCEPT_VAR = "accept_volume_drop"
ACCEPT_FLAG = "--accept-volume-drop"
HISTORY_TABLE = "meta.model_row_counts"


@dataclass(frozen=True)
class VolumeDrop:
    relation: str
    sources: tuple[str, ...]
    not_rebuilt: tuple[str, ...]
    rows_now: int | None = None
    rows_before: int | None = None
    recorded_at: str | None = None
    min_ratio: float | None = None

    def describe(self) -> str:
        if self.rows_now is not None and self.rows_before is not None:
            ratio = f" (the guard's minimum is {self.min_ratio:g} x {self.rows_before:,})" if self.min_ratio else ""
            counts = (
                f"{self.relation} holds {self.rows_now:,} rows now, {self.rows_before:,} at the last recorded "
                f"build ({self.recorded_at}){ratio}"
            )
        else:
            counts = (
                f"{self.relation} holds far fewer rows than at the last recorded build (both counts: the "
                f"failing row of its {TEST_NAME} test; the history is in {HISTORY_TABLE})"
            )
        lines = [counts]
        if self.sources:
            lines.append("built from " + ", ".join(self.sources))
        if self.not_rebuilt:
            lines.append("not rebuilt, so they keep their previous content: " + ", ".join(self.not_rebuilt))
        return "\n    ".join(lines)


def _relation(node: Json) -> str:
    return f"{node.get('schema')}.{node.get('alias') or node.get('name')}"


def _describe_source(node: Json) -> str:
    location = (node.get("external") or {}).get("location")
    name = f"source {node.get('source_name')}.{node.get('name')}"
    return f"{name} (lake folder {location})" if location else name


def sources_of(manifest: Json, unique_id: str) -> tuple[str, ...]:
    """Every source `unique_id` is built from, at any distance, described."""
    seen: set[str] = set()
    pending = [unique_id]
    found: list[str] = []
    while pending:
        node = find_node(manifest, pending.pop())
        for parent in (node or {}).get("depends_on", {}).get("nodes", []):
            if parent in seen:
                continue
            seen.add(parent)
            parent_node = find_node(manifest, parent)
            if parent_node is None:
                continue
            if parent_node.get("resource_type") == "source":
                found.append(_describe_source(parent_node))
            else:
                pending.append(parent)
    return tuple(sorted(found))


def _descendants(manifest: Json, unique_id: str) -> set[str]:
    children: dict[str, list[str]] = manifest.get("child_map", {})
    seen: set[str] = set()
    pending = [unique_id]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen


def not_rebuilt(manifest: Json, run_results: Json, unique_id: str) -> tuple[str, ...]:
    """The gold models and snapshots built from `unique_id` that this run skipped."""
    below = _descendants(manifest, unique_id)
    skipped = []
    for result in results(run_results):
        node = find_node(manifest, result["unique_id"]) if result["unique_id"] in below else None
        if node is None or result.get("status") != "skipped":
            continue
        kept = node.get("resource_type") == "snapshot" or (
            node.get("resource_type") == "model" and layer_of(node) == "gold"
        )
        if kept:
            skipped.append(_relation(node))
    return tuple(sorted(skipped))


def _measure(database: Path, sql: str) -> dict[str, Any] | None:
    """The failing row of a guard's compiled query, read again from the DuckDB file (None if it cannot)."""
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error:
        return None
    try:
        cursor = con.execute(sql)
        row = cursor.fetchone()
        columns = [column[0] for column in cursor.description or []]
    except duckdb.Error:
        return None
    finally:
        con.close()
    return None if row is None else dict(zip(columns, row, strict=True))


def _failed_guards(manifest: Json, run_results: Json) -> Iterable[tuple[Json, Json]]:
    for result in results(run_results):
        if result.get("status") not in {"fail", "error"}:
            continue
        test = find_node(manifest, result["unique_id"]) or {}
        if (test.get("test_metadata") or {}).get("name") == TEST_NAME:
            yield test, result


def volume_drops(manifest: Json, run_results: Json, database: Path | None = None) -> list[VolumeDrop]:
    """One VolumeDrop per failed volume guard of this run; counts only with `database` (DuckDB)."""
    drops = []
    for test, result in _failed_guards(manifest, run_results):
        model_id = str(test.get("attached_node") or "")
        model = find_node(manifest, model_id) or {"name": model_id}
        row = _measure(database, str(result.get("compiled_code") or "")) if database is not None else None
        drops.append(
            VolumeDrop(
                relation=_relation(model),
                sources=sources_of(manifest, model_id),
                not_rebuilt=not_rebuilt(manifest, run_results, model_id),
                rows_now=None if row is None else int(row["rows_now"]),
                rows_before=None if row is None else int(row["rows_before"]),
                recorded_at=None if row is None else str(row["recorded_at"]),
                min_ratio=None if row is None else float(row["min_ratio"]),
            )
        )
    return sorted(drops, key=lambda drop: drop.relation)


def explain(drops: list[VolumeDrop]) -> str:
    """The build's error message for the drops the guard stopped."""
    items = "\n".join(f"  - {drop.describe()}" for drop in drops)
    return (
        "the volume guard stopped the build before gold was rebuilt from far fewer rows:\n"
        f"{items}\n"
        "Check the sources named above (a truncated export, a wrong or half-copied partition): restore them "
        "and build again (`--full-refresh` if an incremental model must re-read restored files). If the drop "
        f"is meant, build with `warehouse build {ACCEPT_FLAG}`: the new counts become the reference."
    )
