{#-
    warehouse bench, the executive YoY question (INV-EXECUTIVE-YOY) from gold: inventory value per month and
    category, with the prior year's, over the last bench_executive_months months of the monthly snapshots.
    executive_yoy_from_history.sql asks the same of the movement history; both must give the same answer.
    Written as an analyst would ask it, one read of the gold table and no import CTE.
-#}

select
    snapshots.month_start_date,
    snapshots.category,
    sum(snapshots.inventory_value) as inventory_value,
    sum(snapshots.prior_year_inventory_value) as prior_year_inventory_value
from {{ ref('fct_inventory_monthly_snapshot') }} as snapshots
where
    snapshots.month_start_date
    >= (select max(latest.month_start_date) from {{ ref('fct_inventory_monthly_snapshot') }} as latest)
    - interval {{ var('bench_executive_months', 36) | int - 1 }} month
group by all
order by all
