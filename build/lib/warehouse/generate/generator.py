"""`generate_lake`: build every table in DuckDB, write the requested datasets, then the manifest."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from warehouse import log
from warehouse.generate import (
    customers,
    days,
    inventory_cdc,
    lookups,
    orders,
    reference,
    sql,
    store_sales,
    warehouses,
    web_events,
)
from warehouse.generate.errors import DatasetError
from warehouse.generate.lake_manifest import DatasetManifest, Manifest, read_datasets
from warehouse.generate.scales import Scale
from warehouse.generate.writer import DatasetWriter

LOG = log.get("generate")

Advance = Callable[[int], None]


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    ext: str
    header: str | None


DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec("orders", "ndjson", None),
    DatasetSpec("store_sales", "csv", store_sales.HEADER),
    DatasetSpec("customers", "ndjson", None),
    DatasetSpec("products", "csv", reference.PRODUCTS_HEADER),
    DatasetSpec("stores", "csv", reference.STORES_HEADER),
    DatasetSpec("campaigns", "csv", reference.CAMPAIGNS_HEADER),
    DatasetSpec("channels", "csv", reference.CHANNELS_HEADER),
    DatasetSpec(web_events.STREAM, "ndjson", None),
    DatasetSpec(warehouses.DATASET, "csv", warehouses.HEADER),
    DatasetSpec(inventory_cdc.STREAM, "ndjson", None),
)
# Streams are written as micro-batch files under stream/<name>/ (docs/streams.md), not by a DatasetWriter.
STREAM_EXPORTERS = {web_events.STREAM: web_events.export, inventory_cdc.STREAM: inventory_cdc.export}
DATASET_NAMES: tuple[str, ...] = tuple(spec.name for spec in DATASETS)


def parse_datasets(text: str) -> tuple[str, ...]:
    """A comma-separated list of dataset names, in the generator's order."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = sorted(names - set(DATASET_NAMES))
    if unknown or not names:
        raise DatasetError(f"unknown datasets {unknown or text!r}: choose from {', '.join(DATASET_NAMES)}")
    return tuple(name for name in DATASET_NAMES if name in names)


def generate_lake(
    lake_root: Path,
    scale: Scale,
    seed: int,
    datasets: Iterable[str] | None = None,
    show_progress: bool = False,
) -> Manifest:
    """Write the synthetic lake under `lake_root` (see docs/lake.md) and return its manifest.

    Every run rebuilds all tables in memory (the datasets reference each other), and writes only `datasets`
    (default: all). A run of some datasets keeps the manifest entries of the others when they were generated
    with the same scale and seed.
    """
    selected = parse_datasets(",".join(datasets)) if datasets is not None else DATASET_NAMES
    lake_root = Path(lake_root)
    started = time.perf_counter()
    con = sql.connect(seed)
    try:
        lookups.load(con, lookups.read_country_regions())
        customers.build(con, scale)
        reference.build(con, scale)
        warehouses.build(con, scale)
        LOG.debug("built reference tables in %.1fs", time.perf_counter() - started)
        months = days.month_count(scale.start_date, scale.end_date)
        steps = sum(months if name in ("orders", "store_sales") else 1 for name in selected)
        written: dict[str, DatasetManifest] = {}
        with _progress(show_progress, steps, scale) as advance:
            for spec in DATASETS:
                if spec.name not in selected:
                    continue
                t0 = time.perf_counter()
                if spec.name in STREAM_EXPORTERS:
                    written[spec.name] = STREAM_EXPORTERS[spec.name](con, scale, lake_root)
                    advance(1)
                    LOG.info(
                        "%s: %d batches, %d records in %.1fs",
                        spec.name,
                        written[spec.name].files,
                        written[spec.name].raw_records,
                        time.perf_counter() - t0,
                    )
                    continue
                writer = DatasetWriter(lake_root, spec.name, spec.ext, spec.header)
                written[spec.name] = _export(spec.name, con, scale, writer, advance)
                LOG.info(
                    "%s: %d files, %d records, %.1f MB in %.1fs",
                    spec.name,
                    writer.files,
                    written[spec.name].raw_records,
                    writer.bytes / 1e6,
                    time.perf_counter() - t0,
                )
    finally:
        con.close()
    previous = read_datasets(lake_root, scale, seed) if set(selected) != set(DATASET_NAMES) else {}
    manifest = Manifest(scale=scale, seed=seed, datasets={**previous, **written})
    path = manifest.write(lake_root)
    LOG.info("lake %s written in %.1fs; manifest %s", lake_root, time.perf_counter() - started, path)
    return manifest


def _export(
    name: str, con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter, advance: Advance
) -> DatasetManifest:
    if name == "orders":
        return orders.export(con, scale, writer, advance)
    if name == "store_sales":
        return store_sales.export(con, scale, writer, advance)
    exporters = {
        "customers": customers.export,
        "products": reference.export_products,
        "stores": reference.export_stores,
        "campaigns": reference.export_campaigns,
        "channels": reference.export_channels,
        warehouses.DATASET: warehouses.export,
    }
    result = exporters[name](con, scale, writer)
    advance(1)
    return result


@contextmanager
def _progress(show: bool, total: int, scale: Scale) -> Iterator[Advance]:
    """A rich progress bar on stderr over the work: months of orders and sales, then one step per dataset."""
    progress = Progress(
        TextColumn(f"generating [bold]{scale.name}[/bold] lake"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=log.console,
        disable=not show,
        transient=False,
    )
    with progress:
        task = progress.add_task("generate", total=total)
        yield lambda steps: progress.advance(task, steps)
