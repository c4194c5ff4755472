{#- Sales channel rows that passed every bronze rule; every exported version. -#}

with

typed as (

    select * from {{ ref('stg_marketing__channels_typed') }}

),

final as (

    select
        channel_code,
        channel_name,
        channel_type,
        _source_file,
        _record_number,
        _arrival_date,
        updated_at,
        _loaded_at
    from typed
    where rejection_reason is null

)

select * from final
