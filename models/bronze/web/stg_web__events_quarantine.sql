{{ config(tags=['quarantine']) }}
{#- Web event records whose payload failed a bronze rule, with the raw payload and the reason. -#}

{{
    bronze_quarantine(
        ref('stg_web__events_typed'),
        lineage=['shard_id', 'sequence_number', '_source_file', 'approximate_arrival_timestamp'],
    )
}}
