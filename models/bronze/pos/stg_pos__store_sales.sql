{#- Store sales lines that passed every bronze rule: typed, renamed, with lineage. -#}

with

typed as (

    select * from {{ ref('stg_pos__store_sales_typed') }}

),

final as (

    select
        sale_id,
        store_id,
        customer_id,
        product_id,
        payment_method,
        _source_file,
        _record_number,
        quantity,
        unit_price,
        discount_amount,
        _arrival_date,
        sold_at,
        _loaded_at
    from typed
    where rejection_reason is null

)

select * from final
