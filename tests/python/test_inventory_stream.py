"""Inventory CDC (INV-CDC-STREAM) without dbt: the generated stream, the Lambda-style validator, the Kinesis producer.

The stream is recounted from its micro-batch files; the validator runs on hand-made Kinesis trigger events and
on the whole tiny stream; the producer runs against moto's in-process Kinesis (`mock_aws`) and against a fake
client that refuses records, to exercise the per-record retries.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from warehouse import cli
from warehouse.commands.stream import generated_stream
from warehouse.generate import SCALES, Manifest, generate_lake, inventory_cdc, parse_scale
from warehouse.generate.inventory_cdc import STREAM, inventory_scale
from warehouse.stream import validator
from warehouse.stream.producer import (
    MAX_BYTES_PER_REQUEST,
    MAX_RECORDS_PER_REQUEST,
    KinesisProducer,
    ProducerError,
    RetryPolicy,
    StreamRecord,
    ensure_stream,
    envelope_records,
    lake_records,
    requests,
)

TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True)
class Lake:
    root: Path
    manifest: Manifest

    @property
    def stream(self) -> Path:
        return self.root / "stream" / STREAM

    def envelopes(self) -> list[dict[str, Any]]:
        return [
            json.loads(line)
            for path in sorted(self.stream.glob("dt=*/batch-*.ndjson"))
            for line in path.read_text(encoding="utf-8").splitlines()
        ]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    root = tmp_path_factory.mktemp("inventory") / "lake"
    return Lake(root, generate_lake(root, SCALES["tiny"], seed=42, datasets=["products", "warehouses", STREAM]))


# --- the generated stream ---------------------------------------------------------------------------------


def test_scales_follow_the_inventory_requirement() -> None:
    full = inventory_scale(SCALES["full"])
    assert (full.warehouses, full.skus) == (500, 100_000)
    assert full.events == SCALES["full"].orders
    tiny = inventory_scale(SCALES["tiny"])
    assert (tiny.warehouses, tiny.skus) == (10, 200)
    months = (tiny.end_date.year - tiny.start_date.year) * 12 + tiny.end_date.month - tiny.start_date.month + 1
    assert months == 36 >= 25, "tiny must span two years and more, for year-over-year"
    assert inventory_scale(parse_scale("50000")).warehouses == 100


@pytest.mark.slow
def test_stream_layout_envelopes_and_manifest(tiny: Lake) -> None:
    entry = tiny.manifest.datasets[STREAM]
    files = sorted(tiny.stream.glob("dt=*/batch-*.ndjson"))
    assert len(files) == entry.files > 20
    for path in files:
        batch_start = dt.datetime.fromtimestamp(int(path.name.split("-")[1]) / 1000, tz=dt.timezone.utc)
        assert path.parent.name == f"dt={batch_start.date()}"
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") and "\n\n" not in text
    envelopes = tiny.envelopes()
    assert len(envelopes) == entry.raw_records
    fields = {"approximate_arrival_timestamp", "partition_key", "shard_id", "sequence_number", "data"}
    assert set(envelopes[0]) == fields
    assert len({(e["shard_id"], e["sequence_number"]) for e in envelopes}) == len(envelopes)
    warehouses = (tiny.root / "raw" / "warehouses").glob("dt=*/part-0000.csv")
    rows = next(iter(warehouses)).read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + 10 and rows[0].startswith("warehouse_id,warehouse_code,")


@pytest.mark.slow
def test_defects_recounted_from_the_files_match_the_manifest(tiny: Lake) -> None:
    """Malformed, missing, wrong type, negative, unknown keys, redeliveries, late and out-of-order arrivals."""
    entry = tiny.manifest.datasets[STREAM]
    skus = {
        line.split(",")[1]
        for path in (tiny.root / "raw" / "products").glob("dt=*/part-0000.csv")
        for line in path.read_text(encoding="utf-8").splitlines()[1:]
    }
    counts: Counter[str] = Counter()
    first: dict[str, dict[str, Any]] = {}
    for envelope in tiny.envelopes():
        try:
            payload = json.loads(envelope["data"])
        except json.JSONDecodeError:
            counts["malformed"] += 1
            continue
        arrived = dt.datetime.strptime(envelope["approximate_arrival_timestamp"], TIMESTAMP)
        if any(payload.get(f) is None for f in ("event_id", "op", "warehouse_id", "sku", "seq", "occurred_at")) or any(
            payload.get(f) is None for f in ("movement_type", "quantity_on_hand", "unit_cost")
        ):
            counts["missing_field"] += 1
            continue
        if payload["event_id"] in first:
            counts["duplicate"] += 1
            continue
        first[payload["event_id"]] = {**payload, "_arrived": arrived}
        if any(isinstance(payload[f], str) for f in ("quantity_on_hand", "unit_cost")) or "/" in payload["occurred_at"]:
            counts["wrong_type"] += 1
        elif payload["quantity_on_hand"] < 0:
            counts["negative_quantity"] += 1
        elif payload["sku"] not in skus or payload["warehouse_id"] > 10:
            counts["unknown_fk"] += 1
        elif arrived - dt.datetime.strptime(payload["occurred_at"], "%Y-%m-%dT%H:%M:%SZ") >= dt.timedelta(days=1):
            counts["late_or_out_of_order"] += 1
    for kind in ("malformed", "missing_field", "wrong_type", "negative_quantity", "unknown_fk", "duplicate"):
        assert counts[kind] == entry.defects[kind] >= 1, kind
    assert entry.defects["late"] >= 1 and entry.details["out_of_order"] >= 1
    # Out-of-order events arrive after the next event of their position, which is usually days later.
    assert counts["late_or_out_of_order"] >= entry.defects["late"]
    assert entry.details["arrived_out_of_order"] >= entry.details["out_of_order"] * 0.8


@pytest.mark.slow
def test_sequences_follow_time_and_every_position_opens_with_an_insert(tiny: Lake) -> None:
    positions: dict[tuple[Any, Any], list[tuple[int, str, str]]] = {}
    for envelope in tiny.envelopes():
        try:
            payload = json.loads(envelope["data"])
        except json.JSONDecodeError:
            continue
        key = envelope["partition_key"]
        if payload.get("seq") is None or not isinstance(payload.get("occurred_at"), str):
            continue
        positions.setdefault(key, []).append((payload["seq"], payload["occurred_at"], payload.get("op")))
    deletes = 0
    for events in positions.values():
        events = sorted(set(events))
        times = [t for _, t, _ in events if "/" not in t]
        assert times == sorted(times), "a higher sequence number never happened earlier"
        deletes += sum(op == "delete" for _, _, op in events)
    assert deletes > 0


@pytest.mark.slow
def test_generation_is_deterministic_and_the_producer_writes_the_same_batches(tiny: Lake, tmp_path: Path) -> None:
    records = generated_stream(SCALES["tiny"], 42)
    files = sorted(tiny.stream.glob("dt=*/batch-*.ndjson"))
    assert records.line == [line for path in files for line in path.read_text(encoding="utf-8").splitlines()]
    root = tmp_path / "lake"
    assert _run_cli(["stream", "produce", "--stream", STREAM, "--lake-root", str(root)]) == 0
    produced = sorted(p.relative_to(root / "stream") for p in (root / "stream").rglob("*.ndjson"))
    original = sorted(p.relative_to(tiny.root / "stream") for p in tiny.stream.rglob("*.ndjson"))
    assert produced == original
    for relative in produced:
        assert (root / "stream" / relative).read_bytes() == (tiny.root / "stream" / relative).read_bytes()


@pytest.mark.slow
def test_produce_without_flags_keeps_an_existing_stream_and_follows_the_lake(tiny: Lake, tmp_path: Path) -> None:
    """No flag deletes lake data: an existing stream folder is refused without --overwrite, and the scale and
    seed default to the lake's own manifest, never to tiny."""
    import shutil

    root = tmp_path / "lake"
    shutil.copytree(tiny.root, root)
    before = {p: p.read_bytes() for p in (root / "stream" / STREAM).rglob("*.ndjson")}
    assert _run_cli(["stream", "produce", "--stream", STREAM, "--lake-root", str(root)]) != 0
    assert {p: p.read_bytes() for p in (root / "stream" / STREAM).rglob("*.ndjson")} == before
    assert _run_cli(["stream", "produce", "--stream", STREAM, "--lake-root", str(root), "--overwrite"]) == 0
    # The lake's manifest says tiny, seed 42: the same stream again, byte for byte.
    assert {p: p.read_bytes() for p in (root / "stream" / STREAM).rglob("*.ndjson")} == before


def test_produce_refuses_a_lake_manifest_without_its_seed(tiny: Lake, tmp_path: Path, capsys: Any) -> None:
    """The stream is drawn with the lake's own scale and seed (the generators' one reading of the manifest): a
    manifest that lost its seed is a configuration error naming the file, and no stream file is written."""
    import shutil

    root = tmp_path / "lake"
    shutil.copytree(tiny.root, root)
    manifest = root / "_manifest" / "generation.json"
    written = json.loads(manifest.read_text(encoding="utf-8"))
    del written["seed"]
    manifest.write_text(json.dumps(written), encoding="utf-8")
    shutil.rmtree(root / "stream" / STREAM)
    assert _run_cli(["stream", "produce", "--stream", STREAM, "--lake-root", str(root)]) == 2
    message = "".join(capsys.readouterr().err.split())  # the log folds long lines
    assert f"{manifest}recordsnoseed" in message
    assert not (root / "stream" / STREAM).exists()


def test_generation_in_small_chunks_writes_the_same_files(
    tiny: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """export() fetches whole batches of about CHUNK_RECORDS records at a time (the full scale would not fit in
    memory otherwise): many small chunks give the same files, numbers and manifest as one."""
    monkeypatch.setattr(inventory_cdc, "CHUNK_RECORDS", 700)
    root = tmp_path / "lake"
    manifest = generate_lake(root, SCALES["tiny"], seed=42, datasets=["products", "warehouses", STREAM])
    assert manifest.datasets[STREAM].raw_records > 10 * 700
    chunked = sorted(p.relative_to(root / "stream") for p in (root / "stream").rglob("*.ndjson"))
    original = sorted(p.relative_to(tiny.root / "stream") for p in tiny.stream.rglob("*.ndjson"))
    assert chunked == original
    for relative in chunked:
        assert (root / "stream" / relative).read_bytes() == (tiny.root / "stream" / relative).read_bytes()
    assert manifest.datasets[STREAM] == tiny.manifest.datasets[STREAM]


def _run_cli(argv: list[str]) -> int:
    modules = (*cli.COMMAND_MODULES, "warehouse.commands.stream", "warehouse.commands.inventory")
    original = cli.COMMAND_MODULES
    cli.COMMAND_MODULES = tuple(dict.fromkeys(modules))
    try:
        return cli.main(argv)
    finally:
        cli.COMMAND_MODULES = original


# --- the validator (Lambda) -------------------------------------------------------------------------------

GOOD = {
    "event_id": "IC1",
    "op": " Update ",
    "warehouse_id": 3,
    "sku": "gr-01-000001",
    "seq": 2,
    "movement_type": "SHIPMENT",
    "quantity_on_hand": 40,
    "unit_cost": 12.5,
    "occurred_at": "2024-03-01T10:00:00Z",
}


def _trigger(*payloads: bytes | str) -> dict[str, Any]:
    records = []
    for n, payload in enumerate(payloads):
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        records.append(
            {
                "eventSource": "aws:kinesis",
                "eventID": f"shardId-000000000001:4959{n:040d}",
                "kinesis": {
                    "partitionKey": "3|GR-01-000001",
                    "sequenceNumber": f"4959{n:040d}",
                    "data": base64.b64encode(data).decode("ascii"),
                    "approximateArrivalTimestamp": 1709287200.5,
                },
            }
        )
    return {"Records": records}


def test_handler_standardises_a_valid_event() -> None:
    result = validator.handler(_trigger(json.dumps(GOOD)), None)
    assert result["counts"] == {"valid": 1, "invalid": 0, "duplicates": 0}
    assert result["batchItemFailures"] == []
    event = result["valid"][0]
    assert event["change_type"] == "update" and event["movement_type"] == "shipment"
    assert event["sku"] == "GR-01-000001" and event["warehouse_id"] == 3 and event["change_sequence"] == 2
    assert event["unit_cost"] == "12.50" and event["inventory_value"] == "500.00"
    assert event["occurred_at"] == "2024-03-01T10:00:00Z" and event["shard_id"] == "shardId-000000000001"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"event_id": None}, "missing_event_id"),
        ({"op": "upsert"}, "invalid_change_type"),
        ({"warehouse_id": "three"}, "invalid_warehouse_id"),
        ({"sku": " "}, "missing_sku"),
        ({"seq": 0}, "invalid_sequence"),
        ({"movement_type": "theft"}, "invalid_movement_type"),
        ({"quantity_on_hand": "n/a"}, "invalid_quantity_on_hand"),
        ({"unit_cost": "12,50"}, "invalid_unit_cost"),
        ({"occurred_at": "31/12/2024 10:00"}, "invalid_occurred_at"),
        ({"occurred_at": None}, "missing_occurred_at"),
        ({"quantity_on_hand": -2}, "negative_quantity_on_hand"),
        ({"unit_cost": -1}, "negative_unit_cost"),
    ],
)
def test_invalid_events_are_kept_with_the_first_reason(change: dict[str, Any], reason: str) -> None:
    payload = json.dumps({**GOOD, **change})
    result = validator.handler(_trigger(payload), None)
    assert result["counts"]["invalid"] == 1 and not result["valid"]
    assert result["invalid"][0]["reason"] == reason
    assert result["invalid"][0]["raw_payload"] == payload


def test_malformed_payloads_and_redeliveries() -> None:
    good = json.dumps(GOOD)
    result = validator.handler(_trigger(good, good[:20], b"\xff\xfe binary", "[1, 2]", good), None)
    assert result["counts"] == {"valid": 1, "invalid": 3, "duplicates": 1}
    assert [r["reason"] for r in result["invalid"]] == ["malformed_json"] * 3
    seen = {"IC1"}
    again = validator.validate([validator.KinesisRecord(good.encode())], seen=seen)
    assert again.duplicates == 1 and not again.valid


@pytest.mark.slow
def test_validator_agrees_with_the_manifest_on_the_tiny_stream(tiny: Lake) -> None:
    records = [validator.KinesisRecord(r.data, r.partition_key) for r in lake_records(tiny.stream)]
    result = validator.validate(records)
    entry = tiny.manifest.datasets[STREAM]
    reasons = Counter(r.reason for r in result.invalid)
    assert reasons["malformed_json"] == entry.defects["malformed"]
    assert reasons["negative_quantity_on_hand"] == entry.defects["negative_quantity"]
    assert sum(n for r, n in reasons.items() if r.startswith("missing_")) == entry.defects["missing_field"]
    assert sum(n for r, n in reasons.items() if r.startswith("invalid_")) == entry.defects["wrong_type"]
    assert result.duplicates == entry.defects["duplicate"]
    assert len(result.valid) + len(result.invalid) + result.duplicates == entry.raw_records


# --- the producer -----------------------------------------------------------------------------------------


def _records(n: int, size: int = 100) -> list[StreamRecord]:
    return [StreamRecord(f"{i % 7}|SKU-{i}", (f"{i:08d}" + "x" * size)[:size].encode()) for i in range(n)]


def test_requests_respect_the_put_records_limits() -> None:
    small = list(requests(_records(1_234)))
    assert [len(b) for b in small] == [500, 500, 234]
    big = list(requests(_records(40, size=400_000)))
    assert all(sum(r.size for r in b) <= MAX_BYTES_PER_REQUEST for b in big)
    assert sum(len(b) for b in big) == 40 and len(big) > 1
    with pytest.raises(ProducerError, match="exceeds"):
        list(requests([StreamRecord("k", b"x" * (1024 * 1024 + 1))]))
    assert MAX_RECORDS_PER_REQUEST == 500


@pytest.fixture()
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def _read_all(client: Any, stream: str) -> list[dict[str, Any]]:
    shards = client.list_shards(StreamName=stream)["Shards"]
    records = []
    for shard in shards:
        iterator = client.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = client.get_records(ShardIterator=iterator, Limit=10_000)
            records += response["Records"]
            if not response["Records"]:
                break
            iterator = response.get("NextShardIterator")
    return records


@pytest.mark.slow
@pytest.mark.usefixtures("aws_env")
def test_producer_puts_the_tiny_stream_on_kinesis(tiny: Lake) -> None:
    client = boto3.client("kinesis", region_name="us-east-1")
    assert ensure_stream(client, "inventory-cdc", shards=4, wait=lambda _: None) is True
    assert ensure_stream(client, "inventory-cdc", shards=4) is False
    records = list(lake_records(tiny.stream))[:1_200]
    report = KinesisProducer(client, "inventory-cdc", sleep=lambda _: None).put(records)
    assert report.records == 1_200 and report.requests == 3 and report.retried_records == 0
    received = _read_all(client, "inventory-cdc")
    assert Counter(r["Data"] for r in received) == Counter(r.data for r in records)
    assert {r["PartitionKey"] for r in received} == {r.partition_key for r in records}
    assert len(report.shards) > 1


@pytest.mark.slow
@pytest.mark.usefixtures("aws_env")
def test_cli_produces_to_kinesis(tiny: Lake) -> None:
    argv = ["stream", "produce", "--from-lake", "--lake-root", str(tiny.root), "--kinesis", "cli-stream"]
    assert _run_cli([*argv, "--create-stream", "2", "--limit", "700"]) == 0
    client = boto3.client("kinesis", region_name="us-east-1")
    assert len(_read_all(client, "cli-stream")) == 700


class FlakyKinesis:
    """A Kinesis client whose PutRecords refuses some records (FailedRecordCount > 0) on the first attempts."""

    def __init__(self, failing_attempts: int, every: int = 3, throttle_first_call: bool = False) -> None:
        self.failing_attempts = failing_attempts
        self.every = every
        self.throttle_first_call = throttle_first_call
        self.calls: list[list[bytes]] = []
        self.accepted: list[bytes] = []

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append([r["Data"] for r in Records])
        if self.throttle_first_call and len(self.calls) == 1:
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "PutRecords"
            )
        results = []
        failing = len(self.calls) <= self.failing_attempts + int(self.throttle_first_call)
        for n, record in enumerate(Records):
            if failing and n % self.every == 0:
                code = "ProvisionedThroughputExceededException" if n % 2 == 0 else "InternalFailure"
                results.append({"ErrorCode": code, "ErrorMessage": "Rate exceeded for shard"})
            else:
                self.accepted.append(record["Data"])
                results.append({"SequenceNumber": str(len(self.accepted)), "ShardId": "shardId-000000000000"})
        return {"FailedRecordCount": sum(1 for r in results if "ErrorCode" in r), "Records": results}


def test_failed_records_are_retried_until_accepted() -> None:
    client = FlakyKinesis(failing_attempts=2, throttle_first_call=True)
    delays: list[float] = []
    records = _records(600)
    report = KinesisProducer(client, "s", RetryPolicy(max_attempts=5), sleep=delays.append).put(records)
    assert sorted(client.accepted) == sorted(r.data for r in records), "every record accepted exactly once"
    assert report.records == 600 and report.throttled_requests == 1 and report.retried_records > 0
    # The second request of each batch resends only the failed records.
    assert len(client.calls[2]) == len([n for n in range(500) if n % 3 == 0])
    assert all(0 < d <= RetryPolicy().max_delay * 1.5 for d in delays)
    assert delays[1] > delays[0] * 0.5  # exponential, with jitter


def test_producer_gives_up_after_max_attempts() -> None:
    client = FlakyKinesis(failing_attempts=100)
    with pytest.raises(ProducerError, match="after 3 attempts"):
        KinesisProducer(client, "s", RetryPolicy(max_attempts=3), sleep=lambda _: None).put(_records(10))
    assert len(client.calls) == 3


def test_partial_failure_with_a_botocore_stubber() -> None:
    client = boto3.client("kinesis", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    records = _records(3)
    with Stubber(client) as stub:
        stub.add_response(
            "put_records",
            {
                "FailedRecordCount": 1,
                "Records": [
                    {"SequenceNumber": "1", "ShardId": "shardId-000000000000"},
                    {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded"},
                    {"SequenceNumber": "2", "ShardId": "shardId-000000000001"},
                ],
            },
            {"StreamName": "s", "Records": [{"Data": r.data, "PartitionKey": r.partition_key} for r in records]},
        )
        stub.add_response(
            "put_records",
            {"Records": [{"SequenceNumber": "3", "ShardId": "shardId-000000000000"}]},
            {"StreamName": "s", "Records": [{"Data": records[1].data, "PartitionKey": records[1].partition_key}]},
        )
        report = KinesisProducer(client, "s", sleep=lambda _: None, rng=random.Random(1)).put(records)
        stub.assert_no_pending_responses()
    assert report.requests == 2 and report.retried_records == 1
    assert report.shards == {"shardId-000000000000": 2, "shardId-000000000001": 1}


def test_envelope_records_decode_the_data_field() -> None:
    line = json.dumps({"partition_key": "1|A", "data": '{"a": 1}', "shard_id": "s", "sequence_number": "1"})
    assert list(envelope_records([line])) == [StreamRecord("1|A", b'{"a": 1}')]


@pytest.mark.parametrize("months", ["-1", "0", "x"])
def test_tiering_refuses_a_horizon_that_would_offload_everything(months: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _run_cli(["inventory", "tier", "--horizon-months", months, "--dry-run"])
    assert exit_info.value.code == 2
