{{
    config(
        materialized=stream_materialization(),
        auto_refresh=true,
        full_refresh=(false if target.type == 'redshift' else none),
        on_configuration_change='fail',
        incremental_strategy='append',
        sort=['approximate_arrival_timestamp'],
        dist='even',
        tags=['stream'],
    )
}}
{#-
    The web events stream as it lands: one row per delivered Kinesis record (a record delivered twice is
    here twice; the typed model keeps it once), payload kept as text whether or not it parses. Redshift: a
    streaming materialized view with AUTO REFRESH. Elsewhere: an incremental table that appends only
    micro-batch files it has not loaded, so replaying a batch changes nothing.

    Never re-created by dbt on Redshift: a streaming materialized view re-created reads the stream again
    from its oldest retained record (materialized-view-streaming-ingestion.html), so every record older
    than the stream's retention would be lost. `full_refresh=false` (Redshift only) keeps `--full-refresh` from dropping
    it, and `on_configuration_change='fail'` stops a dist/sort change from re-creating it: the build fails
    instead. docs/streams.md says how to replay a stream on purpose.
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
        _source_file,
        payload_bytes,
        approximate_arrival_timestamp
    from records

)

select * from final
