{{
    config(
        materialized='incremental',
        unique_key=['shard_id', 'sequence_number'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        sort=['approximate_arrival_timestamp'],
        dist='even',
    )
}}
{#-
    Every inventory change record once, its payload parsed, standardised and typed once, with the first
    rule it fails: the envelope's first (no arrival time, an arrival outside the plausible range, no data),
    then the payload's (the same rules, in the same order, as the stream validator
    warehouse.stream.validator). A record delivered twice (same shard and sequence number) is kept once
    (stream_records_once).

    Incremental: only the stream records that arrived on or after the newest plausible arrival day typed
    minus var('inventory_lookback_days') are typed again (Kinesis shards are ingested independently, so a
    record can become visible after later-arriving ones; an arrival dated 2999 does not move that mark,
    stream_window); delete+insert on the Kinesis record key (shard, sequence number) replaces them, so a
    rerun or a replayed batch changes nothing.
-#}

{#- The JSON fields the model reads, and the column each becomes. #}
{%- set json_fields = {
    'event_id': 'event_id',
    'op': 'change_type_raw',
    'warehouse_id': 'warehouse_id_text',
    'sku': 'sku_raw',
    'seq': 'sequence_text',
    'movement_type': 'movement_type_raw',
    'quantity_on_hand': 'quantity_text',
    'unit_cost': 'unit_cost_text',
    'occurred_at': 'occurred_at_text',
} %}

with

stream as (

    select * from {{ ref('stg_inventory__cdc_events_stream') }}
    {%- if is_incremental() %}
    where {{ stream_window('approximate_arrival_timestamp', var('inventory_lookback_days')) }}
    {%- endif %}

),

deduplicated as (

    {{ stream_records_once('stream') }}

),

parsed as (

    select
        partition_key,
        shard_id,
        sequence_number,
        raw_payload,
        payload_bytes,
        _source_file,
        approximate_arrival_timestamp,
        {{ json_object_or_null('raw_payload') }} as cdc_event
    from deduplicated

),

extracted as (

    select
        *,
        {{ json_text_columns('cdc_event', json_fields) }}
    from parsed

),

typed as (

    select
        *,
        lower(trim(change_type_raw)) as change_type,
        upper(trim(sku_raw)) as sku,
        lower(trim(movement_type_raw)) as movement_type,
        {{ cast_or_null('warehouse_id_text', 'bigint') }} as warehouse_id,
        {{ cast_or_null('sequence_text', 'bigint') }} as change_sequence,
        {{ cast_or_null('quantity_text', 'bigint') }} as quantity_on_hand,
        {{ cast_or_null('unit_cost_text', 'decimal(12,2)') }} as unit_cost,
        {{ cast_or_null('occurred_at_text', 'timestamp') }} as occurred_at
    from extracted

),

checked as (

    select
        *,
        case
            when approximate_arrival_timestamp is null then 'missing_arrival_timestamp'
            when {{ stream_arrival_out_of_range('approximate_arrival_timestamp') }} then 'arrival_out_of_range'
            when payload_bytes is null or payload_bytes = 0 then 'missing_data'
            when {{ text_too_long() }} then 'value_too_long'
            when payload_bytes > 65535 then 'value_too_long'
            when cdc_event is null then 'malformed_json'
            when {{ json_duplicate_key('raw_payload', json_fields.keys() | list) }} then 'duplicate_key'
            when event_id is null then 'missing_event_id'
            when change_type is null or change_type = '' then 'missing_change_type'
            when change_type not in ('insert', 'update', 'delete') then 'invalid_change_type'
            when warehouse_id_text is null then 'missing_warehouse_id'
            when warehouse_id is null then 'invalid_warehouse_id'
            when sku is null or sku = '' then 'missing_sku'
            when sequence_text is null then 'missing_sequence'
            when change_sequence is null or change_sequence < 1 then 'invalid_sequence'
            when movement_type is null or movement_type = '' then 'missing_movement_type'
            when movement_type not in ('receipt', 'shipment', 'adjustment', 'transfer') then 'invalid_movement_type'
            when quantity_text is null then 'missing_quantity_on_hand'
            when quantity_on_hand is null then 'invalid_quantity_on_hand'
            when unit_cost_text is null then 'missing_unit_cost'
            when unit_cost is null then 'invalid_unit_cost'
            when occurred_at_text is null then 'missing_occurred_at'
            when occurred_at is null then 'invalid_occurred_at'
            when quantity_on_hand < 0 then 'negative_quantity_on_hand'
            when unit_cost < 0 then 'negative_unit_cost'
        end as rejection_reason
    from typed

),

final as (

    select
        {{ sized('event_id') }} as event_id,
        {{ sized('change_type') }} as change_type,
        warehouse_id,
        {{ sized('sku') }} as sku,
        change_sequence,
        {{ sized('movement_type') }} as movement_type,
        quantity_on_hand,
        unit_cost,
        rejection_reason,
        case when rejection_reason is not null then {{ stream_raw_record() }} end as raw_record,
        partition_key,
        shard_id,
        sequence_number,
        _source_file,
        occurred_at,
        approximate_arrival_timestamp,
        {{ loaded_at() }} as _loaded_at
    from checked

)

select * from final
