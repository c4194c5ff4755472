{{ config(sort=['date_day'], dist='all') }}
{#-
    Daily revenue summary (EXP-DAILY-REVENUE, the UNLOAD export): one row per calendar day from the first to the last
    sales day, days without sales included with zero revenue. revenue_flag compares the day with the mean
    revenue of the previous var('revenue_flag_window_days') days: 'high' at or above
    var('revenue_flag_high_factor') times that mean, 'low' at or below var('revenue_flag_low_factor') times
    it, otherwise 'normal'; 'normal' when there is no earlier day to compare with.
-#}

with

sales as (

    select * from {{ ref('fct_sales') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

daily as (

    select
        sold_date as date_day,
        count(*) as sales_lines,
        sum(case when sales_source = 'online' then 1 else 0 end) as online_lines,
        sum(case when sales_source = 'store' then 1 else 0 end) as store_lines,
        sum(quantity) as units_sold,
        sum(gross_amount) as gross_amount,
        sum(discount_amount) as discount_amount,
        sum(revenue_amount) as revenue_amount
    from sales
    group by sold_date

),

bounds as (

    select
        min(date_day) as first_day,
        max(date_day) as last_day
    from daily

),

sales_days as (

    select
        calendar.date_day,
        coalesce(daily.sales_lines, 0) as sales_lines,
        coalesce(daily.online_lines, 0) as online_lines,
        coalesce(daily.store_lines, 0) as store_lines,
        coalesce(daily.units_sold, 0) as units_sold,
        coalesce(daily.gross_amount, 0) as gross_amount,
        coalesce(daily.discount_amount, 0) as discount_amount,
        coalesce(daily.revenue_amount, 0) as revenue_amount
    from calendar
    cross join bounds
    left join daily
        on calendar.date_day = daily.date_day
    where calendar.date_day between bounds.first_day and bounds.last_day

),

with_trailing_mean as (

    select
        *,
        {#-
            The trailing window as an exact sum and a count, not AVG: AVG over a DECIMAL keeps the argument's
            scale on Redshift and is a DOUBLE on DuckDB (r_AVG.html), so a day at the boundary of a factor
            could be flagged differently. The flag compares exact decimals on both engines, and the mean
            shown is their exact ratio (exact_ratio), rounded alike everywhere.
        -#}
        sum(revenue_amount) over (
            order by date_day
            rows between {{ var('revenue_flag_window_days') }} preceding and 1 preceding
        ) as trailing_revenue,
        count(revenue_amount) over (
            order by date_day
            rows between {{ var('revenue_flag_window_days') }} preceding and 1 preceding
        ) as trailing_days
    from sales_days

),

with_revenue_flag as (

    select
        *,
        case
            when trailing_days = 0 or trailing_days is null then 'normal'
            when revenue_amount * trailing_days >= {{ var('revenue_flag_high_factor') }} * trailing_revenue then 'high'
            when revenue_amount * trailing_days <= {{ var('revenue_flag_low_factor') }} * trailing_revenue then 'low'
            else 'normal'
        end as revenue_flag
    from with_trailing_mean

),

final as (

    select
        date_day,
        revenue_flag,
        cast(sales_lines as {{ dbt.type_bigint() }}) as sales_lines,
        cast(online_lines as {{ dbt.type_bigint() }}) as online_lines,
        cast(store_lines as {{ dbt.type_bigint() }}) as store_lines,
        cast(units_sold as {{ dbt.type_bigint() }}) as units_sold,
        cast(gross_amount as decimal(18, 2)) as gross_amount,
        cast(discount_amount as decimal(18, 2)) as discount_amount,
        cast(revenue_amount as decimal(18, 2)) as revenue_amount,
        cast({{ exact_ratio('trailing_revenue', 'trailing_days') }} as decimal(18, 2)) as trailing_mean_revenue
    from with_revenue_flag

)

select * from final {{ storage_order() }}
