"""Put stream records on a Kinesis data stream, or land them as local micro-batch files (docs/streams.md).

`KinesisProducer` sends records with `PutRecords` in requests of at most 500 records and 5 MiB (partition keys
included), and retries what Kinesis did not take: a response with `FailedRecordCount > 0` marks each failed
record with an `ErrorCode` (`ProvisionedThroughputExceededException`, `InternalFailure`), and only those
records are sent again, after a bounded exponential backoff with jitter. A throttled or failed request as a
whole is retried the same way. After `max_attempts` the producer raises `ProducerError`, naming how many
records are left and why. Retries can reorder records within a shard; consumers order inventory changes by
their per-position sequence number, not by arrival.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from warehouse import log

logger = log.get("stream")

MAX_RECORDS_PER_REQUEST = 500
MAX_BYTES_PER_REQUEST = 5 * 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024
RETRYABLE_RECORD_ERRORS = frozenset({"ProvisionedThroughputExceededException", "InternalFailure"})
RETRYABLE_REQUEST_ERRORS = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
        "ThrottlingException",
        "InternalFailure",
        "InternalFailureException",
        "ServiceUnavailable",
        "KMSThrottlingException",
    }
)


class ProducerError(Exception):
    """Records could not be delivered; the message says how many and the last error codes."""


@dataclass(frozen=True)
class StreamRecord:
    partition_key: str
    data: bytes

    @property
    def size(self) -> int:
        """What counts against the 5 MiB request limit: the data plus the partition key."""
        return len(self.data) + len(self.partition_key.encode("utf-8"))


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff: base_delay x 2^(attempt-1), capped at max_delay, with +-50% jitter."""

    max_attempts: int = 8
    base_delay: float = 0.1
    max_delay: float = 5.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1)) * (0.5 + rng.random())


@dataclass
class ProduceReport:
    records: int = 0
    requests: int = 0
    retried_records: int = 0
    throttled_requests: int = 0
    shards: dict[str, int] = field(default_factory=dict)


def requests(records: Iterable[StreamRecord]) -> Iterator[list[StreamRecord]]:
    """Group records, in order, into PutRecords requests of at most 500 records and 5 MiB."""
    batch: list[StreamRecord] = []
    size = 0
    for record in records:
        if record.size > MAX_RECORD_BYTES:
            raise ProducerError(
                f"a record of {record.size:,} bytes (partition key {record.partition_key!r}) exceeds Kinesis's "
                f"{MAX_RECORD_BYTES:,}-byte limit"
            )
        if batch and (len(batch) == MAX_RECORDS_PER_REQUEST or size + record.size > MAX_BYTES_PER_REQUEST):
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += record.size
    if batch:
        yield batch


class KinesisProducer:
    """PutRecords with per-record retries. `client` is a boto3 Kinesis client (or anything shaped like one)."""

    def __init__(
        self,
        client: Any,
        stream_name: str,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.stream_name = stream_name
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random(0)

    def put(self, records: Iterable[StreamRecord]) -> ProduceReport:
        report = ProduceReport()
        for batch in requests(records):
            self._put_request(batch, report)
            report.records += len(batch)
        return report

    def _put_request(self, batch: list[StreamRecord], report: ProduceReport) -> None:
        pending = batch
        errors: dict[str, int] = {}
        for attempt in range(1, self.retry.max_attempts + 1):
            if attempt > 1:
                self.sleep(self.retry.delay(attempt - 1, self.rng))
            report.requests += 1
            try:
                response = self.client.put_records(
                    StreamName=self.stream_name,
                    Records=[{"Data": r.data, "PartitionKey": r.partition_key} for r in pending],
                )
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code not in RETRYABLE_REQUEST_ERRORS:
                    raise ProducerError(f"PutRecords to {self.stream_name} failed: {code}: {exc}") from exc
                report.throttled_requests += 1
                errors = {code: len(pending)}
                continue
            results = response.get("Records", [])
            if len(results) != len(pending):
                raise ProducerError(f"PutRecords returned {len(results)} results for {len(pending)} records")
            failed: list[StreamRecord] = []
            errors = {}
            for record, result in zip(pending, results, strict=True):
                code = result.get("ErrorCode")
                if code:
                    if code not in RETRYABLE_RECORD_ERRORS:
                        raise ProducerError(
                            f"Kinesis rejected a record of {self.stream_name}: {code}: {result.get('ErrorMessage')}"
                        )
                    failed.append(record)
                    errors[code] = errors.get(code, 0) + 1
                else:
                    shard = str(result.get("ShardId", ""))
                    report.shards[shard] = report.shards.get(shard, 0) + 1
            if int(response.get("FailedRecordCount", len(failed))) != len(failed):
                raise ProducerError("PutRecords' FailedRecordCount does not match the records with an ErrorCode")
            if not failed:
                return
            report.retried_records += len(failed)
            logger.debug("%d of %d records failed (%s); retrying", len(failed), len(pending), errors)
            pending = failed
        raise ProducerError(
            f"{len(pending)} records still not accepted by {self.stream_name} after {self.retry.max_attempts} "
            f"attempts ({', '.join(f'{k}: {v}' for k, v in sorted(errors.items()))}); raise the stream's shard "
            "count or retry later"
        )


def kinesis_client(region: str | None = None, endpoint_url: str | None = None) -> Any:
    """A boto3 Kinesis client; credentials from the default chain, endpoint optional (moto, LocalStack)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "kinesis",
        region_name=region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        endpoint_url=endpoint_url,
        config=Config(retries={"max_attempts": 3, "mode": "standard"}),
    )


def ensure_stream(client: Any, stream_name: str, shards: int, wait: Callable[[float], None] = time.sleep) -> bool:
    """Create the stream with `shards` shards if it does not exist and wait until it is active; True if created."""
    try:
        client.describe_stream_summary(StreamName=stream_name)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    client.create_stream(StreamName=stream_name, ShardCount=shards)
    for _ in range(60):
        status = client.describe_stream_summary(StreamName=stream_name)["StreamDescriptionSummary"]["StreamStatus"]
        if status == "ACTIVE":
            return True
        wait(1.0)
    raise ProducerError(f"stream {stream_name} did not become ACTIVE within a minute")


def lake_records(stream_folder: Path) -> Iterator[StreamRecord]:
    """The records of a local stream folder, batch file by batch file (file-name order = arrival order)."""
    for path in sorted(stream_folder.glob("dt=*/batch-*.ndjson")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    envelope = json.loads(line)
                    yield StreamRecord(str(envelope["partition_key"]), str(envelope["data"]).encode("utf-8"))


def envelope_records(lines: Iterable[str]) -> Iterator[StreamRecord]:
    """Kinesis envelopes (one JSON line each, as in a micro-batch file) as records to put."""
    for line in lines:
        envelope = json.loads(line)
        yield StreamRecord(str(envelope["partition_key"]), str(envelope["data"]).encode("utf-8"))
