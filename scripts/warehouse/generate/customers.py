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
from warehouse.generate.sql import choice
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
    domains = ", ".join(f"'{d}'" for d in vocab.EMAIL_DOMAINS)
    missing = defects.field_sql("customer_id", "cu_missing", CUSTOMER_MISSING_FIELDS)
    wrong = defects.field_sql("customer_id", "cu_wrong", CUSTOMER_WRONG_TYPE_FIELDS)
    con.execute(
        f"""
        create table customers as
        with drawn as (
            select
                range as k,
                range + 1 as customer_id,
                cs.country_code,
                rnd(range + 1, 'cu_defect') as u_defect
            from range({n})
            join country_slots as cs on cs.slot = {country_slot_sql("range + 1")}
        ),
        named as (
            select
                d.*,
                {defects.defect_sql("d.k", "d.u_defect", n, CUSTOMER_RATES)} as defect,
                fn.name as first_name,
                ln.name as last_name,
                ci.city,
                c2.city as other_city,
                (date '{scale.start_date}' - to_days(rint(customer_id, 'cu_signup', 1, 3650)::integer))::date
                    as signup_date,
                {tier} as loyalty_tier,
                [{domains}][1 + floor(rnd(customer_id, 'cu_domain') * {len(vocab.EMAIL_DOMAINS)})::integer]
                    as domain
            from drawn as d
            join countries as co using (country_code)
            join cities as ci
                on ci.country_code = d.country_code
                and ci.city_idx = floor(rnd(d.customer_id, 'cu_city') * co.n_cities)
            join cities as c2
                on c2.country_code = d.country_code
                and c2.city_idx = floor(rnd(d.customer_id, 'cu_city2') * co.n_cities)
            join first_names as fn
                on fn.idx = floor(rnd(d.customer_id, 'cu_first') * {len(vocab.FIRST_NAMES)})
            join last_names as ln
                on ln.idx = floor(rnd(d.customer_id, 'cu_last') * {len(vocab.LAST_NAMES)})
        )
        select
            *,
            regexp_replace(lower(strip_accents(first_name)), '[^a-z]', '', 'g') || '.'
                || regexp_replace(lower(strip_accents(last_name)), '[^a-z]', '', 'g') || customer_id
                as email_user,
            email_user || '@' || domain as email,
            signup_date + to_seconds(floor(rnd(customer_id, 'cu_upd1')
                * (epoch(date '{scale.start_date}'::timestamp) - epoch(signup_date::timestamp)))::bigint)
                as updated_at,
            case when defect = 'missing_field' then {missing} end as missing_field,
            case when defect = 'wrong_type' then {wrong} end as wrong_field,
            -- the new version of an updated customer
            timestamp '{update_from}' + to_seconds(rint(customer_id, 'cu_upd2', 0, {update_seconds - 1}))
                as updated_at_v2,
            {change} as change_kind,
            case when change_kind = 'tier' and loyalty_tier <> 'platinum'
                then {list(TIERS)}[list_position({list(TIERS)}, loyalty_tier) + 1] else loyalty_tier end
                as loyalty_tier_v2,
            case when change_kind = 'city' or (change_kind = 'tier' and loyalty_tier = 'platinum')
                then other_city else city end as city_v2,
            case when change_kind = 'email' then email_user || '@' || {_other_domain_sql(domains)}
                else email end as email_v2
        from named
        order by customer_id
        """
    )
    con.execute(
        """
        create table customer_ranks as
        select
            country_code,
            (row_number() over (partition by country_code order by customer_id) - 1)::bigint as rank,
            customer_id
        from customers
        """
    )
    con.execute(
        """
        create table country_customers as
        select country_code, count(*) as n from customers group by country_code
        """
    )


def _other_domain_sql(domains: str) -> str:
    count = len(vocab.EMAIL_DOMAINS)
    shift = f"rint(customer_id, 'cu_dom2', 0, {count - 2})"
    return f"[{domains}][1 + ((list_position([{domains}], domain) + {shift}) % {count})::integer]"


def _record_sql(version: int) -> str:
    """One customer record as JSON, spaced like the API; version 1 carries the record's defect."""
    suffix = "" if version == 1 else "_v2"
    customer_id = "'\"customer_id\": ' || customer_id"
    signup = "'\"signup_date\": \"' || signup_date || '\"'"
    email = f"'\"email\": \"' || email{suffix} || '\"'"
    if version == 1:
        customer_id = (
            "case when missing_field = 'customer_id' then null "
            "when wrong_field = 'customer_id' then '\"customer_id\": \"abc\"' "
            f"else {customer_id} end"
        )
        signup = (
            "case when wrong_field = 'signup_date' "
            "then '\"signup_date\": \"13/45/' || year(signup_date) || '\"' "
            f"else {signup} end"
        )
        email = f"case when missing_field = 'email' then null else {email} end"
    fields = [
        customer_id,
        "'\"first_name\": \"' || first_name || '\"'",
        "'\"last_name\": \"' || last_name || '\"'",
        email,
        "'\"country_code\": \"' || country_code || '\"'",
        f"'\"city\": \"' || city{suffix} || '\"'",
        signup,
        f"'\"loyalty_tier\": \"' || loyalty_tier{suffix} || '\"'",
        f"'\"updated_at\": \"' || iso_ts(updated_at{suffix}) || '\"'",
    ]
    return "'{' || concat_ws(', ', " + ", ".join(fields) + ") || '}'"


def export(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    start = scale.start_date
    con.execute(
        f"""
        create or replace temp table customer_stream as
        with records as (
            select date '{start}' as dt, customer_id, 0 as copy, {_record_sql(1)} as record,
                case when defect in ('missing_field', 'wrong_type') then defect end as kind,
                k in ({_forced_list(scale)}) as forced
            from customers
            union all
            select date '{start}', customer_id, 1, {_record_sql(1)}, 'duplicate', k in ({_forced_list(scale)})
            from customers where defect = 'duplicate'
            union all
            select (date_trunc('week', updated_at_v2) + interval 7 day)::date, customer_id, 0,
                {_record_sql(2)}, 'update', k in ({_forced_list(scale)})
            from customers where defect = 'update'
        )
        select *, rn // {PAGE_SIZE} + 1 as page,
            case when copy = 1 then (rn - 1) // {PAGE_SIZE} + 1 end as original_page
        from (
            select *, (row_number() over (partition by dt order by customer_id, copy) - 1)::bigint as rn
            from records
        )
        """
    )
    con.execute(
        f"""
        create or replace temp table customer_pages as
        select
            dt,
            page,
            count(*)::bigint as records,
            min(rn) as first_rn,
            bool_or(forced) as has_forced,
            rnd(datediff('day', date '2000-01-01', dt) * 100000 + page, 'cu_malformed')
                < {defects.CUSTOMER_MALFORMED_PAGE_RATE!r} and not bool_or(forced) as malformed
        from customer_stream
        group by dt, page
        """
    )
    _ensure_a_malformed_page(con, start)
    writer.reset()
    # A malformed page's first record is cut short, as a transfer interrupted mid-record would leave it.
    cursor = con.execute(
        """
        select
            p.dt,
            p.page,
            p.records,
            string_agg(
                case when p.malformed and s.rn = p.first_rn
                    then left(s.record, (length(s.record) * (0.3 + 0.4 * rnd(
                        datediff('day', date '2000-01-01', p.dt) * 100000 + p.page, 'cu_cut')))::integer)
                    else s.record end,
                chr(10) order by s.rn
            ) as body
        from customer_pages as p
        join customer_stream as s using (dt, page)
        group by p.dt, p.page, p.records, p.malformed
        order by p.dt, p.page
        """
    )
    while batch := cursor.fetchmany(50):
        for arrival, page, records, body in batch:
            writer.write(arrival, page - 1, body, int(records))
    return _manifest(con, writer)


def _forced_list(scale: Scale) -> str:
    positions = defects.forced_positions(scale.customers, [kind for kind, _ in CUSTOMER_RATES])
    return ", ".join(str(pos) for pos in positions)


def _ensure_a_malformed_page(con: duckdb.DuckDBPyConnection, start: dt.date) -> None:
    """At least one malformed page: if the draw gave none, a middle incremental page with no forced defect."""
    row = con.execute("select count(*) from customer_pages where malformed").fetchone()
    if row and row[0]:
        return
    candidates = con.execute(
        f"""
        select dt, page from customer_pages where not has_forced
        order by dt = date '{start}', dt, page
        """
    ).fetchall()
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
    counts = dict(
        con.execute(
            """
            with lines as (
                select s.*, p.malformed and s.rn = p.first_rn as is_malformed
                from customer_stream as s
                join customer_pages as p using (dt, page)
            )
            select s.kind, count(*)
            from lines as s
            left join lines as o on s.copy = 1 and o.dt = s.dt and o.rn = s.rn - 1
            where s.kind is not null and not s.is_malformed and not coalesce(o.is_malformed, false)
            group by s.kind
            """
        ).fetchall()
    )
    counts["malformed"] = malformed_pages
    details = {"pages": pages, "malformed_records": malformed_pages, "records": records}
    return DatasetManifest.from_writer("ndjson", writer, counts, details, raw_records=int(records))
