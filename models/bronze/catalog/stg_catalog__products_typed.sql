{{ config(materialized='table') }}
{#- Every raw catalog row, typed once, with the first rule it fails (null when it passes). -#}

{%- set raw_columns = ['product_id', 'sku', 'product_name', 'category', 'subcategory', 'brand', 'unit_cost',
                       'list_price', 'is_active', 'updated_at'] %}

with

source as (
    {#- Live from the catalog database when one is configured, else from the lake's catalog exports. #}
    {%- if catalog_is_live() %}

    select
        'postgres:catalog_db.products' as source_file,
        cast(null as {{ dbt.type_timestamp() }}) as file_modified_at,
        '{{ run_started_at.strftime("%Y-%m-%d") }}' as dt,
        row_number() over (order by catalog.product_id) as record_number,
        cast(catalog.product_id as {{ dbt.type_string() }}) as product_id,
        catalog.sku,
        catalog.product_name,
        catalog.category,
        catalog.subcategory,
        catalog.brand,
        cast(catalog.unit_cost as {{ dbt.type_string() }}) as unit_cost,
        cast(catalog.list_price as {{ dbt.type_string() }}) as list_price,
        case when catalog.is_active then 'true' when not catalog.is_active then 'false' end as is_active,
        cast(catalog.updated_at as {{ dbt.type_string() }}) as updated_at
    from {{ source('catalog_db', 'products') }} as catalog
    {%- else %}

    {{ lake_records('catalog', 'products') }}
    {%- endif %}

),

typed as (

    select
        *,
        {{ cast_or_null('product_id', 'bigint') }} as product_id_typed,
        {{ cast_or_null('unit_cost', 'decimal(12, 2)') }} as unit_cost_typed,
        {{ cast_or_null('list_price', 'decimal(12, 2)') }} as list_price_typed,
        {{ cast_or_null('is_active', 'boolean') }} as is_active_typed,
        {{ cast_or_null('updated_at', 'timestamp') }} as updated_at_typed
    from source

),

checked as (

    select
        *,
        case
            when {{ blank_record(raw_columns) }} then 'empty_record'
            when {{ text_too_long() }} then 'value_too_long'
            when product_id is null then 'missing_product_id'
            when category is null then 'missing_category'
            when list_price is null then 'missing_list_price'
            when updated_at is null then 'missing_updated_at'
            when product_id_typed is null then 'invalid_product_id'
            when list_price_typed is null then 'invalid_list_price'
            when unit_cost is not null and unit_cost_typed is null then 'invalid_unit_cost'
            when is_active is not null and is_active_typed is null then 'invalid_is_active'
            when updated_at_typed is null then 'invalid_updated_at'
            when list_price_typed < 0 then 'negative_list_price'
        end as rejection_reason,
        {{ csv_raw_record(raw_columns) }} as csv_record
    from typed

),

final as (

    select
        product_id_typed as product_id,
        {{ sized('sku') }} as sku,
        {{ sized('product_name') }} as product_name,
        {{ sized('category') }} as category,
        {{ sized('subcategory') }} as subcategory,
        {{ sized('brand') }} as brand,
        rejection_reason,
        case when rejection_reason is not null then csv_record end as raw_record,
        source_file as _source_file,
        record_number as _record_number,
        unit_cost_typed as unit_cost,
        list_price_typed as list_price,
        coalesce(is_active_typed, true) as is_active,
        cast(dt as date) as _arrival_date,
        updated_at_typed as updated_at,
        {{ loaded_at() }} as _loaded_at
    from checked

)

select * from final
