{{ config(sort=['product_id', 'valid_from'], dist='all') }}
{#-
    Product history (SCD type 2) from the snp_products snapshot: one row per version, with a half-open
    validity range. A product deleted from the catalog ends with a version where is_deleted is true, so
    "what did product 7 cost on 2025-11-20, and was it still listed?" is
        where product_id = 7 and valid_from <= t and t < valid_to
-#}

with

versions as (

    select * from {{ ref('snp_products') }}

),

final as (

    select
        dbt_scd_id as product_version_id,
        product_id,
        sku,
        product_name,
        category,
        coalesce(subcategory, 'Unknown') as subcategory,
        coalesce(brand, 'Unknown') as brand,
        unit_cost,
        list_price,
        is_active,
        coalesce(dbt_is_deleted = 'True', false) as is_deleted,
        dbt_valid_to is null as is_current,
        dbt_valid_from as valid_from,
        coalesce(dbt_valid_to, {{ far_future_timestamp() }}) as valid_to
    from versions

)

select * from final {{ storage_order() }}
