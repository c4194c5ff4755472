{{ config(sort=['product_id'], dist='all') }}
{#-
    The products the catalog lists now: the latest version of every product that appears in the latest
    full catalog export or in a delta export after it. A product missing from the latest full export (and
    from every later delta) has been deleted from the catalog. The product snapshot reads this model, so a
    deletion becomes a history row (hard_deletes: new_record); dim_product keeps every product ever seen,
    so old sales never lose theirs.

    The lake does not label an export as full or delta. An export (all catalog files of one arrival day) is
    full when it holds at least var('catalog_full_export_min_share') (default 0.5) times as many products as
    the catalog had before it; the first export is full. Deltas hold a few percent of the catalog, so a
    delta is never mistaken for a full export; a full export that dropped more than half the catalog at
    once would be read as a delta, which deletes nothing (the safe way to be wrong).
-#}

with

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

catalog_records as (

    {#- Every record the export carried, quarantined ones included: a product whose row failed a bronze
        rule is still in the catalog. -#}
    select
        product_id,
        _arrival_date
    from {{ ref('stg_catalog__products_typed') }}
    where product_id is not null

),

exports as (

    select
        _arrival_date as export_date,
        count(distinct product_id) as product_count
    from catalog_records
    group by _arrival_date

),

known_before as (

    select
        exports.export_date,
        count(distinct earlier.product_id) as known_product_count
    from exports
    left join catalog_records as earlier
        on exports.export_date > earlier._arrival_date
    group by exports.export_date

),

full_exports as (

    select exports.export_date
    from exports
    inner join known_before
        on exports.export_date = known_before.export_date
    where
        exports.product_count
        >= {{ var('catalog_full_export_min_share', 0.5) }} * known_before.known_product_count

),

latest_full_export as (

    select max(export_date) as export_date from full_exports

),

listed_ids as (

    select distinct catalog_records.product_id
    from catalog_records
    inner join latest_full_export
        on catalog_records._arrival_date >= latest_full_export.export_date

),

final as (

    select
        products.product_id,
        products.sku,
        products.product_name,
        products.category,
        products.subcategory,
        products.brand,
        products.unit_cost,
        products.list_price,
        products.is_active,
        products.updated_at
    from products
    inner join listed_ids
        on products.product_id = listed_ids.product_id

)

select * from final {{ storage_order() }}
