{#- Inventory change events whose envelope and payload passed every bronze rule, each Kinesis record once. -#}

with

typed as (

    select * from {{ ref('stg_inventory__cdc_events_typed') }}

),

final as (

    select
        event_id,
        change_type,
        warehouse_id,
        sku,
        change_sequence,
        movement_type,
        quantity_on_hand,
        unit_cost,
        partition_key,
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
