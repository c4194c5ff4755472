{{
    config(
        materialized='incremental',
        unique_key='sales_line_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        sort=['sold_at', 'category', 'region'],
        dist='even',
        meta={'dist_reason': 'walk-in store sales share the unknown customer: a customer_id key would skew'},
    )
}}
{#-
    Sales at line grain: online order lines and store sales lines, keyed to every conformed dimension.
    Incremental: the lines whose _last_arrival_date is on or after the newest stored one minus
    var('sales_lookback_days') (every line int_sales_lines_conformed rebuilt since) replace their stored
    rows (delete+insert on sales_line_id).
-#}

with

sales_lines as (

    select * from {{ ref('int_sales_lines_conformed') }}

),

{% if is_incremental() %}

in_scope as (

    select *
    from sales_lines
    where
        {{ since_watermark('_last_arrival_date', '_last_arrival_date', var('sales_lookback_days')) }}

),

{% else %}

in_scope as (

    select * from sales_lines

),

{% endif %}

final as (

    select
        sales_line_id,
        sales_source,
        source_line_id,
        customer_id,
        product_id,
        campaign_id,
        store_id,
        channel_code,
        country_code,
        sold_date,
        category,
        region,
        order_status,
        quantity,
        unit_price,
        gross_amount,
        discount_amount,
        net_amount,
        case when is_revenue then net_amount else 0 end as revenue_amount,
        is_revenue,
        has_unknown_customer,
        has_unknown_product,
        _last_arrival_date,
        sold_at
    from in_scope

)

select * from final {{ storage_order() }}
