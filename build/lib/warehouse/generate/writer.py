"""Writes a dataset's files: `<lake_root>/raw/<dataset>/dt=YYYY-MM-DD/part-NNNN.<ext>`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from warehouse.generate.errors import GenerateError

MAX_PART = 9999


def dataset_dir(lake_root: Path, dataset: str) -> Path:
    return lake_root / "raw" / dataset


def part_path(lake_root: Path, dataset: str, arrival: dt.date, part: int, ext: str) -> Path:
    if not 0 <= part <= MAX_PART:
        raise GenerateError(f"{dataset}: part number {part} does not fit the 4-digit part-NNNN file name")
    return dataset_dir(lake_root, dataset) / f"dt={arrival.isoformat()}" / f"part-{part:04d}.{ext}"


class DatasetWriter:
    """Creates one dataset's files and counts what it wrote.

    `reset()` removes the dataset's folder first, so a rerun leaves no stale parts behind. A file is never
    written twice: a second write to the same path is a generator bug and raises.
    """

    def __init__(self, lake_root: Path, dataset: str, ext: str, header: str | None = None) -> None:
        self.lake_root = lake_root
        self.dataset = dataset
        self.ext = ext
        self.header = header
        self.files = 0
        self.records = 0
        self.bytes = 0

    def reset(self) -> None:
        folder = dataset_dir(self.lake_root, self.dataset)
        if folder.exists():
            shutil.rmtree(folder)

    def write(self, arrival: dt.date, part: int, body: str, records: int) -> Path:
        """Write `body` (lines joined by newlines, no trailing newline) under the CSV header, if any."""
        if not body or "\n\n" in body or body.endswith("\n"):
            raise GenerateError(f"{self.dataset}: empty line in dt={arrival} part {part}")
        path = part_path(self.lake_root, self.dataset, arrival, part, self.ext)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f"{self.header}\n{body}\n" if self.header else f"{body}\n"
        data = text.encode("utf-8")
        try:
            with path.open("xb") as handle:
                handle.write(data)
        except FileExistsError:
            raise GenerateError(f"{path} was about to be written twice; part numbers collide") from None
        self.files += 1
        self.records += records
        self.bytes += len(data)
        return path
