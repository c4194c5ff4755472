{#-
    The arrival times a stream record can plausibly have (docs/streams.md, "Envelope rules"):
    from var('calendar_start') to the run's start (dbt's run_started_at, UTC) plus
    var('stream_arrival_tolerance_minutes'), and never after var('calendar_end'). Kinesis stamps a record's
    approximate_arrival_timestamp when it accepts it, so a later one is a broken clock or a corrupted
    envelope: bronze quarantines it (`arrival_out_of_range`), and the incremental watermark of the typed
    stream models ignores it, so one record dated 2999 cannot make every later record look already loaded.
    The tolerance covers clock skew and the minutes between the run's start and the typed model reading
    the stream; a record that was only early is re-typed, and accepted, by a later run (it stays inside the
    incremental window).
-#}

{#- The latest plausible arrival of a stream record in this run, as a timestamp literal. -#}
{% macro stream_arrival_latest() -%}
    {%- set tolerance = modules.datetime.timedelta(minutes=var('stream_arrival_tolerance_minutes') | int) -%}
    {%- set latest = (run_started_at + tolerance).replace(tzinfo=none) -%}
    {%- set calendar_end = modules.datetime.datetime.fromisoformat(var('calendar_end')) -%}
    {%- set after_calendar = calendar_end + modules.datetime.timedelta(days=1, microseconds=-1) -%}
    {%- set bound = [latest, after_calendar] | min -%}
    cast('{{ bound.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The earliest plausible arrival of a stream record: the first day of the calendar. -#}
{% macro stream_arrival_earliest() -%}
    cast('{{ var("calendar_start") }} 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- True when a (non-null) arrival time is outside [stream_arrival_earliest, stream_arrival_latest]. -#}
{% macro stream_arrival_out_of_range(column) -%}
    ({{ column }} < {{ globalretail.stream_arrival_earliest() }} or {{ column }} > {{ globalretail.stream_arrival_latest() }})
{%- endmacro %}
