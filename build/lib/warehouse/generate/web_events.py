"""Web-analytics events as a stream: micro-batch files shaped like Kinesis records (docs/streams.md).

Layout: `<lake_root>/stream/web_events/dt=YYYY-MM-DD/batch-<epoch millis>-<NNNNNN>.ndjson`, one batch per six
hours of arrival time. Each line is a Kinesis record envelope whose `data` is the event payload as text.

Defects (rates per event, at least one of each at every scale): a payload that is not JSON (`malformed`), a
payload without `event_id` (`missing_field`), a payload naming a product the catalog does not know
(`unknown_fk`), and at-least-once redelivery: the same payload again in a later batch with a new sequence
number (`duplicate`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np

from warehouse.generate import days, defects, kinesis
from warehouse.generate.lake_manifest import DatasetManifest
from warehouse.generate.scales import Scale
from warehouse.generate.sql import UNKNOWN_ID_BASE, choice, permutation_multiplier, render

STREAM = "web_events"
EVENTS_PER_ORDER = 0.2
BATCH_HOURS = 6
SHARDS = 4
RATES: tuple[tuple[str, float], ...] = (
    ("malformed", 0.002),
    ("missing_field", 0.001),
    ("unknown_fk", 0.001),
    ("duplicate", 0.01),
)


def stream_dir(lake_root: Path) -> Path:
    return lake_root / "stream" / STREAM


def event_count(scale: Scale) -> int:
    return max(200, round(scale.orders * EVENTS_PER_ORDER))


def _events_sql(scale: Scale, n_events: int) -> str:
    event_type = choice(
        "rnd(i, 'w_type')",
        [("'page_view'", 50), ("'product_view'", 30), ("'add_to_cart'", 10), ("'checkout'", 5), ("'purchase'", 5)],
    )
    device = choice("rnd(i, 'w_device')", [("'mobile'", 55), ("'desktop'", 38), ("'tablet'", 7)])
    return render(
        "web_events",
        start_date=scale.start_date,
        span_seconds=scale.days * 86400,
        events=n_events,
        defect=defects.defect_sql("i", "rnd(i, 'w_defect')", n_events, RATES),
        event_type=event_type,
        device=device,
        customers=scale.customers,
        customer_multiplier=permutation_multiplier(scale.customers),
        products=scale.products,
        unknown_id_base=UNKNOWN_ID_BASE,
        batch_hours=BATCH_HOURS,
        shard_id=kinesis.shard_id_sql("session_id", SHARDS),
        record=kinesis.record_sql("arrived_at", "session_id", "shard_id", "i * 2 + copy", "data"),
    )


def export(con: duckdb.DuckDBPyConnection, scale: Scale, lake_root: Path) -> DatasetManifest:
    """Write every micro-batch of the stream and return its manifest entry."""
    folder = stream_dir(lake_root)
    if folder.exists():
        shutil.rmtree(folder)
    n_events = event_count(scale)
    columns = con.execute(_events_sql(scale, n_events)).fetchnumpy()
    batch_ms = np.asarray(columns["batch_ms"])
    arrivals = np.asarray(columns["dt"]).astype("datetime64[D]")
    lines = np.asarray(columns["line"], dtype=object)
    kinds = Counter(kind for kind in np.asarray(columns["defect"], dtype=object).tolist() if kind)
    files = written_bytes = 0
    if len(lines):
        starts = np.concatenate(([0], np.flatnonzero(batch_ms[1:] != batch_ms[:-1]) + 1, [len(lines)]))
        for seq, (begin, end) in enumerate(zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)):
            arrival: dt.date = arrivals[begin].item()
            path = folder / f"dt={arrival.isoformat()}" / f"batch-{int(batch_ms[begin])}-{seq:06d}.ndjson"
            path.parent.mkdir(parents=True, exist_ok=True)
            data = ("\n".join(lines[begin:end].tolist()) + "\n").encode("utf-8")
            path.write_bytes(data)
            files += 1
            written_bytes += len(data)
    counts = {kind: kinds.get(kind, 0) for kind in ("malformed", "missing_field", "unknown_fk")}
    counts["duplicate"] = kinds.get("redelivery", 0)
    return DatasetManifest(
        format="kinesis_ndjson",
        files=files,
        raw_records=len(lines),
        bytes=written_bytes,
        defects={kind: counts.get(kind, 0) for kind in defects.DEFECT_KINDS},
        details={"events": n_events},
    )


__all__ = ["STREAM", "days", "event_count", "export", "stream_dir"]
