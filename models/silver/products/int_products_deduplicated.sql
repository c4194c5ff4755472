{{ config(sort=['product_id'], dist='all') }}
{#- One row per product: the latest catalog version (a delta export supersedes the full export). -#}

with

products as (

    select * from {{ ref('stg_catalog__products') }}

),

deduplicated as (

    {{ latest_version('products', ['product_id'],
        'updated_at desc nulls last, _arrival_date desc nulls last, _source_file desc nulls last, _record_number desc nulls last',
        last_arrival='_arrival_date') }}

),

final as (

    select
        product_id,
        sku,
        product_name,
        category,
        subcategory,
        brand,
        unit_cost,
        list_price,
        is_active,
        version_count,
        _last_arrival_date,
        updated_at
    from deduplicated

)

select * from final {{ storage_order() }}
