{#-
    Per arrival date of a store sales chunk (store_sales.py): the file's lines and the defect each carries.
    `rows_sql` is store_sales_rows.sql. Lines: every sale once, and a duplicate's identical line a second time.
-#}
with sale_rows as materialized ({{ rows_sql }}),

sale_lines as (
    select
        dt,
        sold_at,
        i,
        0 as copy,
        line,
        case when defect = 'duplicate' then null else defect end as kind
    from sale_rows
    union all
    select
        dt,
        sold_at,
        i,
        1 as copy,
        line,
        'duplicate' as kind
    from sale_rows
    where defect = 'duplicate'
)

select
    dt,
    kind,
    line
from sale_lines
order by dt, sold_at, i, copy
