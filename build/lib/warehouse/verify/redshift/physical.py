"""Redshift physical design rules, checked on the manifest that `dbt parse --target redshift` writes.

For every silver and gold model that is materialized as a table, incremental or materialized view:
- `dist` and `sort` are set (views and ephemeral models are exempt);
- a dimension (`dim_*`) uses `dist: all`, unless `meta.dist_reason` explains the key it uses instead;
- a fact (`fct_*`) sorts by time first: its first sort column is a time column;
- a dist or sort column that is not `all`/`even`/`auto` is one of the model's documented columns
  (checked only when the model documents columns).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from warehouse.verify.redshift.findings import Check, Finding

PHYSICAL_LAYERS: tuple[str, ...] = ("models/silver/", "models/gold/")
PHYSICAL_MATERIALIZATIONS: frozenset[str] = frozenset({"table", "incremental", "materialized_view"})
DIST_STYLES: frozenset[str] = frozenset({"all", "even", "auto"})
TIME_SUFFIXES: tuple[str, ...] = ("_at", "_date", "_ts", "_time", "_timestamp", "_day", "_week", "_month")
TIME_NAMES: frozenset[str] = frozenset({"date_day", "date_week", "date_month", "date", "day", "week", "month"})


def is_time_column(name: str) -> bool:
    """`ordered_at`, `order_date`, `event_ts`, `date_day`, `month`... count as time columns."""
    lowered = name.strip('"').lower()
    return lowered in TIME_NAMES or lowered.endswith(TIME_SUFFIXES)


def _as_columns(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


@dataclass(frozen=True)
class ModelDesign:
    """The physical-design facts of one model, read from its manifest node."""

    unique_id: str
    name: str
    path: str
    materialized: str
    dist: str | None
    sort: tuple[str, ...]
    dist_reason: str
    columns: frozenset[str]

    @classmethod
    def from_node(cls, unique_id: str, node: Mapping[str, Any]) -> ModelDesign:
        config = node.get("config") or {}
        meta = {**(node.get("meta") or {}), **(config.get("meta") or {})}
        dist = config.get("dist")
        return cls(
            unique_id=unique_id,
            name=str(node.get("name", unique_id.rsplit(".", 1)[-1])),
            path=str(node.get("original_file_path", "")),
            materialized=str(config.get("materialized", "")),
            dist=str(dist) if dist else None,
            sort=_as_columns(config.get("sort")),
            dist_reason=str(meta.get("dist_reason") or "").strip(),
            columns=frozenset(name.lower() for name in (node.get("columns") or {})),
        )

    @property
    def needs_physical_design(self) -> bool:
        return self.path.startswith(PHYSICAL_LAYERS) and self.materialized in PHYSICAL_MATERIALIZATIONS

    def problems(self) -> list[str]:
        """What is wrong with this model's dist/sort config, as messages a model author can act on."""
        problems: list[str] = []
        if not self.dist:
            problems.append(f"materialized as {self.materialized} but has no `dist` config")
        if not self.sort:
            problems.append(f"materialized as {self.materialized} but has no `sort` config")
        dist = (self.dist or "").lower()
        if self.name.startswith("dim_") and self.dist and dist != "all" and not self.dist_reason:
            problems.append(
                f"dimension uses dist {self.dist!r}: use dist 'all', or explain the key in meta.dist_reason"
            )
        if self.name.startswith("fct_") and self.sort and not is_time_column(self.sort[0]):
            problems.append(
                f"fact sorts by {self.sort[0]!r} first: the first sort column must be a time column "
                "(*_at, *_date, *_ts, date_day, ...)"
            )
        if self.columns:
            keys = ([self.dist] if self.dist and dist not in DIST_STYLES else []) + list(self.sort)
            problems.extend(
                f"dist/sort column {key!r} is not among the model's documented columns"
                for key in dict.fromkeys(keys)
                if key.strip('"').lower() not in self.columns
            )
        return problems


def project_models(manifest: Mapping[str, Any]) -> list[ModelDesign]:
    """The root project's models that need dist/sort, in unique_id order."""
    project = (manifest.get("metadata") or {}).get("project_name")
    designs = [
        ModelDesign.from_node(unique_id, node)
        for unique_id, node in sorted((manifest.get("nodes") or {}).items())
        if node.get("resource_type") == "model" and (project is None or node.get("package_name") == project)
    ]
    return [design for design in designs if design.needs_physical_design]


def check_physical_design(manifest: Mapping[str, Any]) -> tuple[list[ModelDesign], list[Finding]]:
    """The models checked and the findings, one per problem."""
    designs = project_models(manifest)
    findings = [
        Finding(Check.PHYSICAL, design.unique_id, None, problem, path=design.path)
        for design in designs
        for problem in design.problems()
    ]
    return designs, findings
