{#-
    The records of a lake source, in the same shape and with the same values on every engine: the source's
    data columns plus `source_file`, `dt` and `record_number`. Bronze `_typed` models select from it instead
    of from source() directly.

    - `source_file`: the file the record came from (DuckDB: the reader's file name; Redshift: the Spectrum
      `"$path"` pseudocolumn, c-spectrum-external-tables.html#c-spectrum-external-tables-pseudocolumns).
    - `record_number`: the record's rank within its file by its content (the line's text; a CSV row's fields
      in column order, nulls first). Spectrum has no line-number pseudocolumn, so a line's position cannot
      be known on Redshift; the rank by content is the same on both engines, so deduplication's last
      tie-break, and every checksum, agree. Identical records share their content, so which of them gets
      which number changes nothing downstream.
    - CSV fields: an empty field is null. OpenCSVSerde returns it as an empty string, DuckDB's reader as null;
      `nullif(field, '')` makes both null, so a walk-in sale's empty `customer_id` is missing, not invalid.

    `records`: read these records instead of the whole source (DuckDB's incremental file list);
    `where`: a predicate on the raw columns (`records.dt`, the file path) applied before numbering, so
    Spectrum prunes partitions and files (a filter above the window would read the whole table).
-#}
{% macro lake_records(source_name, table_name, records=none, where=none) -%}
    {%- set relation = records if records is not none else source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return('select * from ' ~ relation) }}
    {%- endif -%}
    {%- set node = globalretail.source_node(source_name, table_name) -%}
    {%- set file_format = (node.external or {}).get('file_format') -%}
    {%- set data_columns = globalretail.physical_columns(node) -%}
    {%- set values = [] -%}
    {%- for c in data_columns -%}
        {%- do values.append("nullif(records." ~ c ~ ", '')" if file_format == 'csv' else 'records.' ~ c) -%}
    {%- endfor -%}
    {%- set file = globalretail.lake_file_path('records') -%}
    {#- An S3 URI is at most 1,024 bytes of key plus its bucket: no varchar(65535) travels on. #}
    select
        cast({{ file }} as varchar(1100)) as source_file,
        records.dt,
        row_number() over (
            partition by {{ file }}
            order by {% for v in values %}{{ v }} nulls first{% if not loop.last %}, {% endif %}{% endfor %}
        ) as record_number,
        {%- for c in data_columns %}
        {{ values[loop.index0] }} as {{ c }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }} as records
    {%- if where %}
    where {{ where }}
    {%- endif -%}
{%- endmacro %}

{#- The path of the file a lake record came from, on the raw records aliased `alias`. -#}
{% macro lake_file_path(alias) -%}
    {{ return(adapter.dispatch('lake_file_path', 'globalretail')(alias)) }}
{%- endmacro %}

{% macro default__lake_file_path(alias) -%}
    {{ alias }}.source_file
{%- endmacro %}

{% macro redshift__lake_file_path(alias) -%}
    {{ alias }}."$path"
{%- endmacro %}
