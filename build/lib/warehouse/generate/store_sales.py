"""Store sales: point-of-sale lines as CSV, one month of business dates at a time.

A store uploads its day's sales that night (`dt` = the sale's date), or 1-10 days later when late. Sales are
final: no versions. A known customer buying in a store mostly lives in the store's country; 30% are walk-ins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import duckdb

from warehouse.generate import days, defects
from warehouse.generate.chunks import write_chunk
from warehouse.generate.defects import (
    STORE_SALES_MISSING_FIELDS,
    STORE_SALES_RATES,
    STORE_SALES_WRONG_TYPE_FIELDS,
)
from warehouse.generate.lake_manifest import DatasetManifest
from warehouse.generate.scales import Scale
from warehouse.generate.sql import UNKNOWN_ID_BASE, choice, permutation_multiplier, render
from warehouse.generate.writer import DatasetWriter

HEADER = "sale_id,store_id,customer_id,product_id,sold_at,quantity,unit_price,discount_amount,payment_method"
WALK_IN_SHARE = 0.30
OPENING_HOUR, OPEN_HOURS = 8, 14


def _rows_sql(scale: Scale) -> str:
    quantity = choice("rnd(i, 's_qty')", [("1", 65), ("2", 20), ("3", 8), ("rint(i, 's_qty_big', 4, 6)", 7)])
    discount_rate = choice(
        "rnd(i, 's_disc')", [("0.0", 85), ("0.05", 5), ("0.10", 5), ("0.15", 2), ("0.20", 2), ("0.25", 1)]
    )
    payments = [("'card'", 55.0), ("'cash'", 25.0), ("'mobile'", 15.0), ("'gift_card'", 5.0)]
    late_min, late_max = defects.LATE_DAYS
    return render(
        "store_sales_rows",
        customers=scale.customers,
        customer_multiplier=permutation_multiplier(scale.customers),
        products=scale.products,
        product_multiplier=permutation_multiplier(scale.products),
        stores=scale.stores,
        store_multiplier=permutation_multiplier(scale.stores),
        opening_second=OPENING_HOUR * 3600,
        open_seconds=OPEN_HOURS * 3600,
        walk_in_share=WALK_IN_SHARE,
        defect=defects.defect_sql("d.i", "d.u_defect", scale.store_sales, STORE_SALES_RATES),
        quantity=quantity,
        discount_rate=discount_rate,
        payment=choice("rnd(i, 's_pay')", payments),
        missing_field=defects.field_sql("i", "s_missing", STORE_SALES_MISSING_FIELDS),
        wrong_field=defects.field_sql("i", "s_wrong", STORE_SALES_WRONG_TYPE_FIELDS),
        unknown_field=defects.field_sql("i", "s_fk", ("product_id", "store_id")),
        late_min=late_min,
        late_max=late_max,
        unknown_id_base=UNKNOWN_ID_BASE,
    )


def _chunk_sql(rows_sql: str) -> str:
    """Per arrival date of the chunk: the file's lines and how many of them carry each defect.

    Lines: every sale once, and a duplicate's identical line a second time.
    """
    return render("store_sales_chunk", rows_sql=rows_sql)


def export(
    con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter, advance: Callable[[int], None]
) -> DatasetManifest:
    chunks = days.create_days(con, "sale_days", scale, scale.store_sales, days.IN_STORE, "s_day")
    chunk_sql = _chunk_sql(_rows_sql(scale))
    counts: Counter[str] = Counter()
    writer.reset()
    for chunk in chunks:
        counts += write_chunk(con, chunk_sql, {"chunk": chunk.index}, writer, chunk.index)
        advance(1)
    return DatasetManifest.from_writer("csv", writer, counts, {"sales": scale.store_sales})
