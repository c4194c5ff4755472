"""S3 locations and partition discovery: partitions are found by listing `name=value/` prefixes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from warehouse import log
from warehouse.aws.errors import LakeListingError

logger = log.get("aws.lake")

_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<key>.*))?$")


@dataclass(frozen=True)
class S3Uri:
    bucket: str
    key: str  # no leading slash; a folder ends with "/"

    @classmethod
    def parse(cls, uri: str) -> S3Uri:
        match = _S3_URI.match(uri.strip())
        if not match:
            raise LakeListingError(f"{uri!r} is not an s3://bucket/key URI")
        return cls(match["bucket"], match["key"] or "")

    def folder(self) -> S3Uri:
        return S3Uri(self.bucket, self.key if not self.key or self.key.endswith("/") else self.key + "/")

    def child(self, name: str) -> S3Uri:
        return S3Uri(self.bucket, f"{self.folder().key}{name.strip('/')}/")

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class FoundPartition:
    values: tuple[str, ...]
    location: str  # s3://bucket/prefix/name=value/.../


def valid_partition_value(value: str, data_type: str) -> bool:
    """Whether a folder's value fits the partition's type (a stray `dt=latest/` is skipped, not registered)."""
    kind = data_type.split("(")[0].strip()
    try:
        if kind == "date":
            dt.date.fromisoformat(value)
        elif kind in {"int", "integer", "bigint", "smallint", "tinyint"}:
            int(value)
    except ValueError:
        return False
    return value != "__HIVE_DEFAULT_PARTITION__"


def _common_prefixes(s3: Any, uri: S3Uri) -> list[str]:
    prefixes: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=uri.bucket, Prefix=uri.key, Delimiter="/"):
            prefixes.extend(entry["Prefix"] for entry in page.get("CommonPrefixes", []))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise LakeListingError(
            f"cannot list {uri}: {code} {exc.response.get('Error', {}).get('Message', '')}".rstrip()
            + (" (check the bucket name in WAREHOUSE_LAKE_ROOT)" if code == "NoSuchBucket" else "")
            + (" (the caller needs s3:ListBucket on the bucket)" if code == "AccessDenied" else "")
        ) from exc
    except BotoCoreError as exc:
        raise LakeListingError(f"cannot list {uri}: {exc}") from exc
    return prefixes


def discover_partitions(s3: Any, root: str, keys: Sequence[tuple[str, str]]) -> list[FoundPartition]:
    """Partitions under `root` for partition `keys` [(name, data_type), ...], from the S3 listing.

    Walks one level per key with a `/` delimiter, so it lists folders, not files. A folder whose name is
    not `<key>=<value>` with a value of the key's type is skipped (and logged).
    """
    base = S3Uri.parse(root).folder()
    level: list[tuple[tuple[str, ...], S3Uri]] = [((), base)]
    for name, data_type in keys:
        next_level: list[tuple[tuple[str, ...], S3Uri]] = []
        for values, uri in level:
            for prefix in _common_prefixes(s3, uri):
                folder = prefix[len(uri.key) :].rstrip("/")
                key, sep, value = folder.partition("=")
                value = unquote(value)
                if key != name or not sep or not valid_partition_value(value, data_type):
                    logger.warning("skipping s3://%s/%s: not a %s=<%s> folder", uri.bucket, prefix, name, data_type)
                    continue
                next_level.append(((*values, value), S3Uri(uri.bucket, prefix)))
        level = next_level
    return sorted((FoundPartition(values, str(uri)) for values, uri in level), key=lambda p: p.values)


def delete_prefix(s3: Any, root: str) -> int:
    """Delete every object under an S3 folder; the number deleted."""
    uri = S3Uri.parse(root).folder()
    deleted = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=uri.bucket, Prefix=uri.key):
        keys = [{"Key": entry["Key"]} for entry in page.get("Contents", [])]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=uri.bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True})
            deleted += len(keys[start : start + 1000])
    return deleted
