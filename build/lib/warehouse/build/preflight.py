"""Checks before a local build reads the lake: a lake that is not there, or a dataset with no file, would
let dbt build gold from nothing (a dimension rebuilt as its unknown member alone, a fact without its online
orders). Each problem names the folder and says what to do; all of them are reported at once."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from warehouse.aws.datasets import SOURCES_GLOB, FileFormat, load_datasets
from warehouse.aws.errors import DatasetDefinitionError
from warehouse.lake_format import hadoop_lines

FIX_HINT = (
    "Generate a lake with `warehouse generate --scale tiny|default|full`, or point WAREHOUSE_DATA_DIR "
    "(or WAREHOUSE_LAKE_ROOT) at the folder that holds one."
)


class LakePreflightError(RuntimeError):
    """The lake cannot feed a build; the message lists every problem and the fix."""


@dataclass(frozen=True)
class LakeProblem:
    folder: Path
    reason: str


# Files Spectrum skips, and so does every local reader (their globs are `dt=*/[!._#]*.<ext>`): "Redshift
# Spectrum ignores hidden files and files that begin with a period, underscore, or hash mark (., _, or #) or
# end with a tilde (~)" (c-spectrum-external-tables.html). macOS `._*` files, `_SUCCESS` markers, editors' `~`.
def is_ignored_file(name: str) -> bool:
    return name.startswith((".", "_", "#")) or name.endswith("~")


def _has_files(folder: Path) -> bool:
    """A `dt=` partition folder under `folder` holds at least one data file (not one Spectrum ignores)."""
    return any(
        path.is_file() and not is_ignored_file(path.name)
        for partition in folder.glob("dt=*")
        for path in partition.iterdir()
    )


def _bad_partitions(folder: Path) -> list[LakeProblem]:
    """`dt=` folders whose value is not a date: their files would be read with no arrival date."""
    problems = []
    for partition in sorted(folder.glob("dt=*")):
        value = partition.name[len("dt=") :]
        try:
            valid = dt.date.fromisoformat(value).isoformat() == value
        except ValueError:
            valid = False
        if partition.is_dir() and not valid:
            problems.append(
                LakeProblem(partition, "not a dt=YYYY-MM-DD partition: rename it, or move it out of the lake")
            )
    return problems


def _stream_folders(project_dir: Path) -> list[str]:
    """`stream/<name>` for every stream source of the project (a source table with `meta.stream`)."""
    folders = []
    for path in sorted(project_dir.glob(SOURCES_GLOB)):
        for source in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources") or []:
            for table in source.get("tables") or []:
                stream = ((table.get("config") or {}).get("meta") or {}).get("stream")
                if stream:
                    folders.append(f"stream/{stream}")
    return folders


def data_files(folder: Path) -> list[Path]:
    """The files a reader reads under a dataset folder: `dt=*/<file>`, minus the ones Spectrum ignores
    (a partition folder that cannot be listed has none here: _unreadable names it)."""
    files: list[Path] = []
    for partition in folder.glob("dt=*"):
        if not partition.is_dir():
            continue
        try:
            files += [p for p in partition.iterdir() if p.is_file() and not is_ignored_file(p.name)]
        except PermissionError:
            continue
    return sorted(files)


def _unreadable(folder: Path) -> list[LakeProblem]:
    """Partition folders and files the build cannot read. DuckDB's glob skips a folder it cannot list, so
    its records would be lost without an error, and the records reconciliation, which reads through the
    same glob, would not see them."""
    problems: list[LakeProblem] = []
    for partition in sorted(folder.glob("dt=*")):
        if not partition.is_dir():
            continue
        if not os.access(partition, os.R_OK | os.X_OK):
            problems.append(LakeProblem(partition, "cannot be read (permissions): its files would be skipped"))
            continue
        problems += [
            LakeProblem(path, "cannot be read (permissions): its records would be skipped")
            for path in data_files(partition.parent)
            if path.parent == partition and not os.access(path, os.R_OK)
        ]
    return problems


def _header_problems(folder: Path, columns: list[str]) -> list[LakeProblem]:
    """CSV files whose header is not the contract's: OpenCSVSerde and the local reader both take fields by
    position, so a header with the columns in another order would put sale_id values into store_id."""
    expected = ",".join(columns)
    problems = []
    for path in data_files(folder):
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
        # The first line as every reader takes it (warehouse.lake_format); an empty file has no records.
        lines = hadoop_lines(head.decode("utf-8", errors="replace"))
        if not lines:
            continue
        first = lines[0]
        if first != expected:
            problems.append(
                LakeProblem(
                    path,
                    f"its header is {first[:200]!r}, the dataset's columns are {expected!r} "
                    "(fields are read by position): fix or move the file",
                )
            )
    return problems


def lake_problems(lake_root: Path, project_dir: Path) -> list[LakeProblem]:
    try:
        datasets = load_datasets(project_dir)
    except DatasetDefinitionError:  # no source describes a lake dataset
        datasets = ()
    streams = _stream_folders(project_dir)
    if not datasets and not streams:
        return []  # the project reads no lake
    if not lake_root.is_dir():
        return [LakeProblem(lake_root, "there is no lake here")]
    # With WAREHOUSE_CATALOG_DSN the product catalog is read live from PostgreSQL, not from the lake.
    live_catalog = bool(os.environ.get("WAREHOUSE_CATALOG_DSN", "").strip())
    folders = [
        (lake_root / d.location, d.may_be_empty) for d in datasets if not (live_catalog and d.source == "catalog")
    ]
    folders += [(lake_root / stream, False) for stream in streams]
    problems = [
        LakeProblem(folder, "no dt=YYYY-MM-DD folder with a file")
        for folder, may_be_empty in folders
        if not may_be_empty and not (folder.is_dir() and _has_files(folder))
    ]
    problems += [problem for folder, _ in folders if folder.is_dir() for problem in _bad_partitions(folder)]
    problems += [problem for folder, _ in folders if folder.is_dir() for problem in _unreadable(folder)]
    for dataset in datasets:
        if dataset.file_format is FileFormat.CSV and (lake_root / dataset.location).is_dir():
            problems += _header_problems(lake_root / dataset.location, [c.name for c in dataset.columns])
    return problems


def lake_folders(lake_root: Path, project_dir: Path) -> list[Path]:
    """Every dataset and stream folder the project reads under `lake_root`."""
    try:
        datasets = load_datasets(project_dir)
    except DatasetDefinitionError:
        datasets = ()
    return [lake_root / d.location for d in datasets] + [lake_root / s for s in _stream_folders(project_dir)]


def check_lake(lake_root: Path, project_dir: Path) -> None:
    """Raise LakePreflightError listing every missing dataset of the lake at `lake_root`."""
    problems = lake_problems(lake_root, project_dir)
    if not problems:
        return
    lines = "\n".join(f"  - {p.folder}: {p.reason}" for p in problems)
    raise LakePreflightError(f"the lake at {lake_root} cannot feed a build; nothing was built:\n{lines}\n{FIX_HINT}")


def count_files(lake_root: Path, project_dir: Path) -> dict[str, int]:
    """Data files per dataset or stream folder, keyed by the folder relative to the lake root."""
    return {
        folder.relative_to(lake_root).as_posix(): len(data_files(folder))
        for folder in lake_folders(lake_root, project_dir)
        if folder.is_dir()
    }
