"""A stream lake of the deliveries Kinesis's at-least-once promise and a broken producer can make.

`add_edge_streams(lake_root)` writes, next to a generated lake's micro-batch files, extra batches for both
streams (web_events, inventory_cdc) whose records each carry one such case: the same record twice in a
batch, a batch file delivered twice under another name, an envelope without `data` (or with a null or
empty one), one whose arrival time is null, absent or not a UTC timestamp, one that arrived in 2999 or
before the calendar. Every edge record lives on its own shard (EDGE_SHARD) with its own sequence number, so
a test finds it by its Kinesis record key; `EXPECTED` says what bronze must make of it on every engine: its
rejection reason, or None when it is accepted, and how many copies of it were delivered (all but one
absorbed as duplicates).

`batch_lines(stream, cases, arrival)` gives the envelope lines of any cases at a chosen arrival time, for
tests that deliver batches in steps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARRIVAL_DAY = "2025-10-15"  # a day inside the tiny lake's stream arrivals
ARRIVAL = f"{ARRIVAL_DAY}T10:00:01.000Z"
EDGE_SHARD = "shardId-000000000900"  # no generated record hashes to it (the tiny lake has 4 shards)
STREAMS = ("web_events", "inventory_cdc")
_ABSENT = object()  # a field the envelope does not have at all


@dataclass(frozen=True)
class StreamCase:
    name: str
    reason: str | None  # None: accepted
    deliveries: int = 1  # envelope lines written for the record (copies beyond the first are duplicates)


# name -> (changes to the envelope, expected reason). A change to `data` replaces the payload text; the
# value _ABSENT removes the field.
ENVELOPE_CASES: dict[str, tuple[dict[str, Any], str | None]] = {
    "no-data": ({"data": _ABSENT}, "missing_data"),
    "null-data": ({"data": None}, "missing_data"),
    "empty-data": ({"data": ""}, "missing_data"),
    "unparseable-data": ({"data": '{"event_id": "cut'}, "malformed_json"),
    "null-arrival": ({"approximate_arrival_timestamp": None}, "missing_arrival_timestamp"),
    "no-arrival": ({"approximate_arrival_timestamp": _ABSENT}, "missing_arrival_timestamp"),
    "garbage-arrival": ({"approximate_arrival_timestamp": "yesterday"}, "missing_arrival_timestamp"),
    "offset-arrival": ({"approximate_arrival_timestamp": "2025-10-15T10:00:00+02:00"}, "missing_arrival_timestamp"),
    "feb30-arrival": ({"approximate_arrival_timestamp": "2025-02-30T10:00:00.000Z"}, "missing_arrival_timestamp"),
    "hour24-arrival": ({"approximate_arrival_timestamp": "2025-10-15T24:00:00.000Z"}, "missing_arrival_timestamp"),
    "arrival-2999": ({"approximate_arrival_timestamp": "2999-01-01T00:00:00.000Z"}, "arrival_out_of_range"),
    "arrival-1999": ({"approximate_arrival_timestamp": "1999-12-31T23:59:59.000Z"}, "arrival_out_of_range"),
    "json-object-data": ({"__object__": True}, None),
    # A payload that names a field twice: parsers disagree on which value counts.
    "duplicate-key-data": ({"__duplicate_key__": True}, "duplicate_key"),
}
# Delivered twice in the same batch file.
DUPLICATE_IN_BATCH = ("duplicate-in-batch", "duplicate-in-batch-no-data")
# Written to one batch file, then the same file again under another name.
REDELIVERED_FILE = ("redelivered-valid", "redelivered-2999")
# The same record twice, the first copy dated 2999: the plausible copy is the one kept, in any order.
FUTURE_COPY = "duplicate-with-a-future-copy"

# Records the incremental tests deliver in steps.
STEP_CASES = ("step-future", "step-good-1", "step-good-2")
CASE_NUMBERS: dict[str, int] = {
    name: number
    for number, name in enumerate(
        [*ENVELOPE_CASES, *DUPLICATE_IN_BATCH, *REDELIVERED_FILE, FUTURE_COPY, *STEP_CASES], 1
    )
}


def expected() -> list[StreamCase]:
    cases = [StreamCase(name, reason) for name, (_, reason) in ENVELOPE_CASES.items()]
    cases += [StreamCase("duplicate-in-batch", None, 2), StreamCase("duplicate-in-batch-no-data", "missing_data", 2)]
    cases += [StreamCase("redelivered-valid", None, 2), StreamCase("redelivered-2999", "arrival_out_of_range", 2)]
    cases.append(StreamCase(FUTURE_COPY, None, 2))
    return cases


def sequence_number(name: str) -> str:
    """The case's Kinesis sequence number (a decimal string, as Kinesis gives them)."""
    return f"4959{CASE_NUMBERS[name]:036d}"


def event_id(stream: str, name: str) -> str:
    return f"EDGE-{'W' if stream == 'web_events' else 'I'}{CASE_NUMBERS[name]:04d}"


def payload(stream: str, name: str) -> dict[str, Any]:
    """A payload that passes every bronze rule of the stream, identified by its event id."""
    occurred_at = "2025-10-15T10:00:00Z"
    if stream == "web_events":
        return {
            "event_id": event_id(stream, name),
            "event_type": "page_view",
            "session_id": "EDGE-SESSION",
            "customer_id": None,
            "product_id": None,
            "device": "desktop",
            "page": f"/edge/{name}",
            "occurred_at": occurred_at,
        }
    return {
        "event_id": event_id(stream, name),
        "op": "insert",
        "warehouse_id": 1,
        "sku": f"ZZ-EDGE-{CASE_NUMBERS[name]:04d}",
        "seq": 1,
        "movement_type": "receipt",
        "quantity_on_hand": 10,
        "unit_cost": 2.5,
        "occurred_at": occurred_at,
    }


def envelope(stream: str, name: str, arrival: str = ARRIVAL, **changes: Any) -> str:
    """One envelope line (docs/streams.md) of the case, with `changes` applied (_ABSENT removes a field)."""
    body = payload(stream, name)
    record: dict[str, Any] = {
        "approximate_arrival_timestamp": arrival,
        "partition_key": str(body.get("session_id") or f"{body.get('warehouse_id')}|{body.get('sku')}"),
        "shard_id": EDGE_SHARD,
        "sequence_number": sequence_number(name),
        "data": json.dumps(body, separators=(",", ":")),
    }
    if changes.pop("__object__", False):
        record["data"] = body  # the payload as a JSON object rather than a string
    if changes.pop("__duplicate_key__", False):
        record["data"] = str(record["data"])[:-1] + ',"occurred_at":"2025-10-16T10:00:00Z"}'
    for key, value in changes.items():
        if value is _ABSENT:
            record.pop(key, None)
        else:
            record[key] = value
    return json.dumps(record, separators=(",", ":"))


def batch_lines(stream: str, cases: dict[str, dict[str, Any]], arrival: str = ARRIVAL) -> list[str]:
    """The envelope lines of `cases` (name -> envelope changes) arriving at `arrival`."""
    return [envelope(stream, name, arrival, **changes) for name, changes in cases.items()]


def batch_path(lake_root: Path, stream: str, day: str, number: int) -> Path:
    return lake_root / "stream" / stream / f"dt={day}" / f"batch-1760522401000-{number:06d}.ndjson"


def add_edge_streams(lake_root: Path) -> list[StreamCase]:
    """Write the edge batches into `lake_root` (a generated lake) and return what bronze must make of them."""
    for stream in STREAMS:
        lines = [envelope(stream, name, **dict(changes)) for name, (changes, _) in ENVELOPE_CASES.items()]
        valid = envelope(stream, "duplicate-in-batch")
        no_data = envelope(stream, "duplicate-in-batch-no-data", data=_ABSENT)
        # The same record twice in one batch, not side by side.
        lines = [valid, no_data, *lines, no_data, valid]
        write_batch(batch_path(lake_root, stream, ARRIVAL_DAY, 990001), lines)
        redelivered = [
            envelope(stream, "redelivered-valid"),
            envelope(stream, "redelivered-2999", "2999-06-30T12:00:00.000Z"),
        ]
        first = batch_path(lake_root, stream, ARRIVAL_DAY, 990002)
        write_batch(first, redelivered)
        # The same batch file delivered again under another name (a producer's retry of a whole upload).
        batch_path(lake_root, stream, ARRIVAL_DAY, 990003).write_bytes(first.read_bytes())
        # Two copies of one record, the later-named file holding the plausible one.
        write_batch(
            batch_path(lake_root, stream, ARRIVAL_DAY, 990004),
            [envelope(stream, FUTURE_COPY, "2999-01-01T00:00:00.000Z")],
        )
        write_batch(batch_path(lake_root, stream, ARRIVAL_DAY, 990005), [envelope(stream, FUTURE_COPY)])
    return expected()


def write_batch(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
