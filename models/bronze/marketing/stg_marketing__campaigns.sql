{#- Campaign rows that passed every bronze rule; every exported version. -#}

with

typed as (

    select * from {{ ref('stg_marketing__campaigns_typed') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        channel_code,
        objective,
        _source_file,
        _record_number,
        budget,
        start_date,
        end_date,
        _arrival_date,
        updated_at,
        _loaded_at
    from typed
    where rejection_reason is null

)

select * from final
