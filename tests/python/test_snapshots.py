"""History: the lake changes after a build (a customer's newer version; a product missing from a later full
catalog export), dbt snapshots again, and the history dimensions answer "as of" questions both ways.

Runs on a copy of the session's tiny warehouse (lake and DuckDB file), whose snapshots already hold the
first build's state.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tiny_warehouse import BIN, TinyWarehouse, run
from warehouse.config import PROJECT_DIR

pytestmark = pytest.mark.slow

FAR_FUTURE = dt.datetime(9999, 12, 31)


@dataclass(frozen=True)
class Changed:
    data_dir: Path
    customer_id: int
    old_tier: str
    new_tier: str
    old_updated_at: dt.datetime
    new_updated_at: dt.datetime
    deleted_product_id: int
    products: int
    customers: int
    snapshot_started: dt.datetime


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _new_customer_version(warehouse: TinyWarehouse, lake: Path) -> tuple[int, str, str, dt.datetime, dt.datetime]:
    """A new customer API extract (one page, one record): a customer moves up a loyalty tier."""
    customer_id, first, last, email, country, city, signup, tier, updated_at = warehouse.query(
        """
        select customer_id, first_name, last_name, email, country_code, city, signup_date, loyalty_tier, updated_at
        from silver.int_customers_deduplicated
        where loyalty_tier = 'bronze'
        order by customer_id
        limit 1
        """
    )[0]
    (latest,) = warehouse.query("select max(updated_at) from silver.int_customers_deduplicated")[0]
    new_updated_at = (latest + dt.timedelta(days=7)).replace(hour=2, minute=0, second=0, microsecond=0)
    record = {
        "customer_id": customer_id,
        "first_name": first,
        "last_name": last,
        "email": email,
        "country_code": country,
        "city": city,
        "signup_date": str(signup),
        "loyalty_tier": "platinum",
        "updated_at": _iso(new_updated_at),
    }
    folder = lake / "raw" / "customers" / f"dt={new_updated_at:%Y-%m-%d}"
    folder.mkdir(parents=True)
    (folder / "part-0000.ndjson").write_text(json.dumps(record, separators=(",", ":")) + "\n", encoding="utf-8")
    return int(customer_id), str(tier), "platinum", updated_at, new_updated_at


def _full_export_without_one_product(lake: Path, arrival: dt.date) -> int:
    """A later full catalog export that no longer lists one product (deleted from the catalog)."""
    first_export = sorted((lake / "raw" / "products").glob("dt=*/part-*.csv"))[0]
    header, *rows = first_export.read_text(encoding="utf-8").splitlines()
    deleted = rows[6]
    folder = lake / "raw" / "products" / f"dt={arrival:%Y-%m-%d}"
    folder.mkdir(parents=True)
    kept = [row for row in rows if row != deleted]
    (folder / "part-0000.csv").write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    return int(deleted.split(",", 1)[0])


@pytest.fixture(scope="module")
def changed(tiny_warehouse: TinyWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Changed:
    data_dir = tmp_path_factory.mktemp("snapshots")
    shutil.copytree(tiny_warehouse.data_dir / "lake", data_dir / "lake")
    shutil.copy2(tiny_warehouse.database, data_dir / "warehouse.duckdb")
    customers = len(tiny_warehouse.query("select customer_id from gold.dim_customer_history"))
    products = len(tiny_warehouse.query("select product_id from gold.dim_product_history"))

    customer_id, old_tier, new_tier, old_updated_at, new_updated_at = _new_customer_version(
        tiny_warehouse, data_dir / "lake"
    )
    deleted = _full_export_without_one_product(data_dir / "lake", new_updated_at.date())

    # Rebuild what the history depends on over the changed lake (bronze views point at the copy's lake),
    # snapshot, and rebuild the history dimensions: models and snapshots only, in DAG order.
    env = tiny_warehouse.env(
        data_dir=data_dir, DBT_TARGET_PATH=str(data_dir / "target"), DBT_LOG_PATH=str(data_dir / "logs")
    )
    started = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    selection = ["--select", "+dim_customer_history", "+dim_product_history", "--resource-type", "model", "snapshot"]
    run([str(BIN / "dbt"), "build", "--quiet", *selection], env=env, cwd=PROJECT_DIR)
    return Changed(
        data_dir,
        customer_id,
        old_tier,
        new_tier,
        old_updated_at,
        new_updated_at,
        deleted,
        products,
        customers,
        started,
    )


def _query(warehouse: TinyWarehouse, changed: Changed, sql: str) -> list[tuple]:
    return warehouse.query(sql, database=changed.data_dir / "warehouse.duckdb")


def test_a_newer_customer_version_closes_the_old_one(tiny_warehouse: TinyWarehouse, changed: Changed) -> None:
    versions = _query(
        tiny_warehouse,
        changed,
        f"""
        select loyalty_tier, is_current, valid_from, valid_to
        from gold.dim_customer_history
        where customer_id = {changed.customer_id}
        order by valid_from
        """,
    )
    assert versions == [
        (changed.old_tier, False, changed.old_updated_at, changed.new_updated_at),
        (changed.new_tier, True, changed.new_updated_at, FAR_FUTURE),
    ]
    # Every other customer keeps its single, current version.
    (rows, current) = _query(
        tiny_warehouse,
        changed,
        "select count(*), count(case when is_current then 1 end) from gold.dim_customer_history",
    )[0]
    assert rows == changed.customers + 1
    assert current == changed.customers


def test_customer_history_answers_as_of_questions(tiny_warehouse: TinyWarehouse, changed: Changed) -> None:
    def tier_as_of(moment: dt.datetime) -> list[tuple]:
        return _query(
            tiny_warehouse,
            changed,
            f"""
            select loyalty_tier from gold.dim_customer_history
            where customer_id = {changed.customer_id}
                and valid_from <= timestamp '{moment:%Y-%m-%d %H:%M:%S}'
                and timestamp '{moment:%Y-%m-%d %H:%M:%S}' < valid_to
            """,
        )

    assert tier_as_of(changed.new_updated_at - dt.timedelta(seconds=1)) == [(changed.old_tier,)]
    assert tier_as_of(changed.new_updated_at) == [(changed.new_tier,)]
    assert tier_as_of(changed.new_updated_at + dt.timedelta(days=365)) == [(changed.new_tier,)]
    # Silver, which the snapshot reads, holds only the latest version.
    assert _query(
        tiny_warehouse,
        changed,
        f"select loyalty_tier from silver.int_customers_deduplicated where customer_id = {changed.customer_id}",
    ) == [(changed.new_tier,)]


def test_a_product_missing_from_a_later_full_export_is_recorded_as_deleted(
    tiny_warehouse: TinyWarehouse, changed: Changed
) -> None:
    versions = _query(
        tiny_warehouse,
        changed,
        f"""
        select is_deleted, is_current, valid_from, valid_to
        from gold.dim_product_history
        where product_id = {changed.deleted_product_id}
        order by valid_from
        """,
    )
    assert len(versions) == 2, versions
    (listed_deleted, listed_current, listed_from, listed_to), (deleted, current, deleted_from, deleted_to) = versions
    assert (listed_deleted, listed_current) == (False, False)
    assert (deleted, current, deleted_to) == (True, True, FAR_FUTURE)
    assert listed_from < listed_to == deleted_from  # the listed version ends where the deletion starts
    assert changed.snapshot_started <= deleted_from  # the deletion is dated when the snapshot saw it

    # Was it in the catalog? Before the deletion yes, after it no.
    assert _query(
        tiny_warehouse,
        changed,
        f"""
        select is_deleted from gold.dim_product_history
        where product_id = {changed.deleted_product_id}
            and valid_from <= timestamp '{listed_from:%Y-%m-%d %H:%M:%S}'
            and timestamp '{listed_from:%Y-%m-%d %H:%M:%S}' < valid_to
        """,
    ) == [(False,)]
    # Every other product still has exactly one, current, listed version.
    others = _query(
        tiny_warehouse,
        changed,
        f"""
        select count(*), count(case when is_current and not is_deleted then 1 end)
        from gold.dim_product_history where product_id <> {changed.deleted_product_id}
        """,
    )[0]
    assert others == (changed.products - 1, changed.products - 1)
    # Sales of a deleted product keep it: dim_product holds every product ever seen.
    assert _query(
        tiny_warehouse,
        changed,
        f"select count(*) from gold.dim_product where product_id = {changed.deleted_product_id}",
    ) == [(1,)]
    assert _query(
        tiny_warehouse,
        changed,
        f"select count(*) from silver.int_products_listed where product_id = {changed.deleted_product_id}",
    ) == [(0,)]
