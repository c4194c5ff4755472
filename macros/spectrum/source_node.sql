{#- The parsed source node (from the graph) for source(source_name, table_name). -#}
{% macro source_node(source_name, table_name) -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no source " ~ source_name ~ "." ~ table_name) }}
{%- endmacro %}

{#- Names of a source table's physical columns: those not marked meta.physical = false. -#}
{% macro physical_columns(node) -%}
    {%- set names = [] -%}
    {%- for column in node.columns.values() -%}
        {%- if (column.meta or {}).get('physical', true) -%}
            {%- do names.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#-
    A JSON object as text built from struct fields (all text): {"a":"x","b":null}. Redshift rebuilds a
    customer record from a Spectrum nested struct this way, so bronze parses it like any JSON record.
-#}
{% macro json_object_text(fields, alias) -%}
    {%- set parts = ["'{'"] -%}
    {%- for f in fields -%}
        {%- set value = alias ~ '.' ~ f.name -%}
        {%- do parts.append("'" ~ ('' if loop.first else ',') ~ '"' ~ f.name ~ '":' ~ "'") -%}
        {%- do parts.append("coalesce('\"' || replace(replace(" ~ value ~ ", '\\\\', '\\\\\\\\'), '\"', '\\\\\"') || '\"', 'null')") -%}
    {%- endfor -%}
    {%- do parts.append("'}'") -%}
    {{ parts | join(' || ') }}
{%- endmacro %}
