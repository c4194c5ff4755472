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
    Every web event record once, its payload parsed and typed once, with the first rule it fails: the
    envelope's first (no arrival time, an arrival outside the plausible range, no data), then the payload's.
    A record delivered twice (same shard and sequence number) is kept once (stream_records_once).

    Incremental: only the stream records that arrived on or after the newest plausible arrival day typed
    minus var('web_lookback_days') are typed again (Kinesis shards are ingested independently; an arrival
    dated 2999 does not move that mark, stream_window); delete+insert on the Kinesis record key (shard,
    sequence number) replaces them, so a rerun changes nothing.
-#}

{#- The JSON fields the model reads, and the column each becomes. #}
{%- set json_fields = {
    'event_id': 'event_id',
    'event_type': 'event_type',
    'session_id': 'session_id',
    'customer_id': 'customer_id_text',
    'product_id': 'product_id_text',
    'device': 'device',
    'page': 'page_path',
    'occurred_at': 'occurred_at_text',
} %}

with

stream as (

    select * from {{ ref('stg_web__events_stream') }}
    {%- if is_incremental() %}
    where {{ stream_window('approximate_arrival_timestamp', var('web_lookback_days')) }}
    {%- endif %}

),

deduplicated as (

    {{ stream_records_once('stream') }}

),

parsed as (

    select
        shard_id,
        sequence_number,
        raw_payload,
        payload_bytes,
        _source_file,
        approximate_arrival_timestamp,
        {{ json_object_or_null('raw_payload') }} as event_payload
    from deduplicated

),

extracted as (

    select
        *,
        {{ json_text_columns('event_payload', json_fields) }}
    from parsed

),

typed as (

    select
        *,
        {{ cast_or_null('customer_id_text', 'bigint') }} as customer_id,
        {{ cast_or_null('product_id_text', 'bigint') }} as product_id,
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
            when event_payload is null then 'malformed_json'
            when {{ json_duplicate_key('raw_payload', json_fields.keys() | list) }} then 'duplicate_key'
            when event_id is null then 'missing_event_id'
            when event_type is null then 'missing_event_type'
            when {{ not_in_enumeration('event_type', 'web_event_types') }} then 'invalid_event_type'
            when occurred_at_text is null then 'missing_occurred_at'
            when occurred_at is null then 'invalid_occurred_at'
            when customer_id_text is not null and customer_id is null then 'invalid_customer_id'
            when product_id_text is not null and product_id is null then 'invalid_product_id'
        end as rejection_reason
    from typed

),

final as (

    select
        {{ sized('event_id') }} as event_id,
        {{ sized('event_type') }} as event_type,
        {{ sized('session_id') }} as session_id,
        customer_id,
        product_id,
        {{ sized('device') }} as device,
        {{ sized('page_path') }} as page_path,
        rejection_reason,
        case when rejection_reason is not null then {{ stream_raw_record() }} end as raw_record,
        shard_id,
        sequence_number,
        _source_file,
        occurred_at,
        approximate_arrival_timestamp,
        {{ loaded_at() }} as _loaded_at
    from checked

)

select * from final
