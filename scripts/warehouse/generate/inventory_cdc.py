"""Inventory change events (CDC, INV-CDC-STREAM) as a stream: micro-batch files shaped like Kinesis records.

Layout (docs/streams.md): `<lake_root>/stream/inventory_cdc/dt=YYYY-MM-DD/batch-<epoch millis>-<NNNNNN>.ndjson`,
one batch per `batch_hours` of arrival time. Each line is a Kinesis record envelope whose `data` is the event
payload as text.

The inventory system keeps one *position* per warehouse x SKU (the SKUs are the catalog's products). Every
change to a position is an event: `insert` (a position opens), `update` (its quantity on hand or unit cost
changes through a receipt, shipment, adjustment or transfer) or `delete` (the position closes). Events of a
position carry a sequence number `seq` 1, 2, 3, ... in the order they happened; the highest one is the
position's current state.

Defects (docs/lake.md, "Inventory CDC"): malformed payloads, missing required fields, wrong types, negative
quantities, unknown warehouses or SKUs, at-least-once redelivery (`duplicate`), events arriving 1-10 days late
(`late`) and events arriving after the next event of the same position (`out_of_order`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from warehouse.generate import defects, kinesis
from warehouse.generate.lake_manifest import DatasetManifest
from warehouse.generate.scales import Scale
from warehouse.generate.sql import UNKNOWN_ID_BASE, choice, permutation_multiplier
from warehouse.generate.warehouses import warehouse_count

STREAM = "inventory_cdc"
MONTHS = 36
SHARDS = 4
MIN_EVENTS = 20_000
EVENTS_PER_POSITION = 10
RECORDS_PER_BATCH = 150
MAX_BATCH_HOURS = 168
RATES: tuple[tuple[str, float], ...] = (
    ("malformed", 0.0005),
    ("missing_field", 0.0010),
    ("wrong_type", 0.0005),
    ("negative_quantity", 0.0005),
    ("unknown_fk", 0.0010),
    ("duplicate", 0.0100),
    ("late", 0.0100),
    ("out_of_order", 0.0100),
)
MISSING_FIELDS: tuple[str, ...] = (
    "event_id",
    "op",
    "warehouse_id",
    "sku",
    "seq",
    "movement_type",
    "quantity_on_hand",
    "unit_cost",
    "occurred_at",
)
WRONG_TYPE_FIELDS: tuple[str, ...] = ("quantity_on_hand", "unit_cost", "occurred_at")
NEW_POSITION_RATE = 0.2  # positions opened during the history; the others exist from its first days
FINAL_DELETE_RATE = 0.06  # positions closed by their last event
REOPEN_RATE = 0.03  # positions closed midway and opened again by the next event
LATE_DAYS = (1, 10)
# Inventory builds up before the fourth-quarter peak and runs down after it (January .. December).
MONTH_FACTORS = (0.85, 0.88, 0.92, 0.95, 0.97, 1.0, 1.02, 1.06, 1.12, 1.22, 1.28, 0.98)
QUANTITY_GROWTH = 0.08  # per year
COST_INFLATION = 0.03  # per year


@dataclass(frozen=True)
class InventoryScale:
    """How much inventory history a lake scale gets."""

    warehouses: int
    skus: int
    positions: int
    events: int
    start_date: dt.date
    end_date: dt.date
    batch_hours: int

    @property
    def seconds(self) -> int:
        return ((self.end_date - self.start_date).days + 1) * 86400


def inventory_scale(scale: Scale) -> InventoryScale:
    """36 months of history ending on the scale's last business date; one event per online order (at least
    20,000); ten events per position on average; batches of about 150 records (1 to 168 hours)."""
    end = scale.end_date
    first_month = end.year * 12 + end.month - 1 - (MONTHS - 1)
    start = dt.date(first_month // 12, first_month % 12 + 1, 1)
    n_warehouses = warehouse_count(scale)
    events = max(MIN_EVENTS, scale.orders)
    positions = max(1, min(n_warehouses * scale.products, events // EVENTS_PER_POSITION))
    hours = ((end - start).days + 1) * 24
    batch_hours = int(min(MAX_BATCH_HOURS, max(1, round(hours * RECORDS_PER_BATCH / events))))
    return InventoryScale(n_warehouses, scale.products, positions, events, start, end, batch_hours)


def stream_dir(lake_root: Path) -> Path:
    return lake_root / "stream" / STREAM


def _month_factor_sql(ts: str) -> str:
    branches = " ".join(f"when {m + 1} then {f!r}" for m, f in enumerate(MONTH_FACTORS))
    return f"(case month({ts}) {branches} end)"


def position_sql(inv: InventoryScale) -> str:
    """The `inventory_positions` table: per position k its warehouse and product, its events' share of the
    stream (first_i, n_events), when it opens, its base quantity and whether it closes (u_close)."""
    pairs = inv.warehouses * inv.skus
    m_pair = permutation_multiplier(pairs)
    n = inv.events
    span = inv.seconds
    return f"""
        create or replace temp table inventory_positions as
        with drawn as (
            select
                k,
                (k * {m_pair}) % {pairs} as pair,
                round(1e6 * (0.25 + 1.5 * rnd(k, 'ic_weight')))::hugeint as weight
            from range({inv.positions}) as t(k)
        ),
        cumulative as (
            select *, sum(weight) over (order by k) as cum_weight, sum(weight) over () as total_weight
            from drawn
        )
        select
            k,
            pair % {inv.warehouses} + 1 as warehouse_id,
            pair // {inv.warehouses} + 1 as product_id,
            ({n}::hugeint * (cum_weight - weight) // total_weight)::bigint as first_i,
            ({n}::hugeint * cum_weight // total_weight)::bigint - first_i as n_events,
            case when rnd(k, 'ic_new') < {NEW_POSITION_RATE} then floor(rnd(k, 'ic_open') * 0.8 * {span})::bigint
                else 0 end as open_offset,
            20 + floor(480 * pow(rnd(k, 'ic_base'), 2))::bigint as base_quantity,
            rnd(k, 'ic_close') as u_close
        from cumulative
    """


def _build_sql(inv: InventoryScale) -> list[str]:
    n = inv.events
    span = inv.seconds
    start = f"timestamp '{inv.start_date} 00:00:00'"
    years = f"(epoch(occurred_at - {start}) / 31557600.0)"
    up = choice("rnd(i, 'ic_move')", [("'receipt'", 75), ("'transfer'", 20), ("'adjustment'", 5)])
    down = choice("rnd(i, 'ic_move')", [("'shipment'", 80), ("'transfer'", 15), ("'adjustment'", 5)])
    closed = choice("rnd(i, 'ic_move')", [("'adjustment'", 50), ("'transfer'", 50)])
    # The snapshot that opens the established positions carries the stock of the months before the history,
    # not the first month's: positions change every few months, so a month-end state is a few months old.
    before = [MONTH_FACTORS[(inv.start_date.month - 1 - k) % 12] for k in (1, 2, 3)]
    season = f"(case when is_snapshot then {sum(before) / 3:.4f} else {_month_factor_sql('occurred_at')} end)"
    missing = defects.field_sql("i", "ic_missing", MISSING_FIELDS)
    wrong = defects.field_sql("i", "ic_wrong", WRONG_TYPE_FIELDS)
    reopen_low, reopen_high = FINAL_DELETE_RATE, FINAL_DELETE_RATE + REOPEN_RATE
    keys = position_sql(inv)
    events = f"""
        create or replace temp table inventory_events as
        with expanded as (
            select p.*, unnest(range(p.n_events)) as j
            from inventory_positions as p
            where p.n_events > 0
        ),
        timed as (
            select
                e.k, e.first_i + e.j as i, e.j, e.n_events, e.warehouse_id, e.product_id, e.base_quantity,
                e.j = 0 and e.open_offset = 0 as is_snapshot,
                {start} + to_seconds(e.open_offset + floor(
                    (e.j + rnd(e.first_i + e.j, 'ic_time') * (case when e.j = 0 then 0.05 else 1 end))
                    / e.n_events * ({span} - e.open_offset))::bigint
                ) as occurred_at,
                case
                    when e.j = 0 then 'insert'
                    when e.u_close < {reopen_low!r} and e.j = e.n_events - 1 then 'delete'
                    when e.u_close < {reopen_high!r} and e.n_events >= 4 and e.j = e.n_events // 2 then 'delete'
                    when e.u_close < {reopen_high!r} and e.n_events >= 4 and e.j = e.n_events // 2 + 1
                        then 'insert'
                    else 'update'
                end as op,
                pr.sku,
                pr.unit_cost as catalog_cost
            from expanded as e
            join products as pr using (product_id)
        ),
        valued as (
            select
                *,
                case
                    when op = 'delete' then 0
                    when rnd(i, 'ic_stockout') < 0.03 then 0
                    else round(base_quantity * {season} * (1 + {QUANTITY_GROWTH} * {years})
                        * (0.6 + 0.8 * rnd(i, 'ic_qty')))::bigint
                end as quantity_on_hand,
                round(catalog_cost * (1 + {COST_INFLATION} * {years}) * (0.97 + 0.06 * rnd(i, 'ic_cost')), 2)
                    ::decimal(12, 2) as unit_cost,
                {defects.defect_sql("i", "rnd(i, 'ic_defect')", n, RATES)} as drawn_defect
            from timed
        ),
        moved as (
            select
                *,
                lag(quantity_on_hand) over (partition by k order by j) as previous_quantity,
                lead(occurred_at) over (partition by k order by j) as next_occurred_at
            from valued
        )
        select
            *,
            case
                when op = 'insert' then 'receipt'
                when op = 'delete' then {closed}
                when quantity_on_hand > previous_quantity then {up}
                when quantity_on_hand < previous_quantity then {down}
                else 'adjustment'
            end as movement_type,
            case when drawn_defect = 'out_of_order' and next_occurred_at is null then 'late' else drawn_defect end
                as defect,
            case when drawn_defect = 'missing_field' then {missing} end as missing_field,
            case when drawn_defect = 'wrong_type' then {wrong} end as wrong_field,
            drawn_defect = 'unknown_fk' and rnd(i, 'ic_fk') < 0.5 as unknown_sku
        from moved
    """
    return [keys, events]


def _records_sql(inv: InventoryScale) -> str:
    late_lo, late_hi = LATE_DAYS
    return f"""
        with payloads as (
            select
                *,
                case defect
                    when 'late' then occurred_at + to_days(rint(i, 'ic_late', {late_lo}, {late_hi})::integer)
                        + to_seconds(rint(i, 'ic_late_s', 0, 86399))
                    when 'out_of_order' then next_occurred_at + to_seconds(rint(i, 'ic_ooo', 60, 3600))
                    else occurred_at + to_milliseconds(200 + floor(4800 * rnd(i, 'ic_delay'))::bigint)
                end as arrived_at,
                warehouse_id::varchar || '|' || sku as partition_key,
                to_json(struct_pack(
                    event_id := case when missing_field = 'event_id' then null
                        else 'IC' || lpad(i::varchar, 12, '0') end,
                    op := case when missing_field = 'op' then null else op end,
                    warehouse_id := case
                        when missing_field = 'warehouse_id' then null
                        when defect = 'unknown_fk' and not unknown_sku then {UNKNOWN_ID_BASE} + i
                        else warehouse_id end,
                    sku := case
                        when missing_field = 'sku' then null
                        when unknown_sku then 'ZZ-' || lpad(i::varchar, 9, '0')
                        else sku end,
                    seq := case when missing_field = 'seq' then null else j + 1 end,
                    movement_type := case when missing_field = 'movement_type' then null else movement_type end,
                    quantity_on_hand := case
                        when missing_field = 'quantity_on_hand' then null::json
                        when wrong_field = 'quantity_on_hand' then '"n/a"'::json
                        when defect = 'negative_quantity' then (-rint(i, 'ic_neg', 1, 5))::varchar::json
                        else quantity_on_hand::varchar::json end,
                    unit_cost := case
                        when missing_field = 'unit_cost' then null::json
                        when wrong_field = 'unit_cost' then ('"' || replace(unit_cost::varchar, '.', ',') || '"')::json
                        else unit_cost::varchar::json end,
                    occurred_at := case
                        when missing_field = 'occurred_at' then null
                        when wrong_field = 'occurred_at' then wrong_ts(occurred_at)
                        else iso_ts(occurred_at) end
                ))::varchar as payload
            from inventory_events
        ),
        ordered as (
            select
                *,
                min(arrived_at) over (
                    partition by k order by j rows between 1 following and unbounded following
                ) < arrived_at as is_out_of_order
            from payloads
        ),
        delivered as (
            select i, 0 as copy, arrived_at, defect, is_out_of_order,
                case when defect = 'malformed' then left(payload, length(payload) // 2) else payload end as data,
                partition_key
            from ordered
            union all
            select i, 1 as copy, arrived_at + to_seconds(rint(i, 'ic_redeliver', 60, 36 * 3600)),
                'redelivery' as defect, false as is_out_of_order, payload as data, partition_key
            from ordered
            where defect = 'duplicate'
        ),
        batched as (
            select
                *,
                time_bucket(interval '{inv.batch_hours} hours', arrived_at) as batch_start,
                {kinesis.shard_id_sql("partition_key", SHARDS)} as shard_id
            from delivered
        )
        select
            cast(batch_start as date) as dt,
            epoch_ms(batch_start) as batch_ms,
            defect,
            is_out_of_order,
            {kinesis.record_sql("arrived_at", "partition_key", "shard_id", "i * 2 + copy", "data")} as line
        from batched
        order by batch_start, shard_id, arrived_at, i, copy
    """


@dataclass(frozen=True)
class StreamRecords:
    """The stream's records in arrival order, with their batch and the defect each was written with."""

    inventory: InventoryScale
    dt: np.ndarray
    batch_ms: np.ndarray
    defect: list[str | None]
    out_of_order: np.ndarray
    line: list[str]

    @classmethod
    def from_columns(cls, inventory: InventoryScale, columns: dict[str, Any]) -> StreamRecords:
        """From fetchnumpy() of a query giving dt, batch_ms, defect, is_out_of_order and line."""
        return cls(
            inventory=inventory,
            dt=np.asarray(columns["dt"]).astype("datetime64[D]"),
            batch_ms=np.asarray(columns["batch_ms"]),
            defect=np.asarray(columns["defect"], dtype=object).tolist(),
            out_of_order=np.asarray(columns["is_out_of_order"], dtype=bool),
            line=np.asarray(columns["line"], dtype=object).tolist(),
        )

    def batches(self) -> Iterator[tuple[dt.date, int, int, list[str]]]:
        """(arrival date, batch start in epoch millis, batch number, lines) for every micro-batch."""
        if not self.line:
            return
        ms = self.batch_ms
        starts = np.concatenate(([0], np.flatnonzero(ms[1:] != ms[:-1]) + 1, [len(self.line)]))
        for number, (begin, end) in enumerate(zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)):
            yield self.dt[begin].item(), int(ms[begin]), number, self.line[begin:end]


def stream_records(con: duckdb.DuckDBPyConnection, scale: Scale) -> StreamRecords:
    """Every Kinesis record of the stream (needs the `products` table and `warehouses.build`)."""
    inv = inventory_scale(scale)
    for statement in _build_sql(inv):
        con.execute(statement)
    columns = con.execute(_records_sql(inv)).fetchnumpy()
    return StreamRecords.from_columns(inv, columns)


def write_batches(folder: Path, records: StreamRecords) -> tuple[int, int]:
    """Write every micro-batch under `folder` (removed first); (files, bytes) written."""
    if folder.exists():
        shutil.rmtree(folder)
    files = written = 0
    for arrival, batch_ms, number, lines in records.batches():
        files += 1
        written += write_batch(folder, arrival, batch_ms, number, lines)
    return files, written


CHUNK_RECORDS = 1_000_000  # records fetched into Python at a time by export()


def _write_chunked(
    con: duckdb.DuckDBPyConnection, inv: InventoryScale, folder: Path
) -> tuple[int, int, int, Counter[str], int]:
    """Write every micro-batch under `folder` (removed first), fetching whole batches of about CHUNK_RECORDS
    records at a time so memory stays bounded at any scale; (files, bytes, records, defect kinds, records
    that arrived out of order). The files are exactly those write_batches(stream_records(...)) writes."""
    if folder.exists():
        shutil.rmtree(folder)
    # Inserted in the stream's order (preserve_insertion_order): rowid is the position in the stream.
    con.execute(f"create or replace temp table stream_lines as {_records_sql(inv)}")
    sizes = con.execute("select batch_ms, count(*) from stream_lines group by batch_ms order by batch_ms").fetchall()
    chunks: list[tuple[int, int, int]] = []  # (number of the first batch, first batch_ms, last batch_ms)
    first, rows = 0, 0
    for number, (_, count) in enumerate(sizes):
        if rows and rows + count > CHUNK_RECORDS:
            chunks.append((first, int(sizes[first][0]), int(sizes[number - 1][0])))
            first, rows = number, 0
        rows += count
    if sizes:
        chunks.append((first, int(sizes[first][0]), int(sizes[-1][0])))
    files = written = records = late = 0
    kinds: Counter[str] = Counter()
    for first_number, low, high in chunks:
        columns = con.execute(
            """
            select dt, batch_ms, defect, is_out_of_order, line from stream_lines
            where batch_ms between ? and ?
            order by rowid
            """,
            [low, high],
        ).fetchnumpy()
        chunk = StreamRecords.from_columns(inv, columns)
        for arrival, batch_ms, number, lines in chunk.batches():
            files += 1
            written += write_batch(folder, arrival, batch_ms, first_number + number, lines)
        records += len(chunk.line)
        kinds.update(kind for kind in chunk.defect if kind)
        late += int(chunk.out_of_order.sum())
    con.execute("drop table stream_lines")
    return files, written, records, kinds, late


def write_batch(folder: Path, arrival: dt.date, batch_ms: int, number: int, lines: list[str]) -> int:
    path = folder / f"dt={arrival.isoformat()}" / f"batch-{batch_ms}-{number:06d}.ndjson"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(data)
    return len(data)


def export(con: duckdb.DuckDBPyConnection, scale: Scale, lake_root: Path) -> DatasetManifest:
    """Write every micro-batch of the stream and return its manifest entry, counted from what was written."""
    inv = inventory_scale(scale)
    for statement in _build_sql(inv):
        con.execute(statement)
    files, written, n_records, kinds, arrived_late = _write_chunked(con, inv, stream_dir(lake_root))
    counts = {kind: kinds.get(kind, 0) for kind in defects.DEFECT_KINDS}
    counts["duplicate"] = kinds.get("redelivery", 0)
    operations = dict(
        con.execute("select op, count(*) from inventory_events group by op").fetchall()  # type: ignore[arg-type]
    )
    return DatasetManifest(
        format="kinesis_ndjson",
        files=files,
        raw_records=n_records,
        bytes=written,
        defects=counts,
        details={
            "events": inv.events,
            "warehouses": inv.warehouses,
            "positions": inv.positions,
            "batch_hours": inv.batch_hours,
            "inserts": int(operations.get("insert", 0)),
            "updates": int(operations.get("update", 0)),
            "deletes": int(operations.get("delete", 0)),
            "out_of_order": int(kinds.get("out_of_order", 0)),
            "arrived_out_of_order": arrived_late,
        },
    )


__all__ = [
    "STREAM",
    "InventoryScale",
    "StreamRecords",
    "export",
    "inventory_scale",
    "position_sql",
    "stream_dir",
    "stream_records",
    "write_batch",
]
