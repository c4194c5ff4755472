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
from warehouse.generate.sql import UNKNOWN_ID_BASE, choice, permutation_multiplier
from warehouse.generate.writer import DatasetWriter

HEADER = "sale_id,store_id,customer_id,product_id,sold_at,quantity,unit_price,discount_amount,payment_method"
WALK_IN_SHARE = 0.30
OPENING_HOUR, OPEN_HOURS = 8, 14


def _rows_sql(scale: Scale) -> str:
    n_cust, n_prod, n_store = scale.customers, scale.products, scale.stores
    m_cust, m_prod, m_store = (permutation_multiplier(n) for n in (n_cust, n_prod, n_store))
    quantity = choice("rnd(i, 's_qty')", [("1", 65), ("2", 20), ("3", 8), ("rint(i, 's_qty_big', 4, 6)", 7)])
    discount_rate = choice(
        "rnd(i, 's_disc')", [("0.0", 85), ("0.05", 5), ("0.10", 5), ("0.15", 2), ("0.20", 2), ("0.25", 1)]
    )
    payments = [("'card'", 55.0), ("'cash'", 25.0), ("'mobile'", 15.0), ("'gift_card'", 5.0)]
    payment = choice("rnd(i, 's_pay')", payments)
    late_min, late_max = defects.LATE_DAYS
    return f"""
        with base as (
            select day, unnest(range(first_i, end_i)) as i from sale_days where chunk = $chunk
        ),
        drawn as (
            select
                i,
                i + 1 as sale_id,
                day
                    + to_seconds({OPENING_HOUR * 3600}
                        + floor({OPEN_HOURS * 3600} * (rnd(i, 's_t1') + rnd(i, 's_t2')) / 2)::bigint)
                    as sold_at,
                (skewed(i, 's_store', {n_store}, 1.6) * {m_store}) % {n_store} + 1 as store_id,
                (skewed(i, 's_prod', {n_prod}, 3.0) * {m_prod}) % {n_prod} + 1 as product_id,
                rnd(i, 's_walk_in') < {WALK_IN_SHARE} as walk_in,
                rnd(i, 's_defect') as u_defect
            from base
        ),
        enriched as (
            select
                d.*,
                {defects.defect_sql("d.i", "d.u_defect", scale.store_sales, STORE_SALES_RATES)} as defect,
                case when p.changed and d.sold_at >= p.updated_v2 then p.price_v2 else p.price_v1 end
                    as unit_price,
                case
                    when d.walk_in then null
                    when cr.customer_id is not null then cr.customer_id
                    else (skewed(d.i, 's_cust', {n_cust}, 2.0) * {m_cust}) % {n_cust} + 1
                end as customer_id
            from drawn as d
            join products as p using (product_id)
            join stores as st using (store_id)
            left join country_customers as cc on cc.country_code = st.country_code
            left join customer_ranks as cr
                on cr.country_code = st.country_code
                and cr.rank = skewed(d.i, 's_local_cust', cc.n, 2.0)
        ),
        detailed as (
            select
                *,
                {quantity} as quantity,
                round(quantity * unit_price * {discount_rate}, 2) as discount_amount,
                {payment} as payment_method,
                case when defect = 'missing_field' then
                    {defects.field_sql("i", "s_missing", STORE_SALES_MISSING_FIELDS)} end as missing_field,
                case when defect = 'wrong_type' then
                    {defects.field_sql("i", "s_wrong", STORE_SALES_WRONG_TYPE_FIELDS)} end as wrong_field,
                case when defect = 'unknown_fk' then
                    {defects.field_sql("i", "s_fk", ("product_id", "store_id"))} end as unknown_field,
                case when defect = 'late' then rint(i, 's_late', {late_min}, {late_max}) else 0 end
                    as late_days
            from enriched
        )
        select date(sold_at) + late_days::integer as dt, sold_at, i, defect, {_line_sql()} as line
        from detailed
    """


def _line_sql() -> str:
    unknown = f"({UNKNOWN_ID_BASE} + rint(i, 's_fk_id', 1, 99999))::varchar"

    def value(name: str, sql: str) -> str:
        if name in STORE_SALES_MISSING_FIELDS:
            return f"case when missing_field = '{name}' then '' else {sql} end"
        return sql

    fields = [
        value("sale_id", "sale_id::varchar"),
        f"case when unknown_field = 'store_id' then {unknown} else store_id::varchar end",
        "coalesce(customer_id::varchar, '')",
        value(
            "product_id",
            f"case when unknown_field = 'product_id' then {unknown} else product_id::varchar end",
        ),
        value("sold_at", "case when wrong_field = 'sold_at' then wrong_ts(sold_at) else iso_ts(sold_at) end"),
        value(
            "quantity",
            "case when wrong_field = 'quantity' then 'n/a' "
            "when defect = 'negative_quantity' then (-rint(i, 's_neg', 1, 5))::varchar "
            "else quantity::varchar end",
        ),
        value("unit_price", "money(unit_price)"),
        "money(discount_amount)",
        "payment_method",
    ]
    return "concat_ws(',', " + ", ".join(fields) + ")"


def _chunk_sql(rows_sql: str) -> str:
    """Per arrival date of the chunk: the file's lines and how many of them carry each defect.

    Lines: every sale once, and a duplicate's identical line a second time.
    """
    return f"""
        with sale_rows as materialized ({rows_sql}),
        sale_lines as (
            select dt, sold_at, i, 0 as copy, line,
                case when defect = 'duplicate' then null else defect end as kind
            from sale_rows
            union all
            select dt, sold_at, i, 1, line, 'duplicate' from sale_rows where defect = 'duplicate'
        )
        select dt, kind, line from sale_lines order by dt, sold_at, i, copy
    """


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
