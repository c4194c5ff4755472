{{ config(sort=['channel_code'], dist='all') }}
{#- One row per sales channel: its latest version. -#}

with

channels as (

    select * from {{ ref('stg_marketing__channels') }}

),

deduplicated as (

    {{ latest_version('channels', ['channel_code'],
        'updated_at desc nulls last, _arrival_date desc nulls last, _source_file desc nulls last, _record_number desc nulls last',
        last_arrival='_arrival_date') }}

),

final as (

    select
        channel_code,
        channel_name,
        channel_type,
        version_count,
        _last_arrival_date,
        updated_at
    from deduplicated

)

select * from final {{ storage_order() }}
