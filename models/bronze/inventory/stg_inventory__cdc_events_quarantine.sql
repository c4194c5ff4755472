{{ config(tags=['quarantine']) }}
{#- Inventory change records whose payload failed a bronze rule, with the raw payload and the reason. -#}

{{
    bronze_quarantine(
        ref('stg_inventory__cdc_events_typed'),
        lineage=['shard_id', 'sequence_number', '_source_file', 'approximate_arrival_timestamp'],
    )
}}
