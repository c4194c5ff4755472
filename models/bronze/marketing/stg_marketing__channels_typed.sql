{{ config(materialized='table') }}
{#- Every raw channel row, typed once, with the first rule it fails (null when it passes). -#}

{%- set raw_columns = ['channel_code', 'channel_name', 'channel_type', 'updated_at'] %}

with

source as (

    {{ lake_records('marketing', 'channels') }}

),

typed as (

    select
        *,
        {{ cast_or_null('updated_at', 'timestamp') }} as updated_at_typed
    from source

),

checked as (

    select
        *,
        case
            when {{ blank_record(raw_columns) }} then 'empty_record'
            when {{ text_too_long() }} then 'value_too_long'
            when channel_code is null then 'missing_channel_code'
            when channel_type is null then 'missing_channel_type'
            when lower(channel_type) not in ('online', 'offline') then 'invalid_channel_type'
            when updated_at is not null and updated_at_typed is null then 'invalid_updated_at'
        end as rejection_reason,
        {{ csv_raw_record(raw_columns) }} as csv_record
    from typed

),

final as (

    select
        {{ sized('channel_code', "lower(channel_code)") }} as channel_code,
        {{ sized('channel_name') }} as channel_name,
        {{ sized('channel_type', "lower(channel_type)") }} as channel_type,
        rejection_reason,
        case when rejection_reason is not null then csv_record end as raw_record,
        source_file as _source_file,
        record_number as _record_number,
        cast(dt as date) as _arrival_date,
        updated_at_typed as updated_at,
        {{ loaded_at() }} as _loaded_at
    from checked

)

select * from final
