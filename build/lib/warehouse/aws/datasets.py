"""The lake's datasets, read from the `external:` blocks of the dbt sources (one source of truth).

Each source table in models/bronze/*/_*__sources.yml carries

    external:
      location: raw/orders        # path under the lake root
      file_format: text_lines     # text_lines | csv | parquet
      partitions:
        - name: dt
          data_type: date

and `columns:` with `data_type`. Columns that are not in the files (lineage columns such as source_file,
dt, file_modified_at, record_number) carry `meta: {physical: false}`. Jinja (`{{ ... }}`) is never rendered:
such values are opaque text here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from warehouse.aws.errors import DatasetDefinitionError
from warehouse.config import PROJECT_DIR

SOURCES_GLOB = "models/bronze/*/_*__sources.yml"
RAW_RECORD = "raw_record"
RAW_RECORD_TYPE = "varchar(65535)"


class FileFormat(str, Enum):
    TEXT_LINES = "text_lines"  # each line is one varchar column, raw_record
    CSV = "csv"  # header row, columns as listed
    PARQUET = "parquet"

    @property
    def is_text_lines(self) -> bool:
        return self is FileFormat.TEXT_LINES


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str = ""


@dataclass(frozen=True)
class Partition:
    name: str
    data_type: str


@dataclass(frozen=True)
class Dataset:
    """One lake dataset: a dbt source table with an `external:` block."""

    source: str
    name: str
    location: str
    file_format: FileFormat
    columns: tuple[Column, ...]
    partitions: tuple[Partition, ...]
    description: str
    defined_in: Path
    # `external.may_be_empty`: the dataset legitimately has no file yet (the cold tier before its first offload).
    may_be_empty: bool = False

    def uri(self, lake_root: str) -> str:
        """The dataset's folder under a lake root (`s3://bucket/prefix` or a local folder), with a slash."""
        return f"{lake_root.rstrip('/')}/{self.location}/"


def is_jinja(text: str) -> bool:
    return "{{" in text or "{%" in text


def plain_text(value: Any) -> str:
    """A description usable outside dbt: folded to one line, empty when it is (or contains) Jinja."""
    text = " ".join(str(value or "").split())
    return "" if is_jinja(text) else text


_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _identifier(value: Any, what: str, where: str) -> str:
    text = str(value or "").strip()
    if not _IDENTIFIER.match(text):
        raise DatasetDefinitionError(f"{where}: {what} {text!r} must be a lowercase identifier ([a-z_][a-z0-9_]*)")
    return text


def _meta(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """`meta` of a column, either top-level or under `config:` (dbt ≥ 1.10 accepts both)."""
    meta = dict(node.get("meta") or {})
    meta.update((node.get("config") or {}).get("meta") or {})
    return meta


def _is_physical(column: Mapping[str, Any]) -> bool:
    return _meta(column).get("physical", True) is not False


def _partitions(external: Mapping[str, Any], where: str) -> tuple[Partition, ...]:
    result = []
    for entry in external.get("partitions") or []:
        if not isinstance(entry, Mapping):
            raise DatasetDefinitionError(f"{where}: each partition needs `name` and `data_type`, got {entry!r}")
        name = _identifier(entry.get("name"), "partition name", where)
        data_type = str(entry.get("data_type") or "").strip().lower()
        if not data_type:
            raise DatasetDefinitionError(f"{where}: partition {name!r} needs a data_type")
        result.append(Partition(name, data_type))
    return tuple(result)


def _typed_entries(entries: Any, what: str, where: str) -> list[tuple[str, str]]:
    result = []
    for entry in entries or []:
        if not isinstance(entry, Mapping) or not entry.get("data_type"):
            raise DatasetDefinitionError(f"{where}: each of {what} needs `name` and `data_type`, got {entry!r}")
        result.append((_identifier(entry.get("name"), what, where), str(entry["data_type"]).strip().lower()))
    return result


def _columns(table: Mapping[str, Any], file_format: FileFormat, where: str) -> tuple[Column, ...]:
    listed = [column for column in table.get("columns") or [] if isinstance(column, Mapping)]
    physical = [column for column in listed if _is_physical(column)]
    if file_format.is_text_lines:
        extra = sorted(str(c.get("name")) for c in physical if c.get("name") != RAW_RECORD)
        if extra:
            raise DatasetDefinitionError(
                f"{where}: a {file_format.value} table has one physical column, {RAW_RECORD}; mark {extra} "
                "with `meta: {physical: false}`"
            )
        raw = next((c for c in physical if c.get("name") == RAW_RECORD), {})
        data_type = str(raw.get("data_type") or RAW_RECORD_TYPE).strip().lower()
        return (Column(RAW_RECORD, data_type, plain_text(raw.get("description"))),)
    columns = []
    for column in physical:
        name = _identifier(column.get("name"), "column", where)
        data_type = str(column.get("data_type") or "").strip().lower()
        if not data_type:
            raise DatasetDefinitionError(
                f"{where}: column {name!r} has no data_type; add one, or `meta: {{physical: false}}` if the "
                "column is not in the files"
            )
        columns.append(Column(name, data_type, plain_text(column.get("description"))))
    if not columns:
        raise DatasetDefinitionError(f"{where}: a {file_format.value} table needs its physical columns listed")
    return tuple(columns)


def _dataset(source: Mapping[str, Any], table: Mapping[str, Any], path: Path) -> Dataset | None:
    source_name = str(source.get("name"))
    table_name = str(table.get("name"))
    where = f"{path.name}: source {source_name}.{table_name}"
    external = table.get("external")
    if external is None:
        return None
    if not isinstance(external, Mapping):
        raise DatasetDefinitionError(f"{where}: `external:` must be a mapping")
    location = str(external.get("location") or "").strip().strip("/")
    if not location or is_jinja(location) or ".." in location.split("/"):
        raise DatasetDefinitionError(f"{where}: external.location must be a path under the lake root, got {location!r}")
    format_text = str(external.get("file_format") or "").strip().lower()
    try:
        file_format = FileFormat(format_text)
    except ValueError:
        choices = ", ".join(f.value for f in FileFormat)
        raise DatasetDefinitionError(f"{where}: external.file_format {format_text!r} is not one of {choices}") from None
    partitions = _partitions(external, where)
    columns = _columns(table, file_format, where)
    clash = {c.name for c in columns} & {p.name for p in partitions}
    if clash:
        raise DatasetDefinitionError(f"{where}: {sorted(clash)} cannot be both a column and a partition")
    return Dataset(
        source=_identifier(source_name, "source name", where),
        name=_identifier(table.get("identifier") or table_name, "table name", where),
        location=location,
        file_format=file_format,
        columns=columns,
        partitions=partitions,
        description=plain_text(table.get("description")),
        defined_in=path,
        may_be_empty=bool((table.get("external") or {}).get("may_be_empty", False)),
    )


def read_sources_file(path: Path) -> list[Dataset]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DatasetDefinitionError(f"cannot read {path}: {exc}") from exc
    datasets = []
    for source in document.get("sources") or []:
        for table in source.get("tables") or []:
            dataset = _dataset(source, table, path)
            if dataset is not None:
                datasets.append(dataset)
    return datasets


def load_datasets(project_dir: Path = PROJECT_DIR, names: Iterable[str] | None = None) -> tuple[Dataset, ...]:
    """Every dataset with an `external:` block, sorted by name; only `names` when given."""
    files = sorted(project_dir.glob(SOURCES_GLOB))
    datasets: dict[str, Dataset] = {}
    for path in files:
        for dataset in read_sources_file(path):
            if dataset.name in datasets:
                other = datasets[dataset.name].defined_in.name
                raise DatasetDefinitionError(
                    f"table {dataset.name!r} is defined in both {other} and {path.name}; Glue table names "
                    "must be unique in the database"
                )
            datasets[dataset.name] = dataset
    if not datasets:
        raise DatasetDefinitionError(
            f"no source table under {project_dir}/{SOURCES_GLOB} has an `external:` block; add one per lake "
            "dataset (location, file_format, partitions)"
        )
    if names is None:
        return tuple(datasets[name] for name in sorted(datasets))
    wanted = list(dict.fromkeys(names))
    unknown = [name for name in wanted if name not in datasets]
    if unknown:
        raise DatasetDefinitionError(f"unknown datasets {unknown}: choose from {', '.join(sorted(datasets))}")
    return tuple(datasets[name] for name in wanted)
