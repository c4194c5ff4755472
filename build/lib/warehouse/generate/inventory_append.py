"""An append batch of inventory change events: the stream's next day of micro-batches (`warehouse bench`).

`generate_inventory_append(lake_root, days=...)` writes `days` days of change events (the base stream's
average daily volume) after the newest `dt` folder of the stream, as micro-batch files shaped like
the base stream's (docs/streams.md). Each event changes a position of the base lake: an `update` (an
`insert` when the position was closed by its last event) whose `seq` continues the position's sequence,
so it is the position's new current state. Positions are drawn in proportion to how busy they are, as in
the base stream. The events are clean: the base stream already carries every defect kind, and an append
measures how much work an incremental build does for new data. The append's statements are templates in sql/
(`inventory_append_keys`, `inventory_append_events`).

The scale and the seed are the lake's own, read from its manifest (`_manifest/generation.json`, written by
`warehouse generate`), never passed in: events drawn with another seed than the base lake's would not
continue the lake's positions and their sequences.

Deterministic: the same lake and days give the same files. Batch files are numbered from
APPEND_BATCH_BASE + 10,000 x batch (batch = how many appends the stream already has), never over an
existing file, and the manifest's `inventory_cdc` entry is updated (files, raw_records, bytes,
`appended_events`, `append_batches`), so the stream stays reconcilable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from warehouse import log
from warehouse.generate import inventory_cdc, kinesis, lookups, reference, sql
from warehouse.generate.append import lake_generation, read_manifest, write_manifest
from warehouse.generate.errors import GenerateError

LOG = log.get("generate")

APPEND_BATCH_BASE = 900_000


@dataclass(frozen=True)
class InventoryAppend:
    """What one inventory append wrote."""

    batch: int
    events: int
    files: int
    bytes: int
    first_day: dt.date
    last_day: dt.date
    paths: tuple[Path, ...]


def last_stream_day(lake_root: Path) -> dt.date:
    folder = inventory_cdc.stream_dir(lake_root)
    days = [p.name[3:] for p in folder.glob("dt=*") if p.is_dir()]
    if not days:
        raise GenerateError(f"no inventory change events under {folder}: generate the lake first")
    return dt.date.fromisoformat(max(days))


def _events_sql(inv: inventory_cdc.InventoryScale) -> str:
    """The append's Kinesis records (needs `inventory_positions`, `products` and the `append_events` keys)."""
    return sql.render(
        "inventory_append_events",
        events=inv.events,
        closing=inventory_cdc.FINAL_DELETE_RATE,
        batch_hours=inv.batch_hours,
        shard_id=kinesis.shard_id_sql("partition_key", inventory_cdc.SHARDS),
        record=kinesis.record_sql("arrived_at", "partition_key", "shard_id", "i * 2", "data"),
    )


def generate_inventory_append(lake_root: Path, *, days: int = 1) -> InventoryAppend:
    """Append `days` days of inventory change events to the lake's stream, with the scale and seed its
    manifest records."""
    if days < 1:
        raise GenerateError(f"an inventory append covers at least one day, not {days}")
    lake_root = Path(lake_root)
    manifest = read_manifest(lake_root)
    scale, seed = lake_generation(lake_root, manifest)
    entry = manifest["datasets"].get(inventory_cdc.STREAM)
    if entry is None:
        raise GenerateError(f"the lake at {lake_root} has no inventory change stream: generate it first")
    batch = int(entry.get("append_batches", 0))
    appended = int(entry.get("appended_events", 0))
    inv = inventory_cdc.inventory_scale(scale)
    history_days = (inv.end_date - inv.start_date).days + 1
    n = max(1, round(inv.events * days / history_days))
    first_day = last_stream_day(lake_root) + dt.timedelta(days=1)
    last_day = first_day + dt.timedelta(days=days - 1)
    first_i = inv.events + appended  # event numbers after every event already in the stream

    # The base lake's seed, so the positions and the catalog are the base's exactly; the event numbers i are new
    # in every batch, so every draw keyed on them is too.
    con = sql.connect(seed)
    try:
        lookups.load(con, lookups.read_country_regions())
        reference.build(con, scale)
        con.execute(inventory_cdc.position_sql(inv))
        con.execute(
            sql.render("inventory_append_keys"),
            {"first_i": first_i, "n": n, "day0": first_day, "span": days * 86_400_000_000},
        )
        rows = con.execute(_events_sql(inv), {"appended": appended, "batch": batch, "day0": first_day}).fetchall()
    finally:
        con.close()

    folder = inventory_cdc.stream_dir(lake_root)
    paths: list[Path] = []
    written = 0
    start, number = 0, APPEND_BATCH_BASE + 10_000 * batch
    while start < len(rows):
        arrival, batch_ms = rows[start][0], rows[start][1]
        end = start
        while end < len(rows) and rows[end][1] == batch_ms:
            end += 1
        path = folder / f"dt={arrival.isoformat()}" / f"batch-{batch_ms}-{number:06d}.ndjson"
        if path.exists():
            raise GenerateError(f"{path} exists: the stream already has this append")
        written += inventory_cdc.write_batch(folder, arrival, batch_ms, number, [r[2] for r in rows[start:end]])
        paths.append(path)
        start, number = end, number + 1

    entry["files"] = int(entry["files"]) + len(paths)
    entry["raw_records"] = int(entry["raw_records"]) + len(rows)
    entry["bytes"] = int(entry["bytes"]) + written
    entry["appended_events"] = appended + n
    entry["append_batches"] = batch + 1
    write_manifest(lake_root, manifest)
    result = InventoryAppend(batch, n, len(paths), written, first_day, last_day, tuple(paths))
    LOG.info(
        "inventory append %d: %s change events, %d micro-batches, %s..%s",
        batch,
        f"{n:,}",
        len(paths),
        first_day,
        last_day,
    )
    return result


__all__ = ["InventoryAppend", "generate_inventory_append", "last_stream_day"]
