{{ config(sort=['warehouse_id'], dist='all') }}
{#- One row per warehouse: the latest version of the inventory system's warehouse list. -#}

with

warehouses as (

    select * from {{ ref('stg_inventory__warehouses') }}

),

deduplicated as (

    {{ latest_version('warehouses', ['warehouse_id'],
        'updated_at desc nulls last, _arrival_date desc nulls last, _source_file desc nulls last, _record_number desc nulls last') }}

),

final as (

    select
        warehouse_id,
        warehouse_code,
        warehouse_name,
        country_code,
        city,
        warehouse_type,
        capacity_units,
        version_count,
        opened_date,
        updated_at
    from deduplicated

)

select * from final {{ storage_order() }}
