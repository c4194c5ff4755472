{{ config(sort=['month_start_date', 'category'], dist='all') }}
{#-
    Monthly revenue trend per product category (SALES-MONTHLY-TREND), with month-over-month growth. Every category
    has a row for every month between the first and last sales month, so growth always compares with the
    calendar's previous month.
-#}

with

sales as (

    select * from {{ ref('fct_sales') }}

),

monthly as (

    select
        cast({{ dbt.date_trunc('month', 'sold_date') }} as date) as month_start_date,
        category,
        count(*) as sales_lines,
        count(distinct case when customer_id <> -1 then customer_id end) as known_customers,
        sum(quantity) as units_sold,
        sum(revenue_amount) as revenue_amount
    from sales
    group by 1, 2

),

months as (

    select distinct month_start_date from monthly

),

categories as (

    select distinct category from monthly

),

grid as (

    select
        months.month_start_date,
        categories.category
    from months
    cross join categories

),

filled as (

    select
        grid.month_start_date,
        grid.category,
        coalesce(monthly.sales_lines, 0) as sales_lines,
        coalesce(monthly.known_customers, 0) as known_customers,
        coalesce(monthly.units_sold, 0) as units_sold,
        coalesce(monthly.revenue_amount, 0) as revenue_amount
    from grid
    left join monthly
        on
            grid.month_start_date = monthly.month_start_date
            and grid.category = monthly.category

),

with_growth as (

    select
        *,
        lag(revenue_amount) over (partition by category order by month_start_date) as previous_month_revenue
    from filled

),

final as (

    select
        {{ dbt.concat(["category", "'|'", dbt.cast('month_start_date', dbt.type_string())]) }} as month_category_key,
        category,
        cast(sales_lines as {{ dbt.type_bigint() }}) as sales_lines,
        cast(known_customers as {{ dbt.type_bigint() }}) as known_customers,
        cast(units_sold as {{ dbt.type_bigint() }}) as units_sold,
        cast(revenue_amount as decimal(18, 2)) as revenue_amount,
        cast(previous_month_revenue as decimal(18, 2)) as previous_month_revenue,
        case
            when previous_month_revenue is null or previous_month_revenue = 0 then null
            else cast(
                {{ exact_ratio('revenue_amount - previous_month_revenue', 'previous_month_revenue', factor=100) }}
                as decimal(18, 2)
            )
        end as revenue_growth_pct,
        month_start_date
    from with_growth

)

select * from final
{{ storage_order() }}
