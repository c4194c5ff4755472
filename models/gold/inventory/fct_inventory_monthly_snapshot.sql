{{ config(sort=['month_start_date', 'warehouse_id', 'category'], dist='even') }}
{#-
    Monthly inventory snapshot (INV-MONTHLY-SNAPSHOT): one row per warehouse × product category × month-end, from the
    first to the last month of the history, with quantity on hand and inventory value at month end, the
    change in the month, year-over-year change and the three-year trend. Built from silver's month-end
    position changes, so no query ever scans the event history: the changes of each warehouse and category
    are summed per month and accumulated, which carries positions forward through months without changes.
    Unknown warehouses map to -1, SKUs the catalog does not know to the category 'Unknown'.
-#}

with

month_end as (

    select * from {{ ref('int_inventory_month_end_positions') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

warehouses as (

    select * from {{ ref('dim_warehouse') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

changes as (

    select
        coalesce(warehouses.warehouse_id, -1) as warehouse_id,
        coalesce(products.category, 'Unknown') as category,
        month_end.month_start_date,
        sum(month_end.open_positions_change) as open_positions_change,
        sum(month_end.quantity_change) as quantity_change,
        sum(month_end.value_change) as value_change
    from month_end
    left join products
        on
            month_end.sku = products.sku
            and not products.is_unknown_member
    left join warehouses
        on
            month_end.warehouse_id = warehouses.warehouse_id
            and not warehouses.is_unknown_member
    group by 1, 2, 3

),

bounds as (

    select
        min(month_start_date) as first_month,
        max(month_start_date) as last_month
    from changes

),

months as (

    select distinct calendar.month_start_date
    from calendar
    inner join bounds
        on calendar.date_day between bounds.first_month and bounds.last_month

),

pairs as (

    select distinct
        warehouse_id,
        category
    from changes

),

filled as (

    select
        pairs.warehouse_id,
        pairs.category,
        months.month_start_date,
        coalesce(changes.open_positions_change, 0) as open_positions_change,
        coalesce(changes.quantity_change, 0) as quantity_change,
        coalesce(changes.value_change, 0) as value_change
    from pairs
    cross join months
    left join changes
        on
            pairs.warehouse_id = changes.warehouse_id
            and pairs.category = changes.category
            and months.month_start_date = changes.month_start_date

),

balances as (

    select
        *,
        sum(open_positions_change) over (
            partition by warehouse_id, category
            order by month_start_date
            rows between unbounded preceding and current row
        ) as open_positions,
        sum(quantity_change) over (
            partition by warehouse_id, category
            order by month_start_date
            rows between unbounded preceding and current row
        ) as quantity_on_hand,
        sum(value_change) over (
            partition by warehouse_id, category
            order by month_start_date
            rows between unbounded preceding and current row
        ) as inventory_value
    from filled

),

compared as (

    select
        balances.*,
        lag(balances.quantity_on_hand, 12) over (
            partition by balances.warehouse_id, balances.category order by balances.month_start_date
        ) as prior_year_quantity,
        lag(balances.inventory_value, 12) over (
            partition by balances.warehouse_id, balances.category order by balances.month_start_date
        ) as prior_year_inventory_value,
        sum(balances.inventory_value) over (
            partition by balances.warehouse_id, balances.category
            order by balances.month_start_date rows between 11 preceding and current row
        ) as rolling_12_month_value_sum,
        count(balances.inventory_value) over (
            partition by balances.warehouse_id, balances.category
            order by balances.month_start_date rows between 11 preceding and current row
        ) as rolling_12_month_value_count,
        (extract(year from bounds.last_month) - extract(year from balances.month_start_date)) * 12
        + extract(month from bounds.last_month) - extract(month from balances.month_start_date)
            as months_before_latest,
        cast(balances.warehouse_id as {{ dbt.type_string() }}) as warehouse_key,
        cast(balances.month_start_date as {{ dbt.type_string() }}) as month_key
    from balances
    cross join bounds

),

final as (

    select
        {{ dbt.concat(['warehouse_key', "'|'", 'category', "'|'", 'month_key']) }} as snapshot_key,
        cast(warehouse_id as {{ dbt.type_bigint() }}) as warehouse_id,
        category,
        cast(open_positions as {{ dbt.type_bigint() }}) as open_positions,
        cast(quantity_on_hand as {{ dbt.type_bigint() }}) as quantity_on_hand,
        cast(inventory_value as decimal(18, 2)) as inventory_value,
        cast(quantity_change as {{ dbt.type_bigint() }}) as quantity_change,
        cast(value_change as decimal(18, 2)) as value_change,
        cast(prior_year_quantity as {{ dbt.type_bigint() }}) as prior_year_quantity,
        cast(prior_year_inventory_value as decimal(18, 2)) as prior_year_inventory_value,
        cast(quantity_on_hand - prior_year_quantity as {{ dbt.type_bigint() }}) as yoy_quantity_change,
        cast(inventory_value - prior_year_inventory_value as decimal(18, 2)) as yoy_value_change,
        case
            when prior_year_inventory_value is null or prior_year_inventory_value = 0 then null
            else cast(
                {{ exact_ratio(
                    'inventory_value - prior_year_inventory_value', 'prior_year_inventory_value', factor=100
                ) }}
                as decimal(18, 2)
            )
        end as yoy_value_change_pct,
        cast({{ exact_ratio('rolling_12_month_value_sum', 'rolling_12_month_value_count') }} as decimal(18, 2))
            as rolling_12_month_avg_value,
        months_before_latest < {{ var('inventory_trend_months') }} as is_in_trend_window,
        month_start_date,
        cast({{ dbt.last_day('month_start_date', 'month') }} as date) as month_end_date
    from compared

)

select * from final {{ storage_order() }}
