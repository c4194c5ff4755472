{{ config(sort=['product_id'], dist='all') }}
{#- The product catalog, plus the unknown member (-1) for sales of products missing from the catalog. -#}

with

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

known as (

    select
        product_id,
        sku,
        product_name,
        category,
        coalesce(subcategory, 'Unknown') as subcategory,
        coalesce(brand, 'Unknown') as brand,
        unit_cost,
        list_price,
        is_active,
        false as is_unknown_member
    from products

),

unknown_member as (

    select
        cast(-1 as {{ dbt.type_bigint() }}) as product_id,
        'UNKNOWN' as sku,
        'Unknown product' as product_name,
        'Unknown' as category,
        'Unknown' as subcategory,
        'Unknown' as brand,
        cast(null as decimal(12, 2)) as unit_cost,
        cast(null as decimal(12, 2)) as list_price,
        false as is_active,
        true as is_unknown_member

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final {{ storage_order() }}
