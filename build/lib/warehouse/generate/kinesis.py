"""The Kinesis record envelope of the generated streams (docs/streams.md), as DuckDB SQL expressions.

Every stream generator (web events, inventory change events and its appends) writes records through these, so
shard ids and sequence numbers have one format: `shardId-` and 12 digits; `4959`, the arrival time in epoch
microseconds (17 digits) and a record number (14 digits), so sequence numbers grow with arrival time.
"""

from __future__ import annotations


def shard_id_sql(partition_key: str, shards: int) -> str:
    """The shard a partition key hashes to."""
    return f"'shardId-' || lpad((hash({partition_key}) % {shards})::varchar, 12, '0')"


def record_sql(arrived_at: str, partition_key: str, shard_id: str, record_number: str, data: str) -> str:
    """One Kinesis record as a JSON line: arrival time, partition key, shard, sequence number and data."""
    return f"""to_json(struct_pack(
                approximate_arrival_timestamp := strftime({arrived_at}, '%Y-%m-%dT%H:%M:%S.%gZ'),
                partition_key := {partition_key},
                shard_id := {shard_id},
                sequence_number := '4959' || lpad(epoch_us({arrived_at})::varchar, 17, '0')
                    || lpad(({record_number})::varchar, 14, '0'),
                data := {data}
            ))::varchar"""


__all__ = ["record_sql", "shard_id_sql"]
