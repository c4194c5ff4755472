{{ config(materialized='table') }}
{#- Every raw warehouse row, typed once, with the first rule it fails (null when it passes). -#}

{%- set raw_columns = ['warehouse_id', 'warehouse_code', 'warehouse_name', 'country_code', 'city',
                       'warehouse_type', 'capacity_units', 'opened_date', 'updated_at'] %}

with

source as (

    {{ lake_records('inventory_lake', 'warehouses') }}

),

typed as (

    select
        *,
        {{ cast_or_null('warehouse_id', 'bigint') }} as warehouse_id_typed,
        {{ cast_or_null('capacity_units', 'bigint') }} as capacity_units_typed,
        {{ cast_or_null('opened_date', 'date') }} as opened_date_typed,
        {{ cast_or_null('updated_at', 'timestamp') }} as updated_at_typed
    from source

),

checked as (

    select
        *,
        case
            when {{ blank_record(raw_columns) }} then 'empty_record'
            when {{ text_too_long() }} then 'value_too_long'
            when warehouse_id is null then 'missing_warehouse_id'
            when warehouse_id_typed is null then 'invalid_warehouse_id'
            when country_code is null then 'missing_country_code'
            when capacity_units is not null and capacity_units_typed is null then 'invalid_capacity_units'
            when opened_date is not null and opened_date_typed is null then 'invalid_opened_date'
            when updated_at is not null and updated_at_typed is null then 'invalid_updated_at'
            when {{ not_in_enumeration('lower(warehouse_type)', 'warehouse_types') }} then 'invalid_warehouse_type'
        end as rejection_reason,
        {{ csv_raw_record(raw_columns) }} as csv_record
    from typed

),

final as (

    select
        warehouse_id_typed as warehouse_id,
        {{ sized('warehouse_code') }} as warehouse_code,
        {{ sized('warehouse_name') }} as warehouse_name,
        {{ sized('country_code', "upper(country_code)") }} as country_code,
        {{ sized('city') }} as city,
        {{ sized('warehouse_type', "lower(warehouse_type)") }} as warehouse_type,
        capacity_units_typed as capacity_units,
        rejection_reason,
        case when rejection_reason is not null then csv_record end as raw_record,
        source_file as _source_file,
        record_number as _record_number,
        opened_date_typed as opened_date,
        cast(dt as date) as _arrival_date,
        updated_at_typed as updated_at,
        {{ loaded_at() }} as _loaded_at
    from checked

)

select * from final
