"""The bronze sources as PostgreSQL tables, derived from the redshift manifest and loaded from the lake.

Nothing here lists datasets by name: every enabled source of the manifest becomes a table.

- A source with `external.location` is a Spectrum external table in its schema (var spectrum_schema):
  the physical columns of its YAML (`columns:` not marked `meta.physical: false`, with their data_type,
  varchar(65535) when none, as macros/spectrum/spectrum_ddl.sql declares them), then its partition columns
  (`external.partitions`), then Spectrum's pseudocolumns `"$path"` and `"$size"`. `external.file_format`
  says how the files are read (spectrum_reader.py): text_lines, csv or parquet; any other format is an error.
  The table properties that change what a scan returns (`skip.header.line.count`, `surplus_char_handling`,
  `invalid_char_handling`, `serialization.null.format`, `column_count_mismatch_handling`) are read from the
  generated Spectrum DDL (the compiled `redshift_ddl` analysis), where the build's hook gets them; the DDL's
  locations also give the S3 lake root the `"$path"` values start with.
- A source whose `loader` is `kinesis` (or that names a `meta.stream`) is a Kinesis stream in the Kinesis
  external schema: the streaming-ingestion columns, loaded from the micro-batch files under
  `stream/<meta.stream or identifier>/`.

Values wider than a varchar column are handled as Spectrum's `surplus_char_handling` says (default
SET_TO_NULL), counting bytes, as Redshift's varchar(n) does; the counts are reported.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from warehouse.verify.postgres import spectrum_reader

DEFAULT_S3_LAKE_ROOT = "s3://globalretail-raw/lake"
TEXT_LINES, CSV, PARQUET = "text_lines", "csv", "parquet"
SUPPORTED_FORMATS = (TEXT_LINES, CSV, PARQUET)
PSEUDO_COLUMNS: tuple[tuple[str, str], ...] = (("$path", "varchar(1024)"), ("$size", "bigint"))
# Redshift streaming ingestion's columns over a Kinesis stream (materialized-view-streaming-ingestion.md).
KINESIS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("approximate_arrival_timestamp", "timestamp"),
    ("partition_key", "varchar(256)"),
    ("shard_id", "varchar(128)"),
    ("sequence_number", "varchar(128)"),
    ("kinesis_data", "bytea"),
    ("refresh_time", "timestamp"),
)
KINESIS_DATA_MAX_BYTES = 1_048_576  # VARBYTE(1MB), a Kinesis record's maximum size

_TYPE_ALIASES: Mapping[str, str] = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "int2": "smallint",
    "smallint": "smallint",
    "int8": "bigint",
    "bigint": "bigint",
    "boolean": "boolean",
    "bool": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "double": "double precision",
    "double precision": "double precision",
    "float8": "double precision",
    "float": "real",
    "float4": "real",
    "real": "real",
    "string": "varchar(65535)",
}
_SIZED = re.compile(r"^(varchar|char|character varying|character|decimal|numeric)\s*\(([\d\s,]+)\)$")


class SourceError(Exception):
    """A source cannot be emulated (unknown file format, unreadable file, unknown type)."""


def pg_type(data_type: str | None) -> str:
    """The PostgreSQL type for a Spectrum column type (varchar(65535) when none is declared)."""
    if not data_type:
        return "varchar(65535)"
    text = " ".join(data_type.lower().split())
    if text in _TYPE_ALIASES:
        return _TYPE_ALIASES[text]
    match = _SIZED.match(text)
    if match is None:
        raise SourceError(f"unsupported column type {data_type!r}")
    base, size = match.groups()
    base = {"character varying": "varchar", "character": "char", "decimal": "numeric"}.get(base, base)
    return f"{base}({size.replace(' ', '')})"


def varchar_width(type_name: str) -> int | None:
    match = re.match(r"^(?:varchar|char)\((\d+)\)$", type_name)
    return int(match.group(1)) if match else None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableProperties:
    skip_header: int = 0
    surplus_char_handling: str = "SET_TO_NULL"
    null_format: str | None = None
    column_count_mismatch: str = "DISABLED"
    invalid_char_handling: str = "DISABLED"
    replacement_char: str = "?"

    @classmethod
    def parse(cls, properties: Mapping[str, str], file_format: str) -> TableProperties:
        cleansing = properties.get("data_cleansing_enabled", "false").lower() == "true"
        return cls(
            skip_header=int(properties.get("skip.header.line.count", "0")),
            # Spectrum's documented default (SET_TO_NULL) applies unless data handling is on and says otherwise.
            surplus_char_handling=(
                properties.get("surplus_char_handling", "SET_TO_NULL").upper() if cleansing else "SET_TO_NULL"
            ),
            null_format=properties.get("serialization.null.format"),
            column_count_mismatch=(
                properties.get("column_count_mismatch_handling", "DISABLED").upper() if cleansing else "DISABLED"
            ),
            invalid_char_handling=(
                properties.get("invalid_char_handling", "DISABLED").upper() if cleansing else "DISABLED"
            ),
            replacement_char=properties.get("replacement_char", "?"),
        )


@dataclass(frozen=True)
class SpectrumDdl:
    """What the generated Spectrum DDL says per external table: its properties and S3 location."""

    properties: Mapping[str, Mapping[str, str]]
    locations: Mapping[str, str]

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any]) -> SpectrumDdl:
        texts = [
            str(node.get("compiled_code") or "")
            for node in (manifest.get("nodes") or {}).values()
            if node.get("resource_type") == "analysis" and "create external table" in str(node.get("compiled_code"))
        ]
        return cls.parse("\n".join(texts))

    @classmethod
    def parse(cls, ddl: str) -> SpectrumDdl:
        properties: dict[str, dict[str, str]] = {}
        locations: dict[str, str] = {}
        statements = re.split(r"(?i)\bcreate external table\s+", ddl)[1:]
        for statement in statements:
            statement = statement.split(";", 1)[0]
            name = statement.split("(", 1)[0].strip().lower()
            found = re.search(r"(?is)\btable properties\s*\((.*)\)\s*$", statement)
            pairs = re.findall(r"'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'", found.group(1)) if found else []
            properties[name] = {key: value.replace("''", "'") for key, value in pairs}
            location = re.search(r"(?i)\blocation\s+'([^']+)'", statement)
            if location:
                locations[name] = location.group(1)
        return cls(properties, locations)


@dataclass(frozen=True)
class ExternalTable:
    unique_id: str
    schema: str
    identifier: str
    file_format: str
    location: str
    columns: tuple[tuple[str, str], ...]  # physical (name, PostgreSQL type)
    partitions: tuple[tuple[str, str], ...]  # (name, PostgreSQL type)
    properties: TableProperties
    s3_location: str  # s3://.../<location>/

    @property
    def all_columns(self) -> tuple[tuple[str, str], ...]:
        return (*self.columns, *self.partitions, *PSEUDO_COLUMNS)


@dataclass(frozen=True)
class StreamTable:
    unique_id: str
    schema: str
    identifier: str
    folder: str  # under the lake root

    @property
    def all_columns(self) -> tuple[tuple[str, str], ...]:
        return KINESIS_COLUMNS


@dataclass
class LoadResult:
    unique_id: str
    relation: str
    kind: str
    files: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def _physical_columns(source: Mapping[str, Any]) -> list[tuple[str, str]]:
    columns = []
    for column in (source.get("columns") or {}).values():
        if (column.get("meta") or {}).get("physical", True):
            columns.append((str(column["name"]), pg_type(column.get("data_type"))))
    return columns


def source_tables(
    manifest: Mapping[str, Any], s3_lake_root: str | None = None
) -> tuple[list[ExternalTable | StreamTable], list[LoadResult]]:
    """Every enabled source of the manifest as a table to create, and the sources that cannot be (with
    the reason as their error)."""
    ddl = SpectrumDdl.from_manifest(manifest)
    tables: list[ExternalTable | StreamTable] = []
    refused: list[LoadResult] = []
    for unique_id, source in sorted((manifest.get("sources") or {}).items()):
        if not (source.get("config") or {}).get("enabled", True):
            continue
        schema, identifier = str(source["schema"]), str(source.get("identifier") or source["name"])
        relation = f"{schema}.{identifier}"
        external = source.get("external") or {}
        meta = source.get("meta") or {}
        try:
            if external.get("location"):
                tables.append(_external_table(unique_id, schema, identifier, external, source, ddl, s3_lake_root))
            elif source.get("loader") == "kinesis" or meta.get("stream"):
                folder = f"stream/{meta.get('stream') or identifier}"
                tables.append(StreamTable(unique_id, schema, identifier, folder))
            else:
                raise SourceError(
                    f"no external.location and not a Kinesis stream (loader {source.get('loader')!r}): "
                    "nothing in the lake to load it from"
                )
        except SourceError as exc:
            refused.append(LoadResult(unique_id, relation, "refused", error=str(exc)))
    return tables, refused


def _external_table(
    unique_id: str,
    schema: str,
    identifier: str,
    external: Mapping[str, Any],
    source: Mapping[str, Any],
    ddl: SpectrumDdl,
    s3_lake_root: str | None,
) -> ExternalTable:
    file_format = str(external.get("file_format") or "")
    if file_format not in SUPPORTED_FORMATS:
        raise SourceError(
            f"external.file_format {file_format!r} is not one this harness emulates "
            f"({', '.join(SUPPORTED_FORMATS)}): declare the dataset in one of them, or teach "
            "warehouse/verify/postgres/spectrum_reader.py how Spectrum reads it"
        )
    location = str(external["location"]).strip("/")
    name = f"{schema}.{identifier}".lower()
    raw_properties = dict(ddl.properties.get(name, {}))
    if isinstance(external.get("tbl_properties"), str):
        raw_properties.update(re.findall(r"'([^']*)'\s*=\s*'([^']*)'", external["tbl_properties"]))
    if name not in ddl.properties and file_format == CSV:
        raw_properties.setdefault("skip.header.line.count", "1")  # what spectrum_ddl.sql declares for csv
    root = s3_lake_root or os.environ.get("WAREHOUSE_S3_LAKE_ROOT") or DEFAULT_S3_LAKE_ROOT
    s3_location = ddl.locations.get(name) or f"{root.rstrip('/')}/{location}/"
    partitions = tuple((str(p["name"]), pg_type(p.get("data_type"))) for p in external.get("partitions") or [])
    return ExternalTable(
        unique_id=unique_id,
        schema=schema,
        identifier=identifier,
        file_format=file_format,
        location=location,
        columns=tuple(_physical_columns(source)),
        partitions=partitions,
        properties=TableProperties.parse(raw_properties, file_format),
        s3_location=s3_location if s3_location.endswith("/") else s3_location + "/",
    )


def create_table_sql(table: ExternalTable | StreamTable) -> str:
    columns = ",\n    ".join(f"{quote_ident(name)} {type_}" for name, type_ in table.all_columns)
    return f"create table {quote_ident(table.schema)}.{quote_ident(table.identifier)} (\n    {columns}\n)"


def _invalid_chars(values: list[Any], props: TableProperties, where: str) -> list[Any]:
    """A row after Spectrum's invalid_char_handling (r_CREATE_EXTERNAL_TABLE.html, TABLE PROPERTIES): values
    that are not valid UTF-8 (lone surrogates from spectrum_reader.read_lines) set to null (SET_TO_NULL), the whole row
    to nulls (DROP_ROW), or their bad bytes replaced (REPLACE); FAIL, and DISABLED where the harness cannot
    know what a scan returns, stop the load naming the record."""
    bad = [i for i, value in enumerate(values) if isinstance(value, str) and spectrum_reader.invalid_utf8(value)]
    if not bad:
        return values
    mode = props.invalid_char_handling
    if mode == "DROP_ROW":
        return [None] * len(values)
    if mode == "SET_TO_NULL":
        return [None if i in bad else value for i, value in enumerate(values)]
    if mode == "REPLACE":
        return [
            "".join(props.replacement_char if spectrum_reader.invalid_utf8(c) else c for c in value)
            if i in bad
            else value
            for i, value in enumerate(values)
        ]
    raise SourceError(f"{where}: not valid UTF-8 (invalid_char_handling {mode})")


class _Surplus:
    """Spectrum's surplus_char_handling for one table, counting what it did."""

    def __init__(self, table: ExternalTable) -> None:
        self.mode = table.properties.surplus_char_handling
        self.widths = [varchar_width(type_) for _, type_ in table.columns]
        self.names = [name for name, _ in table.columns]
        self.count = 0

    def apply(self, values: list[Any], where: str) -> list[Any] | None:
        """The row's values after surplus handling; None when the row is dropped."""
        for index, width in enumerate(self.widths):
            value = values[index]
            if width is None or not isinstance(value, str):
                continue
            encoded = value.encode("utf-8")
            if len(encoded) <= width:
                continue
            self.count += 1
            if self.mode in ("SET_TO_NULL",):
                values[index] = None
            elif self.mode == "TRUNCATE":
                values[index] = encoded[:width].decode("utf-8", errors="ignore")
            elif self.mode == "DROP_ROW":
                return [None] * len(values)
            elif self.mode == "FAIL":
                raise SourceError(f"{where}: {self.names[index]} is {len(encoded)} bytes, wider than {width}")
            # DISABLED: the value is kept and the varchar column rejects it on load, as a scan would fail.
        return values


def _typed(value: Any) -> Any:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (Decimal, int, float)):
        return str(value)
    return value


def _csv_value(value: Any) -> str:
    """One field of COPY's CSV input: unquoted empty is NULL, everything else is quoted."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = "\\x" + value.hex()
    text = str(_typed(value))
    if "\x00" in text:
        raise SourceError("a value holds a NUL character, which neither Redshift nor PostgreSQL varchar stores")
    return '"' + text.replace('"', '""') + '"'


def _rows_of(table: ExternalTable, lake_root: Path, result: LoadResult) -> Iterator[list[Any]]:
    partitions = [(name, type_) for name, type_ in table.partitions]
    files = spectrum_reader.discover_files(lake_root, table.location, partitions)
    result.files = len(files)
    surplus = _Surplus(table)
    names = [name for name, _ in table.columns]
    props = table.properties
    for file in files:
        s3_path = table.s3_location + file.relative[len(table.location) + 1 :]
        extra = [*file.partition_values, s3_path, file.size]
        records: Iterable[list[Any]]
        if table.file_format == TEXT_LINES:
            if len(names) != 1:
                raise SourceError(f"a text_lines table has one column, {table.unique_id} declares {len(names)}")
            records = ([value] for value in spectrum_reader.text_records(file.path))
        elif table.file_format == CSV:
            rows = spectrum_reader.csv_records(file.path, props.skip_header)
            records = _csv_rows(rows, len(names), props, file.relative)
        else:
            records = (list(row) for row in spectrum_reader.parquet_records(file.path, names))
        for number, values in enumerate(records, start=1):
            if props.null_format is not None:
                values = [None if v == props.null_format else v for v in values]
            values = _invalid_chars(values, props, f"{file.relative}:{number}")
            kept = surplus.apply(values, f"{file.relative}:{number}")
            if kept is not None:
                yield [*kept, *extra]
    if surplus.count:
        result.notes.append(f"{surplus.count} values wider than their column ({surplus.mode.lower()})")


def _csv_rows(rows: Iterable[list[str]], width: int, props: TableProperties, where: str) -> Iterator[list[str | None]]:
    for number, fields in enumerate(rows, start=1):
        if len(fields) != width and props.column_count_mismatch == "FAIL":
            raise SourceError(f"{where}:{number}: {len(fields)} fields for {width} columns")
        if len(fields) != width and props.column_count_mismatch == "DROP_ROW":
            continue
        values: list[str | None] = list(fields[:width])
        yield values + [None] * (width - len(values))


def _stream_rows(table: StreamTable, lake_root: Path, result: LoadResult, refreshed: str) -> Iterator[list[Any]]:
    files = spectrum_reader.discover_files(lake_root, table.folder, [("dt", "date")])
    result.files = len(files)
    for file in files:
        for record in spectrum_reader.kinesis_records(file.path):
            if record.data is not None and len(record.data) > KINESIS_DATA_MAX_BYTES:
                raise SourceError(f"{file.relative}: a record of {len(record.data)} bytes, over Kinesis's 1 MB")
            yield [
                record.approximate_arrival_timestamp,
                record.partition_key,
                record.shard_id,
                record.sequence_number,
                record.data,
                refreshed,
            ]


def load(cursor: Any, table: ExternalTable | StreamTable, lake_root: Path) -> LoadResult:
    """Create `table` in PostgreSQL and COPY its lake records in."""
    relation = f"{table.schema}.{table.identifier}"
    kind = "kinesis" if isinstance(table, StreamTable) else table.file_format
    result = LoadResult(table.unique_id, relation, kind)
    cursor.execute(create_table_sql(table))
    if isinstance(table, StreamTable):
        refreshed = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
        rows: Iterator[list[Any]] = _stream_rows(table, lake_root, result, refreshed)
    else:
        rows = _rows_of(table, lake_root, result)
    buffer = io.StringIO()
    for row in rows:
        buffer.write(",".join(_csv_value(value) for value in row))
        buffer.write("\n")
        result.rows += 1
    buffer.seek(0)
    names = ", ".join(quote_ident(name) for name, _ in table.all_columns)
    target = f"{quote_ident(table.schema)}.{quote_ident(table.identifier)}"
    cursor.copy_expert(f"copy {target} ({names}) from stdin with (format csv)", buffer)
    return result


def schemas_of(tables: Sequence[ExternalTable | StreamTable]) -> list[str]:
    return sorted({table.schema for table in tables})


__all__ = [
    "DEFAULT_S3_LAKE_ROOT",
    "KINESIS_COLUMNS",
    "PSEUDO_COLUMNS",
    "ExternalTable",
    "LoadResult",
    "SourceError",
    "SpectrumDdl",
    "StreamTable",
    "TableProperties",
    "create_table_sql",
    "load",
    "pg_type",
    "schemas_of",
    "source_tables",
]
