"""Reading lake files the way Redshift Spectrum and streaming ingestion do, not the way DuckDB does.

- Files: Spectrum scans a partition folder and its subfolders and ignores hidden files, files that begin
  with `.`, `_` or `#`, and files that end with `~` (c-spectrum-external-tables.md). A `.gz` file is
  decompressed; any other compression is refused.
- Lines: Hadoop's LineRecordReader ends a line at `\\n`, `\\r\\n` or `\\r`.
- text_lines (`row format delimited fields terminated by '\\001'`, LazySimpleSerDe): the column is the
  line up to its first `\\001`; the field `\\N` is NULL (serialization.null.format's default). Empty lines
  give no record.
- csv (`org.apache.hadoop.hive.serde2.OpenCSVSerde`, separatorChar ',', quoteChar '"', escapeChar '\\\\'):
  every line is parsed on its own by opencsv 2.3's CSVParser, the parser Hive's OpenCSVSerde wraps, with
  its quirks: a doubled quote inside quotes is a quote; the escape character escapes a quote or itself and
  otherwise disappears; an unterminated quote drops the rest of the line. Fields map to columns by
  position; a missing field is NULL, extra fields are ignored. An empty field is '' (OpenCSVSerde has no
  NULL). `skip.header.line.count` lines are skipped at the start of every file.
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

SEPARATOR, QUOTE, ESCAPE = ",", '"', "\\"


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


def hadoop_lines(text: str) -> list[str]:
    """Lines as Hadoop's LineRecordReader splits them: at \\n, \\r\\n or \\r; no record after a final
    terminator."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def text_line_field(line: str) -> str | None:
    """The first field of a LazySimpleSerDe line delimited by \\001; `\\N` is NULL."""
    field = line.split("\x01", 1)[0]
    return None if field == "\\N" else field


def opencsv_fields(line: str) -> list[str]:
    """One line parsed as opencsv 2.3's CSVParser(',', '"', '\\\\') does for Hive's OpenCSVSerde: each
    line on its own, so an unterminated quoted field (and anything after it) is dropped."""
    tokens: list[str] = []
    field: list[str] = []
    in_quotes = in_field = False
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        nxt = line[i + 1] if i + 1 < n else None
        if c == ESCAPE:
            if (in_quotes or in_field) and nxt in (QUOTE, ESCAPE):
                field.append(nxt)  # type: ignore[arg-type]
                i += 1
        elif c == QUOTE:
            if (in_quotes or in_field) and nxt == QUOTE:
                field.append(QUOTE)
                i += 1
            else:
                # opencsv keeps a quote in the middle of a field: a,bc"d"ef,g (i > 2, as opencsv 2.3 checks)
                if i > 2 and line[i - 1] != SEPARATOR and nxt is not None and nxt != SEPARATOR:
                    if field and "".join(field).isspace():
                        field = []
                    else:
                        field.append(c)
                in_quotes = not in_quotes
            in_field = not in_field
        elif c == SEPARATOR and not in_quotes:
            tokens.append("".join(field))
            field = []
            in_field = False
        else:
            field.append(c)
            in_field = True
        i += 1
    if not in_quotes:
        tokens.append("".join(field))
    return tokens


def text_records(path: Path) -> Iterator[str | None]:
    """The raw_record values of a text_lines file: one per non-empty line."""
    for line in hadoop_lines(read_text(path)):
        if line != "":
            yield text_line_field(line)


def csv_records(path: Path, skip_header: int) -> Iterator[list[str]]:
    """The field lists of a CSV file, header lines skipped."""
    for number, line in enumerate(hadoop_lines(read_text(path))):
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
    "hadoop_lines",
    "is_hidden",
    "kinesis_records",
    "opencsv_fields",
    "parquet_records",
    "text_line_field",
    "text_records",
]
