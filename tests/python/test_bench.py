"""`warehouse bench --scale tiny`: a complete, well-formed report (no timing is asserted), and the orders
append batch the bench uses: an incremental build over it gives the same gold as a full refresh."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tiny_warehouse import TinyWarehouse, build, clone_warehouse
from warehouse import cli
from warehouse.bench.phases import BenchOptions, prepare_lake
from warehouse.bench.queries import VERSION_LAG_DAYS
from warehouse.bench.stats import timed
from warehouse.checksums import table_checksums
from warehouse.generate.append import generate_orders_append
from warehouse.generate.generator import generate_lake
from warehouse.generate.scales import SCALES

pytestmark = pytest.mark.slow

SECTIONS = (
    "meta",
    "raw_scan_floor",
    "lake_scan_floor",
    "full_build",
    "incremental_build",
    "spectrum_vs_native",
    "storage",
    "export",
    "executive",
    "targets",
    "plots",
)


def _numbers(value: object) -> Iterator[float]:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)


@pytest.fixture()
def bench_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    modules = (*cli.COMMAND_MODULES, "warehouse.commands.bench")
    monkeypatch.setattr(cli, "COMMAND_MODULES", tuple(dict.fromkeys(modules)))


def test_bench_tiny_writes_a_complete_report(bench_cli: None, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    assert cli.main(["bench", "--scale", "tiny", "--repeat", "1", "--out", str(out), "--no-progress"]) == 0
    reports = sorted(out.glob("*/report.json"))
    assert len(reports) == 1
    folder = reports[0].parent
    report = json.loads(reports[0].read_text(encoding="utf-8"))
    assert set(SECTIONS) <= set(report)
    assert all(math.isfinite(number) for number in _numbers({k: v for k, v in report.items() if k != "executive"}))

    assert report["raw_scan_floor"]["raw_lines"] > 5000
    # The whole-lake floor reads every lake dataset once: its orders are the orders floor's lines, and each
    # dataset's bytes are its files' bytes (before the append).
    lake = out / "work-tiny" / "lake"
    lake_floor = report["lake_scan_floor"]
    datasets = {d["dataset"]: d for d in lake_floor["datasets"]}
    assert {"orders.orders", "pos.store_sales", "web.events", "inventory.cdc_events", "crm.customers"} <= set(datasets)
    assert datasets["orders.orders"]["records"] == report["raw_scan_floor"]["raw_lines"]
    assert lake_floor["records"] == sum(d["records"] for d in datasets.values())
    appended = {"orders.orders", "inventory.cdc_events"}  # the bench appends to them after the floor
    for name, dataset in datasets.items():
        assert dataset["records"] > 0
        files_bytes = sum(path.stat().st_size for path in lake.glob(dataset["files"]))
        assert 0 < dataset["bytes"] <= files_bytes if name in appended else dataset["bytes"] == files_bytes
    assert report["full_build"]["over_lake_scan_floor"] < report["full_build"]["over_orders_scan_floor"]
    assert report["full_build"]["wall_seconds"] > 0
    assert set(report["full_build"]["layer_seconds"]) >= {"bronze", "silver", "gold", "tests"}
    assert report["full_build"]["peak_rss_bytes"] > 0
    kinds = report["full_build"]["test_seconds_by_kind"]
    assert {"records_reconcile", "not_null", "unique", "singular", "unit"} <= set(kinds)
    assert sum(kinds.values()) == pytest.approx(report["full_build"]["layer_seconds"]["tests"], abs=0.01)
    assert report["full_build"]["threads"] == 2  # profiles.yml's local target
    incremental = report["incremental_build"]
    assert incremental["append"]["new_orders"] == 50
    sales_path = {"stg_orders__orders_typed", "int_orders_deduplicated", "int_sales_lines_conformed", "fct_sales"}
    assert sales_path <= set(incremental["incremental_models"])
    assert len(report["spectrum_vs_native"]) == 6
    order_files = sorted(lake.glob("raw/orders/dt=*/[!._#]*.ndjson"))
    for comparison in report["spectrum_vs_native"]:
        assert comparison["raw"]["result"][0] >= comparison["native"]["result"][0] >= 0
        # The raw side opens only the files of the dt partitions from the window's start to 14 days after
        # its end, as Spectrum prunes partitions.
        first = comparison["start"]
        last = (date.fromisoformat(comparison["end"]) + timedelta(days=VERSION_LAG_DAYS)).isoformat()
        in_window = [f for f in order_files if first <= f.parent.name.removeprefix("dt=") <= last]
        assert 0 < comparison["raw"]["files_read"] == len(in_window) < len(order_files)
        assert (folder / "plans" / comparison["raw"]["plan_file"]).exists()
        assert "EXPLAIN" in (folder / "plans" / comparison["native"]["plan_file"]).read_text(encoding="utf-8").upper()
    storage = report["storage"]
    assert storage["database_used_bytes"] > 0
    assert 0 < storage["orders_load_bytes"] == storage["table_bytes"]["bronze.stg_orders__orders_typed"]
    # Shared blocks are split between their tables, so the tables add up to at most the used blocks.
    assert sum(storage["table_bytes"].values()) <= storage["database_used_bytes"]
    columns = {c["column"]: c for c in storage["orders_load_columns"]}
    assert {"order_id", "ordered_at", "_source_file", "raw_record"} <= set(columns)
    assert all(c["bytes"] > 0 and c["distinct_values"] >= 1 for c in columns.values())
    assert 0 < storage["needed_mb_at_30m_orders"] < storage["native_mb_at_30m_orders"]
    assert report["export"]["rows"] > 0
    executive = report["executive"]
    assert executive["available"] or executive["note"].startswith("not available")
    if executive["available"]:  # the same answer both ways: rows, and the sum of inventory value
        assert executive["from_gold"]["result"] == executive["from_history"]["result"]
    assert {target["verdict"] for target in report["targets"]} <= {"PASS", "MISS", "n/a"}
    assert len(report["targets"]) == 8
    orders_path = report["orders_path"]
    assert orders_path["seconds"] == sum(report["full_build"]["model_seconds"][m] for m in orders_path["models"])
    profile = orders_path["typed_model_profile"]
    assert profile["records"] > 0 and profile["operators"] and (folder / "plans" / profile["plan_file"]).exists()
    for plot in report["plots"]:
        assert (folder / plot).stat().st_size > 1000
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    for heading in ("## Targets", "## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 6.", "## 7."):
        assert heading in markdown


def test_timed_repeats_short_runs_only() -> None:
    calls: list[int] = []
    short, _ = timed(lambda: calls.append(1), 3, long_run=math.inf)
    assert len(short.runs) == 3
    long, _ = timed(lambda: calls.append(1), 3, long_run=0.0)
    assert len(long.runs) == 1
    assert len(calls) == 4


def test_reuse_lake_refuses_a_lake_with_appended_orders(tmp_path: Path) -> None:
    work = tmp_path / "work"
    scale = SCALES["tiny"]
    generate_lake(work / "lake", scale, 7, show_progress=False)
    options = BenchOptions(scale=scale, seed=7, out_root=tmp_path / "out", work_dir=work, reuse_lake=True)
    assert prepare_lake(options, work) == 0.0  # pristine lake of the same scale and seed: reused
    generate_orders_append(work / "lake", fraction=0.01)
    assert prepare_lake(options, work) > 0.0  # appended orders would skew the build: generated again
    manifest = json.loads((work / "lake" / "_manifest" / "generation.json").read_text(encoding="utf-8"))
    assert not manifest["datasets"]["orders"].get("append_batches")


def _build(data_dir: Path, *extra: str) -> int:
    # Only the tests all of whose parents are selected (the sales path and what reads it).
    return build(data_dir, *extra, DBT_INDIRECT_SELECTION="cautious")


def test_incremental_build_after_an_append_equals_a_full_refresh(tiny_warehouse: TinyWarehouse, tmp_path: Path) -> None:
    """New files, late records, duplicates and new versions of old orders: the incremental orders path gives
    the gold a full refresh gives, and a rebuild with nothing new changes nothing. Starts from a clone of
    the session's tiny warehouse (the tiny lake, seed 42, built)."""
    data_dir = clone_warehouse(tiny_warehouse, tmp_path / "data").data_dir
    lake = data_dir / "lake"
    dimensions = ("dim_customer", "dim_product", "dim_campaign", "dim_channel", "dim_geography", "dim_date")
    sales = ["--select", "+fct_sales+", *(f"+{name}" for name in dimensions)]
    batch = generate_orders_append(lake, fraction=0.05)
    assert batch.orders == 250 and batch.updated_orders > 0
    assert _build(data_dir, *sales) == 0
    database = data_dir / "warehouse.duckdb"
    incremental = table_checksums(database, "gold")
    assert _build(data_dir, *sales) == 0
    assert table_checksums(database, "gold") == incremental, "a rerun must change nothing"
    assert _build(data_dir, *sales, "--full-refresh") == 0
    assert table_checksums(database, "gold") == incremental
    assert incremental["fct_sales"].rows > 0
