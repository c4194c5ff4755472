{#- Web events whose envelope and payload passed every bronze rule, each Kinesis record once. -#}

with

typed as (

    select * from {{ ref('stg_web__events_typed') }}

),

final as (

    select
        event_id,
        event_type,
        session_id,
        customer_id,
        product_id,
        device,
        page_path,
        shard_id,
        sequence_number,
        _source_file,
        occurred_at,
        approximate_arrival_timestamp,
        _loaded_at
    from typed
    where rejection_reason is null

)

select * from final
