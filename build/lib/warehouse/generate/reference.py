"""Reference datasets: products (full export + delta), stores, campaigns and channels (one export each).

`build()` creates the DuckDB tables the fact generators join to; `export_*()` writes a dataset's files. The
statements are templates in sql/ (`products`, `stores`, `campaigns`, `campaign_days` and each dataset's
`<dataset>_export`); the channels are five rows of vocab.CHANNELS, inserted as they are.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from warehouse.generate import vocab
from warehouse.generate.lake_manifest import DatasetManifest
from warehouse.generate.scales import Scale
from warehouse.generate.sql import choice, render
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
    con.execute(
        render(
            "products",
            products=scale.products,
            categories=len(vocab.CATEGORIES),
            brands_per_category=vocab.BRANDS_PER_CATEGORY,
            start_date=scale.start_date,
            mid_date=scale.mid_date,
            price_change_rate=PRICE_CHANGE_RATE,
            forced_change=scale.products // 2 + 1,
        )
    )


def _build_stores(con: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    con.execute(render("stores", start_date=scale.start_date, stores=scale.stores))


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
    channel = choice(
        "rnd(campaign_id, 'c_channel')",
        [("'web'", 30), ("'mobile_app'", 25), ("'marketplace'", 15), ("'store'", 20), ("'call_center'", 10)],
    )
    con.execute(
        render(
            "campaigns",
            campaigns=scale.campaigns,
            days=scale.days,
            start_date=scale.start_date,
            end_date=scale.end_date,
            channel=channel,
            themes=vocab.CAMPAIGN_THEMES,
            objectives=vocab.CAMPAIGN_OBJECTIVES,
        )
    )
    # The campaigns running on each business day, for the orders to pick from.
    con.execute(render("campaign_days", start_date=scale.start_date, end_date=scale.end_date))


def _write_csv(writer: DatasetWriter, arrival: dt.date, statement: str, con: duckdb.DuckDBPyConnection) -> None:
    """Write the body `statement` returns (with its record count) as part 0 of `arrival`'s folder, if it has
    records."""
    row = con.execute(statement).fetchone()
    assert row is not None
    body, records = row
    if records:
        writer.write(arrival, 0, body, int(records))


def export_products(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    """A full export on the first business date and a delta export (changed prices only) midway."""
    writer.reset()
    _write_csv(writer, scale.start_date, render("products_export", version=1), con)
    _write_csv(writer, scale.mid_date, render("products_export", version=2), con)
    return DatasetManifest.clean("csv", writer)


def export_stores(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    writer.reset()
    _write_csv(writer, scale.start_date, render("stores_export"), con)
    return DatasetManifest.clean("csv", writer)


def export_campaigns(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    writer.reset()
    _write_csv(writer, scale.start_date, render("campaigns_export"), con)
    return DatasetManifest.clean("csv", writer)


def export_channels(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    writer.reset()
    _write_csv(writer, scale.start_date, render("channels_export"), con)
    return DatasetManifest.clean("csv", writer)
