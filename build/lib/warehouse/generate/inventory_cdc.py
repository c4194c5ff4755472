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
from warehouse.generate.sql import UNKNOWN_ID_BASE, choice, permutation_multiplier, render
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


def position_sql(inv: InventoryScale) -> str:
    """The `inventory_positions` table: per position k its warehouse and product, its events' share of the
    stream (first_i, n_events), when it opens, its base quantity and whether it closes (u_close)."""
    pairs = inv.warehouses * inv.skus
    return render(
        "inventory_positions",
        pairs=pairs,
        pair_multiplier=permutation_multiplier(pairs),
        positions=inv.positions,
        warehouses=inv.warehouses,
        events=inv.events,
        new_position_rate=NEW_POSITION_RATE,
        span_seconds=inv.seconds,
    )


def _build_sql(inv: InventoryScale) -> list[str]:
    # The snapshot that opens the established positions carries the stock of the months before the history,
    # not the first month's: positions change every few months, so a month-end state is a few months old.
    before = [MONTH_FACTORS[(inv.start_date.month - 1 - k) % 12] for k in (1, 2, 3)]
    events = render(
        "inventory_events",
        start_date=inv.start_date,
        span_seconds=inv.seconds,
        reopen_low=FINAL_DELETE_RATE,
        reopen_high=FINAL_DELETE_RATE + REOPEN_RATE,
        snapshot_factor=f"{sum(before) / 3:.4f}",
        month_factors=MONTH_FACTORS,
        quantity_growth=QUANTITY_GROWTH,
        cost_inflation=COST_INFLATION,
        defect=defects.defect_sql("i", "rnd(i, 'ic_defect')", inv.events, RATES),
        up_movement=choice("rnd(i, 'ic_move')", [("'receipt'", 75), ("'transfer'", 20), ("'adjustment'", 5)]),
        down_movement=choice("rnd(i, 'ic_move')", [("'shipment'", 80), ("'transfer'", 15), ("'adjustment'", 5)]),
        closed_movement=choice("rnd(i, 'ic_move')", [("'adjustment'", 50), ("'transfer'", 50)]),
        missing_field=defects.field_sql("i", "ic_missing", MISSING_FIELDS),
        wrong_field=defects.field_sql("i", "ic_wrong", WRONG_TYPE_FIELDS),
    )
    return [position_sql(inv), events]


def _records_sql(inv: InventoryScale) -> str:
    late_min, late_max = LATE_DAYS
    return render(
        "inventory_records",
        late_min=late_min,
        late_max=late_max,
        unknown_id_base=UNKNOWN_ID_BASE,
        batch_hours=inv.batch_hours,
        shard_id=kinesis.shard_id_sql("partition_key", SHARDS),
        record=kinesis.record_sql("arrived_at", "partition_key", "shard_id", "i * 2 + copy", "data"),
    )


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
    con.execute(render("inventory_stream_lines", records_sql=_records_sql(inv)))
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
        columns = con.execute(render("inventory_stream_chunk"), [low, high]).fetchnumpy()
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
