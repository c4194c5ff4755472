{#-
    The stream records an incremental run of a typed stream model reads again: those that arrived on or
    after the newest plausible arrival it typed (stream_arrival_latest: an arrival dated 2999 is not
    one) minus `lookback_days` days.

    DuckDB also reads every record without an arrival time: a local micro-batch envelope can lack one (it
    is quarantined as `missing_arrival_timestamp`), and such a record would otherwise never be typed and
    the stream would not reconcile. On Redshift the column is streaming ingestion's metadata column, the
    time Kinesis accepted the record (materialized-view-streaming-ingestion-getting-started.html), and the
    filter stays a plain range on the streaming view's sort key, which the blocks' min/max metadata prunes
    (t_Sorting_data.html); were a record ever to come without one, the stream's records_reconcile test
    fails and a full refresh of the typed model quarantines it.
-#}
{% macro stream_window(arrival_column, lookback_days) -%}
    {{ return(adapter.dispatch('stream_window', 'globalretail')(arrival_column, lookback_days)) }}
{%- endmacro %}

{% macro default__stream_window(arrival_column, lookback_days) -%}
    {{ globalretail.since_watermark(
        arrival_column, arrival_column, lookback_days, until=globalretail.stream_arrival_latest()
    ) }}
{%- endmacro %}

{% macro duckdb__stream_window(arrival_column, lookback_days) -%}
    ({{ globalretail.default__stream_window(arrival_column, lookback_days) }} or {{ arrival_column }} is null)
{%- endmacro %}
