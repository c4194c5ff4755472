{{ config(sort=['store_id'], dist='all') }}
{#- One row per store: the latest version of the store list. -#}

with

stores as (

    select * from {{ ref('stg_pos__stores') }}

),

deduplicated as (

    {{ latest_version('stores', ['store_id'],
        'updated_at desc nulls last, _arrival_date desc nulls last, _source_file desc nulls last, _record_number desc nulls last',
        last_arrival='_arrival_date') }}

),

final as (

    select
        store_id,
        store_name,
        country_code,
        city,
        version_count,
        _last_arrival_date,
        opened_date,
        updated_at
    from deduplicated

)

select * from final {{ storage_order() }}
