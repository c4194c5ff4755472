{#- Warehouse records that passed every bronze rule; every version as it arrived. -#}

with

typed as (

    select * from {{ ref('stg_inventory__warehouses_typed') }}

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
        _source_file,
        _record_number,
        opened_date,
        _arrival_date,
        updated_at,
        _loaded_at
    from typed
    where rejection_reason is null

)

select * from final
