"""What to run on PostgreSQL, in what order, from the redshift manifest.

Every enabled seed, model and snapshot in DAG order (depends_on.nodes; ties by unique_id, so the order is
deterministic), then every enabled data test. Each node gets the action that stands in for what dbt-redshift
would run for its materialization on a first, full build:
- view: Redshift runs `create view ... with no schema binding`; here `create view`, then a full scan (a
  late-binding view fails when it is queried, so its errors are found where they are).
- table, incremental: `create table ... as`; with an enforced contract dbt's column type check, then
  `create table (columns)` and `insert`, as dbt-redshift does.
- materialized_view (the streaming ones): `create table ... as`, the view's content after its first refresh.
- snapshot: the first run's `create table ... as` (dbt's build_snapshot_table).
- seed: `create table (column_types)` and an insert per row, typed as dbt-redshift types an agate table.
- ephemeral: nothing; dbt inlines it into its dependents' compiled SQL.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

RUNNABLE = ("seed", "model", "snapshot")


@dataclass(frozen=True)
class PlannedNode:
    unique_id: str
    resource_type: str
    materialized: str
    schema: str
    identifier: str
    sql: str | None
    depends_on: tuple[str, ...]
    config: Mapping[str, Any] = field(default_factory=dict)
    node: Mapping[str, Any] = field(default_factory=dict)

    @property
    def relation(self) -> str:
        return f'"{self.schema}"."{self.identifier}"'

    @property
    def name(self) -> str:
        return str(self.node.get("name") or self.unique_id.rsplit(".", 1)[-1])

    @property
    def contract_enforced(self) -> bool:
        return bool((self.config.get("contract") or {}).get("enforced"))


def _enabled(node: Mapping[str, Any]) -> bool:
    return bool((node.get("config") or {}).get("enabled", True))


def _planned(unique_id: str, node: Mapping[str, Any]) -> PlannedNode:
    config = node.get("config") or {}
    return PlannedNode(
        unique_id=unique_id,
        resource_type=str(node["resource_type"]),
        materialized=str(config.get("materialized") or node["resource_type"]),
        schema=str(node.get("schema") or ""),
        identifier=str(node.get("alias") or node.get("identifier") or node.get("name")),
        sql=node.get("compiled_code"),
        depends_on=tuple((node.get("depends_on") or {}).get("nodes") or ()),
        config=config,
        node=node,
    )


def dag_order(nodes: Mapping[str, Any], wanted: Iterable[str]) -> list[str]:
    """`wanted` node ids in dependency order (Kahn's algorithm, smallest id first among the ready)."""
    wanted_set = set(wanted)
    parents = {
        uid: {p for p in (nodes[uid].get("depends_on") or {}).get("nodes") or () if p in wanted_set}
        for uid in wanted_set
    }
    children: dict[str, set[str]] = {uid: set() for uid in wanted_set}
    for uid, ps in parents.items():
        for parent in ps:
            children[parent].add(uid)
    remaining = {uid: len(ps) for uid, ps in parents.items()}
    ready = [uid for uid, count in remaining.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        uid = heapq.heappop(ready)
        order.append(uid)
        for child in children[uid]:
            remaining[child] -= 1
            if remaining[child] == 0:
                heapq.heappush(ready, child)
    if len(order) != len(wanted_set):
        cycle = sorted(wanted_set - set(order))
        raise ValueError(f"dependency cycle among {', '.join(cycle[:5])}")
    return order


def build_plan(manifest: Mapping[str, Any]) -> tuple[list[PlannedNode], list[PlannedNode]]:
    """(seeds, models and snapshots in DAG order; data tests in id order)."""
    nodes: Mapping[str, Any] = manifest.get("nodes") or {}
    runnable = [uid for uid, node in nodes.items() if node.get("resource_type") in RUNNABLE and _enabled(node)]
    ordered = [_planned(uid, nodes[uid]) for uid in dag_order(nodes, runnable)]
    tests = [
        _planned(uid, node)
        for uid, node in sorted(nodes.items())
        if node.get("resource_type") == "test" and _enabled(node)
    ]
    return ordered, tests


def unit_tests(manifest: Mapping[str, Any]) -> list[str]:
    return sorted((manifest.get("unit_tests") or {}).keys())


__all__ = ["PlannedNode", "build_plan", "dag_order", "unit_tests"]


# Analyses whose compiled statements an on-run-start hook runs before any node: the volume history table
# (macros/run_history/), which the volume_guard tests read.
RUN_START_ANALYSES: tuple[str, ...] = ("run_history_ddl",)
RUN_START_SCHEMA = "meta"


def run_start_statements(manifest: Mapping[str, Any]) -> list[str]:
    """The statements of the on-run-start hooks that create warehouse tables, compiled for Redshift (from
    the analyses that render the hooks' own macros), one per list item."""
    statements = []
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "analysis" and node.get("name") in RUN_START_ANALYSES:
            code = str(node.get("compiled_code") or "")
            statements += [part.strip() for part in code.split(";") if part.strip()]
    return statements
