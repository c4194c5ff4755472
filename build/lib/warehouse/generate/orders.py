"""Online orders: NDJSON, one order version per line, written one month of business dates at a time.

An order's first version arrives on the day it was placed (or 1-10 days later when late); an updated order's
second version (later status and `updated_at`) arrives on the day of its `updated_at`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import duckdb

from warehouse.generate import customers, days, defects
from warehouse.generate.chunks import write_chunk
from warehouse.generate.defects import (
    ORDER_MISSING_FIELDS,
    ORDER_RATES,
    ORDER_WRONG_TYPE_FIELDS,
)
from warehouse.generate.lake_manifest import DatasetManifest
from warehouse.generate.lookups import COUNTRY_SLOTS
from warehouse.generate.scales import Scale
from warehouse.generate.sql import UNKNOWN_ID_BASE, choice, permutation_multiplier, render
from warehouse.generate.writer import DatasetWriter

CAMPAIGN_SHARE = 0.40
FOREIGN_SHIPPING_SHARE = 0.05
OPEN_STATUS_DAYS = 3  # orders of the last days of the range are not delivered yet


def _rows_sql(scale: Scale) -> str:
    """One row per order of the chunk `$chunk`, every attribute drawn, both versions' lines built."""
    quantity = choice(
        "rnd(i, 'o_qty')", [("1", 72), ("2", 18), ("3", 6), ("4", 2.5), ("rint(i, 'o_qty_big', 5, 10)", 1.5)]
    )
    discount = choice(
        "rnd(i, 'o_disc')",
        [
            ("0.0", 70),
            ("0.05", 8),
            ("0.10", 9),
            ("0.15", 4),
            ("0.20", 4),
            ("0.25", 2),
            ("0.30", 2),
            ("0.50", 1),
        ],
    )
    channel = choice("rnd(i, 'o_channel')", [("'web'", 55), ("'mobile_app'", 35), ("'marketplace'", 10)])
    final_status = choice(
        "rnd(i, 'o_status')", [("'delivered'", 86), ("'cancelled'", 6), ("'returned'", 5), ("'shipped'", 3)]
    )
    late_min, late_max = defects.LATE_DAYS
    return render(
        "orders_rows",
        customers=scale.customers,
        customer_multiplier=permutation_multiplier(scale.customers),
        products=scale.products,
        product_multiplier=permutation_multiplier(scale.products),
        foreign_shipping_share=FOREIGN_SHIPPING_SHARE,
        campaign_share=CAMPAIGN_SHARE,
        country_slots=COUNTRY_SLOTS,
        home_country_slot=customers.country_slot_sql("d.customer_id"),
        defect=defects.defect_sql("d.i", "d.u_defect", scale.orders, ORDER_RATES),
        channel=channel,
        quantity=quantity,
        discount=discount,
        final_status=final_status,
        placed_status_v2=choice("rnd(i, 'o_status2')", [("'shipped'", 40), ("'delivered'", 40), ("'cancelled'", 20)]),
        later_status_v2=choice("rnd(i, 'o_status2')", [("'delivered'", 85), ("'returned'", 15)]),
        end_date=scale.end_date,
        open_status_days=OPEN_STATUS_DAYS,
        missing_field=defects.field_sql("i", "o_missing", ORDER_MISSING_FIELDS),
        wrong_field=defects.field_sql("i", "o_wrong", ORDER_WRONG_TYPE_FIELDS),
        unknown_field=defects.field_sql("i", "o_fk", ("customer_id", "product_id")),
        late_min=late_min,
        late_max=late_max,
        unknown_id_base=UNKNOWN_ID_BASE,
    )


def _chunk_sql(rows_sql: str) -> str:
    """Per arrival date of the chunk: the file's lines and how many of them carry each defect.

    Lines: every order's first version; a duplicate's identical line again; an updated order's second version.
    """
    return render("orders_chunk", rows_sql=rows_sql)


def export(
    con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter, advance: Callable[[int], None]
) -> DatasetManifest:
    chunks = days.create_days(con, "order_days", scale, scale.orders, days.ONLINE, "o_day")
    chunk_sql = _chunk_sql(_rows_sql(scale))
    counts: Counter[str] = Counter()
    writer.reset()
    for chunk in chunks:
        counts += write_chunk(con, chunk_sql, {"chunk": chunk.index}, writer, chunk.index)
        advance(1)
    return DatasetManifest.from_writer("ndjson", writer, counts, {"orders": scale.orders})
