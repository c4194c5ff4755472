{{ config(tags=['quarantine']) }}
{#- Inventory change records whose payload failed a bronze rule, with the raw payload and the reason. -#}

with

typed as (

    select * from {{ ref('stg_inventory__cdc_events_typed') }}

),

final as (

    select
        _record_hash,
        rejection_reason,
        raw_record,
        shard_id,
        sequence_number,
        _source_file,
        approximate_arrival_timestamp,
        _loaded_at
    from typed
    where rejection_reason is not null

)

select * from final
