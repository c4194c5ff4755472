{#-
    The raw relation of a lake source reduced to its `dt` partitions from `dt_from` to `dt_to` (both
    included; 'YYYY-MM-DD' literals), read the way Spectrum reads a partitioned external table: only the
    files of those partitions are opened.

    Redshift: the Spectrum table with a predicate on its `dt` partition column, which Spectrum resolves
    against the catalog's partitions before reading (c-spectrum-external-tables.html, "Partitioning
    Redshift Spectrum external tables").
    DuckDB: the source's external_location reading a list of one glob per day of the range
    (`.../dt=YYYY-MM-DD/<file pattern>`), a constant expression the reader folds before it opens any
    file, so the plan's "Total Files Read" counts only the window's files; a day without files adds
    nothing. A filter on `dt` after reading the whole glob would open every file (the reader derives `dt`
    from the file name). The source's `meta.files` must have one `dt=*` folder level.
-#}
{% macro lake_partitions(source_name, table_name, dt_from, dt_to) -%}
    {{ return(adapter.dispatch('lake_partitions', 'globalretail')(source_name, table_name, dt_from, dt_to)) }}
{%- endmacro %}

{% macro default__lake_partitions(source_name, table_name, dt_from, dt_to) -%}
    (
        select *
        from {{ source(source_name, table_name) }}
        where
            dt >= cast('{{ dt_from }}' as date)
            and dt <= cast('{{ dt_to }}' as date)
    )
{%- endmacro %}

{% macro duckdb__lake_partitions(source_name, table_name, dt_from, dt_to) -%}
    {%- if not execute -%}
        {{ return(source(source_name, table_name)) }}
    {%- endif -%}
    {%- set node = globalretail.source_node(source_name, table_name) -%}
    {%- set meta = node.meta or {} -%}
    {%- set files = meta.get('files', '') -%}
    {%- if files.count('dt=*/') != 1 -%}
        {{ exceptions.raise_compiler_error(
            "reading partitions: source " ~ source_name ~ "." ~ table_name ~ " needs meta.files with one "
            ~ "dt=* folder level, not '" ~ files ~ "'") }}
    {%- endif -%}
    {%- set before, after = files.split('dt=*/') -%}
    {%- set prefix = (meta.lake_root ~ '/' ~ before ~ 'dt=') | replace("'", "''") -%}
    {%- set suffix = ('/' ~ after) | replace("'", "''") -%}
    {%- set day_globs -%}
        list_transform(
            generate_series(cast('{{ dt_from }}' as date), cast('{{ dt_to }}' as date), interval 1 day),
            partition_day -> '{{ prefix }}' || strftime(partition_day, '%Y-%m-%d') || '{{ suffix }}'
        )
    {%- endset -%}
    {{ return(globalretail.duckdb_location_reading(source_name, table_name, day_globs)) }}
{%- endmacro %}

{#-
    DuckDB: the source's external_location with its files argument ('${lake_root}/${files}') replaced by
    `files_sql` (a list literal or a constant list expression) and its other ${...} values filled in. Used
    by lake_partitions and duckdb_new_files_location.
-#}
{% macro duckdb_location_reading(source_name, table_name, files_sql) -%}
    {%- set node = globalretail.source_node(source_name, table_name) -%}
    {%- set meta = node.meta or {} -%}
    {%- set template = meta.get('external_location', '') -%}
    {%- set placeholder = "'${lake_root}/${files}'" -%}
    {%- if placeholder not in template or not meta.get('files') -%}
        {{ exceptions.raise_compiler_error(
            "reading part of a lake source: source " ~ source_name ~ "." ~ table_name ~ " needs meta.files "
            ~ "and an external_location that reads " ~ placeholder) }}
    {%- endif -%}
    {%- set location = template | replace(placeholder, files_sql) -%}
    {%- for key, value in meta.items() -%}
        {%- if value is string -%}
            {%- set location = location | replace('${' ~ key ~ '}', value) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(location) }}
{%- endmacro %}
