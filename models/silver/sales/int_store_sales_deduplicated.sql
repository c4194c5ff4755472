{{
    config(
        materialized='incremental',
        unique_key='sale_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        sort=['sold_at', 'store_id'],
        dist='even',
    )
}}
{#-
    One row per store sale line: exact duplicates of a POS row (same sale_id) collapse to one.

    Incremental: the sales with a row that arrived on or after the newest stored arrival date minus
    var('sales_lookback_days') are recomputed from all their bronze rows (delete+insert on sale_id).
-#}

with

store_sales as {{ inline_cte() }} (

    select * from {{ ref('stg_pos__store_sales') }}

),

{% if is_incremental() %}

arrived as (

    select distinct sale_id
    from store_sales
    where {{ since_watermark('_arrival_date', '_arrival_date', var('sales_lookback_days')) }}

),

in_scope as (

    select store_sales.*
    from store_sales
    inner join arrived
        on store_sales.sale_id = arrived.sale_id

),

{% else %}

in_scope as (

    select * from store_sales

),

{% endif %}

deduplicated as (

    {{ latest_version(
        'in_scope',
        ['sale_id'],
        '_arrival_date desc nulls last, _source_file desc nulls last, _record_number desc nulls last',
    ) }}

),

final as (

    select
        sale_id,
        store_id,
        customer_id,
        product_id,
        payment_method,
        _source_file,
        quantity,
        unit_price,
        discount_amount,
        version_count,
        _arrival_date,
        sold_at
    from deduplicated

)

select * from final {{ storage_order() }}
