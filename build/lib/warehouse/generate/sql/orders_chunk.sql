{#-
    Per arrival date of an orders chunk (orders.py): the file's lines and the defect each carries. `rows_sql`
    is orders_rows.sql. Lines: every order's first version; a duplicate's identical line again; an updated
    order's second version.
-#}
with order_rows as materialized ({{ rows_sql }}),

order_lines as (
    select
        date(order_ts) + late_days::integer as dt,
        order_ts as sort_ts,
        i,
        1 as version,
        0 as copy,
        case when defect in ('duplicate', 'update') then null else defect end as kind,
        line_v1 as line
    from order_rows
    union all
    select
        date(order_ts) as dt,
        order_ts as sort_ts,
        i,
        1 as version,
        1 as copy,
        'duplicate' as kind,
        line_v1 as line
    from order_rows
    where defect = 'duplicate'
    union all
    select
        date(updated_at_v2) as dt,
        updated_at_v2 as sort_ts,
        i,
        2 as version,
        0 as copy,
        'update' as kind,
        line_v2 as line
    from order_rows
    where defect = 'update'
)

select
    dt,
    kind,
    line
from order_lines
order by dt, sort_ts, i, version, copy
