{#-
    The records of a lake source, in the same shape on every engine: the source's data columns plus
    `source_file`, `record_number`, `dt` and `file_modified_at`. Bronze `_typed` models select from it
    instead of from source() directly.

    DuckDB: the source's external_location already reads the lake files with those columns.
    Redshift: the source is a Spectrum external table; the lineage columns come from the `$path`
    pseudo-column and the `dt` partition, and a json_pages table is unnested with PartiQL.
-#}
{% macro lake_records(source_name, table_name) -%}
    {{ return(adapter.dispatch('lake_records', 'globalretail')(source_name, table_name)) }}
{%- endmacro %}

{% macro default__lake_records(source_name, table_name) -%}
    select * from {{ source(source_name, table_name) }}
{%- endmacro %}

{% macro redshift__lake_records(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return('select * from ' ~ relation) }}
    {%- endif -%}
    {%- set node = globalretail.source_node(source_name, table_name) -%}
    {%- set external = node.external or {} -%}
    {%- set file_format = external.get('file_format') -%}
    {%- if file_format == 'json_pages' -%}
        {%- set array = external.get('record_array', 'data') -%}
        {%- set fields = external.get('record_columns', []) -%}
    select
        pages."$path" as source_file,
        cast(null as timestamp) as file_modified_at,
        pages.dt,
        row_number() over (
            partition by pages."$path" order by {% for f in fields %}record.{{ f.name }}{% if not loop.last %}, {% endif %}{% endfor %}
        ) as record_number,
        {{ globalretail.json_object_text(fields, 'record') }} as raw_record
    from {{ relation }} as pages, pages.{{ array }} as record
    union all
    select
        pages."$path" as source_file,
        cast(null as timestamp) as file_modified_at,
        pages.dt,
        0 as record_number,
        '<malformed page>' as raw_record
    from {{ relation }} as pages
    where pages.{{ array }} is null
    {%- else -%}
        {%- set data_columns = globalretail.physical_columns(node) -%}
    select
        records."$path" as source_file,
        cast(null as timestamp) as file_modified_at,
        records.dt,
        row_number() over (
            partition by records."$path" order by {% for c in data_columns %}records.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
        ) as record_number,
        {% for c in data_columns %}records.{{ c }}{% if not loop.last %},
        {% endif %}{% endfor %}
    from {{ relation }} as records
    {%- endif -%}
{%- endmacro %}
