{{
    config(
        materialized=stream_materialization(),
        auto_refresh=true,
        incremental_strategy='append',
        sort=['approximate_arrival_timestamp'],
        dist='even',
        tags=['stream'],
    )
}}
{#-
    The web events stream as it lands: one row per Kinesis record, payload kept as text whether or not it
    parses. Redshift: a streaming materialized view with AUTO REFRESH. Elsewhere: an incremental table that
    appends only micro-batch files it has not loaded, so replaying a batch changes nothing.
-#}

with

records as (

    {%- if is_incremental() %}
    {{ stream_records('web', 'events', this) }}
    {%- else %}
    {{ stream_records('web', 'events') }}
    {%- endif %}

),

final as (

    select
        partition_key,
        shard_id,
        sequence_number,
        raw_payload,
        payload,
        _source_file,
        is_valid_json,
        approximate_arrival_timestamp
    from records

)

select * from final
