"""Customers: the customer API's pages as landed by the extract, one page per file, one record per line.

The extract writes each API page's records as NDJSON (`part-NNNN.ndjson`, NNNN = page - 1), the record JSON
exactly as the API returns it. One line per record keeps every line far below Redshift Spectrum's 65,535-byte
VARCHAR limit (a whole page of 500 records is ~130 KB), so the lake is read like the orders: a malformed
record stays a line with its payload and is quarantined alone, and the line's file is its lineage.

The first business date carries a full extract of the customer base. Later, every Monday, an incremental
extract carries the customers updated during the week before (new version, later `updated_at`). Pages hold
`PAGE_SIZE` records of the extract's record stream, in which an exact duplicate sits right after its original
(pagination drift), so a duplicate pair can straddle two pages.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from warehouse.generate import defects, lookups, vocab
from warehouse.generate.defects import CUSTOMER_MISSING_FIELDS, CUSTOMER_RATES, CUSTOMER_WRONG_TYPE_FIELDS
from warehouse.generate.lake_manifest import DatasetManifest
from warehouse.generate.scales import Scale
from warehouse.generate.sql import choice, render
from warehouse.generate.writer import DatasetWriter

PAGE_SIZE = 500
FULL_EXTRACT_HOUR = 1
INCREMENTAL_EXTRACT_HOUR = 2
TIERS = ("bronze", "silver", "gold", "platinum")


def country_slot_sql(customer_id_sql: str) -> str:
    """The `country_slots.slot` of a customer's country: a pure function of the id, so that orders can find
    a customer's country without joining the customers table."""
    return f"floor(rnd({customer_id_sql}, 'cu_country') * {lookups.COUNTRY_SLOTS})"


def build(con: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    """Create `customers` (one row per customer, both versions' attributes) and the per-country ranks."""
    n = scale.customers
    first_monday = scale.start_date + dt.timedelta(days=7 - scale.start_date.weekday())
    last_monday = scale.end_date - dt.timedelta(days=scale.end_date.weekday())
    update_from = dt.datetime.combine(scale.start_date + dt.timedelta(days=1), dt.time())
    update_seconds = int((dt.datetime.combine(last_monday, dt.time()) - update_from).total_seconds())
    if last_monday < first_monday or update_seconds <= 0:
        raise ValueError(f"{scale.name}: the business dates must span at least two Mondays")
    tier = choice(
        "rnd(customer_id, 'cu_tier')", [("'bronze'", 55), ("'silver'", 28), ("'gold'", 13), ("'platinum'", 4)]
    )
    change = choice("rnd(customer_id, 'cu_change')", [("'tier'", 60), ("'city'", 25), ("'email'", 15)])
    con.execute(
        render(
            "customers",
            customers=n,
            country_slot=country_slot_sql("r.k + 1"),
            defect=defects.defect_sql("d.k", "d.u_defect", n, CUSTOMER_RATES),
            start_date=scale.start_date,
            tier=tier,
            domains=vocab.EMAIL_DOMAINS,
            first_names=len(vocab.FIRST_NAMES),
            last_names=len(vocab.LAST_NAMES),
            missing_field=defects.field_sql("customer_id", "cu_missing", CUSTOMER_MISSING_FIELDS),
            wrong_field=defects.field_sql("customer_id", "cu_wrong", CUSTOMER_WRONG_TYPE_FIELDS),
            update_from=update_from,
            update_seconds=update_seconds,
            change=change,
            tiers=TIERS,
        )
    )
    con.execute(render("customer_ranks"))
    con.execute(render("country_customers"))


def export(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    start = scale.start_date
    forced = defects.forced_positions(scale.customers, [kind for kind, _ in CUSTOMER_RATES])
    con.execute(render("customer_stream", start_date=start, forced_positions=list(forced), page_size=PAGE_SIZE))
    con.execute(render("customer_pages", malformed_page_rate=defects.CUSTOMER_MALFORMED_PAGE_RATE))
    _ensure_a_malformed_page(con, start)
    writer.reset()
    cursor = con.execute(render("customer_page_bodies"))
    while batch := cursor.fetchmany(50):
        for arrival, page, records, body in batch:
            writer.write(arrival, page - 1, body, int(records))
    return _manifest(con, writer)


def _ensure_a_malformed_page(con: duckdb.DuckDBPyConnection, start: dt.date) -> None:
    """At least one malformed page: if the draw gave none, a middle incremental page with no forced defect."""
    row = con.execute("select count(*) from customer_pages where malformed").fetchone()
    if row and row[0]:
        return
    candidates = con.execute(render("customer_malformed_candidates", start_date=start)).fetchall()
    incremental = [c for c in candidates if c[0] != start] or candidates
    if not incremental:
        return
    arrival, page = incremental[len(incremental) // 2]
    con.execute("update customer_pages set malformed = true where dt = ? and page = ?", [arrival, page])


def _manifest(con: duckdb.DuckDBPyConnection, writer: DatasetWriter) -> DatasetManifest:
    pages, malformed_pages, records = con.execute(
        "select count(*), count(*) filter (where malformed), coalesce(sum(records), 0) from customer_pages"
    ).fetchone() or (0, 0, 0)
    # A record's defect counts where a reader can see it: in a line that parses. A duplicate counts when its
    # original, too, parses.
    counts = dict(con.execute(render("customer_defect_counts")).fetchall())
    counts["malformed"] = malformed_pages
    details = {"pages": pages, "malformed_records": malformed_pages, "records": records}
    return DatasetManifest.from_writer("ndjson", writer, counts, details, raw_records=int(records))
