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
from warehouse.generate.sql import UNKNOWN_ID_BASE, choice, permutation_multiplier
from warehouse.generate.writer import DatasetWriter

CAMPAIGN_SHARE = 0.40
FOREIGN_SHIPPING_SHARE = 0.05
OPEN_STATUS_DAYS = 3  # orders of the last days of the range are not delivered yet


def _rows_sql(scale: Scale) -> str:
    """One row per order of the chunk `$chunk`, every attribute drawn, both versions' lines built."""
    n_cust, n_prod = scale.customers, scale.products
    m_cust, m_prod = permutation_multiplier(n_cust), permutation_multiplier(n_prod)
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
    status_v2 = (
        "case when status = 'placed' then "
        + choice("rnd(i, 'o_status2')", [("'shipped'", 40), ("'delivered'", 40), ("'cancelled'", 20)])
        + " else "
        + choice("rnd(i, 'o_status2')", [("'delivered'", 85), ("'returned'", 15)])
        + " end"
    )
    late_min, late_max = defects.LATE_DAYS
    return f"""
        with base as (
            select day, unnest(range(first_i, end_i)) as i from order_days where chunk = $chunk
        ),
        drawn as (
            select
                i,
                day,
                day + to_seconds(floor(86400 * (rnd(i, 'o_t1') + rnd(i, 'o_t2')) / 2)::bigint) as order_ts,
                (skewed(i, 'o_cust', {n_cust}, 2.0) * {m_cust}) % {n_cust} + 1 as customer_id,
                (skewed(i, 'o_prod', {n_prod}, 3.0) * {m_prod}) % {n_prod} + 1 as product_id,
                rnd(i, 'o_defect') as u_defect,
                rnd(i, 'o_ship') < {FOREIGN_SHIPPING_SHARE} as ships_abroad
            from base
        ),
        enriched as (
            select
                d.*,
                {defects.defect_sql("d.i", "d.u_defect", scale.orders, ORDER_RATES)} as defect,
                p.category,
                case when p.changed and d.order_ts >= p.updated_v2 then p.price_v2 else p.price_v1 end
                    as unit_price,
                co.country_code,
                co.region,
                case when rnd(d.i, 'o_campaign') < {CAMPAIGN_SHARE} and len(cd.campaign_ids) > 0 then
                    cd.campaign_ids[1 + floor(rnd(d.i, 'o_campaign_pick') * len(cd.campaign_ids))::integer]
                end as campaign_id
            from drawn as d
            join products as p using (product_id)
            join country_slots as home on home.slot = {customers.country_slot_sql("d.customer_id")}
            join country_slots as abroad on abroad.slot = floor(rnd(d.i, 'o_ship_country') * {COUNTRY_SLOTS})
            join countries as co
                on co.country_code = if(d.ships_abroad, abroad.country_code, home.country_code)
            left join campaign_days as cd on cd.day = d.day
        ),
        versioned as (
            select
                *,
                i + 1 as order_id,
                {channel} as channel,
                {quantity} as quantity,
                {discount} as discount,
                case
                    when defect = 'update'
                        then case when rnd(i, 'o_status1') < 0.6 then 'placed' else 'shipped' end
                    when day > date '{scale.end_date}' - {OPEN_STATUS_DAYS}
                        then case when rnd(i, 'o_status1') < 0.5 then 'placed' else 'shipped' end
                    else {final_status}
                end as status,
                order_ts + to_seconds(rint(i, 'o_upd', 3600, 14 * 86400)) as updated_at_v2,
                case when defect = 'missing_field' then
                    {defects.field_sql("i", "o_missing", ORDER_MISSING_FIELDS)} end as missing_field,
                case when defect = 'wrong_type' then
                    {defects.field_sql("i", "o_wrong", ORDER_WRONG_TYPE_FIELDS)} end as wrong_field,
                case when defect = 'unknown_fk' then
                    {defects.field_sql("i", "o_fk", ("customer_id", "product_id"))} end as unknown_field,
                case when defect = 'late' then rint(i, 'o_late', {late_min}, {late_max}) else 0 end
                    as late_days
            from enriched
        ),
        lined as (
            select
                *,
                {_line_sql(1)} as line_clean,
                case when defect = 'update' then {_line_sql(2)} end as line_v2
            from (select *, {status_v2} as status_v2 from versioned)
        )
        select
            * exclude (line_clean),
            -- A malformed record: the valid line cut short, so it no longer parses.
            case when defect = 'malformed'
                then left(line_clean, floor(length(line_clean) * (0.3 + 0.5 * rnd(i, 'o_cut')))::integer)
                else line_clean end as line_v1
        from lined
    """


def _line_sql(version: int) -> str:
    """The order as a compact JSON line; version 1 carries the order's defect (but for the malformed cut),
    version 2 is clean."""
    updated_at, status = ("order_ts", "status") if version == 1 else ("updated_at_v2", "status_v2")
    unknown = f"{UNKNOWN_ID_BASE} + rint(i, 'o_fk_id', 1, 99999)"

    def field(name: str, value: str) -> str:
        if version == 1 and name in ORDER_MISSING_FIELDS:
            return f"case when missing_field = '{name}' then null else '\"{name}\":' || {value} end"
        return f"'\"{name}\":' || {value}"

    if version == 1:
        order_ts = "jstr(if(wrong_field = 'order_ts', wrong_ts(order_ts), iso_ts(order_ts)))"
        customer_id = f"case when unknown_field = 'customer_id' then {unknown} else customer_id end"
        product_id = f"case when unknown_field = 'product_id' then {unknown} else product_id end"
        quantity = (
            "case when wrong_field = 'quantity' then '\"n/a\"' "
            "when defect = 'negative_quantity' then (-rint(i, 'o_neg', 1, 5))::varchar "
            "else quantity::varchar end"
        )
        unit_price = (
            "case when wrong_field = 'unit_price' then jstr(replace(money(unit_price), '.', ',')) "
            "else money(unit_price) end"
        )
    else:
        order_ts, customer_id, product_id = "jstr(iso_ts(order_ts))", "customer_id", "product_id"
        quantity, unit_price = "quantity::varchar", "money(unit_price)"
    fields = [
        field("order_id", "order_id"),
        field("order_ts", order_ts),
        field("updated_at", f"jstr(iso_ts({updated_at}))"),
        field("customer_id", customer_id),
        field("product_id", product_id),
        field("category", "jstr(category)"),
        field("region", "jstr(region)"),
        field("country_code", "jstr(country_code)"),
        field("channel", "jstr(channel)"),
        field("quantity", quantity),
        field("unit_price", unit_price),
        field("discount", "money(discount)"),
        field("campaign_id", "coalesce(campaign_id::varchar, 'null')"),
        field("status", f"jstr({status})"),
    ]
    return "'{' || concat_ws(',', " + ", ".join(fields) + ") || '}'"


def _chunk_sql(rows_sql: str) -> str:
    """Per arrival date of the chunk: the file's lines and how many of them carry each defect.

    Lines: every order's first version; a duplicate's identical line again; an updated order's second version.
    """
    return f"""
        with order_rows as materialized ({rows_sql}),
        order_lines as (
            select date(order_ts) + late_days::integer as dt, order_ts as sort_ts, i, 1 as version, 0 as copy,
                case when defect in ('duplicate', 'update') then null else defect end as kind, line_v1 as line
            from order_rows
            union all
            select date(order_ts), order_ts, i, 1, 1, 'duplicate', line_v1
            from order_rows where defect = 'duplicate'
            union all
            select date(updated_at_v2), updated_at_v2, i, 2, 0, 'update', line_v2
            from order_rows where defect = 'update'
        )
        select dt, kind, line from order_lines order by dt, sort_ts, i, version, copy
    """


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
