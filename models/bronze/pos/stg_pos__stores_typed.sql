{{ config(materialized='table') }}
{#- Every raw store row, typed once, with the first rule it fails (null when it passes). -#}

{%- set raw_columns = ['store_id', 'store_name', 'country_code', 'city', 'opened_date', 'updated_at'] %}

with

source as (

    {{ lake_records('pos', 'stores') }}

),

typed as (

    select
        *,
        {{ cast_or_null('store_id', 'bigint') }} as store_id_typed,
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
            when store_id is null then 'missing_store_id'
            when store_id_typed is null then 'invalid_store_id'
            when opened_date is not null and opened_date_typed is null then 'invalid_opened_date'
            when updated_at is not null and updated_at_typed is null then 'invalid_updated_at'
        end as rejection_reason,
        {{ csv_raw_record(raw_columns) }}
            as csv_record
    from typed

),

final as (

    select
        store_id_typed as store_id,
        {{ sized('store_name') }} as store_name,
        {{ sized('country_code', "upper(country_code)") }} as country_code,
        {{ sized('city') }} as city,
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
