{#- Catalog rows that passed every bronze rule; every exported version of every product. -#}

with

typed as (

    select * from {{ ref('stg_catalog__products_typed') }}

),

final as (

    select
        product_id,
        sku,
        product_name,
        category,
        subcategory,
        brand,
        _source_file,
        _record_number,
        unit_cost,
        list_price,
        is_active,
        _arrival_date,
        updated_at,
        _loaded_at
    from typed
    where rejection_reason is null

)

select * from final
