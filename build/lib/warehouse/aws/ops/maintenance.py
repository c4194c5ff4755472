"""VACUUM and ANALYZE chosen from SVV_TABLE_INFO thresholds, planned first and run only when asked.

- unsorted % at or above `unsorted_pct` → VACUUM SORT ONLY;
- deleted rows (tbl_rows - estimated_visible_rows) at or above `deleted_pct` of the table → VACUUM DELETE ONLY;
- both → VACUUM FULL; every VACUUM goes `to 99 percent`;
- stats_off at or above `stats_off_pct` → ANALYZE.

VACUUM cannot run inside a transaction, so every statement is its own Data API call, one at a time
(Redshift runs one VACUUM per cluster at a time anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warehouse.aws.command_support import quote_ident, quote_literal
from warehouse.aws.data_api import DataApiRunner


@dataclass(frozen=True)
class Thresholds:
    unsorted_pct: float = 10.0
    deleted_pct: float = 10.0
    stats_off_pct: float = 10.0


@dataclass(frozen=True)
class TableState:
    schema: str
    table: str
    unsorted: float
    stats_off: float
    tbl_rows: int
    visible_rows: int

    @property
    def deleted_pct(self) -> float:
        if self.tbl_rows <= 0:
            return 0.0
        return 100.0 * max(self.tbl_rows - self.visible_rows, 0) / self.tbl_rows


@dataclass(frozen=True)
class Action:
    table: str
    statement: str
    reason: str


def table_state_sql(schemas: Sequence[str]) -> str:
    schema_list = ", ".join(quote_literal(schema) for schema in schemas)
    return (
        'select trim("schema") as schema_name, trim("table") as table_name, coalesce(unsorted, 0) as unsorted, '
        "coalesce(stats_off, 0) as stats_off, coalesce(tbl_rows, 0) as tbl_rows, "
        "coalesce(estimated_visible_rows, tbl_rows, 0) as visible_rows "
        f'from svv_table_info where trim("schema") in ({schema_list}) order by size desc'
    )


def plan(tables: Sequence[TableState], thresholds: Thresholds) -> list[Action]:
    actions: list[Action] = []
    for state in tables:
        name = f"{state.schema}.{state.table}"
        sort = state.unsorted >= thresholds.unsorted_pct
        delete = state.deleted_pct >= thresholds.deleted_pct
        if sort or delete:
            kind = "full" if sort and delete else ("sort only" if sort else "delete only")
            reason = f"unsorted {state.unsorted:.1f}%, deleted rows {state.deleted_pct:.1f}%"
            actions.append(Action(name, f"vacuum {kind} {quote_ident(name)} to 99 percent", reason))
        if state.stats_off >= thresholds.stats_off_pct:
            actions.append(Action(name, f"analyze {quote_ident(name)}", f"stats_off {state.stats_off:.1f}"))
    return actions


def read_tables(runner: DataApiRunner, schemas: Sequence[str]) -> list[TableState]:
    return [
        TableState(
            schema=str(row["schema_name"]),
            table=str(row["table_name"]),
            unsorted=float(row["unsorted"] or 0),
            stats_off=float(row["stats_off"] or 0),
            tbl_rows=int(row["tbl_rows"] or 0),
            visible_rows=int(row["visible_rows"] or 0),
        )
        for row in runner.execute(table_state_sql(schemas)).dicts()
    ]
