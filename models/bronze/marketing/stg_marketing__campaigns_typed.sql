{{ config(materialized='table') }}
{#- Every raw campaign row, typed once, with the first rule it fails (null when it passes). -#}

{%- set raw_columns = ['campaign_id', 'campaign_name', 'channel_code', 'objective', 'start_date', 'end_date',
                       'budget', 'updated_at'] %}

with

source as (

    {{ lake_records('marketing', 'campaigns') }}

),

typed as (

    select
        *,
        {{ cast_or_null('campaign_id', 'bigint') }} as campaign_id_typed,
        {{ cast_or_null('budget', 'decimal(14, 2)') }} as budget_typed,
        {{ cast_or_null('start_date', 'date') }} as start_date_typed,
        {{ cast_or_null('end_date', 'date') }} as end_date_typed,
        {{ cast_or_null('updated_at', 'timestamp') }} as updated_at_typed
    from source

),

checked as (

    select
        *,
        case
            when {{ blank_record(raw_columns) }} then 'empty_record'
            when {{ text_too_long() }} then 'value_too_long'
            when campaign_id is null then 'missing_campaign_id'
            when campaign_id_typed is null then 'invalid_campaign_id'
            when start_date is not null and start_date_typed is null then 'invalid_start_date'
            when end_date is not null and end_date_typed is null then 'invalid_end_date'
            when budget is not null and budget_typed is null then 'invalid_budget'
            when updated_at is not null and updated_at_typed is null then 'invalid_updated_at'
            when end_date_typed < start_date_typed then 'end_before_start'
        end as rejection_reason,
        {{ csv_raw_record(raw_columns) }} as csv_record
    from typed

),

final as (

    select
        campaign_id_typed as campaign_id,
        {{ sized('campaign_name') }} as campaign_name,
        {{ sized('channel_code', "lower(channel_code)") }} as channel_code,
        {{ sized('objective', "lower(objective)") }} as objective,
        rejection_reason,
        case when rejection_reason is not null then csv_record end as raw_record,
        source_file as _source_file,
        record_number as _record_number,
        budget_typed as budget,
        start_date_typed as start_date,
        end_date_typed as end_date,
        cast(dt as date) as _arrival_date,
        updated_at_typed as updated_at,
        {{ loaded_at() }} as _loaded_at
    from checked

)

select * from final
