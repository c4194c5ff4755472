{{ config(sort=['month_start_date', 'region'], dist='all') }}
{#-
    The executive inventory trend (INV-EXECUTIVE-YOY): month-end inventory value per region and month, with
    year-over-year change, the trailing 12-month average and the change since the start of the three-year
    trend window. A few rows per month, so the CFO's "how did inventory value trend over three years, and
    year over year" is answered from this table alone.
-#}

with

inventory_snapshot as (

    select * from {{ ref('fct_inventory_monthly_snapshot') }}

),

warehouses as (

    select * from {{ ref('dim_warehouse') }}

),

regional as (

    select
        inventory_snapshot.month_start_date,
        warehouses.region,
        count(
            distinct case when inventory_snapshot.open_positions > 0 then inventory_snapshot.warehouse_id end
        ) as stocked_warehouses,
        sum(inventory_snapshot.open_positions) as open_positions,
        sum(inventory_snapshot.quantity_on_hand) as quantity_on_hand,
        sum(inventory_snapshot.inventory_value) as inventory_value,
        sum(inventory_snapshot.prior_year_inventory_value) as prior_year_inventory_value,
        max(case when inventory_snapshot.is_in_trend_window then 1 else 0 end) as in_trend_window
    from inventory_snapshot
    inner join warehouses
        on inventory_snapshot.warehouse_id = warehouses.warehouse_id
    group by 1, 2

),

trend_start as (

    select
        region,
        min(month_start_date) as first_trend_month
    from regional
    where in_trend_window = 1
    group by 1

),

trended as (

    select
        regional.*,
        sum(regional.inventory_value) over (
            partition by regional.region order by regional.month_start_date rows between 11 preceding and current row
        ) as rolling_12_month_value_sum,
        count(regional.inventory_value) over (
            partition by regional.region order by regional.month_start_date rows between 11 preceding and current row
        ) as rolling_12_month_value_count,
        max(case when regional.month_start_date = trend_start.first_trend_month then regional.inventory_value end)
            over (partition by regional.region) as trend_start_value
    from regional
    inner join trend_start
        on regional.region = trend_start.region

),

final as (

    select
        {{ dbt.concat(['region', "'|'", dbt.cast('month_start_date', dbt.type_string())]) }} as month_region_key,
        region,
        cast(stocked_warehouses as {{ dbt.type_bigint() }}) as stocked_warehouses,
        cast(open_positions as {{ dbt.type_bigint() }}) as open_positions,
        cast(quantity_on_hand as {{ dbt.type_bigint() }}) as quantity_on_hand,
        cast(inventory_value as decimal(18, 2)) as inventory_value,
        cast(prior_year_inventory_value as decimal(18, 2)) as prior_year_inventory_value,
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
        case
            when in_trend_window = 0 or trend_start_value is null or trend_start_value = 0 then null
            else cast(
                {{ exact_ratio('inventory_value - trend_start_value', 'trend_start_value', factor=100) }}
                as decimal(18, 2)
            )
        end as trend_change_pct,
        in_trend_window = 1 as is_in_trend_window,
        month_start_date
    from trended

)

select * from final {{ storage_order() }}
