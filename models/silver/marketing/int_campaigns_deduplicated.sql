{{ config(sort=['campaign_id'], dist='all') }}
{#- One row per marketing campaign: its latest version. -#}

with

campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}

),

deduplicated as (

    {{ latest_version('campaigns', ['campaign_id'],
        'updated_at desc nulls last, _arrival_date desc nulls last, _source_file desc nulls last, _record_number desc nulls last',
        last_arrival='_arrival_date') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        channel_code,
        objective,
        budget,
        version_count,
        _last_arrival_date,
        start_date,
        end_date,
        updated_at
    from deduplicated

)

select * from final {{ storage_order() }}
