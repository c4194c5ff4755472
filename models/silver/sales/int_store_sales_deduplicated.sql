{{ config(sort=['sold_at', 'store_id'], dist='even') }}
{#- One row per store sale line: exact duplicates of a POS row (same sale_id) collapse to one. -#}

with

store_sales as (

    select * from {{ ref('stg_pos__store_sales') }}

),

deduplicated as (

    {{ latest_version('store_sales', ['sale_id'], '_arrival_date desc, _source_file desc, _record_hash') }}

),

final as (

    select
        sale_id,
        store_id,
        customer_id,
        product_id,
        payment_method,
        _record_hash,
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
