{{ config(sort=['ordered_at', 'category', 'region'], dist='even') }}
{#- One row per online order: the latest version (by updated_at) of every order that passed bronze. -#}

with

orders as (

    select * from {{ ref('stg_orders__orders') }}

),

deduplicated as (

    {{ latest_version('orders', ['order_id'],
        'updated_at desc, _arrival_date desc, _source_file desc, _record_hash') }}

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
        _record_hash,
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
