{#-
    warehouse bench, the executive YoY question (INV-EXECUTIVE-YOY) recomputed from the movement history, as an
    analyst would write it without the gold snapshot: each position's state at the end of each month it
    changed (its last movement that month), held until the month it next changes, summed per month and
    category, over the last bench_executive_months months and the prior year's. A range join of states to
    months feeds a small aggregate, so it streams; joining every movement to every later month end (48 x 30M
    rows into 144M groups) spilled past 30 GB of disk at `full`.
-#}

with history as (
    select
        warehouse_id,
        sku,
        change_sequence,
        inventory_value,
        is_delete,
        occurred_at
    from {{ ref('int_inventory_movements_history') }}
),

months as (
    select distinct date_trunc('month', occurred_at)::date as month_start_date
    from history
),

wanted as (
    select month_start_date
    from months
    order by month_start_date desc
    limit {{ var('bench_executive_months', 36) | int + 12 }}
),

month_end_states as (
    select
        warehouse_id,
        sku,
        date_trunc('month', occurred_at)::date as changed_month,
        arg_max(case when is_delete then 0 else inventory_value end, (occurred_at, change_sequence))
            as inventory_value
    from history
    group by all
),

held as (
    select
        *,
        lead(changed_month, 1, date '9999-12-01') over (
            partition by warehouse_id, sku order by changed_month
        ) as next_changed_month
    from month_end_states
),

by_category as (
    select
        wanted.month_start_date,
        coalesce(products.category, 'Unknown') as category,
        sum(held.inventory_value) as inventory_value
    from wanted
    inner join held
        on
            wanted.month_start_date >= held.changed_month
            and wanted.month_start_date < held.next_changed_month
    left join {{ ref('dim_product') }} as products on held.sku = products.sku
    group by all
)

select
    this_year.month_start_date,
    this_year.category,
    this_year.inventory_value,
    prior_year.inventory_value as prior_year_inventory_value
from by_category as this_year
left join by_category as prior_year
    on
        this_year.category = prior_year.category
        and this_year.month_start_date - interval 12 month = prior_year.month_start_date
where
    this_year.month_start_date >= (select max(newest.month_start_date) from wanted as newest)
    - interval {{ var('bench_executive_months', 36) | int - 1 }} month
order by all
