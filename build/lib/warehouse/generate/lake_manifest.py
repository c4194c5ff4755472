"""The generation manifest, `<lake_root>/_manifest/generation.json`: what was written, counted as written."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse import __version__
from warehouse.generate.defects import DEFECT_KINDS
from warehouse.generate.scales import Scale
from warehouse.generate.writer import DatasetWriter

MANIFEST_PATH = Path("_manifest") / "generation.json"


@dataclass(frozen=True)
class DatasetManifest:
    """One dataset's files, raw records (data lines a line reader sees) and defects per kind."""

    format: str
    files: int
    raw_records: int
    bytes: int
    defects: Mapping[str, int]
    details: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_writer(
        cls,
        fmt: str,
        writer: DatasetWriter,
        defects: Mapping[str, int],
        details: Mapping[str, int] | None = None,
        raw_records: int | None = None,
    ) -> DatasetManifest:
        unknown = set(defects) - set(DEFECT_KINDS)
        if unknown:
            raise ValueError(f"unknown defect kinds {sorted(unknown)}")
        return cls(
            format=fmt,
            files=writer.files,
            raw_records=writer.records if raw_records is None else raw_records,
            bytes=writer.bytes,
            defects={kind: int(defects.get(kind, 0)) for kind in DEFECT_KINDS},
            details=dict(details or {}),
        )

    @classmethod
    def clean(cls, fmt: str, writer: DatasetWriter) -> DatasetManifest:
        """A dataset with no injected defects."""
        return cls.from_writer(fmt, writer, {})

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "files": self.files,
            "raw_records": self.raw_records,
            "bytes": self.bytes,
            **self.details,
            "defects": dict(self.defects),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DatasetManifest:
        fixed = {"format", "files", "raw_records", "bytes", "defects"}
        return cls(
            format=str(data["format"]),
            files=int(data["files"]),
            raw_records=int(data["raw_records"]),
            bytes=int(data["bytes"]),
            defects={str(k): int(v) for k, v in data["defects"].items()},
            details={str(k): int(v) for k, v in data.items() if k not in fixed},
        )


@dataclass(frozen=True)
class Manifest:
    scale: Scale
    seed: int
    datasets: Mapping[str, DatasetManifest]

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": {"name": "warehouse generate", "version": __version__},
            "scale": self.scale.to_json(),
            "seed": self.seed,
            "datasets": {name: self.datasets[name].to_json() for name in sorted(self.datasets)},
        }

    def write(self, lake_root: Path) -> Path:
        path = lake_root / MANIFEST_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path


def read_datasets(lake_root: Path, scale: Scale, seed: int) -> dict[str, DatasetManifest]:
    """The datasets of an earlier manifest in `lake_root`, if it was generated with the same scale and seed.

    A run of some datasets keeps the others' entries, as long as they come from the same generation.
    """
    path = lake_root / MANIFEST_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["scale"] != scale.to_json() or data["seed"] != seed:
            return {}
        return {name: DatasetManifest.from_json(entry) for name, entry in data["datasets"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
