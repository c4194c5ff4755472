"""Reference datasets: products (full export + delta), stores, campaigns and channels (one export each).

`build()` creates the DuckDB tables the fact generators join to; `export_*()` writes a dataset's files.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from warehouse.generate import vocab
from warehouse.generate.lake_manifest import DatasetManifest
from warehouse.generate.scales import Scale
from warehouse.generate.sql import choice, literal
from warehouse.generate.writer import DatasetWriter

PRODUCTS_HEADER = ",".join(
    (
        "product_id",
        "sku",
        "product_name",
        "category",
        "subcategory",
        "brand",
        "unit_cost",
        "list_price",
        "is_active",
        "updated_at",
    )
)
STORES_HEADER = "store_id,store_name,country_code,city,opened_date,updated_at"
CAMPAIGNS_HEADER = "campaign_id,campaign_name,channel_code,objective,start_date,end_date,budget,updated_at"
CHANNELS_HEADER = "channel_code,channel_name,channel_type,updated_at"
PRICE_CHANGE_RATE = 0.02


def build(con: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    _build_products(con, scale)
    _build_stores(con, scale)
    _build_channels(con, scale)
    _build_campaigns(con, scale)


def _build_products(con: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    n = scale.products
    forced_change = n // 2 + 1
    con.execute(
        f"""
        create table products as
        with drawn as (
            select
                range + 1 as product_id,
                floor(rnd(range + 1, 'p_cat') * {len(vocab.CATEGORIES)})::integer as category_idx,
                floor(rnd(range + 1, 'p_sub') * 3)::integer as sub_idx,
                floor(rnd(range + 1, 'p_brand') * {vocab.BRANDS_PER_CATEGORY})::integer as brand_idx,
                rnd(range + 1, 'p_price') as u_price
            from range({n})
        ),
        priced as (
            select
                d.product_id,
                printf('GR-%02d-%06d', d.category_idx, d.product_id) as sku,
                b.brand || ' ' || s.subcategory || ' '
                    || chr(65 + rint(d.product_id, 'p_model_l', 0, 25)::integer)
                    || rint(d.product_id, 'p_model_n', 100, 999) as product_name,
                c.category,
                s.subcategory,
                b.brand,
                retail_price(
                    exp(ln(c.min_price) + d.u_price * (ln(c.max_price) - ln(c.min_price)))
                )::decimal(12, 2) as price_v1,
                rnd(d.product_id, 'p_active') < 0.96 as is_active,
                date '{scale.start_date}' - to_days(rint(d.product_id, 'p_upd_d', 1, 720)::integer)
                    + to_seconds(rint(d.product_id, 'p_upd_s', 0, 86399)) as updated_v1,
                rnd(d.product_id, 'p_changed') < {PRICE_CHANGE_RATE} or d.product_id = {forced_change}
                    as changed,
                date '{scale.mid_date}' - interval 1 day
                    + to_seconds(rint(d.product_id, 'p_chg_s', 0, 86399)) as updated_v2
            from drawn as d
            join categories as c using (category_idx)
            join subcategories as s using (category_idx, sub_idx)
            join brands as b using (category_idx, brand_idx)
        )
        select
            *,
            round(price_v1 * (0.40 + 0.30 * rnd(product_id, 'p_cost')), 2)::decimal(12, 2) as unit_cost,
            case when changed
                then retail_price(price_v1 * (0.80 + 0.35 * rnd(product_id, 'p_new')))::decimal(12, 2)
            end as new_price,
            case when new_price = price_v1 then price_v1 + 1 else new_price end as price_v2
        from priced
        order by product_id
        """
    )


def _build_stores(con: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    con.execute(
        f"""
        create table stores as
        select
            s.store_id,
            'GlobalRetail ' || ci.city || ' ' || lpad(s.store_id::varchar, 3, '0') as store_name,
            s.country_code,
            ci.city,
            (date '{scale.start_date}' - to_days(rint(s.store_id, 'st_open', 30, 3650)::integer))::date
                as opened_date,
            date '{scale.start_date}' - to_days(rint(s.store_id, 'st_upd_d', 1, 30)::integer)
                + to_seconds(rint(s.store_id, 'st_upd_s', 0, 86399)) as updated_at
        from (
            select range + 1 as store_id, cs.country_code
            from range({scale.stores})
            join country_slots as cs on cs.slot = floor(rnd(range + 1, 'st_country') * 1000)
        ) as s
        join countries as co using (country_code)
        join cities as ci
            on ci.country_code = s.country_code
            and ci.city_idx = floor(rnd(s.store_id, 'st_city') * co.n_cities)
        order by s.store_id
        """
    )


def _build_channels(con: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    con.execute(
        "create table channels (channel_idx integer, channel_code varchar, channel_name varchar, "
        "channel_type varchar, updated_at timestamp)"
    )
    updated = dt.datetime.combine(scale.start_date - dt.timedelta(days=365), dt.time())
    con.executemany(
        "insert into channels values (?, ?, ?, ?, ?)",
        [(i, *channel, updated) for i, channel in enumerate(vocab.CHANNELS)],
    )


def _build_campaigns(con: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    n = scale.campaigns
    span = scale.days
    channel = choice(
        "rnd(campaign_id, 'c_channel')",
        [("'web'", 30), ("'mobile_app'", 25), ("'marketplace'", 15), ("'store'", 20), ("'call_center'", 10)],
    )
    themes = ", ".join("[" + ", ".join(literal(t) for t in month) + "]" for month in vocab.CAMPAIGN_THEMES)
    objectives = ", ".join(literal(o) for o in vocab.CAMPAIGN_OBJECTIVES)
    con.execute(
        f"""
        create table campaigns as
        with drawn as (
            select
                campaign_id,
                least(
                    date '{scale.start_date}' + ((campaign_id - 1) * {span} // {n})::integer
                        + rint(campaign_id, 'c_jitter', 0, 10)::integer,
                    date '{scale.end_date}'
                ) as start_date,
                rint(campaign_id, 'c_length', 14, 75)::integer as length_days,
                {channel} as channel_code
            from (select range + 1 as campaign_id from range({n}))
        )
        select
            d.campaign_id,
            ([{themes}][month(d.start_date)])[1 + floor(rnd(d.campaign_id, 'c_theme') * 2)::integer]
                || ' ' || year(d.start_date) || ' (' || ch.channel_name || ')' as campaign_name,
            d.channel_code,
            [{objectives}][1 + floor(rnd(d.campaign_id, 'c_obj') * {len(vocab.CAMPAIGN_OBJECTIVES)})::integer]
                as objective,
            d.start_date,
            least(d.start_date + d.length_days, date '{scale.end_date}') as end_date,
            (rint(d.campaign_id, 'c_budget', 5, 500) * 1000)::decimal(12, 2) as budget,
            date '{scale.start_date}' - to_days(rint(d.campaign_id, 'c_upd_d', 1, 60)::integer)
                + to_seconds(rint(d.campaign_id, 'c_upd_s', 0, 86399)) as updated_at
        from drawn as d
        join channels as ch using (channel_code)
        order by d.campaign_id
        """
    )
    # The campaigns running on each business day, for the orders to pick from.
    con.execute(
        f"""
        create table campaign_days as
        select d.day::date as day, list(c.campaign_id order by c.campaign_id) as campaign_ids
        from range(date '{scale.start_date}', date '{scale.end_date}' + interval 1 day, interval 1 day)
            as d(day)
        join campaigns as c on d.day::date between c.start_date and c.end_date
        group by d.day
        """
    )


def _write_csv(writer: DatasetWriter, arrival: dt.date, query: str, con: duckdb.DuckDBPyConnection) -> None:
    """Write the `line`s of `query`, ordered by its `sort_key`, as part 0 of `arrival`'s folder."""
    sql = f"select string_agg(line, chr(10) order by sort_key), count(*) from ({query})"
    row = con.execute(sql).fetchone()
    assert row is not None
    body, records = row
    if records:
        writer.write(arrival, 0, body, int(records))


def export_products(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    """A full export on the first business date and a delta export (changed prices only) midway."""
    line = (
        "concat_ws(',', product_id, sku, product_name, category, subcategory, brand, money(unit_cost), "
        "money({price}), is_active, iso_ts({updated}))"
    )
    full = line.format(price="price_v1", updated="updated_v1")
    delta = line.format(price="price_v2", updated="updated_v2")
    writer.reset()
    _write_csv(writer, scale.start_date, f"select product_id as sort_key, {full} as line from products", con)
    changed = f"select product_id as sort_key, {delta} as line from products where changed"
    _write_csv(writer, scale.mid_date, changed, con)
    return DatasetManifest.clean("csv", writer)


def export_stores(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    writer.reset()
    query = (
        "select store_id as sort_key, concat_ws(',', store_id, store_name, country_code, city, opened_date, "
        "iso_ts(updated_at)) as line from stores"
    )
    _write_csv(writer, scale.start_date, query, con)
    return DatasetManifest.clean("csv", writer)


def export_campaigns(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    writer.reset()
    query = (
        "select campaign_id as sort_key, concat_ws(',', campaign_id, campaign_name, channel_code, objective, "
        "start_date, end_date, money(budget), iso_ts(updated_at)) as line from campaigns"
    )
    _write_csv(writer, scale.start_date, query, con)
    return DatasetManifest.clean("csv", writer)


def export_channels(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    writer.reset()
    query = (
        "select channel_idx as sort_key, concat_ws(',', channel_code, channel_name, channel_type, "
        "iso_ts(updated_at)) as line from channels"
    )
    _write_csv(writer, scale.start_date, query, con)
    return DatasetManifest.clean("csv", writer)
