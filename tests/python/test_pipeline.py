"""End-to-end properties of the medallion build on tiny data: every raw record accounted for, defects
quarantined with reasons, unknown keys kept, rebuilds identical, a corrupted file quarantined not fatal.

These run the real generator and the real `warehouse build` (dbt in-process) against DuckDB files in a
temporary folder. The read-only properties share the session's tiny warehouse (conftest.py: the same lake,
seed 42, and the same build); each test that builds again works on its own clone of it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tiny_warehouse import TinyWarehouse, build, clone_warehouse
from warehouse.checksums import table_checksums

pytestmark = pytest.mark.slow

# dataset -> (bronze model, quarantine model)
BRONZE = {
    "orders": ("stg_orders__orders", "stg_orders__orders_quarantine"),
    "store_sales": ("stg_pos__store_sales", "stg_pos__store_sales_quarantine"),
    "stores": ("stg_pos__stores", "stg_pos__stores_quarantine"),
    "customers": ("stg_crm__customers", "stg_crm__customers_quarantine"),
    "products": ("stg_catalog__products", "stg_catalog__products_quarantine"),
    "campaigns": ("stg_marketing__campaigns", "stg_marketing__campaigns_quarantine"),
    "channels": ("stg_marketing__channels", "stg_marketing__channels_quarantine"),
    "web_events": ("stg_web__events", "stg_web__events_quarantine"),
    "warehouses": ("stg_inventory__warehouses", "stg_inventory__warehouses_quarantine"),
    "inventory_cdc": ("stg_inventory__cdc_events", "stg_inventory__cdc_events_quarantine"),
}


@dataclass(frozen=True)
class Built:
    data_dir: Path
    lake_root: Path
    manifest: dict

    @property
    def database(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.database), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def scalar(self, sql: str) -> int:
        return int(self.query(sql)[0][0])


@pytest.fixture(scope="module")
def built(tiny_warehouse: TinyWarehouse) -> Built:
    """The session's tiny warehouse, with the generator's manifest of its lake (what was written, and which
    defects were injected)."""
    lake_root = tiny_warehouse.data_dir / "lake"
    manifest = json.loads((lake_root / "_manifest" / "generation.json").read_text(encoding="utf-8"))
    return Built(tiny_warehouse.data_dir, lake_root, manifest)


def _count_raw_records(lake_root: Path, dataset: str) -> int:
    """Count raw records straight from the files, independently of the generator and of dbt."""
    total = 0
    if dataset in ("web_events", "inventory_cdc"):  # a stream: micro-batch files, one Kinesis record per line
        return sum(
            len([line for line in path.read_text(encoding="utf-8").split("\n") if line])
            for path in (lake_root / "stream" / dataset).glob("dt=*/batch-*.ndjson")
        )
    for path in sorted((lake_root / "raw" / dataset).glob("dt=*/part-*.*")):
        lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line]
        if path.suffix == ".csv":
            total += len(lines) - 1  # header
        else:
            total += len(lines)
    return total


@pytest.mark.parametrize("dataset", sorted(BRONZE))
def test_every_raw_record_lands_in_bronze_or_quarantine(built: Built, dataset: str) -> None:
    bronze, quarantine = BRONZE[dataset]
    accepted = built.scalar(f"select count(*) from bronze.{bronze}")
    quarantined = built.scalar(f"select count(*) from bronze.{quarantine}")
    raw = _count_raw_records(built.lake_root, dataset)
    assert raw > 0
    assert accepted + quarantined == raw
    assert raw == built.manifest["datasets"][dataset]["raw_records"]


def test_orders_quarantine_holds_exactly_the_injected_defects(built: Built) -> None:
    defects = built.manifest["datasets"]["orders"]["defects"]
    reasons = dict(
        built.query("select rejection_reason, count(*) from bronze.stg_orders__orders_quarantine group by 1")
    )
    assert reasons.get("malformed_json") == defects["malformed"]
    assert sum(n for r, n in reasons.items() if r.startswith("missing_")) == defects["missing_field"]
    assert sum(n for r, n in reasons.items() if r.startswith("invalid_")) == defects["wrong_type"]
    assert reasons.get("non_positive_quantity") == defects["negative_quantity"]
    payloads = built.scalar(
        "select count(*) from bronze.stg_orders__orders_quarantine where raw_record is null or raw_record = ''"
    )
    assert payloads == 0, "every quarantined record keeps its raw payload"


def test_silver_removes_duplicates_and_old_versions_but_no_order(built: Built) -> None:
    orders = built.manifest["datasets"]["orders"]
    quarantined = built.scalar("select count(*) from bronze.stg_orders__orders_quarantine")
    silver = built.scalar("select count(*) from silver.int_orders_deduplicated")
    expected = orders["raw_records"] - quarantined - orders["defects"]["duplicate"] - orders["defects"]["update"]
    assert silver == expected
    multi = built.scalar("select count(*) from silver.int_orders_deduplicated where version_count > 1")
    assert multi == orders["defects"]["duplicate"] + orders["defects"]["update"]


def test_updated_orders_keep_their_latest_status(built: Built) -> None:
    stale = built.scalar(
        """
        select count(*)
        from silver.int_orders_deduplicated as kept
        inner join bronze.stg_orders__orders as version
            on kept.order_id = version.order_id
        where version.updated_at > kept.updated_at
        """
    )
    assert stale == 0


def test_unknown_keys_reach_the_fact_as_unknown_members(built: Built) -> None:
    # Unknown keys: the injected unknown_fk orders, plus orders of customers whose own record was
    # quarantined. Recompute them straight from silver, then check gold kept every such line.
    expected = built.scalar(
        """
        select count(*)
        from silver.int_orders_deduplicated as o
        where o.customer_id not in (select customer_id from silver.int_customers_deduplicated)
            or o.product_id not in (select product_id from silver.int_products_deduplicated)
        """
    )
    unknown = built.scalar(
        "select count(*) from gold.fct_sales where sales_source = 'online' "
        "and (has_unknown_customer or has_unknown_product)"
    )
    assert unknown == expected
    assert unknown >= built.manifest["datasets"]["orders"]["defects"]["unknown_fk"] > 0
    orphans = built.scalar(
        "select count(*) from gold.fct_sales as f left join gold.dim_customer as c using (customer_id) "
        "where c.customer_id is null"
    )
    assert orphans == 0
    assert built.scalar("select count(*) from gold.fct_sales where customer_id = -1") >= unknown


def test_late_records_land_on_their_business_date(built: Built) -> None:
    late = built.query(
        """
        select o.order_id, cast(o.ordered_at as date), f.sold_date
        from silver.int_orders_deduplicated as o
        inner join gold.fct_sales as f
            on f.sales_source = 'online' and f.source_line_id = o.order_id
        where o._arrival_date > cast(o.ordered_at as date) + 1
        """
    )
    assert len(late) >= built.manifest["datasets"]["orders"]["defects"]["late"]
    assert all(business_date == sold_date for _, business_date, sold_date in late)


def test_fact_reconciles_with_silver(built: Built) -> None:
    silver = built.scalar(
        "select (select count(*) from silver.int_orders_deduplicated)"
        " + (select count(*) from silver.int_store_sales_deduplicated)"
    )
    assert built.scalar("select count(*) from gold.fct_sales") == silver


def test_build_summary_reports_quarantine_with_reasons(built: Built) -> None:
    summary = json.loads((built.data_dir / "target" / "build_summary.json").read_text())
    assert summary["success"] is True
    orders = summary["quarantine"]["orders"]
    assert orders["malformed_json"] == built.manifest["datasets"]["orders"]["defects"]["malformed"]


def test_rebuild_gives_identical_gold(tiny_warehouse: TinyWarehouse, tmp_path: Path) -> None:
    copy = clone_warehouse(tiny_warehouse, tmp_path / "rebuild")
    before = table_checksums(copy.database, "gold")
    assert before == table_checksums(tiny_warehouse.database, "gold"), "the clone holds the shared build's gold"
    assert build(copy.data_dir) == 0
    after = table_checksums(copy.database, "gold")
    assert set(before) >= {"fct_sales", "dim_customer", "agg_daily_revenue"}
    assert before == after


def test_corrupted_lake_file_is_quarantined_not_fatal(built: Built, tmp_path: Path) -> None:
    data_dir = tmp_path / "corrupt"
    shutil.copytree(built.lake_root, data_dir / "lake")
    victim = sorted((data_dir / "lake" / "raw" / "orders").glob("dt=*/part-*.ndjson"))[3]
    lines = victim.read_text(encoding="utf-8").split("\n")
    assert len(lines) > 3
    lines[1] = lines[1][: len(lines[1]) // 2]  # a line cut in half
    lines.insert(2, "\x00\x01 binary garbage \x7f")
    victim.write_text("\n".join(lines), encoding="utf-8")

    assert build(data_dir) == 0
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        malformed = con.execute(
            "select count(*) from bronze.stg_orders__orders_quarantine where rejection_reason = 'malformed_json'"
        ).fetchone()[0]
        accepted = con.execute("select count(*) from bronze.stg_orders__orders").fetchone()[0]
    finally:
        con.close()
    original_malformed = built.manifest["datasets"]["orders"]["defects"]["malformed"]
    assert malformed == original_malformed + 2
    assert accepted + malformed + (
        built.scalar(
            "select count(*) from bronze.stg_orders__orders_quarantine where rejection_reason <> 'malformed_json'"
        )
    ) == _count_raw_records(data_dir / "lake", "orders")


# The web stream's bronze models: the stream's reconciliation test reads all three (raw = accepted + quarantined).
WEB_BRONZE = ("stg_web__events_stream", "stg_web__events_typed", "stg_web__events", "stg_web__events_quarantine")


def test_stream_replay_changes_nothing_and_new_batches_append(built: Built, tmp_path: Path) -> None:
    data_dir = tmp_path / "stream"
    shutil.copytree(built.lake_root, data_dir / "lake")
    assert build(data_dir, "--select", *WEB_BRONZE) == 0
    database = data_dir / "warehouse.duckdb"

    def stream_rows() -> int:
        con = duckdb.connect(str(database), read_only=True)
        try:
            return int(con.execute("select count(*) from bronze.stg_web__events_stream").fetchone()[0])
        finally:
            con.close()

    first = stream_rows()
    assert first == built.manifest["datasets"]["web_events"]["raw_records"]
    assert build(data_dir, "--select", *WEB_BRONZE) == 0
    assert stream_rows() == first, "replaying the same micro-batches must not add rows"

    batches = sorted((data_dir / "lake" / "stream" / "web_events").glob("dt=*/batch-*.ndjson"))
    newest = batches[-1]
    lines = [line for line in newest.read_text(encoding="utf-8").split("\n") if line]
    records = [json.loads(line) for line in lines[:3]]
    for n, record in enumerate(records):
        record["sequence_number"] = f"{record['sequence_number']}9{n}"
    later = newest.with_name("batch-9999999999999-999999.ndjson")
    later.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert build(data_dir, "--select", *WEB_BRONZE) == 0
    assert stream_rows() == first + len(records)
