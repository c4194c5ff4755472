"""Reading lake files the way Redshift Spectrum and streaming ingestion do, not the way DuckDB does.

- Files: Spectrum scans a partition folder and its subfolders and ignores hidden files, files that begin
  with `.`, `_` or `#`, and files that end with `~` (c-spectrum-external-tables.md). A `.gz` file is
  decompressed; any other compression is refused.
- Lines, text_lines and csv records: the rules of warehouse.lake_format, which the DuckDB build follows
  too (Hadoop's LineRecordReader; LazySimpleSerDe for text_lines; opencsv 2.3's CSVParser for csv, the
  parser Hive's OpenCSVSerde wraps, with its quirks: a doubled quote inside quotes is a quote; the escape
  character escapes a quote or itself and otherwise disappears; an unterminated quote drops the rest of
  the line). CSV fields map to columns by position; a missing field is NULL, extra fields are ignored. An
  empty field is '' (OpenCSVSerde has no NULL). `skip.header.line.count` lines are skipped at the start
  of every file. Bytes that are not UTF-8 are kept as lone surrogates (Python's surrogateescape), for the
  table's `invalid_char_handling` to act on (sources.py).
- parquet: read with DuckDB, columns matched by name.
- Kinesis micro-batch files (the local stand-in of a stream): one JSON envelope per line; a field it lacks
  is NULL, and an arrival time that is not a UTC timestamp of the envelope's shape is NULL (the column is a
  timestamp), exactly as the local reader of the stream sources gives them.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from warehouse.lake_format import hadoop_lines, opencsv_fields, text_line_field


class LakeReadError(Exception):
    """A lake file cannot be read as its table declares."""


@dataclass(frozen=True)
class LakeFile:
    path: Path
    relative: str  # path under the lake root, with / separators
    partition_values: tuple[str, ...]

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def is_hidden(name: str) -> bool:
    return name.startswith((".", "_", "#")) or name.endswith("~")


def valid_partition_value(value: str, data_type: str) -> bool:
    base = data_type.split("(")[0].strip().lower()
    try:
        if base == "date":
            date.fromisoformat(value)
        elif base in ("int", "integer", "bigint", "smallint"):
            int(value)
    except ValueError:
        return False
    return True


def _files_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(is_hidden(part) for part in relative.parts):
            yield path


def discover_files(lake_root: Path, location: str, partitions: Sequence[tuple[str, str]]) -> list[LakeFile]:
    """The files a Spectrum table over `location` reads, with their partition values: one level of
    `name=value` folders per partition key (a folder that is not one is not a partition), files anywhere
    below the last level."""
    base = lake_root / location.strip("/")
    if not base.is_dir():
        return []
    levels: list[tuple[tuple[str, ...], Path]] = [((), base)]
    for name, data_type in partitions:
        found: list[tuple[tuple[str, ...], Path]] = []
        for values, folder in levels:
            for child in sorted(folder.iterdir()):
                key, sep, value = child.name.partition("=")
                if child.is_dir() and sep and key == name and valid_partition_value(value, data_type):
                    found.append(((*values, value), child))
        levels = found
    files: list[LakeFile] = []
    for values, folder in levels:
        for path in _files_under(folder) if partitions else _files_under(base):
            files.append(LakeFile(path, path.relative_to(lake_root).as_posix(), values))
    return files


def read_text(path: Path) -> str:
    """A text file's content as UTF-8 (`.gz` decompressed); bytes that are not UTF-8 are an error."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    elif path.suffix in (".bz2", ".snappy", ".zst", ".lz4"):
        raise LakeReadError(f"{path}: {path.suffix} compression is not read by this harness")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LakeReadError(f"{path}: not UTF-8 ({exc})") from exc


def read_lines(path: Path) -> list[str]:
    """A text file's lines (`.gz` decompressed); bytes that are not UTF-8 become lone surrogates."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    elif path.suffix in (".bz2", ".snappy", ".zst", ".lz4"):
        raise LakeReadError(f"{path}: {path.suffix} compression is not read by this harness")
    return hadoop_lines(data.decode("utf-8", errors="surrogateescape"))


def invalid_utf8(value: str) -> bool:
    """True when a value read by read_lines holds bytes that are not UTF-8."""
    return any("\udc80" <= c <= "\udcff" for c in value)


def text_records(path: Path) -> Iterator[str | None]:
    """The raw_record values of a text_lines file: one per line, blank lines included."""
    for line in read_lines(path):
        yield text_line_field(line)


def csv_records(path: Path, skip_header: int) -> Iterator[list[str]]:
    """The field lists of a CSV file, header lines skipped."""
    for number, line in enumerate(read_lines(path)):
        if number >= skip_header:
            yield opencsv_fields(line)


def parquet_records(path: Path, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows of a Parquet file as tuples in `columns` order (matched by name; a missing column is
    NULL)."""
    import duckdb

    con = duckdb.connect()
    try:
        available = {row[0] for row in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()}
        select = ", ".join(f'"{c}"' if c in available else f'null as "{c}"' for c in columns)
        return con.execute(f"select {select} from read_parquet(?)", [str(path)]).fetchall()
    finally:
        con.close()


@dataclass(frozen=True)
class KinesisRecord:
    approximate_arrival_timestamp: str | None
    partition_key: str | None
    shard_id: str | None
    sequence_number: str | None
    data: bytes | None


# The envelope's arrival time: UTC, `YYYY-MM-DDTHH:MM:SS[.ffffff][Z]` (docs/streams.md); the local reader of
# the stream sources (models/bronze/*/_*__sources.yml) accepts exactly this shape, as a real date and time.
_ARRIVAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?Z?")


def envelope_arrival(value: Any) -> str | None:
    """The envelope's arrival time as a timestamp literal, or None when it is absent or not a UTC timestamp
    of the envelope's shape: streaming ingestion's column is a timestamp, which cannot hold anything else,
    so such a record reaches bronze without one (and is quarantined there, on both engines)."""
    if not isinstance(value, str) or not _ARRIVAL.fullmatch(value):
        return None
    text = value.replace("T", " ").replace("Z", "")
    try:
        return datetime.fromisoformat(text).isoformat(sep=" ")
    except ValueError:
        return None


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def kinesis_records(path: Path) -> Iterator[KinesisRecord]:
    """The records of a Kinesis micro-batch file (docs/streams.md): one JSON envelope per line, the payload
    as text in `data` (its UTF-8 bytes are the record's VARBYTE `kinesis_data`). A field the envelope lacks
    or holds null is NULL, as the local reader gives it; a `data` that is JSON rather than a string is its
    JSON text."""
    for number, line in enumerate(hadoop_lines(read_text(path)), start=1):
        if not line.strip():
            continue
        try:
            envelope = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LakeReadError(f"{path}:{number}: not a Kinesis record envelope ({exc})") from exc
        if not isinstance(envelope, dict):
            raise LakeReadError(f"{path}:{number}: not a Kinesis record envelope (not a JSON object)")
        data = envelope.get("data")
        text = data if isinstance(data, str) or data is None else json.dumps(data, separators=(",", ":"))
        yield KinesisRecord(
            approximate_arrival_timestamp=envelope_arrival(envelope.get("approximate_arrival_timestamp")),
            partition_key=_text_or_none(envelope.get("partition_key")),
            shard_id=_text_or_none(envelope.get("shard_id")),
            sequence_number=_text_or_none(envelope.get("sequence_number")),
            data=None if text is None else text.encode("utf-8"),
        )


__all__ = [
    "KinesisRecord",
    "LakeFile",
    "LakeReadError",
    "csv_records",
    "discover_files",
    "envelope_arrival",
    "invalid_utf8",
    "is_hidden",
    "kinesis_records",
    "parquet_records",
    "read_lines",
    "text_records",
]
