"""Synthetic data for the GlobalRetail lake: `warehouse generate` and its Python API, `generate_lake`.

The lake's layout, datasets and injected defects are specified in docs/lake.md.
"""

from __future__ import annotations

from warehouse.generate.errors import DatasetError, GenerateError, ReferenceDataError, ScaleError
from warehouse.generate.generator import DATASET_NAMES, generate_lake, parse_datasets
from warehouse.generate.lake_manifest import MANIFEST_PATH, DatasetManifest, Manifest
from warehouse.generate.scales import SCALES, Scale, parse_scale, scale_for_orders

__all__ = [
    "DATASET_NAMES",
    "MANIFEST_PATH",
    "SCALES",
    "DatasetError",
    "DatasetManifest",
    "GenerateError",
    "Manifest",
    "ReferenceDataError",
    "Scale",
    "ScaleError",
    "generate_lake",
    "parse_datasets",
    "parse_scale",
    "scale_for_orders",
]
