"""Validation, deduplication and standardisation of inventory change events: the Lambda step of INV-CDC-VALIDATE.

`handler(event, context)` takes a Kinesis trigger event (`{"Records": [{"kinesis": {"data": <base64>, ...}}]}`)
and returns the batch split into standardised valid events and invalid records, each invalid record kept with
its raw payload and the reason it failed; nothing is dropped. Redeliveries (an `event_id` already seen in the
batch, or in `seen`) are counted and kept out of the valid events.

The rules and their order are exactly the payload rules of the bronze model `stg_inventory__cdc_events_typed`,
and the reasons are its `rejection_reason` values, so the Lambda and the warehouse agree on every record
(tested on the generated stream); the envelope rules (no arrival time, an implausible one, no data, one
record delivered twice: docs/streams.md) are bronze's alone. Everything here is pure Python: no AWS call, no clock.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

CHANGE_TYPES = frozenset({"insert", "update", "delete"})
MOVEMENT_TYPES = frozenset({"receipt", "shipment", "adjustment", "transfer"})
# The shapes bronze's cast_or_null accepts on every engine (its Redshift patterns).
_BIGINT = re.compile(r"^[+-]?[0-9]{1,18}$")
_DECIMAL = re.compile(r"^[+-]?[0-9]+([.][0-9]+)?$")
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[ T]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?Z?$"
)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class KinesisRecord:
    """One record of a Kinesis trigger event: the payload bytes and where Kinesis put them."""

    data: bytes
    partition_key: str = ""
    sequence_number: str = ""
    shard_id: str = ""
    approximate_arrival_timestamp: float | None = None  # epoch seconds, as Lambda gives it

    @classmethod
    def from_trigger(cls, record: Mapping[str, Any]) -> KinesisRecord:
        kinesis = record.get("kinesis", {})
        event_id = str(record.get("eventID", ""))
        return cls(
            data=base64.b64decode(kinesis.get("data", "")),
            partition_key=str(kinesis.get("partitionKey", "")),
            sequence_number=str(kinesis.get("sequenceNumber", "")),
            shard_id=event_id.split(":", 1)[0] if ":" in event_id else "",
            approximate_arrival_timestamp=kinesis.get("approximateArrivalTimestamp"),
        )


@dataclass(frozen=True)
class InventoryEvent:
    """A valid inventory change event, standardised: lower-case codes, upper-case SKU, ISO 8601 UTC time."""

    event_id: str
    change_type: str
    warehouse_id: int
    sku: str
    change_sequence: int
    movement_type: str
    quantity_on_hand: int
    unit_cost: str  # decimal with two places, as text (JSON has no decimal type)
    inventory_value: str  # quantity_on_hand x unit_cost, 0 for a delete
    occurred_at: str
    partition_key: str = ""
    shard_id: str = ""
    sequence_number: str = ""


@dataclass(frozen=True)
class InvalidRecord:
    """A record that failed a rule: kept with its raw payload and the first rule it failed."""

    reason: str
    raw_payload: str
    partition_key: str = ""
    shard_id: str = ""
    sequence_number: str = ""


@dataclass
class ValidationResult:
    valid: list[InventoryEvent] = field(default_factory=list)
    invalid: list[InvalidRecord] = field(default_factory=list)
    duplicates: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": [asdict(event) for event in self.valid],
            "invalid": [asdict(record) for record in self.invalid],
            "duplicates": self.duplicates,
            "counts": {"valid": len(self.valid), "invalid": len(self.invalid), "duplicates": self.duplicates},
        }


def _text(value: Any) -> str | None:
    """A JSON value as the warehouse's json_text sees it: null and '' are absent, scalars as their text."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, Decimal, str)):
        text = str(value)
    else:
        text = json.dumps(value, separators=(",", ":"))
    return text or None


def _bigint(text: str | None) -> int | None:
    if text is None or not _BIGINT.match(text.strip()):
        return None
    return int(text.strip())


def _decimal(text: str | None) -> Decimal | None:
    if text is None or not _DECIMAL.match(text.strip()):
        return None
    try:
        return Decimal(text.strip()).quantize(_CENT)
    except InvalidOperation:
        return None


def _timestamp(text: str | None) -> dt.datetime | None:
    if text is None or not _TIMESTAMP.match(text.strip()):
        return None
    value = text.strip().replace("T", " ").replace("Z", "")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _code(value: Any, upper: bool = False) -> str | None:
    text = _text(value)
    if text is None:
        return None
    text = text.strip()
    return text.upper() if upper else text.lower()


def check_payload(payload: bytes | str) -> tuple[InventoryEvent | None, str | None]:
    """(standardised event, None) for a valid payload, (None, reason) otherwise. Same rules as bronze."""
    text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
    try:
        event = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, ValueError):
        return None, "malformed_json"
    if not isinstance(event, dict):
        return None, "malformed_json"
    event_id = _text(event.get("event_id"))
    change_type = _code(event.get("op"))
    warehouse_text = _text(event.get("warehouse_id"))
    warehouse_id = _bigint(warehouse_text)
    sku = _code(event.get("sku"), upper=True)
    sequence_text = _text(event.get("seq"))
    sequence = _bigint(sequence_text)
    movement_type = _code(event.get("movement_type"))
    quantity_text = _text(event.get("quantity_on_hand"))
    quantity = _bigint(quantity_text)
    cost_text = _text(event.get("unit_cost"))
    unit_cost = _decimal(cost_text)
    occurred_text = _text(event.get("occurred_at"))
    occurred_at = _timestamp(occurred_text)
    checks: tuple[tuple[bool, str], ...] = (
        (event_id is None, "missing_event_id"),
        (not change_type, "missing_change_type"),
        (change_type not in CHANGE_TYPES, "invalid_change_type"),
        (warehouse_text is None, "missing_warehouse_id"),
        (warehouse_id is None, "invalid_warehouse_id"),
        (not sku, "missing_sku"),
        (sequence_text is None, "missing_sequence"),
        (sequence is None or sequence < 1, "invalid_sequence"),
        (not movement_type, "missing_movement_type"),
        (movement_type not in MOVEMENT_TYPES, "invalid_movement_type"),
        (quantity_text is None, "missing_quantity_on_hand"),
        (quantity is None, "invalid_quantity_on_hand"),
        (cost_text is None, "missing_unit_cost"),
        (unit_cost is None, "invalid_unit_cost"),
        (occurred_text is None, "missing_occurred_at"),
        (occurred_at is None, "invalid_occurred_at"),
        (quantity is not None and quantity < 0, "negative_quantity_on_hand"),
        (unit_cost is not None and unit_cost < 0, "negative_unit_cost"),
    )
    for failed, reason in checks:
        if failed:
            return None, reason
    assert event_id and change_type and sku and movement_type and occurred_at is not None
    assert warehouse_id is not None and sequence is not None and quantity is not None and unit_cost is not None
    value = Decimal(0) if change_type == "delete" else (quantity * unit_cost).quantize(_CENT)
    return (
        InventoryEvent(
            event_id=event_id,
            change_type=change_type,
            warehouse_id=warehouse_id,
            sku=sku,
            change_sequence=sequence,
            movement_type=movement_type,
            quantity_on_hand=quantity,
            unit_cost=str(unit_cost),
            inventory_value=str(value.quantize(_CENT)),
            occurred_at=occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ),
        None,
    )


def validate(records: Iterable[KinesisRecord], seen: set[str] | None = None) -> ValidationResult:
    """Validate a batch in order; an event id already in `seen` (or earlier in the batch) is a redelivery.

    `seen` is updated with the valid events' ids, so a caller can carry it across batches (a Lambda would
    keep it in DynamoDB with a conditional write).
    """
    seen = set() if seen is None else seen
    result = ValidationResult()
    for record in records:
        event, reason = check_payload(record.data)
        if event is None:
            result.invalid.append(
                InvalidRecord(
                    reason=str(reason),
                    raw_payload=record.data.decode("utf-8", errors="replace"),
                    partition_key=record.partition_key,
                    shard_id=record.shard_id,
                    sequence_number=record.sequence_number,
                )
            )
            continue
        if event.event_id in seen:
            result.duplicates += 1
            continue
        seen.add(event.event_id)
        result.valid.append(
            InventoryEvent(
                **{
                    **asdict(event),
                    "partition_key": record.partition_key,
                    "shard_id": record.shard_id,
                    "sequence_number": record.sequence_number,
                }
            )
        )
    return result


def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """AWS Lambda entry point for a Kinesis trigger: validate, deduplicate and standardise the batch.

    Returns the valid events, the invalid records with their reasons, the redelivery count, and an empty
    `batchItemFailures` (a record that fails a rule is data, not a processing failure to retry).
    """
    records = [KinesisRecord.from_trigger(record) for record in event.get("Records", [])]
    result = validate(records).to_json()
    result["batchItemFailures"] = []
    return result
