"""An append batch of online orders: new lake files after the lake's last arrival day (`warehouse bench`).

`generate_orders_append(lake_root, fraction=...)` writes `fraction` x `scale.orders` new orders, with ids after
every order already in the lake, placed on the days after the lake's newest `dt` folder (as many
days as the scale's average daily volume needs). They are drawn exactly like the base lake's orders (the
same generator SQL, defects and dirty data included: late records, duplicates, second versions), and on top
of them a new version (a later status) of some open orders of the lake's last 14 arrival days, arriving on the
new days. So an append exercises what an incremental build must handle: new files only, late records and new
versions of old orders. The append's own statements are templates in sql/ (`append_order_days`,
`append_new_versions`).

The scale and the seed are the lake's own, read from its manifest (`_manifest/generation.json`, written by
`warehouse generate`), never passed in: an append drawn with another seed than the base lake's would not
match the lake's customers and catalog.

Deterministic: the same lake and fraction give the same files. Files are written as
`part-<5000 + batch>` (batch = how many appends the lake already has), never over an existing file, and the
manifest's `orders` entry is updated (files, raw_records, bytes, defects, `appended_orders`, `append_batches`),
so the lake stays reconcilable.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from warehouse import log
from warehouse.generate import customers, lookups, orders, reference, sql
from warehouse.generate.chunks import write_chunk
from warehouse.generate.defects import DEFECT_KINDS
from warehouse.generate.errors import GenerateError
from warehouse.generate.lake_manifest import MANIFEST_PATH
from warehouse.generate.scales import Scale
from warehouse.generate.writer import DatasetWriter, dataset_dir

LOG = log.get("generate")

APPEND_PART_BASE = 5000
UPDATE_SHARE = 0.05  # new versions of old orders, as a share of the batch's new orders
UPDATE_WINDOW_DAYS = 14  # old orders eligible for a new version: those that arrived in the last 14 days


@dataclass(frozen=True)
class AppendBatch:
    """What one append wrote."""

    batch: int
    orders: int
    updated_orders: int
    lines: int
    files: int
    bytes: int
    first_day: dt.date
    last_day: dt.date
    paths: tuple[Path, ...]


def last_arrival_day(lake_root: Path, dataset: str = "orders") -> dt.date:
    folders = [p.name[3:] for p in dataset_dir(lake_root, dataset).glob("dt=*") if p.is_dir()]
    if not folders:
        raise GenerateError(f"no {dataset} files under {dataset_dir(lake_root, dataset)}: generate the lake first")
    return dt.date.fromisoformat(max(folders))


def read_manifest(lake_root: Path) -> dict:
    """The lake's manifest as a plain dict, to update after an append."""
    path = lake_root / MANIFEST_PATH
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise GenerateError(f"cannot read the lake manifest {path}: {exc}; generate the lake first") from exc


def lake_generation(lake_root: Path, manifest: Mapping[str, Any]) -> tuple[Scale, int]:
    """The scale and seed the lake was generated with, as its manifest (read by `read_manifest`) records them."""
    path = lake_root / MANIFEST_PATH
    missing = [key for key in ("scale", "seed") if key not in manifest]
    if missing:
        raise GenerateError(
            f"the lake manifest {path} records no {' and no '.join(missing)}: appends and the stream are drawn "
            "with the lake's own scale and seed; generate the lake again with `warehouse generate`"
        )
    seed = manifest["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise GenerateError(f"the lake manifest {path} records the seed {seed!r}, not an integer")
    try:
        scale = Scale.from_json(manifest["scale"])
    except (KeyError, TypeError, ValueError) as exc:
        raise GenerateError(
            f"the lake manifest {path} records no usable scale ({exc!r}): {manifest['scale']!r}"
        ) from exc
    return scale, seed


def generate_orders_append(lake_root: Path, *, fraction: float = 0.01) -> AppendBatch:
    """Append `fraction` x `scale.orders` new orders (and new versions of recent ones) to the lake, with the
    scale and seed its manifest records."""
    if not 0 < fraction <= 1:
        raise GenerateError(f"append fraction must be in (0, 1], not {fraction}")
    lake_root = Path(lake_root)
    manifest = read_manifest(lake_root)
    scale, seed = lake_generation(lake_root, manifest)
    entry = manifest["datasets"]["orders"]
    batch = int(entry.get("append_batches", 0))
    first_id = scale.orders + int(entry.get("appended_orders", 0))  # 0-based index of the first new order
    n = max(1, round(scale.orders * fraction))
    first_day = last_arrival_day(lake_root) + dt.timedelta(days=1)
    days = max(1, math.ceil(n / max(1.0, scale.orders / scale.days)))
    last_day = first_day + dt.timedelta(days=days - 1)
    part = APPEND_PART_BASE + batch

    writer = DatasetWriter(lake_root, "orders", "ndjson")
    # The base lake's seed, so customers, products and campaigns are the base's exactly (an appended order's
    # category and price match the catalog); the order numbers i are new in every batch, so every draw keyed
    # on them is too.
    con = sql.connect(seed)
    try:
        lookups.load(con, lookups.read_country_regions())
        customers.build(con, scale)
        reference.build(con, scale)
        con.execute(
            sql.render("append_order_days"),
            {"first": first_id, "n": n, "days": days, "day0": first_day},
        )
        rows_scale = replace(scale, end_date=last_day)
        counts: Counter[str] = write_chunk(
            con, orders._chunk_sql(orders._rows_sql(rows_scale)), {"chunk": 0}, writer, part
        )
        before = counts["update"]
        counts += _write_new_versions(con, lake_root, writer, first_day, last_day, n, part)
        updated = counts["update"] - before
    finally:
        con.close()
    paths = tuple(
        sorted(
            p for q in (part, part + 1000) for p in dataset_dir(lake_root, "orders").glob(f"dt=*/part-{q:04d}.ndjson")
        )
    )
    _update_manifest(lake_root, manifest, writer, counts, n)
    result = AppendBatch(batch, n, updated, writer.records, writer.files, writer.bytes, first_day, last_day, paths)
    LOG.info(
        "orders append %d: %s new orders and %s new versions of old orders, %d files, %s lines, %s..%s",
        batch,
        f"{n:,}",
        f"{updated:,}",
        writer.files,
        f"{writer.records:,}",
        first_day,
        last_day,
    )
    return result


def _write_new_versions(
    con: duckdb.DuckDBPyConnection,
    lake_root: Path,
    writer: DatasetWriter,
    first_day: dt.date,
    last_day: dt.date,
    n: int,
    part: int,
) -> Counter[str]:
    """A later version (delivered, or returned) of open orders that arrived in the lake's last 14 days."""
    window = [
        str(path)
        for path in sorted(dataset_dir(lake_root, "orders").glob("dt=*/*.ndjson"))
        if path.parent.name[3:] >= (first_day - dt.timedelta(days=UPDATE_WINDOW_DAYS)).isoformat()
        and not path.name.startswith(f"part-{part:04d}")
    ]
    wanted = max(1, round(n * UPDATE_SHARE))
    if not window:
        return Counter()
    days = (last_day - first_day).days + 1
    params = {"files": window, "wanted": wanted, "day0": first_day, "days": days}
    return write_chunk(con, sql.render("append_new_versions"), params, writer, part + 1000)


def write_manifest(lake_root: Path, manifest: dict) -> None:
    """Replace the lake's manifest atomically."""
    path = lake_root / MANIFEST_PATH
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def _update_manifest(lake_root: Path, manifest: dict, writer: DatasetWriter, counts: Counter[str], n: int) -> None:
    entry = manifest["datasets"]["orders"]
    entry["files"] = int(entry["files"]) + writer.files
    entry["raw_records"] = int(entry["raw_records"]) + writer.records
    entry["bytes"] = int(entry["bytes"]) + writer.bytes
    entry["appended_orders"] = int(entry.get("appended_orders", 0)) + n
    entry["append_batches"] = int(entry.get("append_batches", 0)) + 1
    defects = entry.setdefault("defects", {})
    for kind in DEFECT_KINDS:
        defects[kind] = int(defects.get(kind, 0)) + int(counts.get(kind, 0))
    write_manifest(lake_root, manifest)
