"""Values one engine would accept and the other reject are quarantined, with the same reason, in bronze.

The lake of tests/python/edge_lake.py (a date that does not exist, a decimal that does not fit, a fractional
integer, a UTC offset, too many digits, text longer than its column) is added to the tiny lake and built on
DuckDB: every such record must land in quarantine with its documented reason, and the build (records
reconciliation included) must pass. tests/python/test_redshift_on_postgres.py runs the same lake through the
Redshift SQL on PostgreSQL and compares the quarantine row for row.
"""

from __future__ import annotations

from collections import Counter

import pytest

from edge_lake import HOSTILE_FILES, expected, sale_row
from tiny_warehouse import TinyWarehouse

ACCEPTED = {
    "orders": ("stg_orders__orders", "order_id"),
    "store_sales": ("stg_pos__store_sales", "sale_id"),
    "customers": ("stg_crm__customers", "customer_id"),
}
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
    (orders,) = edge_warehouse.query(
        "select count(*) from silver.int_orders_deduplicated where order_id between 990000 and 990099"
    )[0]
    (sales,) = edge_warehouse.query(
        "select count(*) from silver.int_store_sales_deduplicated where sale_id between 990001 and 990006"
    )[0]
    (customers,) = edge_warehouse.query(
        "select count(*) from silver.int_customers_deduplicated where customer_id between 990000 and 990099"
    )[0]
    assert (orders, sales, customers) == (0, 0, 0)


@pytest.mark.slow
def test_every_record_of_a_hostile_file_is_loaded_or_quarantined_with_its_reason(
    edge_warehouse: TinyWarehouse,
) -> None:
    """A byte order mark, CRLF, blank lines, a line that is not UTF-8, a duplicated JSON key, an
    unterminated quote, a truncated last line, an empty file: the build passes (records reconciled), each
    file's good records load, and each bad one is quarantined with its reason; none swallows its neighbours."""
    got: dict[str, tuple[list[int], Counter[str]]] = {}
    wanted: dict[str, tuple[list[int], Counter[str]]] = {}
    for hostile in HOSTILE_FILES:
        accepted, key = ACCEPTED[hostile.dataset]
        pattern = f"'%/{hostile.relative}'"
        ids = edge_warehouse.query(f"select {key} from bronze.{accepted} where _source_file like {pattern} order by 1")
        reasons = edge_warehouse.query(
            f"select rejection_reason, count(*) from bronze.{QUARANTINE[hostile.dataset]}"
            f" where _source_file like {pattern} group by 1"
        )
        got[hostile.relative] = ([row[0] for row in ids], Counter({r: n for r, n in reasons}))
        wanted[hostile.relative] = (list(hostile.accepted), hostile.quarantined)
    assert got == wanted
