{#- Online order lines that passed every bronze rule: typed, renamed, with lineage. One row per raw line. -#}

with

typed as (

    select * from {{ ref('stg_orders__orders_typed') }}

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
        _record_number,
        quantity,
        unit_price,
        discount,
        _arrival_date,
        ordered_at,
        updated_at,
        _loaded_at
    from typed
    where rejection_reason is null

)

select * from final
