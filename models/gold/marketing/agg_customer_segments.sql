{{
    config(
        sort=['customer_id'],
        dist='customer_id',
        meta={'dist_reason': 'one row per customer; joins dim_customer on its dist key'},
    )
}}
{#-
    Customer segmentation (CUST-SEGMENTS): every known customer with at least one revenue sale, with spend,
    frequency and recency as of the last sales day in the warehouse (not the wall clock, so a rebuild of
    the same data gives the same segments). Segments:
      'High Value Active'   total spent >= var('segment_high_value_threshold'), last purchase within
                            var('segment_active_days') days of the as-of date;
      'High Value Inactive' high spend, no purchase within that window;
      'Low Value Active' / 'Low Value Inactive' likewise below the threshold.
-#}

with

sales as {{ inline_cte() }} (

    select * from {{ ref('fct_sales') }}

),

revenue_sales as (

    select *
    from sales
    where is_revenue and customer_id <> -1

),

as_of as (

    select max(sold_date) as as_of_date from sales

),

customer_metrics as (

    select
        customer_id,
        count(*) as purchase_count,
        sum(revenue_amount) as total_spent,
        min(sold_date) as first_purchase_date,
        max(sold_date) as last_purchase_date
    from revenue_sales
    group by customer_id

),

with_recency as (

    select
        customer_metrics.*,
        {{ dbt.datediff('customer_metrics.last_purchase_date', 'as_of.as_of_date', 'day') }}
            as days_since_last_purchase,
        as_of.as_of_date
    from customer_metrics
    cross join as_of

),

segmented as (

    select
        *,
        case
            when
                total_spent >= {{ var('segment_high_value_threshold') }}
                and days_since_last_purchase <= {{ var('segment_active_days') }} then 'High Value Active'
            when total_spent >= {{ var('segment_high_value_threshold') }} then 'High Value Inactive'
            when days_since_last_purchase <= {{ var('segment_active_days') }} then 'Low Value Active'
            else 'Low Value Inactive'
        end as customer_segment
    from with_recency

),

final as (

    select
        customer_id,
        customer_segment,
        cast(purchase_count as {{ dbt.type_bigint() }}) as purchase_count,
        cast(total_spent as decimal(18, 2)) as total_spent,
        cast({{ exact_ratio('total_spent', 'purchase_count') }} as decimal(18, 2)) as average_order_value,
        cast(days_since_last_purchase as {{ dbt.type_bigint() }}) as days_since_last_purchase,
        first_purchase_date,
        last_purchase_date,
        as_of_date
    from segmented

)

select * from final
{{ storage_order() }}
