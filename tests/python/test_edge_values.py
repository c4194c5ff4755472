"""Values one engine would accept and the other reject are quarantined, with the same reason, in bronze.

The lake of tests/python/edge_lake.py (a date that does not exist, a decimal that does not fit, a fractional
integer, a UTC offset, too many digits, text longer than its column) is added to the tiny lake and built on
DuckDB: every such record must land in quarantine with its documented reason, and the build (records
reconciliation included) must pass. tests/python/test_redshift_on_postgres.py runs the same lake through the
Redshift SQL on PostgreSQL and compares the quarantine row for row.
"""

from __future__ import annotations

import pytest

from edge_lake import expected, sale_row
from tiny_warehouse import TinyWarehouse

QUARANTINE = {
    "orders": "stg_orders__orders_quarantine",
    "store_sales": "stg_pos__store_sales_quarantine",
    "customers": "stg_crm__customers_quarantine",
}


@pytest.mark.slow
def test_every_edge_value_is_quarantined_with_its_reason(edge_warehouse: TinyWarehouse) -> None:
    got: dict[str, str | None] = {}
    wanted: dict[str, str] = {}
    for record in expected():
        wanted[record.token] = record.reason
        table = QUARANTINE[record.dataset]
        if record.dataset == "store_sales":
            match, value = "raw_record = ?", sale_row(record.token)
        else:
            match, value = "strpos(raw_record, ?) > 0", f'"{record.token}"'
        rows = edge_warehouse.query(
            f"select rejection_reason from bronze.{table} where {match}".replace("?", "'" + value + "'")
        )
        got[record.token] = rows[0][0] if len(rows) == 1 else f"{len(rows)} rows"
    assert got == wanted


@pytest.mark.slow
def test_no_edge_value_reaches_silver(edge_warehouse: TinyWarehouse) -> None:
    (orders,) = edge_warehouse.query("select count(*) from silver.int_orders_deduplicated where order_id >= 990000")[0]
    (sales,) = edge_warehouse.query(
        "select count(*) from silver.int_store_sales_deduplicated where sale_id between 990001 and 990006"
    )[0]
    (customers,) = edge_warehouse.query(
        "select count(*) from silver.int_customers_deduplicated where customer_id >= 990000"
    )[0]
    assert (orders, sales, customers) == (0, 0, 0)
