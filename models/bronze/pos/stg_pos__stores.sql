{#- Store records that passed every bronze rule; every version as it arrived. -#}

with

typed as (

    select * from {{ ref('stg_pos__stores_typed') }}

),

final as (

    select
        store_id,
        store_name,
        country_code,
        city,
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
