"""Create or update Glue databases, tables and partitions, idempotently.

A second run over an unchanged lake changes nothing: a table is updated only when the definition we own
differs, a partition is created when missing and updated when its storage differs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError

from warehouse import log
from warehouse.aws.datasets import Column, Dataset, FileFormat
from warehouse.aws.errors import GlueCatalogError
from warehouse.aws.lake import FoundPartition

logger = log.get("aws.glue")

TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
FIELD_DELIMITER = "\u0001"  # never in a JSON or text line, so the whole line is one column

MANAGED_BY = "globalretail-warehouse"
CREATE_BATCH = 100  # BatchCreatePartition and BatchUpdatePartition take at most 100 entries
DELETE_BATCH = 25  # BatchDeletePartition takes at most 25

# Redshift / SQL type names in the dbt YAML → Hive type names Glue and Spectrum use.
_TYPE_ALIASES = {
    "text": "string",
    "string": "string",
    "character varying": "varchar",
    "varchar": "varchar",
    "character": "char",
    "char": "char",
    "bpchar": "char",
    "integer": "int",
    "int": "int",
    "int4": "int",
    "bigint": "bigint",
    "int8": "bigint",
    "smallint": "smallint",
    "int2": "smallint",
    "tinyint": "tinyint",
    "boolean": "boolean",
    "bool": "boolean",
    "double precision": "double",
    "double": "double",
    "float8": "double",
    "float": "double",
    "real": "float",
    "float4": "float",
    "decimal": "decimal",
    "numeric": "decimal",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
}
_TYPE = re.compile(r"^(?P<base>[a-z][a-z0-9 ]*?)\s*(?:\((?P<args>[0-9 ,]+)\))?$")


_NESTED = re.compile(r"^(array|struct|map)\s*<(?P<inner>.*)>$", re.DOTALL)


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char in "<(":
            depth += 1
        elif char in ">)":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts


def _nested_hive_type(data_type: str) -> str | None:
    match = _NESTED.match(data_type.strip().lower())
    if match is None:
        return None
    kind, inner = match.group(1), match["inner"]
    if kind == "array":
        return f"array<{hive_type(inner)}>"
    if kind == "map":
        key, value = _split_top_level(inner)
        return f"map<{hive_type(key)},{hive_type(value)}>"
    fields = []
    for field_text in _split_top_level(inner):
        name, _, field_type = field_text.partition(":")
        fields.append(f"{name.strip()}:{hive_type(field_type)}")
    return "struct<" + ",".join(fields) + ">"


def hive_type(data_type: str) -> str:
    """`varchar(65535)` → `varchar(65535)`, `integer` → `int`, `numeric(12,2)` → `decimal(12,2)`, nested
    `array<struct<a:varchar(8)>>` type by type, ..."""
    nested = _nested_hive_type(data_type)
    if nested is not None:
        return nested
    match = _TYPE.match(data_type.strip().lower())
    base = _TYPE_ALIASES.get(match["base"].strip()) if match else None
    if match is None or base is None:
        known = ", ".join(sorted(set(_TYPE_ALIASES)))
        raise GlueCatalogError(f"data type {data_type!r} has no Glue equivalent; use one of: {known}")
    args = (match["args"] or "").replace(" ", "")
    if base == "varchar" and not args:
        return "string"
    if base == "varchar" and int(args) > 65535:
        raise GlueCatalogError(f"{data_type!r}: Spectrum varchar columns hold at most 65535 bytes")
    return f"{base}({args})" if args else base


class Change(str, Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PartitionSync:
    table: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    stale: tuple[tuple[str, ...], ...] = field(default=())


def _comment(text: str) -> str:
    return text[:255]


def _columns(columns: Iterable[Column]) -> list[dict[str, str]]:
    result = []
    for column in columns:
        entry = {"Name": column.name, "Type": hive_type(column.data_type)}
        if column.description:
            entry["Comment"] = _comment(column.description)
        result.append(entry)
    return result


def storage_descriptor(file_format: FileFormat, columns: Sequence[Column], location: str) -> dict[str, Any]:
    if file_format.is_text_lines:
        formats = {"InputFormat": TEXT_INPUT, "OutputFormat": TEXT_OUTPUT}
        serde = {
            "SerializationLibrary": LAZY_SIMPLE_SERDE,
            "Parameters": {"field.delim": FIELD_DELIMITER, "serialization.format": FIELD_DELIMITER},
        }
    elif file_format is FileFormat.CSV:
        formats = {"InputFormat": TEXT_INPUT, "OutputFormat": TEXT_OUTPUT}
        serde = {
            "SerializationLibrary": OPEN_CSV_SERDE,
            # OpenCSVSerde's defaults (',', '"', '\\'), as the Spectrum DDL: no undocumented SERDEPROPERTIES.
            "Parameters": {},
        }
    else:
        formats = {"InputFormat": PARQUET_INPUT, "OutputFormat": PARQUET_OUTPUT}
        serde = {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}}
    return {"Columns": _columns(columns), "Location": location, **formats, "SerdeInfo": serde, "Compressed": False}


def _classification(file_format: FileFormat) -> str:
    return {FileFormat.CSV: "csv", FileFormat.PARQUET: "parquet"}.get(file_format, "text")


TEXT_DATA_HANDLING: dict[str, str] = {
    "data_cleansing_enabled": "true",
    "surplus_char_handling": "TRUNCATE",
    "invalid_char_handling": "DROP_ROW",
}


def table_input(
    name: str,
    file_format: FileFormat,
    columns: Sequence[Column],
    partitions: Sequence[tuple[str, str]],
    location: str,
    description: str = "",
) -> dict[str, Any]:
    """A Glue TableInput for an external table over `location` (an s3:// folder ending with '/')."""
    parameters = {"EXTERNAL": "TRUE", "classification": _classification(file_format), "managed_by": MANAGED_BY}
    if file_format is FileFormat.CSV:
        parameters["skip.header.line.count"] = "1"
    if file_format is not FileFormat.PARQUET:
        # The data handling the Spectrum DDL sets (macros/spectrum/spectrum_ddl.sql): a value wider than its
        # column is truncated, never silently nulled, and bronze quarantines it as too long; a row that is not
        # valid UTF-8 arrives with every value null, and bronze quarantines it as empty.
        parameters.update(TEXT_DATA_HANDLING)
    result: dict[str, Any] = {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "StorageDescriptor": storage_descriptor(file_format, columns, location),
        "PartitionKeys": [{"Name": key, "Type": hive_type(data_type)} for key, data_type in partitions],
    }
    if description:
        result["Description"] = description[:2048]
    return result


def dataset_table_input(dataset: Dataset, lake_root: str) -> dict[str, Any]:
    return table_input(
        dataset.name,
        dataset.file_format,
        dataset.columns,
        [(p.name, p.data_type) for p in dataset.partitions],
        dataset.uri(lake_root),
        dataset.description,
    )


def _error(action: str, exc: ClientError) -> GlueCatalogError:
    error = exc.response.get("Error", {})
    code = error.get("Code", "")
    hint = {
        "AccessDeniedException": " (the caller needs glue:GetTable/CreateTable/UpdateTable/*Partition* on the "
        "catalog, database and table)",
        "EntityNotFoundException": " (run `warehouse spectrum setup` first)",
    }.get(code, "")
    return GlueCatalogError(f"{action}: {code} {error.get('Message', '')}{hint}".strip())


def _is_not_found(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "EntityNotFoundException"


def ensure_database(glue: Any, name: str, description: str) -> Change:
    try:
        existing = glue.get_database(Name=name)["Database"]
    except ClientError as exc:
        if not _is_not_found(exc):
            raise _error(f"reading Glue database {name}", exc) from exc
        existing = None
    wanted = {"Name": name, "Description": description, "Parameters": {"managed_by": MANAGED_BY}}
    try:
        if existing is None:
            glue.create_database(DatabaseInput=wanted)
            return Change.CREATED
        if existing.get("Description", "") == description:
            return Change.UNCHANGED
        glue.update_database(Name=name, DatabaseInput={**wanted, "Parameters": existing.get("Parameters") or {}})
        return Change.UPDATED
    except ClientError as exc:
        raise _error(f"writing Glue database {name}", exc) from exc


def _normalized_sd(sd: Mapping[str, Any]) -> dict[str, Any]:
    serde = sd.get("SerdeInfo") or {}
    return {
        "Columns": [(c.get("Name"), c.get("Type"), c.get("Comment", "")) for c in sd.get("Columns") or []],
        "Location": sd.get("Location"),
        "InputFormat": sd.get("InputFormat"),
        "OutputFormat": sd.get("OutputFormat"),
        "SerializationLibrary": serde.get("SerializationLibrary"),
        "SerdeParameters": dict(serde.get("Parameters") or {}),
    }


def _table_differs(existing: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether what we own of the table differs. Parameters others added (statistics...) are not ours."""
    existing_parameters = existing.get("Parameters") or {}
    return (
        existing.get("TableType") != wanted["TableType"]
        or existing.get("Description", "") != wanted.get("Description", "")
        or any(existing_parameters.get(k) != v for k, v in wanted["Parameters"].items())
        or [(k.get("Name"), k.get("Type")) for k in existing.get("PartitionKeys") or []]
        != [(k["Name"], k["Type"]) for k in wanted["PartitionKeys"]]
        or _normalized_sd(existing.get("StorageDescriptor") or {}) != _normalized_sd(wanted["StorageDescriptor"])
    )


def ensure_table(glue: Any, database: str, wanted: Mapping[str, Any]) -> Change:
    name = wanted["Name"]
    try:
        existing = glue.get_table(DatabaseName=database, Name=name)["Table"]
    except ClientError as exc:
        if not _is_not_found(exc):
            raise _error(f"reading Glue table {database}.{name}", exc) from exc
        existing = None
    try:
        if existing is None:
            glue.create_table(DatabaseName=database, TableInput=dict(wanted))
            return Change.CREATED
        if not _table_differs(existing, wanted):
            return Change.UNCHANGED
        merged = dict(wanted)
        merged["Parameters"] = {**(existing.get("Parameters") or {}), **wanted["Parameters"]}
        glue.update_table(DatabaseName=database, TableInput=merged)
        return Change.UPDATED
    except ClientError as exc:
        raise _error(f"writing Glue table {database}.{name}", exc) from exc


def partition_input(table_sd: Mapping[str, Any], found: FoundPartition) -> dict[str, Any]:
    sd = copy.deepcopy(dict(table_sd))
    sd["Location"] = found.location
    return {"Values": list(found.values), "StorageDescriptor": sd}


def existing_partitions(glue: Any, database: str, table: str) -> dict[tuple[str, ...], dict[str, Any]]:
    result: dict[tuple[str, ...], dict[str, Any]] = {}
    try:
        for page in glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table):
            for partition in page.get("Partitions", []):
                result[tuple(partition["Values"])] = partition
    except ClientError as exc:
        raise _error(f"listing partitions of {database}.{table}", exc) from exc
    return result


def _raise_batch_errors(action: str, errors: Sequence[Mapping[str, Any]]) -> None:
    if errors:
        first = errors[0]
        detail = first.get("ErrorDetail", {})
        raise GlueCatalogError(
            f"{action}: {len(errors)} partition(s) failed, first {first.get('PartitionValues')}: "
            f"{detail.get('ErrorCode', '')} {detail.get('ErrorMessage', '')}".strip()
        )


def sync_partitions(
    glue: Any,
    database: str,
    table: str,
    table_sd: Mapping[str, Any],
    found: Sequence[FoundPartition],
    prune: bool = False,
    advance: Callable[[int], None] | None = None,
) -> PartitionSync:
    """Register `found` partitions: create the missing, update the changed, skip the rest.

    Glue partitions whose folder no longer exists are reported as stale, and deleted only with `prune`.
    """
    existing = existing_partitions(glue, database, table)
    to_create, to_update, unchanged = [], [], 0
    for partition in found:
        wanted = partition_input(table_sd, partition)
        current = existing.get(partition.values)
        if current is None:
            to_create.append(wanted)
        elif _normalized_sd(current.get("StorageDescriptor") or {}) != _normalized_sd(wanted["StorageDescriptor"]):
            to_update.append(wanted)
        else:
            unchanged += 1
    stale = tuple(sorted(set(existing) - {p.values for p in found}))
    action = f"registering partitions of {database}.{table}"
    try:
        for start in range(0, len(to_create), CREATE_BATCH):
            batch = to_create[start : start + CREATE_BATCH]
            response = glue.batch_create_partition(DatabaseName=database, TableName=table, PartitionInputList=batch)
            _raise_batch_errors(action, response.get("Errors", []))
            if advance:
                advance(len(batch))
        for start in range(0, len(to_update), CREATE_BATCH):
            batch = to_update[start : start + CREATE_BATCH]
            entries = [{"PartitionValueList": p["Values"], "PartitionInput": p} for p in batch]
            response = glue.batch_update_partition(DatabaseName=database, TableName=table, Entries=entries)
            _raise_batch_errors(action, response.get("Errors", []))
            if advance:
                advance(len(batch))
        deleted = 0
        if prune:
            for start in range(0, len(stale), DELETE_BATCH):
                batch_values = [{"Values": list(v)} for v in stale[start : start + DELETE_BATCH]]
                response = glue.batch_delete_partition(
                    DatabaseName=database, TableName=table, PartitionsToDelete=batch_values
                )
                _raise_batch_errors(action, response.get("Errors", []))
                deleted += len(batch_values)
    except ClientError as exc:
        raise _error(action, exc) from exc
    if advance:
        advance(unchanged)
    return PartitionSync(
        table=table,
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
        deleted=deleted,
        stale=() if prune else stale,
    )
