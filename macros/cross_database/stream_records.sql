{#-
    The records of a stream source with the columns Redshift streaming ingestion gives (docs/streams.md):
    approximate_arrival_timestamp, partition_key, shard_id, sequence_number, plus
    - payload_bytes: the record's size in bytes;
    - raw_payload: the record as text, null when it is longer than 65,535 bytes, the most a VARCHAR holds
      (r_Character_types.html). A Kinesis record can be up to 1 MB; bronze quarantines a longer one as
      `value_too_long` instead of failing on it, and the JSON functions that read raw_payload never see
      an input over their limit;
    - _source_file: the micro-batch file (locally) or the stream (Redshift).
    Nothing is parsed here: bronze's typed model extracts the fields (json_text_columns).

    Redshift: the body of a streaming materialized view over the Kinesis external schema
    (materialized-view-streaming-ingestion.html); its refresh reads only new records itself, so
    `loaded_relation` is ignored. DuckDB: the micro-batch files; with `loaded_relation` (an incremental
    run), only the files not loaded into it yet (duckdb_new_files_location).
-#}
{% macro stream_records(source_name, table_name, loaded_relation=none) -%}
    {{ return(adapter.dispatch('stream_records', 'globalretail')(source_name, table_name, loaded_relation)) }}
{%- endmacro %}

{% macro default__stream_records(source_name, table_name, loaded_relation=none) -%}
    {%- set records -%}
        {{ source(source_name, table_name) }}
        {%- if loaded_relation is not none %}
    where source_file not in (select distinct loaded._source_file from {{ loaded_relation }} as loaded)
        {%- endif -%}
    {%- endset -%}
    {{ globalretail.stream_records_select(records) }}
{%- endmacro %}

{% macro duckdb__stream_records(source_name, table_name, loaded_relation=none) -%}
    {%- set records = source(source_name, table_name) -%}
    {%- if loaded_relation is not none -%}
        {%- set location = globalretail.duckdb_new_files_location(source_name, table_name, loaded_relation) -%}
        {%- set records = records ~ ' where false' if location is none else location -%}
    {%- endif -%}
    {{ globalretail.stream_records_select(records) }}
{%- endmacro %}

{#- The stream columns from a relation (or a relation and its filter) of raw micro-batch records. -#}
{% macro stream_records_select(records) -%}
    select
        approximate_arrival_timestamp,
        partition_key,
        shard_id,
        sequence_number,
        {{ globalretail.byte_length('kinesis_data') }} as payload_bytes,
        case when {{ globalretail.byte_length('kinesis_data') }} <= 65535 then kinesis_data end as raw_payload,
        source_file as _source_file
    from {{ records }}
{%- endmacro %}

{% macro redshift__stream_records(source_name, table_name, loaded_relation=none) -%}
    select
        approximate_arrival_timestamp,
        partition_key,
        shard_id,
        sequence_number,
        len(kinesis_data) as payload_bytes,
        case when len(kinesis_data) <= 65535 then from_varbyte(kinesis_data, 'utf-8') end as raw_payload,
        cast('kinesis://{{ source(source_name, table_name).identifier }}' as varchar(256)) as _source_file
    from {{ source(source_name, table_name) }}
{%- endmacro %}

{#-
    The raw payload a quarantined stream record keeps: its text, or a note saying what arrived when there
    is no text to keep: for a record too long for a varchar (raw_payload null, payload_bytes over 65,535)
    its size; for a record without data (an envelope with no `data`, or a null or empty one) that it had
    none. So every quarantine row says what arrived, and raw_record is never null.
-#}
{% macro stream_raw_record(raw_payload='raw_payload', payload_bytes='payload_bytes') -%}
    coalesce(
        nullif({{ raw_payload }}, ''),
        case when {{ payload_bytes }} > 65535 then {{ dbt.concat([
            "'<a record of '",
            dbt.cast(payload_bytes, dbt.type_string()),
            "' bytes, longer than a varchar holds>'",
        ]) }} end,
        '<a record without data>'
    )
{%- endmacro %}

{#-
    Each Kinesis record once: the body of a `deduplicated` CTE over stream records (stream_records'
    columns). A record is its shard and sequence number; delivery is at least once, so the same record can
    come twice (twice in a micro-batch file, or in a batch file delivered again under another name; on
    Redshift the guide does not promise a streaming view never holds a record twice, so the same rule runs
    there). The copy kept is the first delivery by content, never by load order: the earliest arrival,
    then the payload's size and text, then the partition key and the file (locally), all nulls last; so a
    one-shot build, a replay and any order of delivery keep the same copy. The other copies are counted
    as duplicates by the stream's records_reconcile test (`record_key`).
-#}
{% macro stream_records_once(relation) -%}
    {{ globalretail.latest_version(
        relation,
        ['shard_id', 'sequence_number'],
        'approximate_arrival_timestamp asc nulls last, payload_bytes asc nulls last, raw_payload asc nulls last, '
        ~ 'partition_key asc nulls last, _source_file asc nulls last'
    ) }}
{%- endmacro %}
