"""The whole benchmark in one process: generate, scan floor, full build, queries, storage, export, executive,
append 1% new orders and a day of inventory change events and rebuild incrementally, then report.json,
report.md and the plots."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse import log
from warehouse.bench import plots, provenance, queries
from warehouse.bench import storage as storage_footprint
from warehouse.bench.dbt_phase import BuildMeasure, compile_analyses, run_build
from warehouse.bench.report import write_markdown
from warehouse.bench.stats import Timing, ratio
from warehouse.bench.targets import MB, check
from warehouse.checksums import table_checksums
from warehouse.config import PROJECT_DIR, duckdb_memory_limit
from warehouse.generate.append import AppendBatch, generate_orders_append
from warehouse.generate.generator import generate_lake
from warehouse.generate.inventory_append import InventoryAppend, generate_inventory_append
from warehouse.generate.scales import Scale

logger = log.get("bench")


@dataclass(frozen=True)
class BenchOptions:
    scale: Scale
    repeat: int = 3
    seed: int = 42
    append_fraction: float = 0.01
    out_root: Path = PROJECT_DIR / "data" / "bench"
    work_dir: Path | None = None  # lake + warehouse; default <out_root>/work-<scale>
    reuse_lake: bool = False
    verify_incremental: bool = False  # full refresh after the incremental build, gold checksums compared
    progress: bool = True


@contextmanager
def bench_environment(work_dir: Path) -> Iterator[None]:
    """The warehouse, lake, dbt artifacts and logs of the run under `work_dir`; the caller's env restored."""
    values = {
        "WAREHOUSE_DATA_DIR": str(work_dir),
        "WAREHOUSE_LAKE_ROOT": str(work_dir / "lake"),
        "WAREHOUSE_TARGET": "local",
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# The online orders path: typed bronze and deduplication, compared with one read of the orders files.
ORDERS_PATH = ("stg_orders__orders_typed", "int_orders_deduplicated")
ORDERS_FILES = "raw/orders/dt=*/[!._#]*.ndjson"  # the orders source's meta.files


def _profile_orders_typed(work_dir: Path, day: dt.date, plans: Path) -> queries.ModelProfile:
    """The full build's compiled stg_orders__orders_typed on one month of orders files (the month of the
    one-day window): its operators' times next to one plain read of the same files."""
    compiled = work_dir / "target" / "compiled" / "globalretail" / "models" / "bronze" / "orders"
    sql = (compiled / "stg_orders__orders_typed.sql").read_text(encoding="utf-8")
    lake = work_dir / "lake"
    sample = ORDERS_FILES.replace("dt=*", f"dt={day:%Y-%m}-*")
    return queries.profile_model_sample(
        sql,
        "stg_orders__orders_typed",
        f"{lake}/{ORDERS_FILES}",
        f"{lake}/{sample}",
        plans / "orders_typed_profile.txt",
    )


def prepare_lake(options: BenchOptions, work_dir: Path) -> float:
    """Generate the lake of the run (seconds taken), or reuse a pristine one of the same scale and seed (0)."""
    lake = work_dir / "lake"
    manifest = lake / "_manifest" / "generation.json"
    if options.reuse_lake and manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        datasets = data.get("datasets", {})
        appended = any(datasets.get(name, {}).get("append_batches") for name in ("orders", "inventory_cdc"))
        if data.get("scale") != options.scale.to_json() or data.get("seed") != options.seed:
            logger.info("the lake in %s has another scale or seed: generating a new one", lake)
        elif appended:
            logger.info("the lake in %s has appended data from an earlier run: generating a new one", lake)
        else:
            logger.info("reusing the lake in %s", lake)
            return 0.0
    if work_dir.exists():
        shutil.rmtree(work_dir)
    started = time.perf_counter()
    generate_lake(lake, options.scale, options.seed, show_progress=options.progress)
    return time.perf_counter() - started


def run(options: BenchOptions) -> Path:
    """Run the benchmark; the report folder `<out_root>/<timestamp>/`."""
    started_at = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    report_dir = options.out_root / started_at.strftime("%Y%m%dT%H%M%SZ")
    plans = report_dir / "plans"
    plot_dir = report_dir / "plots"
    plot_dir.mkdir(parents=True, exist_ok=True)
    work_dir = (options.work_dir or options.out_root / f"work-{options.scale.name}").resolve()
    database = work_dir / "warehouse.duckdb"
    scale = options.scale
    logger.info("bench at scale %s (%s orders), report in %s", scale.name, f"{scale.orders:,}", report_dir)

    code_before, code_at = provenance.fingerprint(PROJECT_DIR), provenance.Provenance.of(PROJECT_DIR)
    generation_seconds = prepare_lake(options, work_dir)
    database.unlink(missing_ok=True)
    with bench_environment(work_dir):
        analyses = compile_analyses(PROJECT_DIR, work_dir / "target", "path:analyses/bench", queries.COMPILE_VARS)
        database.unlink(missing_ok=True)  # compile opened it; the build starts from an empty warehouse

        logger.info("1/7 raw scan floors: every raw dataset of the lake once, and the orders alone")
        lake_floor = queries.run_lake_floor(
            analyses["raw_scan_floor_lake"], work_dir / "lake", options.repeat, plans / "raw_scan_floor_lake.txt"
        )
        logger.info(
            "whole-lake floor: %s records, %s MB in %s",
            f"{lake_floor.records:,}",
            f"{lake_floor.bytes / MB:,.0f}",
            lake_floor.timing.text(),
        )
        floor_timing, floor_row = queries.run_query(None, analyses["raw_scan_floor"], options.repeat)
        parsed_timing, parsed_row = queries.run_query(None, analyses["raw_scan_floor_parsed"], options.repeat)
        floor_profile = queries.profile_query(None, analyses["raw_scan_floor"], plans / "raw_scan_floor.txt")

        logger.info("2/7 full build from an empty warehouse")
        full = run_build(PROJECT_DIR, "full build", full_refresh=True, progress=options.progress)

        logger.info("3/7 storage footprint")
        storage = storage_footprint.measure(database, work_dir / "lake", scale.orders)

        logger.info("4/7 raw lake vs native: selective time filters")
        windows = queries.pick_windows(database, scale.end_date)
        orders_profile = _profile_orders_typed(work_dir, windows[0].start, plans)
        comparisons = queries.compare_windows(database, analyses, windows, options.repeat, plans)

        logger.info("5/7 daily export (UNLOAD equivalent)")
        export = queries.run_export(database, work_dir / "exports" / "daily_revenue", options.repeat)

        logger.info("6/7 executive YoY (INV-EXECUTIVE-YOY)")
        executive = queries.run_executive(database, analyses, options.repeat)
        logger.info("executive: %s", executive.note)

        logger.info(
            "7/7 append %.1f%% new orders and a day of inventory change events, incremental build",
            options.append_fraction * 100,
        )
        batch = generate_orders_append(work_dir / "lake", fraction=options.append_fraction)
        inventory_batch = generate_inventory_append(work_dir / "lake", days=1)
        incremental = run_build(PROJECT_DIR, "incremental build", full_refresh=False, progress=options.progress)
        identical: bool | None = None
        refresh: BuildMeasure | None = None
        if options.verify_incremental:
            incremental_gold = table_checksums(database, "gold")
            refresh = run_build(PROJECT_DIR, "full refresh after append", full_refresh=True, progress=options.progress)
            identical = incremental_gold == table_checksums(database, "gold")
            logger.info("gold after incremental == gold after full refresh: %s", identical)

    code_changed = provenance.changed_files(code_before, provenance.fingerprint(PROJECT_DIR))
    if code_changed:
        logger.error(
            "the project's files changed while the benchmark ran (%s): its phases measured different code, and "
            "the report is marked invalid; run it again on a tree nobody edits (a separate git worktree)",
            ", ".join(code_changed[:10]) + (", ..." if len(code_changed) > 10 else ""),
        )
    results = _assemble(
        options=options,
        started_at=started_at,
        generation_seconds=generation_seconds,
        floor=(floor_timing, floor_row, parsed_timing, parsed_row, floor_profile),
        lake_floor=lake_floor,
        orders_profile=orders_profile,
        full=full,
        incremental=incremental,
        refresh=refresh,
        identical=identical,
        batch=batch,
        inventory_batch=inventory_batch,
        storage=storage,
        comparisons=comparisons,
        export=export,
        executive=executive,
    )
    plot_files = [
        plots.build_plot(
            full, incremental, lake_floor.timing.median, floor_timing.median, plot_dir / "build_layers.png"
        ),
        plots.query_plot(comparisons, plot_dir / "spectrum_vs_native.png"),
        plots.storage_plot(
            storage.raw_orders_bytes / MB,
            storage.orders_load_bytes / MB,
            storage.database_used_bytes / MB,
            storage.native_mb_at_30m,
            plot_dir / "storage.png",
        ),
        plots.column_plot(
            storage.orders_columns, storage_footprint.ORDERS_LOAD_TABLE, plot_dir / "storage_columns.png"
        ),
    ]
    results["plots"] = [str(path.relative_to(report_dir)) for path in plot_files]
    results["meta"]["code"] = {"commit": code_at.commit, "dirty": code_at.dirty, "changed_during_run": code_changed}
    results["meta"]["duration_seconds"] = time.perf_counter() - started
    (report_dir / "report.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    write_markdown(results, report_dir / "report.md")
    logger.info("report: %s", report_dir / "report.md")
    if code_changed:
        raise BenchCodeChangedError(
            f"the report {report_dir / 'report.md'} is invalid: the project's files changed during the run"
        )
    return report_dir


class BenchCodeChangedError(Exception):
    """The project's files changed while the benchmark ran; the report was written and marked invalid."""


def _memory_gib() -> float:
    """The machine's memory, from /proc/meminfo (NaN where there is none)."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return math.nan


def _assemble(
    *,
    options: BenchOptions,
    started_at: dt.datetime,
    generation_seconds: float,
    floor: tuple[Timing, tuple[Any, ...], Timing, tuple[Any, ...], queries.Profile],
    lake_floor: queries.LakeFloor,
    orders_profile: queries.ModelProfile,
    full: BuildMeasure,
    incremental: BuildMeasure,
    refresh: BuildMeasure | None,
    identical: bool | None,
    batch: AppendBatch,
    inventory_batch: InventoryAppend,
    storage: storage_footprint.Storage,
    comparisons: list[queries.Comparison],
    export: queries.Export,
    executive: queries.Executive,
) -> dict[str, Any]:
    floor_timing, floor_row, parsed_timing, parsed_row, floor_profile = floor
    scale = options.scale
    full_over_floor = ratio(full.wall_seconds, lake_floor.timing.median)
    full_over_orders_floor = ratio(full.wall_seconds, floor_timing.median)
    orders_path_seconds = sum(full.model_seconds.get(name, 0.0) for name in ORDERS_PATH)
    orders_path_over_floor = ratio(orders_path_seconds, floor_timing.median)
    models_share = ratio(incremental.incremental_model_seconds, full.incremental_model_seconds)
    build_share = ratio(incremental.wall_seconds, full.wall_seconds)
    one_day = next(c for c in comparisons if c.window.name == "day" and not c.window.category)
    scale_note = f"measured at scale {scale.name} ({scale.orders:,} orders)"
    if scale.name == "full":
        scale_note = "measured at full scale (30M orders)"
    targets = check(
        full_over_floor=full_over_floor,
        orders_path_over_floor=orders_path_over_floor,
        peak_rss_bytes=full.peak_rss_bytes,
        incremental_models_share=models_share,
        incremental_build_share=build_share,
        one_day_speedup=one_day.speedup,
        native_mb_at_30m=storage.native_mb_at_30m,
        executive_speedup=executive.speedup,
        executive_note=executive.note,
        scale_note=scale_note,
    )
    return {
        "meta": {
            "started_at": started_at.isoformat(),
            "scale": scale.to_json(),
            "seed": options.seed,
            "repeat": options.repeat,
            "append_fraction": options.append_fraction,
            "generation_seconds": generation_seconds,
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "duckdb": duckdb.__version__,
            "duckdb_memory_limit": duckdb_memory_limit(),
            "memory_gib": _memory_gib(),
        },
        "raw_scan_floor": {
            "seconds": floor_timing.to_json(),
            "raw_lines": int(floor_row[0]) if floor_row else 0,
            "raw_characters": int(floor_row[1] or 0) if floor_row else 0,
            "bytes_read": floor_profile.bytes_read,
            "parsed": {"seconds": parsed_timing.to_json(), "units": int(parsed_row[1] or 0) if parsed_row else 0},
        },
        "lake_scan_floor": lake_floor.to_json(),
        "orders_path": {
            "models": list(ORDERS_PATH),
            "seconds": orders_path_seconds,
            "orders_floor_seconds": floor_timing.median,
            "over_orders_floor": orders_path_over_floor,
            "typed_model_profile": orders_profile.to_json(),
        },
        "full_build": {
            **full.to_json(),
            "over_lake_scan_floor": full_over_floor,
            "over_orders_scan_floor": full_over_orders_floor,
        },
        "incremental_build": {
            **incremental.to_json(),
            "append": {
                "batch": batch.batch,
                "new_orders": batch.orders,
                "new_versions_of_old_orders": batch.updated_orders,
                "lines": batch.lines,
                "files": batch.files,
                "bytes": batch.bytes,
                "first_day": batch.first_day.isoformat(),
                "last_day": batch.last_day.isoformat(),
                "inventory_events": inventory_batch.events,
                "inventory_files": inventory_batch.files,
                "inventory_bytes": inventory_batch.bytes,
                "inventory_day": inventory_batch.first_day.isoformat(),
            },
            "incremental_models_full_seconds": full.incremental_model_seconds,
            "incremental_models_share": models_share,
            "whole_build_share": build_share,
            "gold_identical_to_full_refresh": identical,
            "full_refresh_after_append": refresh.to_json() if refresh else None,
        },
        "spectrum_vs_native": [comparison.to_json() for comparison in comparisons],
        "storage": storage.to_json(),
        "export": export.to_json(),
        "executive": executive.to_json(),
        "targets": [target.to_json() for target in targets],
    }
