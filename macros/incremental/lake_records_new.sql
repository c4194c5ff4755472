{#-
    The records of a lake source that an incremental bronze model has not loaded yet: lake_records() of the
    raw files that are not among `loaded_relation`'s `_source_file`s.

    DuckDB: the new file list is computed when the model runs (glob() of the source's `files` pattern minus
    the loaded files, compared by their `dt=.../part-...` tail so a moved lake root still matches), and
    only those files are passed to the reader: a filter after reading the whole glob would still read
    every file. The source's `external_location` must read `'${lake_root}/${files}'`.
    Redshift: the Spectrum table with a predicate on the `dt` partition (the newest loaded arrival date
    minus `lookback_days`, a literal computed when the model runs, so Spectrum prunes partitions) and on
    `"$path"` (files not loaded yet), both applied to the raw table before lake_records numbers the records
    (c-spectrum-external-tables.html: partition pruning needs the predicate on the partition column).
-#}
{% macro lake_records_new(source_name, table_name, loaded_relation, lookback_days=1) -%}
    {{ return(adapter.dispatch('lake_records_new', 'globalretail')(source_name, table_name, loaded_relation, lookback_days)) }}
{%- endmacro %}

{% macro default__lake_records_new(source_name, table_name, loaded_relation, lookback_days=1) -%}
    {%- set predicate -%}
        records.dt >= coalesce(
            {{ globalretail.incremental_watermark(loaded_relation, '_arrival_date', lookback_days) }},
            cast('1900-01-01' as date)
        )
        and {{ globalretail.lake_file_path('records') }} not in (
            select distinct loaded._source_file from {{ loaded_relation }} as loaded
        )
    {%- endset -%}
    {{ globalretail.lake_records(source_name, table_name, where=predicate) }}
{%- endmacro %}

{% macro duckdb__lake_records_new(source_name, table_name, loaded_relation, lookback_days=1) -%}
    {%- set location = globalretail.duckdb_new_files_location(source_name, table_name, loaded_relation) -%}
    {%- if location is none -%}
        {#- Nothing new: the source's shape, no rows; `where false` is planned away, no file is read. -#}
        {{ globalretail.lake_records(source_name, table_name, where='false') }}
    {%- else -%}
        {{ globalretail.lake_records(source_name, table_name, records=location) }}
    {%- endif -%}
{%- endmacro %}

{#-
    DuckDB: the source's external_location reading only the files of its `meta.files` pattern that are not
    among `loaded_relation`'s `_source_file`s (compared by their `dt=.../part-...` tail), or none when there
    is no new file. Used by lake_records_new and stream_records.
-#}
{% macro duckdb_new_files_location(source_name, table_name, loaded_relation) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set node = globalretail.source_node(source_name, table_name) -%}
    {%- set meta = node.meta or {} -%}
    {%- if not meta.get('files') -%}
        {{ exceptions.raise_compiler_error(
            "reading new files only: source " ~ source_name ~ "." ~ table_name ~ " needs meta.files") }}
    {%- endif -%}
    {%- set pattern = meta.lake_root ~ '/' ~ meta.files -%}
    {%- set new_files_sql -%}
        with loaded as (
            select distinct regexp_extract(_source_file, 'dt=[^/]+/[^/]+$') as tail
            from (select distinct _source_file from {{ loaded_relation }})
        )
        select file
        from glob('{{ pattern | replace("'", "''") }}')
        where regexp_extract(file, 'dt=[^/]+/[^/]+$') not in (select tail from loaded)
        order by file
    {%- endset -%}
    {%- set files = run_query(new_files_sql).columns[0].values() -%}
    {%- if files | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for file in files -%}
        {%- do quoted.append("'" ~ (file | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(globalretail.duckdb_location_reading(
        source_name, table_name, '[' ~ quoted | join(', ') ~ ']')) }}
{%- endmacro %}
