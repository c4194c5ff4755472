{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        sort=['ordered_at', 'category', 'region'],
        dist='even',
    )
}}
{#-
    One row per online order: the latest version (by updated_at) of every order that passed bronze.

    Incremental: the orders with a record that arrived on or after the newest stored arrival date minus
    var('sales_lookback_days') are recomputed from all their bronze versions and replace their stored row
    (delete+insert on order_id). A new version of an old order, a late record or an exact duplicate
    therefore lands on the order it belongs to, and version_count counts every version.
-#}

with

orders as {{ inline_cte() }} (

    select * from {{ ref('stg_orders__orders') }}

),

{% if is_incremental() %}

arrived as (

    select distinct order_id
    from orders
    where {{ since_watermark('_arrival_date', '_arrival_date', var('sales_lookback_days')) }}

),

in_scope as (

    select orders.*
    from orders
    inner join arrived
        on orders.order_id = arrived.order_id

),

{% else %}

in_scope as (

    select * from orders

),

{% endif %}

deduplicated as (

    {{ latest_version('in_scope', ['order_id'],
        'updated_at desc nulls last, _arrival_date desc nulls last, _source_file desc nulls last, _record_number desc nulls last') }}

),

final as (

    select
        order_id,
        customer_id,
        product_id,
        campaign_id,
        category,
        region,
        country_code,
        channel_code,
        order_status,
        _source_file,
        quantity,
        unit_price,
        discount,
        version_count,
        _arrival_date,
        ordered_at,
        updated_at
    from deduplicated

)

select * from final {{ storage_order() }}
